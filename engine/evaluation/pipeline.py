"""The evaluation pipeline: for each period score, adjust, veto, weight,
round, rank, grade; roll the cycle periods up into the year; then outcomes.

Every stage reads the previous stage's columns and never reaches back.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from kaohe.engine import progress
from kaohe.engine.data.periods import Period, periods_of_year
from kaohe.engine.data.tables import Dataset, Events, sorted_codes
from kaohe.engine.errors import Diagnostic, KaoheError
from kaohe.engine.evaluation import across
from kaohe.engine.evaluation.absent import check_inputs_present
from kaohe.engine.evaluation.adjust import (
    Adjustments,
    CapState,
    Vetoes,
    apply_adjustments,
    apply_vetoes,
)
from kaohe.engine.evaluation.cohort import Cohort, build_cohort
from kaohe.engine.evaluation.derived import derive_inputs
from kaohe.engine.evaluation.events import EventView
from kaohe.engine.evaluation.grading import (
    AcrossPlaces,
    AcrossRule,
    Grades,
    Ranking,
    assign_grades,
    group_labels,
    quota_sizes,
    rank,
    scope_labels,
)
from kaohe.engine.evaluation.items import ItemView, items_in
from kaohe.engine.evaluation.outcomes import OutcomeValues, run_outcomes
from kaohe.engine.evaluation.plausibility import Finding, grading_warnings, period_warnings
from kaohe.engine.evaluation.rounding import round_scores
from kaohe.engine.evaluation.scoring import NOT_APPLICABLE, ROLLUP, TreeScores, score_tree
from kaohe.engine.language.expressions import ExpressionError
from kaohe.engine.language.periodic import PERIODS, PeriodFrame
from kaohe.engine.registry import Registry, default_registry
from kaohe.engine.ruleset.model import Grade, Ruleset


@dataclass
class PeriodResult:
    period: Period
    cohort: Cohort
    tree: TreeScores
    adjustments: Adjustments
    vetoes: Vetoes
    adjusted: np.ndarray  # subtotal + bonus - deduction, before the coefficient
    total: np.ndarray
    ranking: Ranking
    grades: Grades | None
    outcomes: dict[str, OutcomeValues] = field(default_factory=dict)
    rollup: dict[str, Any] | None = None
    events: EventView | None = None
    items: ItemView | None = None  # rectification items alive in the period
    sub_periods: PeriodFrame | None = None  # the periods this one rolls up, for period functions
    names: dict[str, Any] = field(default_factory=dict)  # what expressions saw after the outcomes
    warnings: list[Finding] = field(default_factory=list)  # results an office would question


@dataclass
class Evaluation:
    ruleset: Ruleset
    dataset: Dataset
    periods: list[PeriodResult]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [w.diagnostic for result in self.periods for w in result.warnings]

    def period(self, period_id: str) -> PeriodResult:
        for result in self.periods:
            if result.period.id == period_id:
                return result
        raise KaoheError(Diagnostic(
            "E-PERIOD-UNKNOWN", {"period": period_id, "available": ", ".join(p.period.id for p in self.periods)},
        ))


def planned_periods(ruleset: Ruleset) -> list[Period]:
    """Monitoring months first (follow-up only), then the cycle periods, then the year."""
    periods = [p for kind in ruleset.monitor if kind != ruleset.cycle for p in periods_of_year(ruleset.year, kind)]
    periods += periods_of_year(ruleset.year, ruleset.cycle)
    if ruleset.cycle != "year" and ruleset.rollup is not None:
        periods.append(Period(ruleset.year, "year"))
    return periods


def evaluate(ruleset: Ruleset, dataset: Dataset, registry: Registry | None = None,
             only: str | None = None) -> Evaluation:
    """Evaluate the periods of the ruleset's year up to ``only`` (all by default)
    and return ``only`` alone when given: the year needs its quarters."""
    registry = registry or default_registry()
    periods = planned_periods(ruleset)
    if only is not None and only not in [p.id for p in periods]:
        raise KaoheError(Diagnostic(  # located at the option that named it
            "E-PERIOD-UNKNOWN", {"period": only, "available": ", ".join(p.id for p in periods)}, file="--period",
        ))
    if only is not None:  # later periods cannot change earlier ones (yearly caps run forwards)
        periods = periods[: [p.id for p in periods].index(only) + 1]
    check_inputs_present(ruleset, dataset, registry)
    event_dates = _effective_dates(dataset.events)
    states = {kind: CapState() for kind in {p.kind for p in periods}}
    states["year"] = states.get(ruleset.cycle, CapState())  # the year continues the cycle's yearly caps
    results: list[PeriodResult] = []
    event_columns: dict[str, np.ndarray] = {}  # each event column built once for all periods
    in_order = event_order(dataset.events)
    for number, period in enumerate(periods):
        progress.step(f"计算 {period.id}", f"evaluating {period.id}", number, len(periods))
        view = _events_in(dataset.events, event_dates, period, event_columns, in_order)
        items = items_in(dataset.items, period)
        state = states[period.kind]
        try:
            if period.kind == "year" and ruleset.cycle != "year":
                result = _year(ruleset, dataset, registry, period, (view, items), state, results)
            else:
                result = _period(ruleset, dataset, registry, period, (view, items), state, results)
        except ExpressionError as exc:  # the data made a checked expression fail: say where it is written
            path = ruleset.expressions.path_of(exc.params.get("expr", ""))
            raise KaoheError(ruleset.locations.diagnostic(exc.code, path, period=period.id, **exc.params)) from None
        results.append(result)
    if only is not None:
        results = [r for r in results if r.period.id == only]
    if results and dataset.warnings:  # the sources' warnings (a year missing from the store), once
        results[-1].warnings.extend(Finding(d, ()) for d in dataset.warnings)
    return Evaluation(ruleset, dataset, results)


def _effective_dates(events: Events) -> np.ndarray:
    """The date that places an event in a period: its own date, or the first
    day of the period written in its ``period`` column (once per dataset)."""
    return events.placed_dates()


def event_order(events: Events) -> np.ndarray:
    """All events in date order, then source order ("the second red card" means by date): sorted
    once per dataset; each period keeps its own events of it, in the same order."""
    return events.in_order()


def _events_in(events: Events, dates: np.ndarray, period: Period,
               table_columns: dict[str, np.ndarray] | None = None, order: np.ndarray | None = None) -> EventView:
    index = events.in_period(dates, period.start, period.end, order)
    return EventView(index, events, {} if table_columns is None else table_columns)


def _groups(ruleset: Ruleset, cohort: Cohort) -> np.ndarray:
    """The ranking groups, also the ``'group'`` scope of cohort functions."""
    cohort.groups = group_labels(ruleset.grading, cohort.subject_env(), cohort.n)
    return cohort.groups


def _period(ruleset: Ruleset, dataset: Dataset, registry: Registry, period: Period,
            records: tuple[EventView, ItemView], state: CapState, earlier: list[PeriodResult]) -> PeriodResult:
    """``records``: the period's events and the rectification items alive in it."""
    view, items = records
    cohort = build_cohort(ruleset, dataset, period)
    derive_inputs(ruleset, cohort, view, items)
    groups = _groups(ruleset, cohort)
    group_codes = sorted_codes(groups)[1]
    tree = score_tree(ruleset, cohort, registry, dataset.ratings, group_codes, view)
    frame = _sub_periods(ruleset, period, earlier, cohort.n)
    return _finish(ruleset, registry, cohort, tree, tree.subtotal, groups, view, state, None, frame, items=items)


def _year(ruleset: Ruleset, dataset: Dataset, registry: Registry, period: Period,
          records: tuple[EventView, ItemView], state: CapState, earlier: list[PeriodResult]) -> PeriodResult:
    view, items = records
    cohort = build_cohort(ruleset, dataset, period)
    derive_inputs(ruleset, cohort, view, items)
    groups = _groups(ruleset, cohort)
    group_codes = sorted_codes(groups)[1]
    tree = score_tree(ruleset, cohort, registry, dataset.ratings, group_codes, view)
    rollup = ruleset.rollup
    assert rollup is not None
    parts = [r for r in earlier if r.period.year == period.year and r.period.kind == ruleset.cycle]

    def combine(column: Callable[[PeriodResult], np.ndarray]) -> np.ndarray:
        """The periods' values of one column combined as declared (subjects not assessed left out)."""
        stacked = np.vstack([assessed_only(r, column(r)) for r in parts])
        with np.errstate(all="ignore"), _quiet():
            if rollup.combine == "sum":
                return np.asarray(np.where(np.isnan(stacked).all(axis=0), np.nan, np.nansum(stacked, axis=0)))
            if rollup.combine == "last":
                return _last_valid(stacked)
            return np.asarray(np.nanmean(stacked, axis=0))

    combined = combine(lambda r: r.adjusted)
    never = np.isnan(combined)
    cohort.excluded = cohort.excluded | never
    cohort.exclude_reason = np.where(never & (cohort.exclude_reason == None), "no_periods", cohort.exclude_reason)  # noqa: E711
    # combining is linear, so the combined adjusted score splits into the periods' subtotal, bonus and
    # deduction: the year shows the bonuses and deductions its quarters carry, not 0
    carried = (rollup.weight * np.nan_to_num(combine(lambda r: r.adjustments.bonus)),
               rollup.weight * np.nan_to_num(combine(lambda r: r.adjustments.deduction)))
    base = rollup.weight * np.nan_to_num(combine(lambda r: r.tree.subtotal))
    annual = {}
    for indicator_id, weight in rollup.annual:
        indicator = ruleset.by_id[indicator_id]
        rate = np.nan_to_num(tree.scores.get(indicator_id, np.full(cohort.n, np.nan))) / indicator.full_marks
        annual[indicator_id] = weight * rate * ruleset.total_points
        base = base + annual[indicator_id]
    tree.subtotal = base
    info = {"periods": {r.period.id: assessed_only(r, r.adjusted) for r in parts}, "weight": rollup.weight, "annual": annual,
            "combined": combined, "bonus": carried[0], "deduction": carried[1]}
    _periodic_means(ruleset, tree, parts, cohort.n)
    frame = _sub_periods(ruleset, period, earlier, cohort.n)
    return _finish(ruleset, registry, cohort, tree, base, groups, view, state, info, frame, carried, items)


def assessed_only(result: PeriodResult, values: np.ndarray) -> np.ndarray:
    """A period's values with the subjects it did not assess (excluded, e.g. not yet on post)
    blanked: the year neither averages their 0 in nor shows it."""
    return np.where(result.cohort.excluded, np.nan, values)


def _sub_periods(ruleset: Ruleset, period: Period, earlier: list[PeriodResult], n: int) -> PeriodFrame:
    """Each period of the year that ended before this one began (for the year:
    all of them) by kind, oldest first, as its expressions saw it."""
    by_kind: dict[str, list[dict[str, Any]]] = {}
    assessed: dict[str, list[np.ndarray]] = {}
    for result in earlier:
        before = period.kind == "year" or result.period.end < period.start  # monitoring months run first
        if result.period.year == period.year and result.period.kind != "year" and before:
            by_kind.setdefault(result.period.kind, []).append(result.names)
            assessed.setdefault(result.period.kind, []).append(~result.cohort.excluded)
    return PeriodFrame(n, ruleset.cycle, by_kind, assessed)


def _periodic_means(ruleset: Ruleset, tree: TreeScores, parts: list[PeriodResult], n: int) -> None:
    """Show each periodic indicator in the year as its mean over the periods
    (for reading only: the year total is rolled up from period totals)."""
    missing = np.full(n, np.nan)
    for indicator in ruleset.walk():
        if indicator.id in tree.scores or indicator.cycle == "year" or not parts:
            continue
        stacked = np.vstack([assessed_only(r, r.tree.scores.get(indicator.id, missing)) for r in parts])
        with _quiet():
            mean = np.nanmean(stacked, axis=0)
        tree.scores[indicator.id] = mean
        tree.status[indicator.id] = np.where(np.isnan(mean), NOT_APPLICABLE, ROLLUP).astype(np.uint8)


class _quiet:
    def __enter__(self) -> None:
        import warnings

        self._catch = warnings.catch_warnings()
        self._catch.__enter__()
        warnings.simplefilter("ignore", RuntimeWarning)

    def __exit__(self, *exc: Any) -> None:
        self._catch.__exit__(*exc)


def _last_valid(stacked: np.ndarray) -> np.ndarray:
    valid = ~np.isnan(stacked)
    index = np.where(valid.any(axis=0), stacked.shape[0] - 1 - np.argmax(valid[::-1], axis=0), 0)
    return stacked[index, np.arange(stacked.shape[1])]


def _finish(ruleset: Ruleset, registry: Registry, cohort: Cohort, tree: TreeScores, subtotal: np.ndarray,
            groups: np.ndarray, view: EventView, state: CapState, rollup: dict[str, Any] | None,
            periods: PeriodFrame | None = None,
            carried: tuple[np.ndarray, np.ndarray] | None = None, items: ItemView | None = None) -> PeriodResult:
    """``carried``: the year's share of its periods' bonuses and deductions, added to its own."""
    adjustments = apply_adjustments(ruleset, cohort, tree, view, state, items)
    if carried is not None:
        adjustments.bonus = adjustments.bonus + carried[0]
        adjustments.deduction = adjustments.deduction + carried[1]
    vetoes = apply_vetoes(ruleset, cohort, tree, view, items)
    adjusted = subtotal + adjustments.bonus - adjustments.deduction
    total = round_scores(adjusted * cohort.coefficient, ruleset.precision, ruleset.rounding)
    ranking, grades = _ranked(ruleset, cohort, tree, total, vetoes, groups, periods)
    result = PeriodResult(cohort.period, cohort, tree, adjustments, vetoes, adjusted, total, ranking, grades,
                          rollup=rollup, events=view, items=items, sub_periods=periods,
                          warnings=[*period_warnings(ruleset, registry, cohort, tree),
                                    *grading_warnings(ruleset, cohort, grades)])
    result.outcomes = run_outcomes(ruleset, registry, result)
    return result


def _ranked(ruleset: Ruleset, cohort: Cohort, tree: TreeScores, total: np.ndarray, vetoes: Vetoes,
            groups: np.ndarray, periods: PeriodFrame | None) -> tuple[Ranking, Grades | None]:
    """Rank by the tie-break keys, then grade (also re-run alone on kept totals, ``evaluate_from``)."""
    tie_break = ruleset.grading.tie_break if ruleset.grading else (("total", True), ("id", False))
    needed = [name for key, _ in tie_break if not isinstance(key, str) for name in key.names if name in ruleset.inputs]
    keys_env = _key_columns(cohort, tree, total, tree.subtotal, vetoes, needed)
    # the key id sorts by row number (subjects are in id order); an expression reads the id itself
    named = {**keys_env, "id": np.arange(cohort.n, dtype=float)}
    keys = [(np.asarray(named[key]) if isinstance(key, str) else key.evaluate(keys_env, cohort.n), descending)
            for key, descending in tie_break]
    ranking = rank(groups, keys, cohort.excluded)
    return ranking, _grade(ruleset, cohort, tree, total, tree.subtotal, ranking, vetoes, periods, keys)


STAGES = ("grading", "outcomes")  # the stages ``evaluate_from`` re-runs on kept scores, earliest first


def evaluate_from(earlier: Evaluation, ruleset: Ruleset, stage: str, registry: Registry | None = None) -> Evaluation:
    """``earlier``'s scores and totals with ``ruleset``'s stages from ``stage`` on (``grading``: rank,
    grade and outcomes; ``outcomes``: outcomes alone), period by period as ``evaluate`` runs them.
    ``ruleset`` must differ from ``earlier.ruleset`` only in those stages, keep the ranking groups,
    and score nothing from earlier periods' results (the caller checks: ``reads_earlier_periods``)."""
    registry = registry or default_registry()
    results: list[PeriodResult] = []
    for old in earlier.periods:
        frame = _sub_periods(ruleset, old.period, results, old.cohort.n)
        result = dataclasses.replace(old, sub_periods=frame)
        if stage == "grading":
            result.ranking, result.grades = _ranked(ruleset, old.cohort, old.tree, old.total, old.vetoes,
                                                    old.ranking.group, frame)
            result.warnings = [*period_warnings(ruleset, registry, old.cohort, old.tree),
                               *grading_warnings(ruleset, old.cohort, result.grades)]
        result.outcomes = run_outcomes(ruleset, registry, result)
        results.append(result)
    if stage == "grading" and results and earlier.dataset.warnings:  # evaluate adds the sources' warnings last
        results[-1].warnings.extend(Finding(d, ()) for d in earlier.dataset.warnings)
    return Evaluation(ruleset, earlier.dataset, results)

def _key_columns(cohort: Cohort, tree: TreeScores, total: np.ndarray, subtotal: np.ndarray,
                 vetoes: Vetoes, inputs: list[str]) -> dict[str, Any]:
    """Ranking keys by name, and the names computed keys (``expr``) may use."""
    return {**cohort.scoped_env(inputs), **tree.scores, "score": tree.scores, "total": total,
            "subtotal": subtotal, "vetoed": vetoes.vetoed}


def _grade(ruleset: Ruleset, cohort: Cohort, tree: TreeScores, total: np.ndarray, subtotal: np.ndarray,
           ranking: Ranking, vetoes: Vetoes, periods: PeriodFrame | None = None,
           keys: list[tuple[np.ndarray, bool]] | None = None) -> Grades | None:
    grading = ruleset.grading
    kind = cohort.period.kind
    if grading is None or (kind in ruleset.monitor and kind not in grading.scales):
        return None
    scale = grading.grades_for(kind)
    if not scale:
        return None
    index = {g.name: i for i, g in enumerate(scale)}
    forced = np.full(cohort.n, -1)
    ceiling = np.full(cohort.n, -1)
    # a forced grade missing from this period's scale means its lowest grade
    forced_by = np.array([index.get(v.grade, len(scale) - 1) if v.grade else -1 for v in ruleset.vetoes],
                         dtype=np.int64)
    ceiling_by = np.array([index.get(v.max_grade, -1) if v.max_grade else -1 for v in ruleset.vetoes], dtype=np.int64)
    if len(vetoes.subject):
        # the harshest veto wins: larger index = lower grade
        np.maximum.at(forced, vetoes.subject, forced_by[vetoes.veto])
        np.maximum.at(ceiling, vetoes.subject, ceiling_by[vetoes.veto])
    env = {**cohort.scoped_env(ruleset.inputs), "score": tree.scores, "subtotal": subtotal, "total": total,
           "rank": ranking.rank.astype(float), "group_size": ranking.group_size.astype(float),
           "rank_pct": np.where(ranking.group_size > 0, ranking.rank / np.maximum(ranking.group_size, 1), np.nan),
           "vetoed": vetoes.vetoed, "group": ranking.group}
    if periods is not None:
        env[PERIODS] = periods
    eligible = {g.name: g.eligible.evaluate_mask(env, cohort.n) for g in scale if g.eligible is not None}
    lines = {g.name: np.full(cohort.n, float(g.min)) if isinstance(g.min, int | float)
             else np.asarray(g.min.evaluate(env, cohort.n), dtype=float)
             for g in scale if g.min is not None}
    sizes = {g.name: quota_sizes(g.quota, env, ranking, ~cohort.excluded, ruleset.locations)
             for g in scale if g.quota is not None}
    rule = _across_rule(cohort, keys or [], env)
    return assign_grades(scale, total, ranking, cohort.excluded, forced, ceiling, eligible, lines, sizes, rule)


def _across_rule(cohort: Cohort, keys: list[tuple[np.ndarray, bool]], env: dict[str, Any]) -> AcrossRule:
    """Across-group places decided by the current decider (``evaluation.across``) from the holders'
    ranking keys and each scope's ranked subjects."""
    decider, n = across.current(), cohort.n
    full_keys = [(np.broadcast_to(np.asarray(column), (n,)), descending) for column, descending in keys]

    def rule(grade: Grade, holders: np.ndarray) -> AcrossPlaces:
        assert grade.across is not None
        labels = scope_labels(grade.across.within, env, n).astype(str)
        found, counts = np.unique(labels[~cohort.excluded], return_counts=True)
        chosen = np.flatnonzero(holders)
        decision = decider(grade.across, across.Holders(
            cohort.period.id, grade.name, cohort.ids[chosen], [(c[chosen], d) for c, d in full_keys], labels[chosen],
        ), dict(zip(found.tolist(), counts.tolist(), strict=True)))
        refused = np.zeros(n, dtype=bool)
        refused[chosen[decision.refused]] = True
        scopes, where = np.unique(labels, return_inverse=True)  # each scope's numbers looked up once
        places = np.array([decision.places.get(s, 0) for s in scopes.tolist()], dtype=np.int64)[where.reshape(-1)]
        size = np.array([decision.sizes.get(s, 0) for s in scopes.tolist()], dtype=np.int64)[where.reshape(-1)]
        return AcrossPlaces(refused, places, size)

    return rule
