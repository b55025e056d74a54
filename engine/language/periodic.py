"""Period functions: what a subject did in the earlier periods of the year.

In the year an expression may look at each of its periods, and in a quarter
(or month) at the periods of the year that ended before it began: ``periods_count(grade == '好') >= 2``
("优秀 only with at least two quarters graded 好"), ``periods_streak(zero_bonus)
>= 2`` ("末位 in two consecutive quarters"), ``periods_mean(score.service)``.
The first argument is evaluated **in each sub-period** with that period's
names (its grade, rank, total, scores, vetoed and its outcomes' values); the
function then reduces the per-period columns subject by subject.

Optional arguments:

- ``kind``: which sub-periods, ``'quarter'`` or ``'month'`` (default: the
  ruleset's cycle);
- ``missing``: what a period where the subject was not assessed (not on
  post, excluded, no value) means — ``'break'`` (default: it is not met, and
  it breaks a streak) or ``'skip'`` (it is left out: a streak runs across it,
  a count or mean ignores it).

``periods_last(x)`` is the value in the latest such period (with
``missing='skip'`` the latest one the subject was assessed in), so
``total < periods_last(total) - 10`` reads "fell back by more than 10".

The stage provides the earlier periods' environments under ``PERIODS``
(grading and outcomes); elsewhere using a period function is the error
``E-EXPR-PERIODS-CONTEXT``.

Years functions (``years_count``, ``years_run`` …, one per period function)
reduce the same way over **previous years** read from the history table:
``years_run(grade == '优秀') >= 2`` ("优秀 in each of the last two years").
Their first argument names the declared ``history_fields`` of each earlier
year, oldest first; ``years=N`` keeps the last N years; a year with no row
for the subject, or a row with every field blank (不定等次), is "not
assessed" and follows ``missing``. The stage provides the frame under
``HISTORY``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from kaohe.engine.language.truth import missing as is_missing
from kaohe.engine.language.truth import truth

PERIODS = "_periods"  # cannot be written in an expression (leading underscore)
HISTORY = "_history"
MISSING = ("break", "skip")


@dataclass(frozen=True)
class PeriodFrame:
    """The environments of the sub-periods before the current one, oldest first."""

    n: int
    default: str
    by_kind: Mapping[str, Sequence[Mapping[str, Any]]] = field(default_factory=dict)
    assessed: Mapping[str, Sequence[np.ndarray]] = field(default_factory=dict)  # bool per subject per period

    def environments(self, kind: str | None) -> tuple[Sequence[Mapping[str, Any]], Sequence[np.ndarray]]:
        chosen = kind or self.default
        return self.by_kind.get(chosen, ()), self.assessed.get(chosen, ())

    def take(self, rows: np.ndarray) -> PeriodFrame:
        """The frame for the subjects of ``rows`` (a rule's matching rows)."""
        def cut(env: Mapping[str, Any]) -> dict[str, Any]:
            return {k: np.asarray(v)[rows] if isinstance(v, np.ndarray) else v for k, v in env.items()}

        return PeriodFrame(len(rows), self.default,
                           {k: [cut(e) for e in envs] for k, envs in self.by_kind.items()},
                           {k: [m[rows] for m in masks] for k, masks in self.assessed.items()})


class PeriodError(Exception):
    def __init__(self, code: str, params: Mapping[str, Any]):
        self.code = code
        self.params = dict(params)
        super().__init__(code)


def _stack(values: Sequence[Any], assessed: Sequence[np.ndarray], n: int, condition: bool) -> np.ndarray:
    """(periods × n): the per-period columns; NaN where a subject was not assessed."""
    rows = []
    for value, present in zip(values, assessed, strict=True):
        column = np.broadcast_to(np.asarray(value), (n,))
        if condition:
            row = np.where(is_missing(column), np.nan, truth(column).astype(float))
        else:
            row = np.asarray(column, dtype=float)
        rows.append(np.where(present, row, np.nan))
    return np.vstack(rows) if rows else np.zeros((0, n))


def _count(stacked: np.ndarray, how: str) -> np.ndarray:
    result: np.ndarray = np.nansum(np.nan_to_num(stacked, nan=0.0), axis=0)
    return result


def _streak(stacked: np.ndarray, how: str, at_end: bool) -> np.ndarray:
    """Longest run of met periods (or the run ending at the last period)."""
    k, n = stacked.shape
    run = np.zeros(n)
    best = np.zeros(n)
    for row in stacked:  # over the (few) periods, never over subjects
        met = row == 1
        gap = np.isnan(row)
        if how == "skip":
            run = np.where(met, run + 1, np.where(gap, run, 0.0))
        else:
            run = np.where(met, run + 1, 0.0)
        best = np.maximum(best, run)
    return run if at_end else best


def _reduce(stacked: np.ndarray, name: str, how: str) -> np.ndarray:
    with np.errstate(all="ignore"):
        if name == "periods_count":
            return _count(stacked, how)
        if name == "periods_all":
            considered = ~np.isnan(stacked) if how == "skip" else np.ones(stacked.shape, dtype=bool)
            every: np.ndarray = np.where(considered, stacked == 1, True).all(axis=0) & (stacked.shape[0] > 0)
            return every
        if name == "periods_any":
            return np.asarray((stacked == 1).any(axis=0))
        if name == "periods_streak":
            return _streak(stacked, how, at_end=False)
        if name == "periods_run":
            return _streak(stacked, how, at_end=True)
        present = ~np.isnan(stacked)
        some = present.any(axis=0)
        filled = np.where(present, stacked, 0.0)
        if name == "periods_sum":
            return np.where(some, filled.sum(axis=0), np.nan)
        if name == "periods_mean":
            return np.where(some, filled.sum(axis=0) / np.maximum(present.sum(axis=0), 1), np.nan)
        if name == "periods_last":  # the latest period: with skip the latest one assessed
            if how != "skip":
                return stacked[-1] if len(stacked) else np.full(stacked.shape[1], np.nan)
            latest = stacked.shape[0] - 1 - np.argmax(present[::-1], axis=0)
            return np.where(some, stacked[latest, np.arange(stacked.shape[1])], np.nan)
        if name == "periods_min":
            return np.where(some, np.where(present, stacked, np.inf).min(axis=0, initial=np.inf), np.nan)
        return np.where(some, np.where(present, stacked, -np.inf).max(axis=0, initial=-np.inf), np.nan)


CONDITIONS = ("periods_count", "periods_all", "periods_any", "periods_streak", "periods_run")
NUMBERS = ("periods_sum", "periods_mean", "periods_min", "periods_max", "periods_last")
PERIOD_FUNCTIONS = (*CONDITIONS, *NUMBERS)


def reduce_periods(name: str, per_period: Sequence[Any], assessed: Sequence[np.ndarray], n: int,
                   how: str = "break") -> np.ndarray:
    """Reduce one column per sub-period to one column (see the module docstring)."""
    if how not in MISSING:
        raise PeriodError("E-EXPR-PERIODS-ARG", {"name": name, "value": how, "allowed": ", ".join(MISSING)})
    stacked = _stack(per_period, assessed, n, condition=name in CONDITIONS)
    if how == "break" and name in CONDITIONS:
        stacked = np.nan_to_num(stacked, nan=0.0)  # not assessed: not met
    return _reduce(stacked, name, how)


YEAR_FUNCTIONS = {name.replace("periods_", "years_"): name for name in PERIOD_FUNCTIONS}


def last_years(frame: PeriodFrame, years: Any, name: str) -> tuple[Sequence[Mapping[str, Any]], Sequence[np.ndarray]]:
    """The last ``years`` previous years of the history frame (all when None)."""
    environments, assessed = frame.environments("year")
    if years is None:
        return environments, assessed
    if isinstance(years, bool) or not isinstance(years, int | float) or years < 1 or not float(years).is_integer():
        raise PeriodError("E-EXPR-YEARS-ARG", {"name": name, "value": years})
    count = int(years)
    return environments[-count:], assessed[-count:]


def year_signature_of(name: str) -> Callable[..., None]:
    def years_function(x: Any, years: Any = None, missing: Any = "break") -> None:
        return None

    years_function.__name__ = name
    return years_function


def signature_of(name: str) -> Callable[..., None]:
    """The signature the checker binds calls against."""

    def periods_function(x: Any, kind: Any = None, missing: Any = "break") -> None:
        return None

    periods_function.__name__ = name
    return periods_function
