"""Who does a method change affect, and which change accounts for it.

``kaohe diff OLD NEW --impact DATA`` evaluates both resolved rulesets on the
same data — OLD is moved to NEW's year first, so "last year's method on this
year's data" is compared with "this year's method" — and reports, per
period, grade changes, rank moves, bonus changes and a summary.

Attribution applies the diff one item at a time, in the order the diff lists
them (an indicator, a rule, a grade, a class, an outcome, a section), from
OLD towards NEW, evaluating after each step; a subject's change is credited
to the steps that moved its total or grade. Interactions are credited to the
later step (the order is stated in the output). A step whose intermediate
ruleset is invalid on its own is merged with the next one, and the last step
must reproduce NEW's results exactly (``reproduces_new`` checks it against a
full evaluation of NEW). A step that changes only grading, or only outcomes,
re-runs just those stages on the previous step's scores
(``pipeline.evaluate_from``), unless something scored earlier reads earlier
periods' results; every other step is a full evaluation.
"""

from __future__ import annotations

import copy
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np

from kaohe.engine.data.context import DataContext, reading
from kaohe.engine.data.headers import names_of
from kaohe.engine.data.load import load_dataset
from kaohe.engine.data.tables import Dataset
from kaohe.engine.errors import Diagnostic, KaoheError
from kaohe.engine.evaluation.pipeline import STAGES, Evaluation, evaluate, evaluate_from
from kaohe.engine.evaluation.runner import data_specs
from kaohe.engine.language.periodic import PERIOD_FUNCTIONS
from kaohe.engine.registry import Registry, default_registry
from kaohe.engine.ruleset.load import build_ruleset, check_ruleset
from kaohe.engine.ruleset.loader import Document
from kaohe.engine.ruleset.model import Ruleset
from kaohe.engine.years.diff import SECTIONS, Change, diff_rulesets
from kaohe.engine.years.diff_render import describe
from kaohe.engine.years.impact_apply import apply_step, step_key

TIMELESS = ("title", "year", "effective", "source", "description")


@dataclass
class Step:
    label: str
    changes: list[Change]
    merged: bool = False  # invalid on its own: applied together with the next


@dataclass
class Outcome:
    """Per period: subject id -> (total, grade, rank, money by outcome id)."""

    records: dict[str, dict[str, tuple[float, Any, int, dict[str, Decimal]]]] = field(default_factory=dict)


def impact(old: Ruleset, new: Ruleset, data_dir: Path, period: str | None = None, threshold: int = 3,
           lang: str = "zh", registry: Registry | None = None) -> dict[str, Any]:
    registry = registry or default_registry()
    if not data_dir.is_dir():
        raise KaoheError(Diagnostic("E-IMPACT-DATA", {"path": str(data_dir)}, file=str(data_dir)))
    specs, base = data_specs(new, data_dir)
    with reading(DataContext(new, specs, base, registry)):  # for sources that read other rulesets or the store
        # every column: either side may read any of them; headers by the new ruleset's titles too
        dataset = load_dataset(specs, base, registry, names=names_of(new))
    changes = diff_rulesets(old, new)
    start = _aligned(old, new)
    begun = _build(start, new, registry)
    if begun is None:
        raise KaoheError(Diagnostic("E-IMPACT-OLD-INVALID", {}))
    first = evaluate(begun, dataset, registry)
    before, after = _records(first), _snapshot(new, dataset, registry)
    periods = [p for p in after.records if p in before.records and (period is None or p == period)]
    if not periods:
        raise KaoheError(Diagnostic("E-IMPACT-PERIOD", {"period": period or "—",
                                                        "available": ", ".join(after.records)}))
    steps, trail = _attribute(start, new, changes, dataset, registry, first)
    exact = trail[-1][1].records == after.records if trail else before.records == after.records
    return {
        "order": "changes applied one at a time in diff order" if lang == "en" else "按变更列表顺序逐项应用",
        "steps": [{"label": s.label, "changes": [describe(c, lang) for c in s.changes], "merged": s.merged}
                  for s in steps],
        "reproduces_new": exact,
        "periods": {p: period_report(p, before, after, trail, threshold) for p in periods},
    }


def _aligned(old: Ruleset, new: Ruleset) -> dict[str, Any]:
    """OLD's data moved to NEW's year (dates and titles are not part of the method)."""
    data: dict[str, Any] = copy.deepcopy(old.document.data)
    for key in TIMELESS:
        if key in new.document.data:
            data[key] = copy.deepcopy(new.document.data[key])
        else:
            data.pop(key, None)
    return data


def _build(data: dict[str, Any], new: Ruleset, registry: Registry) -> Ruleset | None:
    document = Document(file=new.document.file, data=data)
    if any(p.severity == "error" for p in check_ruleset(document, registry)):
        return None
    return build_ruleset(document, Path(new.file), registry)


def _snapshot(ruleset: Ruleset | None, dataset: Dataset, registry: Registry) -> Outcome:
    if ruleset is None:
        raise KaoheError(Diagnostic("E-IMPACT-OLD-INVALID", {}))
    return _records(evaluate(ruleset, dataset, registry))


def _records(evaluation: Evaluation) -> Outcome:
    ruleset = evaluation.ruleset
    out = Outcome()
    for result in evaluation.periods:
        if result.period.kind in ruleset.monitor:
            continue  # follow-up months decide nothing
        grades = result.grades.grade if result.grades is not None else np.full(result.cohort.n, None)
        money = {oid: o.values for oid, o in result.outcomes.items() if o.kind == "allocator"}
        out.records[result.period.id] = {
            str(sid): (float(result.total[i]), grades[i], int(result.ranking.rank[i]),
                       {oid: values[i] for oid, values in money.items() if isinstance(values[i], Decimal)})
            for i, sid in enumerate(result.cohort.ids.tolist()) if not result.cohort.excluded[i]
        }
    return out


def document_outcome(document: dict[str, Any]) -> Outcome:
    """The same records read from a results document (an appeal compares two stored documents,
    ``engine/store/appeal_changes.py``): money is every allocator outcome's amount."""
    money_ids = {o["id"] for o in document.get("outcomes", []) if o.get("kind") == "allocator"}
    out = Outcome()
    for period in document["periods"]:
        out.records[period["period"]] = {
            str(s["id"]): (float(s["total"]), s.get("grade"), int(s.get("rank") or 0),
                           {oid: Decimal(str(o["value"])) for oid, o in (s.get("outcomes") or {}).items()
                            if oid in money_ids and o.get("value") is not None})
            for s in period["subjects"] if not s.get("excluded") and s.get("total") is not None
        }
    return out


def _attribute(start: dict[str, Any], new: Ruleset, changes: list[Change], dataset: Dataset,
               registry: Registry, first: Evaluation) -> tuple[list[Step], list[tuple[Step, Outcome]]]:
    """``first``: the start evaluated, which a step re-running only later stages continues from."""
    grouped: dict[tuple[str, str], list[Change]] = {}
    listed = list(SECTIONS)
    for change in sorted(changes, key=lambda c: listed.index(c.section)):  # the order the diff lists them
        key = step_key(change)
        if key is not None:
            grouped.setdefault(key, []).append(change)
    working, steps, trail = copy.deepcopy(start), [], []
    pending: list[Change] = []
    labels: list[str] = []
    sections: set[str] = set()
    last = first
    for (section, ident), items in grouped.items():
        apply_step(working, new.document.data, section, ident, items)
        pending += items
        labels.append(section if ident == section else f"{section} {ident}")  # grading's own settings: "grading"
        sections.add(section)
        ruleset = _build(copy.deepcopy(working), new, registry)
        if ruleset is None:
            steps.append(Step(labels[-1], items, merged=True))
            continue
        step = Step(" + ".join(labels), list(pending))
        steps.append(step)
        last = _after_step(last, ruleset, sections, dataset, registry)
        trail.append((step, _records(last)))
        pending, labels, sections = [], [], set()
    return steps, trail


def _after_step(last: Evaluation, ruleset: Ruleset, sections: set[str], dataset: Dataset,
                registry: Registry) -> Evaluation:
    """The evaluation after a step: a step that changes only grading or only outcomes re-runs those
    stages on the last step's scores (``evaluate_from``) where that gives what a full evaluation gives."""
    stage = later_stage(last.ruleset, ruleset, sections)
    if stage is None:
        return evaluate(ruleset, dataset, registry)
    return evaluate_from(last, ruleset, stage, registry)


def later_stage(before: Ruleset, after: Ruleset, sections: set[str]) -> str | None:
    """``grading`` or ``outcomes`` when a change in ``sections`` can be re-run from that stage: it
    touches only that stage (and outcomes), keeps the ranking groups, and nothing scored before it
    reads earlier periods' results (the one way a later stage reaches back into scoring)."""
    for stage in reversed(STAGES):  # the latest stage that covers the step: the least to re-run
        touched = set(STAGES[STAGES.index(stage):])
        if not sections <= touched:
            continue
        same_groups = (before.grading.group_by if before.grading else "all") == (
            after.grading.group_by if after.grading else "all")
        if same_groups and not reads_earlier_periods(after.document.data, touched):
            return stage
    return None


PERIOD_CALL = re.compile(r"\b(?:" + "|".join(PERIOD_FUNCTIONS) + r")\s*\(")


def reads_earlier_periods(data: Any, outside: set[str]) -> bool:
    """Whether any expression of the document, outside the top-level sections ``outside``, calls a
    period function (``periods_count`` …): conservative, a text that only looks like one counts."""
    if isinstance(data, dict):
        return any(reads_earlier_periods(v, set()) for k, v in data.items() if k not in outside)
    if isinstance(data, list):
        return any(reads_earlier_periods(v, set()) for v in data)
    return isinstance(data, str) and PERIOD_CALL.search(data) is not None


def period_report(period: str, before: Outcome, after: Outcome, trail: list[tuple[Step, Outcome]],
                   threshold: int) -> dict[str, Any]:
    old, new = before.records[period], after.records[period]
    common = sorted(set(old) & set(new))
    grade_changes, rank_moves, bonus_changes = [], [], []
    for sid in common:
        (t0, g0, r0, m0), (t1, g1, r1, m1) = old[sid], new[sid]
        if g0 != g1:
            grade_changes.append({"id": sid, "from": g0, "to": g1, "total_old": _n(t0), "total_new": _n(t1),
                                  "because": _because(sid, period, before, trail)})
        if r0 and r1 and abs(r1 - r0) >= threshold:
            rank_moves.append({"id": sid, "from": r0, "to": r1})
        for oid in sorted(set(m0) | set(m1)):
            a, b = m0.get(oid, Decimal(0)), m1.get(oid, Decimal(0))
            if a != b:
                bonus_changes.append({"id": sid, "outcome": oid, "old": str(a), "new": str(b), "delta": str(b - a)})
    movers = sorted(common, key=lambda s: (-abs(new[s][0] - old[s][0]), s))[:5]
    return {
        "grade_changes": grade_changes, "rank_moves": rank_moves, "bonus_changes": bonus_changes,
        "summary": {
            "subjects": len(common),
            "grade_changes": [{"from": a, "to": b, "count": n}
                              for (a, b), n in sorted(Counter((g["from"], g["to"]) for g in grade_changes).items(),
                                                      key=lambda x: (str(x[0][0]), str(x[0][1])))],
            "spearman": _spearman([old[s][0] for s in common], [new[s][0] for s in common]),
            "largest_movers": [{"id": s, "total_old": _n(old[s][0]), "total_new": _n(new[s][0]),
                                "delta": _n(new[s][0] - old[s][0]),
                                "because": _because(s, period, before, trail)} for s in movers
                               if abs(new[s][0] - old[s][0]) > 1e-9],
        },
    }


def _because(sid: str, period: str, before: Outcome, trail: list[tuple[Step, Outcome]]) -> list[dict[str, Any]]:
    """The steps that moved this subject's total or grade, with the change each made."""
    found, previous = [], before.records[period].get(sid)
    for step, state in trail:
        current = state.records.get(period, {}).get(sid)
        if previous is not None and current is not None:
            delta = current[0] - previous[0]
            if abs(delta) > 1e-9 or current[1] != previous[1]:
                found.append({"step": step.label, "delta": _n(delta), "grade": [previous[1], current[1]]})
        previous = current if current is not None else previous
    return found


def _spearman(a: list[float], b: list[float]) -> float | None:
    """Spearman's rank correlation, ties given their average rank."""
    if len(a) < 2:
        return None
    ra, rb = _ranks(np.asarray(a)), _ranks(np.asarray(b))
    if ra.std() == 0 or rb.std() == 0:
        return None
    return round(float(np.corrcoef(ra, rb)[0, 1]), 6)


def _ranks(values: np.ndarray) -> np.ndarray:
    order = np.argsort(values, kind="stable")
    ranks = np.empty(len(values))
    ranks[order] = np.arange(1, len(values) + 1)
    for value in np.unique(values):
        tied = values == value
        ranks[tied] = ranks[tied].mean()
    return ranks


def _n(value: float) -> float:
    return round(float(value), 4) + 0.0
