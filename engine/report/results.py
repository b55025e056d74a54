"""Turn an evaluation into the results document (schemas/results.schema.json).

The document is plain JSON data in a fixed key order, so the same ruleset
and data always serialise to the same bytes. Scores are shown with float
noise removed (6 decimals); totals carry the declared precision.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from kaohe.engine import __version__
from kaohe.engine.data.tables import Events, Items, paused_gc
from kaohe.engine.evaluation.pipeline import Evaluation, PeriodResult
from kaohe.engine.evaluation.plausibility import Finding
from kaohe.engine.evaluation.scoring import STATUS_NAMES
from kaohe.engine.report import forked
from kaohe.engine.report.grade_reasons import grade_reasons, reason_texts
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
    shown_number,
)
from kaohe.engine.ruleset.model import Ruleset
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
                        plain=False, apart=_apart(evaluation)) if lazy
        else [_period(ruleset, evaluation, result, root) for result in evaluation.periods],
    }


def _apart(evaluation: Evaluation) -> bool:
    """Whether the periods are written by two processes (``forked.worth``: a city's, not a small office's)."""
    periods = evaluation.periods
    return forked.worth(max((p.cohort.n for p in periods), default=0), len(periods))


def _indicator_meta(indicator: Any) -> dict[str, Any]:
    meta = {"id": indicator.id, "title": indicator.title, "parent": indicator.parent,
            "full_marks": shown_number(indicator.full_marks), "leaf": indicator.leaf}
    if indicator.rater:
        meta["rater"] = indicator.rater.use
    meta["clause"] = indicator.clause
    return meta


def _outcome_kind(evaluation: Evaluation, outcome_id: str) -> str:
    for result in evaluation.periods:
        if outcome_id in result.outcomes:
            return result.outcomes[outcome_id].kind
    return "outcome"


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return shown_number(value)
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
        entry: dict[str, Any] = {"score": Field(array=tree.scores[indicator.id]), "full": shown_number(indicator.full_marks),
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
        numbers(adj.points), [r.target for r in rules], [bool(c) for c in adj.capped.tolist()],
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
        self.points = numbers(events.points[wanted])
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
