"""Cohort functions: statistics of a column over the subjects a subject is
compared with, as whole columns.

``mean(total, 'group')`` gives every subject the mean total of its ranking
group; ``percentile(score.economy, 0.75, 'nearest_rank')`` the 75th
percentile of the whole period; ``rank(total, 'desc', 'class', months_on_post
== 12)`` the rank among full-year members of the same class. Each function
takes the column first, then its own settings, then the scope:

- ``within``: ``'all'`` (every subject of the period, the default), ``'group'``
  (the ranking group, ``grading.group_by``), ``'class'``, ``'unit'`` or a
  declared subject field;
- ``where``: a condition selecting who counts (by default every subject taking
  part in the period's ranking, i.e. not excluded).

Missing values never count. A statistic is given to every subject of the
scope (including those outside ``where``); ``rank`` is missing for subjects
that do not count. The frame of the period (who is in which scope) is placed
in the evaluation environment under ``COHORT`` by the stage that evaluates;
where no frame exists (expressions over single events) using a cohort
function is the error ``E-EXPR-COHORT-CONTEXT``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from kaohe.engine.language.ranking import competition_rank
from kaohe.engine.language.truth import truth

COHORT = "_cohort"  # names starting with "_" cannot be written in expressions, so this cannot collide
SCOPES = ("all", "group", "class", "unit")
METHODS = {
    "linear": "linear", "lower": "lower", "higher": "higher", "nearest": "nearest", "midpoint": "midpoint",
    "nearest_rank": "inverted_cdf",  # the classic ⌈q·n⌉-th smallest
    "inverted_cdf": "inverted_cdf", "weibull": "weibull", "hazen": "hazen",
}


@dataclass(frozen=True)
class CohortFrame:
    """The subjects of one period and the scopes they are compared within."""

    n: int
    pool: np.ndarray  # bool: takes part in comparisons (not excluded)
    scopes: Mapping[str, np.ndarray]  # scope name -> label per subject
    _codes: dict[str, np.ndarray] = field(default_factory=dict, repr=False, compare=False)

    def codes(self, within: str) -> np.ndarray:
        """Integer scope code per subject (computed once per scope: labels are text)."""
        allowed = _comparable.get()
        if allowed is not None and within not in allowed:  # a partition holds only part of this scope
            raise CohortError("E-PARTITION-SCOPE", {"scope": within, "allowed": ", ".join(sorted(allowed))})
        found = self._codes.get(within)
        if found is not None:
            return found
        labels = self.scopes.get(within)
        if labels is None:
            raise CohortError("E-EXPR-COHORT-SCOPE", {"scope": within, "available": ", ".join(self.scopes)})
        _, codes = np.unique(np.asarray(labels).astype(str), return_inverse=True)
        result: np.ndarray = codes.reshape(self.n)
        self._codes[within] = result
        return result


_comparable: ContextVar[frozenset[str] | None] = ContextVar("kaohe_comparable_scopes", default=None)


@contextmanager
def comparing_within(scopes: frozenset[str]) -> Iterator[None]:
    """Cohort functions evaluated inside the block may compare only within ``scopes``: a
    partitioned run sees whole ranking groups, not the whole period (``E-PARTITION-SCOPE``)."""
    token = _comparable.set(scopes)
    try:
        yield
    finally:
        _comparable.reset(token)


class CohortError(Exception):
    """A cohort function used where it cannot work (turned into ExpressionError by the evaluator)."""

    def __init__(self, code: str, params: Mapping[str, Any]):
        self.code = code
        self.params = dict(params)
        super().__init__(code)


CohortFunction = Callable[..., np.ndarray]


def cohort_function(fn: CohortFunction) -> CohortFunction:
    """Mark ``fn`` as taking the period's frame first (the evaluator passes it)."""
    fn.needs_cohort = True  # type: ignore[attr-defined]
    return fn


def keywords_of(fn: Callable[..., Any]) -> frozenset[str]:
    """The keyword arguments an expression may write for ``fn``: the settings
    of cohort, period and years functions (other functions take positions only)."""
    if getattr(fn, "needs_cohort", False):
        return frozenset(list(inspect.signature(fn).parameters)[2:])
    if getattr(fn, "__name__", "").startswith(("periods_", "years_")):
        return frozenset(list(inspect.signature(fn).parameters)[1:])
    return frozenset()


def public_signature(fn: Callable[..., Any]) -> inspect.Signature:
    """The signature an expression sees (without the frame)."""
    signature = inspect.signature(fn)
    if getattr(fn, "needs_cohort", False):
        return signature.replace(parameters=list(signature.parameters.values())[1:])
    return signature


# ---------------------------------------------------------------------------
# the members each statistic is taken over


def _members(frame: CohortFrame, x: Any, within: str, where: Any) -> tuple[np.ndarray, np.ndarray, int, np.ndarray]:
    """(values as float, scope code per subject, number of scopes, counted mask)."""
    values = np.broadcast_to(np.asarray(x, dtype=float), (frame.n,)).astype(float)
    codes = frame.codes(str(within))
    counted = frame.pool & ~np.isnan(values)
    if where is not None:
        counted &= np.broadcast_to(truth(where), (frame.n,))
    return values, codes, int(codes.max(initial=-1)) + 1, counted


def _per_scope(codes: np.ndarray, counted: np.ndarray, values: np.ndarray, count: int,
               statistic: Callable[[np.ndarray], float]) -> np.ndarray:
    """``statistic`` of each scope's counted values, given to every subject of the scope.
    Loops over the (few) scopes, never over subjects."""
    result = np.full(count, np.nan)
    chosen = np.flatnonzero(counted)
    order = chosen[np.argsort(codes[chosen], kind="stable")]
    sorted_codes = codes[order]
    starts = np.flatnonzero(np.r_[True, sorted_codes[1:] != sorted_codes[:-1]]) if len(order) else order
    ends = np.r_[starts[1:], len(order)] if len(order) else order
    for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
        result[sorted_codes[start]] = statistic(values[order[start:end]])
    per_subject: np.ndarray = result[codes]
    return per_subject


def _sums(codes: np.ndarray, counted: np.ndarray, values: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
    weights = np.where(counted, values, 0.0)
    sums = np.bincount(codes, weights=weights, minlength=count)
    sizes = np.bincount(codes, weights=counted.astype(float), minlength=count)
    return sums, sizes


# ---------------------------------------------------------------------------
# the functions


@cohort_function
def mean(frame: CohortFrame, x: Any, within: str = "all", where: Any = None) -> np.ndarray:
    values, codes, count, counted = _members(frame, x, within, where)
    sums, sizes = _sums(codes, counted, values, count)
    with np.errstate(invalid="ignore", divide="ignore"):
        result: np.ndarray = np.where(sizes > 0, sums / np.maximum(sizes, 1), np.nan)[codes]
    return result


@cohort_function
def std(frame: CohortFrame, x: Any, within: str = "all", where: Any = None) -> np.ndarray:
    """Population standard deviation (divides by n, as STDEV.P)."""
    values, codes, count, counted = _members(frame, x, within, where)
    sums, sizes = _sums(codes, counted, values, count)
    squares = np.bincount(codes, weights=np.where(counted, values * values, 0.0), minlength=count)
    with np.errstate(invalid="ignore", divide="ignore"):
        average = sums / sizes
        variance = np.maximum(squares / sizes - average * average, 0.0)
        result: np.ndarray = np.where(sizes > 0, np.sqrt(variance), np.nan)[codes]
    return result


@cohort_function
def zscore(frame: CohortFrame, x: Any, within: str = "all", where: Any = None) -> np.ndarray:
    """(x − mean) ÷ std within the scope; 0 when everyone counted is equal."""
    values = np.broadcast_to(np.asarray(x, dtype=float), (frame.n,))
    centre, spread = mean(frame, x, within, where), std(frame, x, within, where)
    with np.errstate(invalid="ignore", divide="ignore"):
        result: np.ndarray = np.where(spread > 0, (values - centre) / spread, np.where(np.isnan(spread), np.nan, 0.0))
    return np.where(np.isnan(values), np.nan, result)


@cohort_function
def median(frame: CohortFrame, x: Any, within: str = "all", where: Any = None) -> np.ndarray:
    values, codes, count, counted = _members(frame, x, within, where)
    return _per_scope(codes, counted, values, count, lambda v: float(np.median(v)))


@cohort_function
def percentile(frame: CohortFrame, x: Any, q: Any, method: str = "linear", within: str = "all",
               where: Any = None) -> np.ndarray:
    """The ``q`` quantile (0–1) by ``method`` (see ``METHODS``)."""
    share = float(q)
    if not 0 <= share <= 1 or str(method) not in METHODS:
        raise CohortError("E-EXPR-COHORT-ARG", {"function": "percentile", "q": q, "method": method,
                                                 "methods": ", ".join(METHODS)})
    numpy_method = METHODS[str(method)]
    values, codes, count, counted = _members(frame, x, within, where)
    return _per_scope(codes, counted, values, count,
                      lambda v: float(np.quantile(v, share, method=numpy_method)))  # type: ignore[call-overload]


@cohort_function
def highest(frame: CohortFrame, x: Any, within: str = "all", where: Any = None) -> np.ndarray:
    values, codes, count, counted = _members(frame, x, within, where)
    best = np.full(count, -np.inf)
    np.maximum.at(best, codes[counted], values[counted])
    result: np.ndarray = np.where(np.isinf(best), np.nan, best)[codes]
    return result


@cohort_function
def lowest(frame: CohortFrame, x: Any, within: str = "all", where: Any = None) -> np.ndarray:
    values, codes, count, counted = _members(frame, x, within, where)
    worst = np.full(count, np.inf)
    np.minimum.at(worst, codes[counted], values[counted])
    result: np.ndarray = np.where(np.isinf(worst), np.nan, worst)[codes]
    return result


@cohort_function
def count(frame: CohortFrame, condition: Any, within: str = "all", where: Any = None) -> np.ndarray:
    """How many counted subjects of the scope meet ``condition``."""
    met = np.broadcast_to(truth(condition), (frame.n,)).astype(float)
    _, codes, scopes, counted = _members(frame, np.zeros(frame.n), within, where)
    result: np.ndarray = np.bincount(codes, weights=np.where(counted, met, 0.0), minlength=scopes)[codes]
    return result


@cohort_function
def share(frame: CohortFrame, condition: Any, within: str = "all", where: Any = None) -> np.ndarray:
    """The share (0–1) of counted subjects of the scope meeting ``condition``."""
    _, codes, scopes, counted = _members(frame, np.zeros(frame.n), within, where)
    sizes = np.bincount(codes, weights=counted.astype(float), minlength=scopes)[codes]
    with np.errstate(invalid="ignore", divide="ignore"):
        result: np.ndarray = np.where(sizes > 0, count(frame, condition, within, where) / sizes, np.nan)
    return result


@cohort_function
def rank(frame: CohortFrame, x: Any, order: str = "desc", within: str = "all", where: Any = None) -> np.ndarray:
    """Competition rank (1, 1, 3) within the scope, highest first (``'asc'``:
    lowest first); missing for subjects that do not count."""
    if str(order) not in ("desc", "asc"):
        raise CohortError("E-EXPR-COHORT-ARG", {"function": "rank", "q": "", "method": order, "methods": "desc, asc"})
    values, codes, _, counted = _members(frame, x, within, where)
    key = np.round(np.where(counted, values, 0.0), 9)
    ranks = competition_rank(codes, [-key if str(order) == "desc" else key], counted)
    return np.where(counted, ranks.astype(float), np.nan)


COHORT_FUNCTIONS: dict[str, CohortFunction] = {
    "mean": mean, "median": median, "std": std, "zscore": zscore, "percentile": percentile,
    "highest": highest, "lowest": lowest, "count": count, "share": share, "rank": rank,
}
