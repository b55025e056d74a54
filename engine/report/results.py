"""Turn an evaluation into the results document (schemas/results.schema.json).

The document is plain JSON data in a fixed key order, so the same ruleset
and data always serialise to the same bytes. Scores are shown with float
noise removed (6 decimals); totals carry the declared precision.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import orjson

from kaohe.engine import __version__
from kaohe.engine.data.tables import Events, Items, paused_gc
from kaohe.engine.evaluation.pipeline import Evaluation, PeriodResult
from kaohe.engine.evaluation.plausibility import Finding
from kaohe.engine.evaluation.scoring import STATUS_NAMES
from kaohe.engine.language.distinct import distinct_rows
from kaohe.engine.language.expressions import Expression
from kaohe.engine.report.handouts import handout_settings
from kaohe.engine.report.stream_json import (
    Encoded,
    Field,
    JsonNumber,
    Lazy,
    Lines,
    Records,
    encode,
    filler,
    numbers,
    record_texts,
)
from kaohe.engine.ruleset.model import Grade, Ruleset
from kaohe.engine.ruleset.project import project_path, project_root

RESULTS_FORMAT = "results/1"


def build_document(evaluation: Evaluation) -> dict[str, Any]:
    # millions of small acyclic dicts: the cyclic collector would rescan them over and over
    with paused_gc():
        return _document(evaluation)


def document_stream(evaluation: Evaluation) -> dict[str, Any]:
    """The same document with its periods and their subjects as ``Lazy`` lists: each subject's
    record is made when ``stream_json.write_json`` reaches it, and dropped once written."""
    return _document(evaluation, lazy=True)


def with_record_lines(document: dict[str, Any]) -> dict[str, Any]:
    """A document built whole, its periods' subjects marked ``Lines``: written a subject a line,
    as its stream is (``stream_json``)."""
    periods = [{**p, "subjects": Lines(p["subjects"])} if isinstance(p.get("subjects"), list) else p
               for p in document.get("periods", [])] if isinstance(document.get("periods"), list) else None
    return document if periods is None else {**document, "periods": periods}


def document_head(evaluation: Evaluation) -> dict[str, Any]:
    """The document without its periods (ruleset, data, indicators, classes, outcomes)."""
    head = _document(evaluation, lazy=True)
    del head["periods"]
    return head


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


def shown_numbers(values: Any) -> list[JsonNumber]:
    """``[_num(v) for v in values]`` for a float column, with Python's ``round`` only where it
    matters: a value ``np.round`` leaves as it is is the double nearest a number of 6 decimals,
    which ``round(v, 6)`` leaves as it is too."""
    array = np.asarray(values, dtype=float)
    finite = np.isfinite(array)
    if not (~finite | ((np.round(array, 6) == array) & (np.abs(array) < 2.0 ** 33))).all():
        return [_num(v) for v in array.tolist()]
    shown = np.where(finite, array + 0.0, np.nan).tolist()
    return [None if x != x else (int(x) if x.is_integer() else x) for x in shown]


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
    subjects: list[dict[str, Any]] | Records = (
        columns.records(evaluation) if lazy else [columns.filler(evaluation)(i) for i in range(result.cohort.n)])
    return {"period": result.period.id, "kind": result.period.kind,
            "warnings": [warning_record(w, result, root) for w in result.warnings], "subjects": subjects}


def warning_record(warning: Finding, result: PeriodResult, root: Path) -> dict[str, Any]:
    d = warning.diagnostic
    return {"code": d.code, "file": d.file and project_path(d.file, root), "line": d.line, "column": d.column,
            "path": d.path,
            "message": {"zh": d.message("zh"), "en": d.message("en")},
            "subjects": [str(result.cohort.ids[i]) for i in warning.rows]}


def plain_column(values: Any) -> list[Any]:
    array = np.asarray(values)
    if array.dtype.kind == "f":
        return numbers(array)
    if array.dtype.kind == "b":
        return [bool(v) for v in array.tolist()]
    return [_plain(v) for v in array.tolist()]


def plain_field(values: Any) -> Field:
    """``plain_column(values)`` as a record field (a float column kept as numbers to encode in bulk)."""
    array = np.asarray(values)
    return Field(array=array) if array.dtype.kind == "f" else Field(plain_column(array))


class PeriodColumns:
    """A period's subject records as one shape (``stream_json.Records``): every per-subject column
    converted to Python values (or kept as a float column) once, so thousands of records are list
    look-ups, or one template joined with encoded columns, not numpy scalar calls."""

    def __init__(self, ruleset: Ruleset, result: PeriodResult):
        self.ruleset = ruleset
        self.result = result
        self._shape: dict[str, Any] | None = None
        self._filler: Callable[[int], Any] | None = None

    def shape(self, evaluation: Evaluation) -> dict[str, Any]:
        if self._shape is None:
            with paused_gc():  # many small lists and dicts, no cycles
                self._shape = record_shape(self.ruleset, evaluation, self.result)
        return self._shape

    def records(self, evaluation: Evaluation) -> Records:
        return Records(self.shape(evaluation), self.result.cohort.n)

    def filler(self, evaluation: Evaluation) -> Callable[[int], Any]:
        if self._filler is None:
            self._filler = filler(self.shape(evaluation))
        return self._filler


def record_shape(ruleset: Ruleset, evaluation: Evaluation, result: PeriodResult) -> dict[str, Any]:
    """A subject's record (schemas/results.schema.json, ``periods[].subjects[]``) with a ``Field``
    wherever subjects differ: the one definition of the record, for the document and the stream."""
    cohort, ranking, grades, tree, adj = result.cohort, result.ranking, result.grades, result.tree, result.adjustments
    vetoes = veto_lists(ruleset, result)
    record: dict[str, Any] = {
        "id": Field(cohort.ids.tolist()), "name": Field(cohort.names.tolist()), "unit": Field(cohort.units.tolist()),
        "class": Field(cohort.classes.tolist()), "group": Field([str(g) for g in ranking.group.tolist()]),
        "excluded": Field.coded(NO_YES, np.asarray(cohort.excluded, dtype=bool)), "months_on_post": Field(array=cohort.months),
        "indicators": _indicator_shapes(ruleset, result),
        "subtotal": Field(array=tree.subtotal),
        "adjustments": Field(make=lambda: adjustment_lists(ruleset, evaluation, result),
                             encoded=lambda: adjustment_texts(ruleset, evaluation, result)),
        "bonus": Field(array=adj.bonus), "deduction": Field(array=adj.deduction),
        "coefficient": Field(array=cohort.coefficient), "total": Field(array=result.total),
        "rank": Field(rank_values(result)),
        "group_size": Field(np.asarray(ranking.group_size).astype(np.int64).tolist()),
        "grade": Field(grade_values(result)) if grades else None,
        "grade_reason": Field(make=lambda: grade_reasons(ruleset, result, vetoes),
                              encoded=lambda: reason_texts(ruleset, result, vetoes)),
        "vetoes": Field([[v.id for v in found] if found else [] for found in vetoes]),
        "outcomes": {oid: {"value": plain_field(o.values), "note": None if o.notes is None else Field(list(o.notes))}
                     for oid, o in result.outcomes.items()},
    }
    rollup = result.rollup
    if rollup is not None:
        record["rollup"] = {"periods": {pid: Field(array=v) for pid, v in rollup["periods"].items()},
                            "weight": rollup["weight"],
                            "annual": {k: Field(array=v) for k, v in rollup["annual"].items()},
                            "bonus": Field(array=rollup["bonus"]), "deduction": Field(array=rollup["deduction"])}
    return record


NO_YES = (False, True)  # a yes/no column's labels, by its bools as codes
ABSENT: Any = object()  # read as lists: an outcome a subject's record does not hold
HANDOUT_FIELDS = ("id", "name", "unit", "class", "group", "rank", "group_size", "total", "grade", "grade_reason",
                  "outcomes")


def handout_records(shape: dict[str, Any], n: int) -> list[dict[str, Any]]:
    """The period's subject records (``shape``: ``record_shape``) with only what the handouts read
    (engine/report/handouts.py): HANDOUT_FIELDS and each indicator's score."""
    if not n:
        return []
    reduced = {**{k: shape[k] for k in HANDOUT_FIELDS},
               "indicators": {k: {"score": e["score"]} for k, e in shape["indicators"].items()}}
    make = filler(reduced)
    return [make(i) for i in range(n)]


def rank_values(result: PeriodResult) -> list[int | None]:
    """Each subject's rank as the document states it: none for a subject left out of the ranking."""
    excluded = np.asarray(result.cohort.excluded, dtype=bool).tolist()
    ranks = np.asarray(result.ranking.rank).astype(np.int64).tolist()
    return [None if e else r for e, r in zip(excluded, ranks, strict=True)]


def grade_values(result: PeriodResult) -> list[Any]:
    """Each subject's grade (none in a period without grades)."""
    return result.grades.grade.tolist() if result.grades else [None] * result.cohort.n


def _indicator_shapes(ruleset: Ruleset, result: PeriodResult) -> dict[str, Any]:
    tree = result.tree
    out: dict[str, Any] = {}
    for indicator in ruleset.walk():
        if indicator.id not in tree.scores:
            continue
        entry: dict[str, Any] = {"score": Field(array=tree.scores[indicator.id]), "full": _num(indicator.full_marks),
                                 "status": Field.coded(STATUS_NAMES.tolist(), tree.status[indicator.id])}
        if indicator.leaf and indicator.id in tree.inputs:
            entry["rater"] = indicator.rater.use if indicator.rater else None
            entry["inputs"] = {k: Field(array=v) for k, v in tree.inputs[indicator.id].items()}
            entry["detail"] = {k: plain_field(v) for k, v in tree.details[indicator.id].items()}
            entry["capped"] = Field.coded(NO_YES, np.asarray(tree.capped[indicator.id], dtype=bool))
        out[indicator.id] = entry
    return out


def veto_lists(ruleset: Ruleset, result: PeriodResult) -> list[list[Any]]:
    """Each subject's triggered vetoes, in the order they were found."""
    found: list[list[Any]] = [[] for _ in range(result.cohort.n)]
    for subject, veto in zip(result.vetoes.subject.tolist(), result.vetoes.veto.tolist(), strict=True):
        found[subject].append(ruleset.vetoes[veto])
    return found


def subject_record(ruleset: Ruleset, evaluation: Evaluation, result: PeriodResult, i: int,
                   columns: PeriodColumns | None = None) -> dict[str, Any]:
    columns = columns or PeriodColumns(ruleset, result)
    record: dict[str, Any] = columns.filler(evaluation)(i)
    return record


def adjustment_lists(ruleset: Ruleset, evaluation: Evaluation, result: PeriodResult) -> list[list[dict[str, Any]]]:
    """Each subject's adjustments (bonuses and deductions), in the order they were made."""
    found: list[list[dict[str, Any]]] = [[] for _ in range(result.cohort.n)]
    for subject, record in _adjustment_records(ruleset, evaluation, result):
        found[subject].append(record)
    return found


def adjustment_texts(ruleset: Ruleset, evaluation: Evaluation, result: PeriodResult) -> Encoded:
    """``adjustment_lists`` as compact JSON, a text per subject, never held as dicts: the records
    with an event and those without are each one shape of columns (``stream_json.record_texts``);
    a period with per-item records has each encoded as it is made."""
    adj = result.adjustments
    found: list[list[bytes]] = [[] for _ in range(result.cohort.n)]
    if adj.item is not None and (np.asarray(adj.item) >= 0).any():
        for subject, record in _adjustment_records(ruleset, evaluation, result):
            found[subject].append(encode(record, 0))
    else:
        for subject, text in zip(adj.subject.tolist(), _adjustment_row_texts(ruleset, evaluation, result), strict=True):
            found[subject].append(text)
    return [b"[" + b",".join(texts) + b"]" if texts else b"[]" for texts in found], None


def _adjustment_row_texts(ruleset: Ruleset, evaluation: Evaluation, result: PeriodResult) -> list[bytes]:
    """Each adjustment's record (as ``_adjustment_records`` makes it, without an item) as JSON."""
    table = adjustment_table(ruleset, evaluation, result)
    texts = np.empty(len(table.subject), dtype=object)
    for with_event in (True, False):
        rows = np.flatnonzero((table.event_rows >= 0) == with_event)
        if not len(rows):
            continue
        chosen = rows.tolist()

        def column(values: list[Any], chosen: list[int] = chosen) -> Field:
            return Field([values[i] for i in chosen])

        event: Any = (table.events.shape([table.events.at[e] for e in table.event_rows[rows].tolist()])
                      if with_event else None)
        shape = {"rule": column(table.rule), "kind": column(table.kind), "title": column(table.title),
                 "points": column(table.points), "target": column(table.target), "capped": column(table.capped),
                 "event": event, "rejected": column(table.rejected)}
        texts[rows] = record_texts(Records(shape, len(rows)))
    made: list[bytes] = texts.tolist()
    return made


class AdjustmentTable(NamedTuple):
    """A period's adjustments as columns, in the order made (what each record of
    ``adjustment_lists`` says, but an item's)."""

    subject: list[int]
    rule: list[str]
    kind: list[str]
    title: list[str]
    points: list[JsonNumber]
    target: list[Any]
    capped: list[bool]
    rejected: list[Any]
    event_rows: np.ndarray  # the events table's row of each, -1 where none
    events: _EventRecords  # those events' records

    @property
    def event_date(self) -> list[Any]:
        return self._event_column(self.events.dates)

    @property
    def event_type(self) -> list[Any]:
        return self._event_column(self.events.types)

    @property
    def remark(self) -> list[Any]:
        """Why it was rejected, else 已封顶 where it was capped (the workbook's 说明)."""
        return [why or ("已封顶" if capped else None) for why, capped in zip(self.rejected, self.capped, strict=True)]

    @property
    def title_or_rule(self) -> list[str]:
        return [title or rule for title, rule in zip(self.title, self.rule, strict=True)]

    def _event_column(self, values: list[Any]) -> list[Any]:
        return [values[self.events.at[e]] if e >= 0 else None for e in self.event_rows.tolist()]


def adjustment_table(ruleset: Ruleset, evaluation: Evaluation, result: PeriodResult) -> AdjustmentTable:
    adj = result.adjustments
    event_rows = np.asarray(adj.event, dtype=np.int64)
    rules = [ruleset.rules[key] for key in adj.rule.tolist()]
    return AdjustmentTable(
        adj.subject.tolist(), [r.id for r in rules], [r.kind for r in rules], [r.title for r in rules],
        shown_numbers(adj.points), [r.target for r in rules], [bool(c) for c in adj.capped.tolist()],
        adj.rejected.tolist(), event_rows, _EventRecords(evaluation.dataset.events, event_rows[event_rows >= 0]))


def _adjustment_records(ruleset: Ruleset, evaluation: Evaluation,
                        result: PeriodResult) -> Iterator[tuple[int, dict[str, Any]]]:
    """Each adjustment's subject and record, in the order they were made."""
    adj, items = result.adjustments, evaluation.dataset.items
    if not len(adj.subject):
        return
    table = adjustment_table(ruleset, evaluation, result)
    item_rows = adj.item.tolist() if adj.item is not None else None
    for row, event_index in enumerate(table.event_rows.tolist()):
        record = {
            "rule": table.rule[row], "kind": table.kind[row], "title": table.title[row], "points": table.points[row],
            "target": table.target[row], "capped": table.capped[row],
            "event": table.events(event_index) if event_index >= 0 else None,
            "rejected": table.rejected[row],
        }
        item_index = int(item_rows[row]) if item_rows is not None else -1
        if item_index >= 0:  # only per-item rules say it, so other documents stay as they were
            record["item"] = _item(items, item_index)
        yield table.subject[row], record


class _EventRecords:
    """The record of an event of ``wanted`` (rows of the events table), from the table's columns
    at those rows converted to Python values once."""

    def __init__(self, events: Events, wanted: np.ndarray):
        self.at = {e: k for k, e in enumerate(wanted.tolist())}
        dates = events.date[wanted]
        self.dates = (np.datetime_as_string(dates).tolist() if dates.dtype == np.dtype("datetime64[D]")
                      else [str(d) for d in dates])  # the same text as str() of each date
        self.types = events.type[wanted].tolist()
        self.points = shown_numbers(events.points[wanted])
        self.confirmed = [bool(c) for c in events.confirmed[wanted].tolist()]
        self.rows = [int(r) for r in events.row[wanted].tolist()]
        self.fields = [(k, [_plain(x) for x in v[wanted].tolist()]) for k, v in events.fields.items()]

    def __call__(self, event: int) -> dict[str, Any]:
        k = self.at[event]
        return {"date": self.dates[k], "type": self.types[k], "points": self.points[k],
                "confirmed": self.confirmed[k], "row": self.rows[k],
                "fields": {name: v[k] for name, v in self.fields}}

    def shape(self, chosen: list[int]) -> dict[str, Any]:
        """The records of the events at ``chosen`` (places in ``wanted``) as one shape of columns."""
        def column(values: list[Any]) -> Field:
            return Field([values[k] for k in chosen])

        return {"date": column(self.dates), "type": column(self.types), "points": column(self.points),
                "confirmed": column(self.confirmed), "row": column(self.rows),
                "fields": {name: column(v) for name, v in self.fields}}


def _item(items: Items, index: int) -> dict[str, Any]:
    closed = items.closed[index]
    return {
        "id": items.id[index], "opened": str(items.opened[index]), "deadline": str(items.deadline[index]),
        "closed": None if np.isnat(closed) else str(closed), "owner": items.owner[index],
        "row": int(items.row[index]), "fields": {k: _plain(v[index]) for k, v in items.fields.items()},
    }


NO_GRADES = "本周期不评定等次"


def grade_reason(ruleset: Ruleset, result: PeriodResult, i: int, vetoes: list[Any]) -> dict[str, Any]:
    grades = result.grades
    if grades is None:
        return {"code": "none", "text": NO_GRADES}
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


def grade_reasons(ruleset: Ruleset, result: PeriodResult, vetoes: list[list[Any]]) -> list[dict[str, Any]]:
    """``grade_reason`` of every subject of the period (``vetoes``: ``veto_lists``)."""
    reasons = reason_columns(ruleset, result, vetoes)
    return [*map(grade_reasons_from(reasons), range(result.cohort.n))]


def grade_reasons_from(reasons: Reasons) -> Callable[[int], dict[str, Any]]:
    """Subject ``i``'s ``grade_reason`` record from the period's reason columns."""

    def reason(i: int) -> dict[str, Any]:
        record: dict[str, Any] = {"code": reasons.codes[i]}
        if reasons.demoted_from[i] is not None:
            record["from"] = reasons.demoted_from[i]
        if reasons.rules[i] is not None:
            record["rule"] = reasons.rules[i]
        record["text"] = reasons.texts[i]
        return record

    return reason


def reason_texts(ruleset: Ruleset, result: PeriodResult, vetoes: list[list[Any]]) -> Encoded:
    """``grade_reasons`` as compact JSON, a text per subject, put together from its encoded parts
    (a reason's text is mostly its own: the total is in it), never made as a dict: the keys in
    ``grade_reasons_from``'s order, ``from`` and ``rule`` only where set."""
    reasons = reason_columns(ruleset, result, vetoes)
    word = functools.lru_cache(maxsize=None)(orjson.dumps)  # codes, grades and vetoes: few of each
    texts = [
        b'{"code":' + word(code) + (b"" if was is None else b',"from":' + word(was))
        + (b"" if rule is None else b',"rule":' + word(rule)) + b',"text":' + orjson.dumps(text) + b"}"
        for code, was, rule, text in zip(reasons.codes, reasons.demoted_from, reasons.rules, reasons.texts,
                                         strict=True)]
    return texts, None


class Reasons(NamedTuple):
    """The grade reasons of a period as columns: what ``grade_reason`` says of each subject."""

    codes: list[str]
    demoted_from: list[Any]  # the grade its score earned, where it was moved down; else None
    rules: list[str | None]  # the veto that decided it (codes veto, bar); else None
    texts: list[str]


def reason_columns(ruleset: Ruleset, result: PeriodResult, vetoes: list[list[Any]]) -> Reasons:
    """``grade_reasons`` as columns, the columns read once: a grade by its score band (the common
    case) is worded once per distinct (total, grade, line) and spread, the rest one by one."""
    n = result.cohort.n
    grades = result.grades
    if grades is None:
        return Reasons(["none"] * n, [None] * n, [None] * n, [NO_GRADES] * n)
    scale = ruleset.grading.grades_for(result.period.kind) if ruleset.grading else ()
    codes, given, demoted = grades.reason.tolist(), grades.grade.tolist(), grades.demoted_from.tolist()
    rules = [found[0].id if code in ("veto", "bar") and found else None
             for code, found in zip(codes, vetoes, strict=True)]
    banded = np.array([code not in _WORDED_ONE_BY_ONE for code in codes], dtype=bool)
    texts = _BandTexts(scale, result).texts(given, np.flatnonzero(banded), n)
    for i in np.flatnonzero(~banded).tolist():
        texts[i] = _reason_text(codes[i], given[i], demoted[i], scale, result, i, vetoes[i])
    return Reasons(codes, demoted, rules, texts)


_WORDED_ONE_BY_ONE = frozenset({"excluded", "veto", "bar", "quota", "eligibility"})


def _computed_line(line: Any) -> str:
    return f"（{line.text}）" if isinstance(line, Expression) else ""


class _BandTexts:
    """The last case of ``_reason_text`` (a grade by its score band) from the period's columns."""

    def __init__(self, scale: tuple[Grade, ...], result: PeriodResult):
        lines = result.grades.thresholds if result.grades else {}
        self.lines = {g: np.asarray(v, dtype=float) for g, v in lines.items()}
        self.total = np.asarray(result.total, dtype=float)
        lines_of = {g.name: g.min for g in scale}
        self.computed = {g: _computed_line(lines_of.get(g)) for g in lines}
        self.scale_lines = [self.lines[g.name] for g in scale if g.name in self.lines]

    def texts(self, grades: list[Any], rows: np.ndarray, n: int) -> list[str]:
        """Each of ``rows``' text (the other places of the ``n`` left empty): worded once per
        distinct total, grade and line that decide it."""
        if not len(rows):
            return [""] * n
        chosen = [grades[i] for i in rows.tolist()]
        names = sorted(set(chosen), key=str)
        code_of = {name: k for k, name in enumerate(names)}
        grade_code = np.fromiter(map(code_of.__getitem__, chosen), dtype=np.int64, count=len(chosen))
        own = np.full(len(rows), np.nan)
        for k, name in enumerate(names):
            if name in self.lines:
                mine = grade_code == k
                own[mine] = self.lines[name][rows[mine]]
        below = np.full(len(rows), np.inf)  # the lowest line drawn for the subject: the one it is under
        drawn_any = np.zeros(len(rows), dtype=bool)
        for drawn in self.scale_lines:
            below = np.fmin(below, drawn[rows])  # fmin: a line not drawn (NaN) for a subject is skipped
            drawn_any |= ~np.isnan(drawn[rows])
        line = np.where(np.isnan(own), np.where(drawn_any, below, np.nan), own)
        first, where = distinct_rows(self.total[rows], grade_code, line, np.isnan(own))
        # each distinct sentence worded once, its numbers shown in bulk (as _num shows each)
        words = [self._text(names[g], total, o, at) for g, total, o, at in zip(
            grade_code[first].tolist(), shown_numbers(self.total[rows[first]]), shown_numbers(own[first]),
            shown_numbers(line[first]), strict=True)]
        texts = np.full(n, "", dtype=object)
        texts[rows] = np.array(words, dtype=object)[where]
        spread: list[str] = texts.tolist()
        return spread

    def _text(self, grade: Any, total: JsonNumber, own: JsonNumber, line: JsonNumber) -> str:
        if own is not None:
            return f"总分 {total} ≥ {grade}分数线 {own}{self.computed[grade]}"
        return f"总分 {total} 低于分数线 {line}" if line is not None else f"评为{grade}"


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
