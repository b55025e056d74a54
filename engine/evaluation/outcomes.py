"""Outcomes of a graded period: allocators and other result uses, in order.

Each outcome sees the period's result columns plus the values of the
outcomes before it (by id) and the columns they export (``zero_bonus``), so
"bottom rank gets zero bonus" is written as two outcomes in sequence.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import numpy as np

from kaohe.engine.components import MONEY, OutcomeContext
from kaohe.engine.errors import Diagnostic, KaoheError
from kaohe.engine.evaluation.events import event_access
from kaohe.engine.evaluation.items import item_access
from kaohe.engine.evaluation.money import MoneyError
from kaohe.engine.language.expressions import NameSpec
from kaohe.engine.language.periodic import PERIODS
from kaohe.engine.registry import Registry
from kaohe.engine.ruleset.model import OutcomeSpec, Ruleset

if TYPE_CHECKING:
    from kaohe.engine.evaluation.pipeline import PeriodResult


@dataclass
class OutcomeValues:
    spec: OutcomeSpec
    kind: str
    values: np.ndarray
    notes: np.ndarray | None


def default_periods(ruleset: Ruleset) -> frozenset[str]:
    if ruleset.cycle == "year" or ruleset.rollup is not None:
        return frozenset({"year"})
    return frozenset({ruleset.cycle})


def result_env(ruleset: Ruleset, result: PeriodResult) -> dict[str, Any]:
    cohort, ranking, grades = result.cohort, result.ranking, result.grades
    size = ranking.group_size
    return {
        **cohort.scoped_env(ruleset.inputs), "score": result.tree.scores, "subtotal": result.tree.subtotal,
        "total": result.total, "rank": ranking.rank.astype(float), "group_size": size.astype(float),
        "rank_pct": np.where(size > 0, ranking.rank / np.maximum(size, 1), np.nan), "group": ranking.group,
        "grade": grades.grade if grades else np.full(cohort.n, None, dtype=object),
        "grade_factor": grades.factor if grades else np.ones(cohort.n),
        "vetoed": result.vetoes.vetoed, "zero_bonus": np.zeros(cohort.n, dtype=bool),
        **({PERIODS: result.sub_periods} if result.sub_periods is not None else {}),
    }


def run_outcomes(ruleset: Ruleset, registry: Registry, result: PeriodResult) -> dict[str, OutcomeValues]:
    env = result_env(ruleset, result)
    done: dict[str, OutcomeValues] = {}
    indicators = {i.id: (i.title, i.full_marks, i.parent) for i in ruleset.walk()}
    records = {"event": event_access(ruleset, result.events), "item": item_access(ruleset, result.items)}

    for position, spec in enumerate(ruleset.outcomes):
        if result.period.kind not in (spec.periods or default_periods(ruleset)):
            continue
        found = registry.outcome_component(spec.use)
        assert found is not None  # checked at load
        kind, component = found
        scope = ruleset.scopes.outcomes[position]
        read = component.records(spec.params)

        def evaluate(text: str, scope: NameSpec = scope) -> np.ndarray:
            return ruleset.expressions.compile(text, scope).evaluate(env, result.cohort.n)

        ctx = OutcomeContext(
            outcome=spec.id, period=result.period.id, n=result.cohort.n, env=env, evaluate=evaluate,
            mask=~result.cohort.excluded, order=result.ranking.order, indicators=indicators,
            # an item list reads the items alive in the period where other outcomes read events
            events=records[read][0], evaluate_event=records[read][1],
        )
        try:
            produced = component.apply(dict(spec.params), ctx)
        except KaoheError as exc:  # a component's runtime problem: point at the outcome in the ruleset
            raise KaoheError([ruleset.locations.place(d, spec.path) for d in exc.diagnostics]) from None
        except MoneyError as exc:  # an amount computed from data that is no number (1 / 0 gives inf)
            raise KaoheError(ruleset.locations.place(Diagnostic(exc.code, exc.params), spec.path)) from None
        done[spec.id] = OutcomeValues(spec, kind, np.asarray(produced.values, dtype=object), produced.notes)
        env[spec.id] = _as_column(produced.values)
        if any(isinstance(v, Decimal) for v in np.asarray(produced.values, dtype=object)):
            env.setdefault(MONEY, {})[spec.id] = np.asarray(produced.values, dtype=object)
        env.update(produced.exports)
    result.names = env  # a later roll-up's period functions read this period as its outcomes left it
    return done


def _as_column(values: Any) -> np.ndarray:
    """Decimal money becomes float for expressions; flags and labels stay."""
    array = np.asarray(values, dtype=object)
    if any(isinstance(v, Decimal) for v in array):
        return np.array([float(v) if v is not None else np.nan for v in array], dtype=float)
    if all(isinstance(v, bool | np.bool_) for v in array):
        return array.astype(bool)
    if all(v is None or isinstance(v, int | float) and not isinstance(v, bool) for v in array):
        return np.array([np.nan if v is None else float(v) for v in array], dtype=float)
    return array
