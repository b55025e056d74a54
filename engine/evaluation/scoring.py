"""Score the indicator tree for one period: raters at the leaves, then sums.

Each leaf's rater scores the whole cohort at once. Missing data follows the
indicator's declared policy: ``zero`` scores 0, ``exclude`` leaves it out and
re-normalises its parent over the indicators that were scored, ``error``
stops with a located message. Indicators that do not apply to a subject's
class are simply not part of that subject's tree.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from kaohe.engine.components import RaterContext, RatingRows
from kaohe.engine.data.tables import Ratings
from kaohe.engine.errors import Diagnostic, KaoheError
from kaohe.engine.evaluation.cohort import Cohort
from kaohe.engine.evaluation.events import EventView, event_access
from kaohe.engine.evaluation.rounding import round_scores
from kaohe.engine.registry import Registry
from kaohe.engine.ruleset.model import Indicator, Ruleset, in_force, in_force_share

# Status of an indicator score, kept as small integer codes (an object array of
# strings per indicator per period was the costliest part of scoring).
STATUS_NAMES = np.array(
    ["scored", "missing_zero", "missing_excluded", "not_applicable", "rollup", "not_in_force"], dtype=object
)
SCORED, MISSING_ZERO, MISSING_EXCLUDED, NOT_APPLICABLE, ROLLUP, NOT_IN_FORCE = range(6)


@dataclass
class TreeScores:
    """Scores of every indicator evaluated in a period (NaN = no score)."""

    scores: dict[str, np.ndarray] = field(default_factory=dict)
    status: dict[str, np.ndarray] = field(default_factory=dict)  # uint8 codes, see STATUS_NAMES
    details: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)
    inputs: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)
    capped: dict[str, np.ndarray] = field(default_factory=dict)
    subtotal: np.ndarray = field(default_factory=lambda: np.zeros(0))  # set by score_tree
    shares: dict[str, float] = field(default_factory=dict)  # prorated indicators: share of the period in force


def in_period(indicator: Indicator, period_kind: str, ruleset: Ruleset) -> bool:
    """Annual indicators are scored only at the year; with a year roll-up the
    periodic ones are scored in the cycle periods and rolled up instead."""
    if ruleset.cycle == "year":
        return True
    if indicator.cycle == "year":
        return period_kind == "year"
    return period_kind != "year"


@dataclass
class LeafInputs:
    """What every rater of one period reads, built once for the period."""

    ruleset: Ruleset
    cohort: Cohort
    registry: Registry
    ratings: Ratings | None
    groups: np.ndarray
    view: EventView | None
    _events: tuple[Mapping[str, np.ndarray], Callable[[str], np.ndarray]] | None = None
    _masks: dict[tuple[bool, ...], tuple[np.ndarray, np.ndarray, np.ndarray, bool]] = field(default_factory=dict)

    def masks(self, indicator: Indicator) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool]:
        """Where ``indicator`` applies, where it is rated (applies, not excluded), the status
        column that starts from, and whether it applies to everyone: once per set of classes."""
        cohort = self.cohort
        applies = tuple(indicator.applies(c) for c in cohort.class_labels)
        found = self._masks.get(applies)
        if found is None:
            mask = np.array(applies, dtype=bool)[cohort.class_index] if cohort.n else np.zeros(0, dtype=bool)
            status = np.where(mask, SCORED, NOT_APPLICABLE).astype(np.uint8)
            found = self._masks[applies] = (mask, mask & ~cohort.excluded, status, bool(mask.all()))
        return found

    def evaluate(self, text: str) -> np.ndarray:
        """A rater's expression over the cohort (compiled at load)."""
        expression = self.ruleset.expressions.compile(text, self.ruleset.scopes.indicator)
        env = self.cohort.scoped_env(n for n in expression.names if n in self.ruleset.inputs)
        return expression.evaluate(env, self.cohort.n)

    def events(self) -> tuple[Mapping[str, np.ndarray], Callable[[str], np.ndarray]]:
        """The period's event columns, built only for raters that read events."""
        if self._events is None:
            self._events = event_access(self.ruleset, self.view)
        return self._events


def score_tree(
    ruleset: Ruleset, cohort: Cohort, registry: Registry, ratings: Ratings | None, groups: np.ndarray,
    events: EventView | None = None,
) -> TreeScores:
    result = TreeScores()
    kind = cohort.period.kind
    problems: list[Diagnostic] = []
    leaf_inputs = LeafInputs(ruleset, cohort, registry, ratings, groups, events)
    period = cohort.period
    complete: set[str] = set()  # indicators every subject has a score of (applicable, not missing)
    for indicator in ruleset.walk():
        if not (indicator.leaf and in_period(indicator, kind, ruleset)):
            continue
        share = _share(indicator, period)
        if share > 0:
            _score_leaf(indicator, leaf_inputs, result, problems, complete)
            if share < 1:
                result.shares[indicator.id] = share
                result.details[indicator.id]["in_force_share"] = np.full(cohort.n, share)
        else:
            _not_in_force(indicator, cohort, result)
    if problems:
        raise KaoheError(problems)
    roots = [i for i in ruleset.indicators if in_period(i, kind, ruleset) or i.children]
    for root in roots:
        _aggregate(root, cohort, result, kind, ruleset, complete)
    periodic = [r for r in roots if (r.cycle != "year" or ruleset.cycle == "year") and r.id in result.scores]
    subtotal, _ = _combine([r.id for r in periodic], periodic, result, cohort.n, complete)
    result.subtotal = np.where(np.isnan(subtotal), 0.0, subtotal)
    if ruleset.rescale_to_total and periodic:
        result.subtotal = _rescaled(result.subtotal, periodic, result, ruleset.total_points)
    return result


def _share(indicator: Indicator, period: Any) -> float:
    """1 when in force, 0 when not; with ``prorate`` the share of months in force."""
    if not in_force(indicator.effective, period.start, period.end):
        return 0.0
    if indicator.outside_effective == "prorate":
        return in_force_share(indicator.effective, period.start, period.end)
    return 1.0


def _score_leaf(indicator: Indicator, leaf: LeafInputs, result: TreeScores, problems: list[Diagnostic],
                complete: set[str]) -> None:
    assert indicator.rater is not None
    ruleset, cohort = leaf.ruleset, leaf.cohort
    rater = leaf.registry.rater(indicator.rater.use)
    params = dict(indicator.rater.params)
    mask, rated, initial_status, everyone = leaf.masks(indicator)
    ctx = RaterContext(
        indicator=indicator.id, period=cohort.period.id, full_marks=indicator.full_marks, n=cohort.n,
        mask=rated.copy(), groups=leaf.groups, values=cohort.value, evaluate=leaf.evaluate,
        ratings=_ratings_for(leaf.ratings, cohort, indicator.id), history=cohort.history,
    )
    if rater.event_expressions(params):
        ctx.events, ctx.evaluate_event = leaf.events()
        ctx.events_origin = leaf.view.events.origin if leaf.view is not None else ""
    try:
        outcome = rater.score(params, ctx)
    except KaoheError as exc:  # a rater's runtime problem: point at the indicator's rater in the ruleset
        raise KaoheError([ruleset.locations.place(d, indicator.rater.path) for d in exc.diagnostics]) from None
    points = np.asarray(outcome.points, dtype=float)
    missing = np.isnan(points) if everyone else np.isnan(points) & mask
    filled = indicator.missing == "zero" and bool(missing.any())
    if filled or not everyone:  # changed in place below: never the rater's own array (it may be an input)
        points = points.copy()
    status = initial_status.copy()
    if filled:
        points[missing] = 0.0
        status[missing] = MISSING_ZERO
    elif indicator.missing == "exclude":
        status[missing] = MISSING_EXCLUDED
    elif missing[~cohort.excluded].any():
        problems.extend(_missing_errors(ruleset, indicator, cohort, missing & ~cohort.excluded, rater.inputs(params)))
    if ruleset.round_indicators:
        points = round_scores(points, ruleset.precision, ruleset.rounding)
    if not everyone:
        points[~mask] = np.nan
    elif indicator.missing == "zero" or not missing.any():
        complete.add(indicator.id)
    result.scores[indicator.id] = points
    result.status[indicator.id] = status
    result.details[indicator.id] = dict(outcome.details)
    result.inputs[indicator.id] = {name: cohort.value(name) for name in rater.inputs(params)}
    result.capped[indicator.id] = (
        np.asarray(outcome.capped, dtype=bool) if outcome.capped is not None else np.zeros(cohort.n, dtype=bool)
    )


def _not_in_force(indicator: Indicator, cohort: Cohort, result: TreeScores) -> None:
    """Outside its effective dates an indicator either drops out (its parent
    re-normalises over the rest) or scores 0, as the ruleset declares."""
    applies = np.array([indicator.applies(c) for c in cohort.class_labels], dtype=bool)
    mask = applies[cohort.class_index] if cohort.n else np.zeros(0, dtype=bool)
    zero = indicator.outside_effective == "zero"
    result.scores[indicator.id] = np.where(mask, 0.0 if zero else np.nan, np.nan)
    status = SCORED if zero else NOT_IN_FORCE
    result.status[indicator.id] = np.where(mask, status, NOT_APPLICABLE).astype(np.uint8)
    result.details[indicator.id] = {}
    result.inputs[indicator.id] = {}
    result.capped[indicator.id] = np.zeros(cohort.n, dtype=bool)


def _ratings_for(ratings: Ratings | None, cohort: Cohort, indicator: str) -> RatingRows:
    if ratings is None or len(ratings.subject) == 0:
        return RatingRows.empty()
    chosen = (ratings.period == cohort.period.id) & ((ratings.indicator == indicator) | (ratings.indicator == ""))
    return RatingRows(
        subject=ratings.subject[chosen], group=ratings.group[chosen], rater=ratings.rater[chosen],
        score=ratings.score[chosen], vote=ratings.vote[chosen],
        row=ratings.row[chosen] if len(ratings.row) == len(ratings.subject) else None, origin=ratings.origin,
    )


def _missing_errors(
    ruleset: Ruleset, indicator: Indicator, cohort: Cohort, missing: np.ndarray, inputs: list[str]
) -> list[Diagnostic]:
    return [
        ruleset.locations.diagnostic(
            "E-EVAL-MISSING", indicator.path, subject=subject, period=cohort.period.id,
            indicator=indicator.id, inputs=", ".join(inputs) or "—",
        )
        for subject in cohort.ids[missing][:20]
    ]


def _aggregate(node: Indicator, cohort: Cohort, result: TreeScores, kind: str, ruleset: Ruleset,
               complete: set[str]) -> None:
    if node.leaf:
        return
    children = [c for c in node.children if in_period(c, kind, ruleset) or c.children]
    for child in children:
        _aggregate(child, cohort, result, kind, ruleset, complete)
    children = [c for c in children if c.id in result.scores]
    if not children:
        return
    ids = [c.id for c in children]
    score, applicable = _combine(ids, children, result, cohort.n, complete)
    if all(i in complete for i in ids) and not np.isnan(score).any():  # every subject scored: nothing to mark
        complete.add(node.id)
        result.scores[node.id] = score
        result.status[node.id] = np.full(cohort.n, SCORED, dtype=np.uint8)
        return
    status = np.where(applicable, SCORED, NOT_APPLICABLE).astype(np.uint8)
    missing = applicable & np.isnan(score)
    if node.missing == "zero":
        score = np.where(missing, 0.0, score)
        status[missing] = MISSING_ZERO
    else:
        status[missing] = MISSING_EXCLUDED
    result.scores[node.id] = score
    result.status[node.id] = status


def _combine(ids: list[str], nodes: list[Indicator], result: TreeScores, n: int,
             complete: set[str] | frozenset[str] = frozenset()) -> tuple[np.ndarray, np.ndarray]:
    """Sum children; where some were excluded for missing data, not in force
    or prorated, scale the sum up to the full marks of the applicable
    children (re-normalise).

    Child by child, in order, so each sum adds the same numbers in the same order as summing
    the stacked children would; a child that every subject has, scored and in full, adds its
    scores and full marks as they are (``complete``: the children known to be so)."""
    if not ids:
        return np.full(n, np.nan), np.zeros(n, dtype=bool)
    everyone = np.ones(n, dtype=bool)
    total: Any = None
    applicable_full: Any = None  # a number while every child so far applies to every subject
    available_full: Any = None
    any_applicable: np.ndarray | None = None
    any_available: np.ndarray | None = None
    in_full = True  # every child so far: applicable, scored and in force in full for every subject
    for i, node in zip(ids, nodes, strict=True):
        score = result.scores[i]
        share = result.shares.get(i, 1.0)  # a prorated child counts with its share of the period
        full = float(node.full_marks)
        if i in complete:
            applicable = available = everyone
            all_applicable = all_available = True
        else:  # not in force counts like missing-and-excluded: applicable, but not available
            applicable = result.status[i] != NOT_APPLICABLE
            available = applicable & ~np.isnan(score)
            all_applicable, all_available = bool(applicable.all()), bool(available.all())
        in_full = in_full and all_available and share == 1.0
        term = (score if share == 1.0 else score * share) if all_available else np.where(available, score * share, 0.0)
        total = term.copy() if total is None else np.add(total, term, out=total)
        applicable_term: Any = full if all_applicable else full * applicable
        available_term: Any = full * share if all_available else (full * share) * available
        applicable_full = applicable_term if applicable_full is None else applicable_full + applicable_term
        available_full = available_term if available_full is None else available_full + available_term
        any_applicable = (applicable if any_applicable is None or all_applicable
                          else any_applicable | applicable)
        any_available = available if any_available is None or all_available else any_available | available
    assert any_applicable is not None and any_available is not None
    if in_full:  # nothing to re-normalise: the available full marks are the applicable ones
        return total, any_applicable
    with np.errstate(invalid="ignore", divide="ignore"):
        scaled = np.where(available_full < applicable_full, total * applicable_full / available_full, total)
    scaled = np.where(any_available, scaled, np.nan)
    return np.where(any_applicable, scaled, np.nan), any_applicable


def _rescaled(subtotal: np.ndarray, roots: list[Indicator], result: TreeScores, total: float) -> np.ndarray:
    """``rescale_to_total``: each subject's subtotal × total_points ÷ the full
    marks of the top-level indicators that apply to it."""
    full = np.array([root.full_marks for root in roots], dtype=float)[:, None]
    applicable = np.vstack([result.status[root.id] != NOT_APPLICABLE for root in roots])
    scale = (full * applicable).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        rescaled: np.ndarray = np.where(scale > 0, subtotal * total / scale, subtotal)
    return rescaled
