"""Turn an evaluation into the results document (schemas/results.schema.json).

The document is plain JSON data in a fixed key order, so the same ruleset
and data always serialise to the same bytes. Scores are shown with float
noise removed (6 decimals); totals carry the declared precision.
"""

from __future__ import annotations

import math
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from kaohe.engine import __version__
from kaohe.engine.data.tables import Events, Items, paused_gc
from kaohe.engine.evaluation.pipeline import Evaluation, PeriodResult
from kaohe.engine.evaluation.plausibility import Finding
from kaohe.engine.evaluation.scoring import STATUS_NAMES
from kaohe.engine.language.expressions import Expression
from kaohe.engine.report.handouts import handout_settings
from kaohe.engine.report.stream_json import Lazy
from kaohe.engine.ruleset.model import Grade, Ruleset
from kaohe.engine.ruleset.project import project_path, project_root

RESULTS_FORMAT = "results/1"
JsonNumber = float | int | None


def build_document(evaluation: Evaluation) -> dict[str, Any]:
    # millions of small acyclic dicts: the cyclic collector would rescan them over and over
    with paused_gc():
        return _document(evaluation)


def document_stream(evaluation: Evaluation) -> dict[str, Any]:
    """The same document with its periods and their subjects as ``Lazy`` lists: each subject's
    record is made when ``stream_json.write_json`` reaches it, and dropped once written."""
    return _document(evaluation, lazy=True)


def _document(evaluation: Evaluation, lazy: bool = False) -> dict[str, Any]:
    ruleset = evaluation.ruleset
    root = project_root(ruleset.base_dir)  # paths recorded relative to it: reruns from anywhere agree
    return {
        "kaohe": RESULTS_FORMAT,
        "engine": {"name": "kaohe", "version": __version__},
        "ruleset": {"id": ruleset.id, "title": ruleset.title, "year": ruleset.year,
                    "file": project_path(ruleset.file, root), "digest": ruleset.digest,
                    "subject_kind": ruleset.kind, "precision": ruleset.precision},
        "data": {"digest": evaluation.dataset.digest,
                 "tables": {t: project_path(o, root) for t, o in evaluation.dataset.origins.items()}},
        "indicators": [_indicator_meta(i) for i in ruleset.walk()],
        "classes": [{"id": c.id, "title": c.title} for c in ruleset.classes.values()],
        "outcomes": [{"id": o.id, "title": o.title, "use": o.use, "kind": _outcome_kind(evaluation, o.id),
                      **handout_settings(o.use, o.params)} for o in ruleset.outcomes],
        "periods": Lazy((_period(ruleset, evaluation, result, root, lazy) for result in evaluation.periods),
                        plain=False) if lazy else [_period(ruleset, evaluation, result, root)
                                                   for result in evaluation.periods],
    }


def _indicator_meta(indicator: Any) -> dict[str, Any]:
    meta = {"id": indicator.id, "title": indicator.title, "parent": indicator.parent,
            "full_marks": _num(indicator.full_marks), "leaf": indicator.leaf}
    if indicator.rater:
        meta["rater"] = indicator.rater.use
    meta["clause"] = indicator.clause
    return meta


def _outcome_kind(evaluation: Evaluation, outcome_id: str) -> str:
    for result in evaluation.periods:
        if outcome_id in result.outcomes:
            return result.outcomes[outcome_id].kind
    return "outcome"


def _num(value: Any, digits: int = 6) -> float | int | None:
    if value is None:
        return None
    value = float(value)
    if math.isnan(value) or math.isinf(value):
        return None
    value = round(value, digits) + 0.0
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return _num(value)
    return value


def _period(ruleset: Ruleset, evaluation: Evaluation, result: PeriodResult, root: Path,
            lazy: bool = False) -> dict[str, Any]:
    columns = PeriodColumns(ruleset, result)
    records = (subject_record(ruleset, evaluation, result, i, columns) for i in range(result.cohort.n))
    subjects: list[dict[str, Any]] | Lazy = Lazy(records) if lazy else list(records)
    return {"period": result.period.id, "kind": result.period.kind,
            "warnings": [warning_record(w, result, root) for w in result.warnings], "subjects": subjects}


def warning_record(warning: Finding, result: PeriodResult, root: Path) -> dict[str, Any]:
    d = warning.diagnostic
    return {"code": d.code, "file": d.file and project_path(d.file, root), "line": d.line, "column": d.column,
            "path": d.path,
            "message": {"zh": d.message("zh"), "en": d.message("en")},
            "subjects": [str(result.cohort.ids[i]) for i in warning.rows]}


def numbers(values: Any, digits: int = 6) -> list[JsonNumber]:
    """A float column as JSON numbers: noise removed, NaN/inf as None, whole numbers as int."""
    array = np.asarray(values, dtype=float)
    array = np.where(np.isfinite(array), np.round(array, digits) + 0.0, np.nan)
    return [None if x != x else (int(x) if x.is_integer() else x) for x in array.tolist()]


def plain_column(values: Any) -> list[Any]:
    array = np.asarray(values)
    if array.dtype.kind == "f":
        return numbers(array)
    if array.dtype.kind == "b":
        return [bool(v) for v in array.tolist()]
    return [_plain(v) for v in array.tolist()]


class LeafColumns(NamedTuple):
    """A leaf indicator's per-subject columns beside its score and status."""

    rater: str | None
    inputs: dict[str, list[JsonNumber]]
    details: dict[str, list[Any]]
    capped: list[bool]


class PeriodColumns:
    """Every per-subject column of a period converted to Python values once,
    so building thousands of records is list look-ups, not numpy scalar calls."""

    def __init__(self, ruleset: Ruleset, result: PeriodResult):
        n = result.cohort.n
        tree, adj = result.tree, result.adjustments
        self.adjustments = _by_subject(adj.subject, n)
        self.vetoes = _by_subject(result.vetoes.subject, n)
        self.scalars = {
            "months_on_post": numbers(result.cohort.months), "subtotal": numbers(tree.subtotal),
            "bonus": numbers(adj.bonus), "deduction": numbers(adj.deduction),
            "coefficient": numbers(result.cohort.coefficient), "total": numbers(result.total),
        }
        self.indicators: list[tuple[str, JsonNumber, list[JsonNumber], list[str], LeafColumns | None]] = []
        for indicator in ruleset.walk():
            if indicator.id not in tree.scores:
                continue
            leaf = indicator.leaf and indicator.id in tree.inputs
            self.indicators.append((
                indicator.id, _num(indicator.full_marks), numbers(tree.scores[indicator.id]),
                STATUS_NAMES[tree.status[indicator.id]].tolist(),
                LeafColumns(
                    indicator.rater.use if indicator.rater else None,
                    {k: numbers(v) for k, v in tree.inputs[indicator.id].items()},
                    {k: plain_column(v) for k, v in tree.details[indicator.id].items()},
                    [bool(v) for v in tree.capped[indicator.id].tolist()],
                ) if leaf else None,
            ))
        self.outcomes = {
            oid: (plain_column(o.values), None if o.notes is None else list(o.notes))
            for oid, o in result.outcomes.items()
        }
        rollup = result.rollup
        self.rollup = None if rollup is None else (
            {pid: numbers(v) for pid, v in rollup["periods"].items()}, rollup["weight"],
            {k: numbers(v) for k, v in rollup["annual"].items()}, numbers(rollup["bonus"]),
            numbers(rollup["deduction"]),
        )

    def indicator_entries(self, i: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for ident, full, scores, status, leaf in self.indicators:
            entry: dict[str, Any] = {"score": scores[i], "full": full, "status": status[i]}
            if leaf is not None:
                rater, inputs, details, capped = leaf
                entry["rater"] = rater
                entry["inputs"] = {k: v[i] for k, v in inputs.items()}
                entry["detail"] = {k: v[i] for k, v in details.items()}
                entry["capped"] = capped[i]
            out[ident] = entry
        return out


def _by_subject(subjects: np.ndarray, n: int) -> list[np.ndarray]:
    order = np.argsort(subjects, kind="stable")
    bounds = np.searchsorted(subjects[order], np.arange(n + 1)).tolist()
    return [order[bounds[i]:bounds[i + 1]] for i in range(n)]


def subject_record(ruleset: Ruleset, evaluation: Evaluation, result: PeriodResult, i: int,
                   columns: PeriodColumns | None = None) -> dict[str, Any]:
    columns = columns or PeriodColumns(ruleset, result)
    vetoes = [ruleset.vetoes[v] for v in result.vetoes.veto[columns.vetoes[i]]] if len(columns.vetoes[i]) else []
    cohort, ranking, grades = result.cohort, result.ranking, result.grades
    excluded = bool(cohort.excluded[i])
    scalars = columns.scalars
    record: dict[str, Any] = {
        "id": cohort.ids[i], "name": cohort.names[i], "unit": cohort.units[i], "class": cohort.classes[i],
        "group": str(ranking.group[i]), "excluded": excluded, "months_on_post": scalars["months_on_post"][i],
        "indicators": columns.indicator_entries(i),
        "subtotal": scalars["subtotal"][i],
        "adjustments": _adjustments(ruleset, evaluation, result, columns.adjustments[i]),
        "bonus": scalars["bonus"][i], "deduction": scalars["deduction"][i],
        "coefficient": scalars["coefficient"][i], "total": scalars["total"][i],
        "rank": None if excluded else int(ranking.rank[i]), "group_size": int(ranking.group_size[i]),
        "grade": grades.grade[i] if grades else None,
        "grade_reason": grade_reason(ruleset, result, i, vetoes),
        "vetoes": [v.id for v in vetoes],
        "outcomes": {oid: {"value": values[i], "note": None if notes is None else notes[i]}
                     for oid, (values, notes) in columns.outcomes.items()},
    }
    if columns.rollup is not None:
        periods, weight, annual, bonus, deduction = columns.rollup
        record["rollup"] = {"periods": {pid: v[i] for pid, v in periods.items()}, "weight": weight,
                            "annual": {k: v[i] for k, v in annual.items()}, "bonus": bonus[i],
                            "deduction": deduction[i]}
    return record


def _adjustments(ruleset: Ruleset, evaluation: Evaluation, result: PeriodResult,
                 rows: np.ndarray) -> list[dict[str, Any]]:
    adj = result.adjustments
    events, items = evaluation.dataset.events, evaluation.dataset.items
    out = []
    for row in rows:
        rule = ruleset.rules[adj.rule[row]]
        event_index = int(adj.event[row])
        record = {
            "rule": rule.id, "kind": rule.kind, "title": rule.title, "points": _num(adj.points[row]),
            "target": rule.target, "capped": bool(adj.capped[row]),
            "event": _event(events, event_index) if event_index >= 0 else None,
            "rejected": adj.rejected[row],
        }
        item_index = int(adj.item[row]) if adj.item is not None else -1
        if item_index >= 0:  # only per-item rules say it, so other documents stay as they were
            record["item"] = _item(items, item_index)
        out.append(record)
    return out


def _item(items: Items, index: int) -> dict[str, Any]:
    closed = items.closed[index]
    return {
        "id": items.id[index], "opened": str(items.opened[index]), "deadline": str(items.deadline[index]),
        "closed": None if np.isnat(closed) else str(closed), "owner": items.owner[index],
        "row": int(items.row[index]), "fields": {k: _plain(v[index]) for k, v in items.fields.items()},
    }


def _event(events: Events, index: int) -> dict[str, Any]:
    return {
        "date": str(events.date[index]), "type": events.type[index], "points": _num(events.points[index]),
        "confirmed": bool(events.confirmed[index]), "row": int(events.row[index]),
        "fields": {k: _plain(v[index]) for k, v in events.fields.items()},
    }


def grade_reason(ruleset: Ruleset, result: PeriodResult, i: int, vetoes: list[Any]) -> dict[str, Any]:
    grades = result.grades
    if grades is None:
        return {"code": "none", "text": "本周期不评定等次"}
    code = grades.reason[i]
    grade = grades.grade[i]
    scale = ruleset.grading.grades_for(result.period.kind) if ruleset.grading else ()
    reason: dict[str, Any] = {"code": code}
    if grades.demoted_from[i] is not None:
        reason["from"] = grades.demoted_from[i]
    if code in ("veto", "bar") and vetoes:
        reason["rule"] = vetoes[0].id
    reason["text"] = _reason_text(code, grade, grades.demoted_from[i], scale, result, i, vetoes)
    return reason


def _reason_text(code: str, grade: Any, was: Any, scale: tuple[Grade, ...], result: PeriodResult,
                 i: int, vetoes: list[Any]) -> str:
    total = _num(result.total[i])
    by_name = {g.name: g for g in scale}
    if code == "excluded":
        why = result.cohort.exclude_reason[i]
        return {"not_on_post": "本周期不在岗，不参加排名和等次评定",
                "no_periods": "全年没有参加任何周期的考核，不参加年度排名和等次评定"}.get(
            why, "符合不参加排名的条件（subjects.exclude），不参加排名和等次评定")
    if code == "veto":
        return f"一票否决（{'、'.join(v.title for v in vetoes)}），等次定为{grade}；总分 {total} 照常显示"
    if code == "bar":
        return f"{'、'.join(v.title for v in vetoes)}：最高只能评{grade}（按分数本可评{was}）"
    across = result.grades.across.get(was) if result.grades else None
    if code == "quota" and across is not None and across.refused[i]:
        rule = by_name[was].across
        assert rule is not None, "only a grade with across_groups is refused across groups"
        return (f"{was}跨组名额已满：{rule.describe(int(across.size[i]), int(across.places[i]))}，"
                f"本对象按排名先后在名额之外，顺延为{grade}")
    if code == "quota":
        quota = by_name[was].quota
        assert quota is not None, "only a grade with a quota demotes for its quota"
        places = result.grades.quota_allowed.get(was) if result.grades else None
        allowed = int(places[i]) if places is not None else 0
        size = int(result.ranking.group_size[i])
        sizes = result.grades.quota_sizes.get(was) if result.grades else None
        share = float(sizes.share[i]) if sizes is not None and sizes.share is not None else None
        most = float(sizes.max_count[i]) if sizes is not None and sizes.max_count is not None else None
        return (f"{was}名额已满：{quota.describe(size, allowed, share, most)}，"
                f"本对象排第 {int(result.ranking.rank[i])} 名，顺延为{grade}")
    if code == "eligibility":
        eligible = by_name[was].eligible
        assert eligible is not None, "only a grade with a condition demotes for it"
        return f"不符合{was}的入围条件（{eligible.text}），评为{grade}"
    lines = result.grades.thresholds if result.grades else {}
    threshold = lines[grade][i] if grade in lines else None
    if threshold is not None and not np.isnan(threshold):
        line = by_name[grade].min
        computed = f"（{line.text}）" if isinstance(line, Expression) else ""
        return f"总分 {total} ≥ {grade}分数线 {_num(threshold)}{computed}"
    above = [float(lines[g.name][i]) for g in scale if g.name in lines and not np.isnan(lines[g.name][i])]
    return f"总分 {total} 低于分数线 {_num(min(above))}" if above else f"评为{grade}"
