"""Read a ruleset's data tables and turn them into typed, checked columns.

``load_dataset`` reads each table through the data source its spec names
(``csv``, ``xlsx``, ``json`` …); ``dataset_from_tables`` types raw rows.
Every bad cell becomes a ``Diagnostic`` located by file, row, column
position and column name; all problems of all tables are collected and
raised together as one ``KaoheError``. The typed tables and what the digest
covers are described in ``kaohe.engine.data.tables``.
"""

from __future__ import annotations

import functools
import math
import os
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

import kaohe.engine.data.tables as tables
from kaohe.engine.components import DataSource, RawTable
from kaohe.engine.data.headers import Vocabulary
from kaohe.engine.data.items import build_items
from kaohe.engine.data.notes import noting
from kaohe.engine.data.sheet import (
    TABLE_ZH,
    Problems,
    Sheet,
    codes,
    duplicates,
    make_sheet,
    oversized_cells,
)
from kaohe.engine.data.tables import (
    Dataset,
    Events,
    History,
    Items,
    Numbers,
    Ratings,
    Subjects,
    Values,
    cell_text,
    is_blank,
)
from kaohe.engine.errors import Diagnostic, KaoheError, did_you_mean
from kaohe.engine.registry import Registry
from kaohe.engine.ruleset.loader import size_text

TABLES = ("subjects", "values", "events", "ratings", "history", "results", "items")
FORMATS = ("csv", "xlsx", "xls", "json")
SUBJECT_COLUMNS = ("id", "name", "unit", "class", "joined", "left")
EVENT_COLUMNS = ("subject", "date", "period", "type", "points", "confirmed")
RATING_COLUMNS = ("subject", "period", "indicator", "group", "rater", "score", "vote")
HISTORY_COLUMNS = ("subject", "year")
MAX_DATA_FILE_BYTES = 512 * 1024 * 1024  # one data file, checked from its size before it is read
DATA_LIMIT_ENV = "KAOHE_MAX_DATA_MB"  # overrides MAX_DATA_FILE_BYTES, in MiB (a positive number)

Codes = NDArray[np.integer[Any]]
ValueEntries = tuple[Codes, list[str], Codes, Numbers]
"""(row position, sorted input names, input code, value) of each entry of the values table."""


def build_subjects(sheet: Sheet) -> Subjects | None:
    if not sheet.require("id", "name"):
        return None
    ids, name = sheet.text("id", required=True), sheet.text("name", required=True)
    joined, left = sheet.date("joined"), sheet.date("left")
    for i in np.flatnonzero(left < joined).tolist():
        sheet.at("E-DATA-DATE-ORDER", i, "left", left=str(left[i]), joined=str(joined[i]))
    first: dict[str, int] = {}
    for i, key in enumerate(ids.tolist()):
        if key and first.setdefault(key, i) != i:
            sheet.at("E-DATA-DUPLICATE-ID", i, "id", id=key, first=int(sheet.rows[first[key]]))
    keep = np.array(list(first.values()), dtype=np.int64)
    order = keep[np.argsort(ids[keep], kind="stable")] if len(keep) else keep
    extra = sheet.extras([c for c in sheet.positions if c not in SUBJECT_COLUMNS])
    return Subjects(
        ids=ids[order], index={k: i for i, k in enumerate(ids[order].tolist())}, name=name[order],
        unit=sheet.text("unit")[order], cls=sheet.text("class")[order], joined=joined[order],
        left=left[order], extra={k: v[order] for k, v in extra.items()},
        lines=np.asarray(sheet.rows, dtype=np.int64)[order], columns=dict(sheet.positions),
    )


def build_values(sheet: Sheet, subjects: Subjects | None, inputs: Collection[str] | None) -> Values:
    n_subjects = len(subjects) if subjects is not None else 0
    if not sheet.require("subject", "period"):
        return Values.empty(n_subjects)
    subject = sheet.subject(subjects)
    sheet.check_names(subjects, subject)
    period = sheet.period("period", required=True)
    usable = (subject >= 0) & (period != "")
    layout = _long_values if sheet.has("input") or sheet.has("value") else _wide_values
    rows, names, i_codes, value = layout(sheet, usable, inputs)
    p_labels, usable_codes = tables.label_codes(period[usable])
    row_codes: Codes = np.full(sheet.n, -1, dtype=np.int16 if len(p_labels) < 2**15 else np.int64)
    row_codes[usable] = usable_codes
    p_codes = row_codes[rows]
    _value_duplicates(sheet, subject, period, row_codes, rows, names, i_codes)
    # a province's values table has tens of millions of rows: subject positions in 32 bits halve them
    holders = subject.astype(np.int32) if n_subjects < 2**31 else subject
    values = Values.coded(holders[rows], p_labels, p_codes, names, i_codes, value, n_subjects)
    first = np.full(len(p_labels), len(usable_codes), dtype=np.int64)  # each period's first usable row
    np.minimum.at(first, usable_codes, np.arange(len(usable_codes)))  # one line per period, not per row
    lines = np.asarray(sheet.rows)[np.flatnonzero(usable)[first]] if len(p_labels) else first
    values.period_lines = dict(zip(p_labels, lines.tolist(), strict=True))
    return values


def _value_duplicates(sheet: Sheet, subject: np.ndarray, period: np.ndarray, row_codes: np.ndarray,
                      rows: np.ndarray, names: list[str], i_codes: np.ndarray) -> None:
    """Rows may split a subject's inputs for a period, but not repeat one.
    Only entries of rows sharing a (subject, period) are compared, so wide
    tables with millions of cells need no big sort."""
    candidates = np.flatnonzero(row_codes >= 0)
    shared = duplicates([subject[candidates], row_codes[candidates]])
    if not shared:
        return
    chosen = np.flatnonzero(np.isin(rows, candidates[np.array(shared).ravel()]))
    entries = rows[chosen]
    said: set[int] = set()  # a wide row repeated whole is one mistake, not one per column
    for later, first in duplicates([subject[entries], row_codes[entries], i_codes[chosen]]):
        row, column = int(entries[later]), names[i_codes[chosen[later]]]
        if not sheet.has("input") and row in said:
            continue
        said.add(row)
        key = f"{cell_text(sheet.column('subject')[row])} / {period[row]} / {column}"
        sheet.at("E-DATA-DUPLICATE-ROW", row, "input" if sheet.has("input") else column,
                 first=int(sheet.rows[entries[first]]), key=key)


def _long_values(sheet: Sheet, usable: np.ndarray, inputs: Collection[str] | None) -> ValueEntries:
    """(row positions, sorted input names, input code and value of each entry)."""
    sheet.only(("subject", "name", "period", "input", "value"))
    if not sheet.require("input", "value"):
        return np.zeros(0, dtype=np.int64), [], np.zeros(0, dtype=np.int64), np.zeros(0)
    name = sheet.text("input", required=True)
    if inputs is not None:  # an input cell may name the input by its title or an alias
        named = {x: sheet.names.resolve_value(x) for x in set(name.tolist()) if x and x not in inputs}
        if named:
            name = np.array([named.get(x, x) for x in name.tolist()], dtype=object)
    value = sheet.number("value", lambda i: sheet.names.unit_of(name[i]))
    for i in np.flatnonzero(np.isnan(value)).tolist():
        if is_blank(sheet.column("value")[i]):
            sheet.at("E-DATA-EMPTY-CELL", i, "value")
    usable = usable & (name != "") & ~np.isnan(value)
    unknown = set() if inputs is None else {x for x in set(name.tolist()) if x and x not in inputs}
    if unknown:
        wrong = np.fromiter((x in unknown for x in name.tolist()), dtype=bool, count=sheet.n)
        allowed = list(inputs or ())
        for i in np.flatnonzero(wrong).tolist():
            sheet.at("E-DATA-UNKNOWN-INPUT", i, "input", input=name[i], suggest=functools.partial(sheet.suggest, name[i], allowed))
        usable &= ~wrong
    rows = np.flatnonzero(usable)
    names, i_codes = tables.label_codes(name[rows])
    return rows, names, i_codes, value[rows]


def _wide_values(sheet: Sheet, usable: np.ndarray, inputs: Collection[str] | None) -> ValueEntries:
    columns = [c for c in sheet.positions if c not in ("subject", "name", "period")]
    if not columns:
        sheet.header("E-DATA-NO-INPUTS", "")
    if inputs is not None:
        allowed = list(inputs)
        for column in [c for c in columns if c not in inputs]:
            sheet.header("E-DATA-UNKNOWN-INPUT", column, input=column, suggest=functools.partial(sheet.suggest, column, allowed))
        columns = [c for c in columns if c in inputs]
    names = sorted(columns)
    code_type = np.int16 if len(names) < 2**15 else np.int64  # compact: wide tables are big
    rows, i_codes, values = [np.zeros(0, dtype=np.int32)], [np.zeros(0, dtype=code_type)], [np.zeros(0)]
    for column in columns:  # one step per input column; blank cells are simply absent
        value = sheet.number(column, sheet.names.unit_of(column))
        sheet.release(column)
        chosen = np.flatnonzero(usable & ~np.isnan(value)).astype(np.int32)
        rows.append(chosen)
        i_codes.append(np.full(len(chosen), names.index(column), dtype=code_type))
        values.append(value[chosen])
    return np.concatenate(rows), names, np.concatenate(i_codes), np.concatenate(values)


def build_events(sheet: Sheet, subjects: Subjects | None, event_fields: Collection[str] | None) -> Events:
    if not sheet.require("subject", "date", "type"):
        return Events.empty()
    others = [c for c in sheet.positions if c not in EVENT_COLUMNS]
    if event_fields is not None:
        others = sheet.only([*EVENT_COLUMNS, *event_fields], others)
    return Events(
        subject=sheet.subject(subjects), date=sheet.date("date", required=True),
        period=sheet.period("period"), type=sheet.text("type", required=True),
        points=sheet.number("points"), confirmed=sheet.flag("confirmed"),
        fields=sheet.extras(others), row=sheet.rows, origin=sheet.origin,
    )


def build_ratings(sheet: Sheet, subjects: Subjects | None) -> Ratings:
    sheet.only(RATING_COLUMNS)
    if not sheet.require("subject", "period", "group", "rater"):
        return Ratings.empty()
    subject, period = sheet.subject(subjects), sheet.period("period", required=True)
    indicator, group = sheet.text("indicator"), sheet.text("group", required=True)
    rater, score, vote = sheet.text("rater", required=True), sheet.number("score"), sheet.text("vote")
    scores = sheet.cells.get("score")
    for i in np.flatnonzero(np.isnan(score) & (vote == "")).tolist():
        if scores is None or is_blank(scores[i]):  # a bad score is reported already
            sheet.at("E-DATA-RATING-EMPTY", i)
    for later, first in duplicates([subject, *(codes(c) for c in (period, indicator, group, rater))]):
        key = " / ".join(x for x in (cell_text(sheet.column("subject")[later]), period[later],
                                     indicator[later], group[later], rater[later]) if x)
        sheet.at("E-DATA-DUPLICATE-ROW", later, "rater", first=int(sheet.rows[first]), key=key)
    vote = vote.copy()
    vote[vote == ""] = None  # no vote
    return Ratings(subject, period, indicator, group, rater, score, vote, row=sheet.rows, origin=sheet.origin)


def build_history(sheet: Sheet, subjects: Subjects | None, fields: Collection[str] | None) -> History:
    """Previous years' results: one row per subject and year, the declared fields beside."""
    others = [c for c in sheet.positions if c not in HISTORY_COLUMNS]
    if fields is not None:
        others = sheet.only([*HISTORY_COLUMNS, *fields], others)
    if not sheet.require("subject", "year"):
        return History.empty()
    subject, year = sheet.subject(subjects), sheet.period("year", required=True)
    whole = np.array([str(y).isdigit() for y in year.tolist()], dtype=bool)
    for i in np.flatnonzero((year != "") & ~whole).tolist():  # a quarter or month: results are per year
        sheet.at("E-DATA-HISTORY-YEAR", i, "year", value=year[i])
    years = np.array([int(y) if ok else 0 for y, ok in zip(year.tolist(), whole.tolist(), strict=True)],
                     dtype=np.int64)
    usable = (subject >= 0) & whole
    for later, first in duplicates([subject, years]):
        if usable[later]:
            key = f"{cell_text(sheet.column('subject')[later])} / {years[later]}"
            sheet.at("E-DATA-DUPLICATE-ROW", later, "year", first=int(sheet.rows[first]), key=key)
    columns = sheet.extras(others)
    rows = np.flatnonzero(usable)
    return History(subject[rows], years[rows], {k: v[rows] for k, v in columns.items()})


def join_results(sheet: Sheet, subjects: Subjects) -> None:
    """Another ruleset's results (``source: results``): one row per subject of this ruleset, the
    chosen result columns beside; they join the subjects table as fields (missing where no row)."""
    if not sheet.require("subject"):
        return
    subject = sheet.subject(subjects)
    rows = np.flatnonzero(subject >= 0)
    for name, column in sheet.extras([c for c in sheet.positions if c != "subject"]).items():
        numeric = column.dtype.kind == "f"
        joined = np.full(len(subjects), np.nan) if numeric else np.full(len(subjects), "", dtype=object)
        joined[subject[rows]] = column[rows]
        subjects.extra[name] = joined


# ---------------------------------------------------------------------------
# Assembling and loading


def dataset_from_tables(raw: Mapping[str, RawTable], *, inputs: Collection[str] | None = None,
                        event_fields: Collection[str] | None = None,
                        history_fields: Collection[str] | None = None,
                        item_fields: Collection[str] | None = None,
                        names: Vocabulary | None = None) -> Dataset:
    """Type and check raw tables (``subjects`` required); raise every problem at once.
    ``names`` gives the titles and aliases headers may use (default: the standard columns')."""
    problems = Problems()
    if "subjects" not in raw:
        problems.add("E-DATA-NO-SUBJECTS", {"tables": ", ".join(sorted(raw)) or "-"})
    with tables.paused_gc(), _memory_named([t.origin for t in raw.values()]):
        dataset = _typed(dict(raw), problems, inputs, event_fields, history_fields, item_fields, names)
    problems.raise_if_any()
    return dataset


def _typed(raw: dict[str, RawTable], problems: Problems, inputs: Collection[str] | None,
           event_fields: Collection[str] | None, history_fields: Collection[str] | None = None,
           item_fields: Collection[str] | None = None, names: Vocabulary | None = None) -> Dataset:
    names = names or Vocabulary()
    for table in raw:
        if table not in TABLES:
            problems.add("E-DATA-UNKNOWN-TABLE", {"table": table, "allowed": ", ".join(TABLES),
                                                   "suggest": did_you_mean(table, TABLES)})
    origins = {t: raw[t].origin for t in TABLES if t in raw}
    raw_names = set(raw)
    for table in [t for t in TABLES if t in raw]:
        if oversized_cells(table, raw[table], problems):
            del raw[table]  # a table with a runaway cell is not typed: its other problems would be noise
    sheets = {t: make_sheet(t, raw.pop(t), problems, names.columns(t)) for t in TABLES if t in raw}  # rows go early
    # an empty file (not even a header) is an empty table; make_sheet reports it for subjects
    sheets = {t: s for t, s in sheets.items() if s.positions or s.n}
    subjects = build_subjects(sheets.pop("subjects")) if "subjects" in sheets else None
    dependent = [t for t in ("values", "events", "ratings", "history", "results", "items") if t in sheets]
    if subjects is None and "subjects" in raw_names and dependent:
        # every row of the other tables names a subject: checking them now would bury the real error
        problems.add("E-DATA-SKIPPED", {"tables": ", ".join(dependent)}, file=origins.get("subjects"), line=1)
        sheets = {}
    if subjects is not None and "results" in sheets:
        join_results(sheets.pop("results"), subjects)
    values = build_values(sheets.pop("values"), subjects, inputs) if "values" in sheets else None
    events = build_events(sheets["events"], subjects, event_fields) if "events" in sheets else Events.empty()
    ratings = build_ratings(sheets["ratings"], subjects) if "ratings" in sheets else Ratings.empty()
    history = build_history(sheets["history"], subjects, history_fields) if "history" in sheets else History.empty()
    items = build_items(sheets["items"], subjects, item_fields) if "items" in sheets else Items.empty()
    subjects = subjects or Subjects.empty()
    values = values or Values.empty(len(subjects))
    dataset = Dataset(subjects, values, events, ratings, origins, history=history, items=items)
    dataset.warnings.extend(problems.warnings)
    if not problems.any():
        dataset.digest_when_asked()
    return dataset


def load_dataset(specs: Mapping[str, Mapping[str, Any]], base_dir: Path, registry: Registry, *,
                 inputs: Collection[str] | None = None,
                 event_fields: Collection[str] | None = None,
                 history_fields: Collection[str] | None = None,
                 item_fields: Collection[str] | None = None,
                 names: Vocabulary | None = None) -> Dataset:
    """Read every table of a ruleset (``specs`` is its ``data:`` mapping) and type it.

    A table not in ``specs`` is looked for as ``data/<table>.csv|xlsx|xls|json``
    under ``base_dir``; a table whose spec is empty (``{}``) is absent without
    being looked for (a workbook given as the data folder has no sheet for it).
    Only ``subjects`` is required. Warnings the sources leave (``notes.note``)
    and the load's own are on ``Dataset.warnings``.
    """
    base_dir, problems, raw = Path(base_dir), Problems(), {}
    for table in [t for t in specs if t not in TABLES]:
        problems.add("E-DATA-UNKNOWN-TABLE", {"table": table, "allowed": ", ".join(TABLES),
                                               "suggest": did_you_mean(table, TABLES)})
    with tables.paused_gc(), noting() as notes:
        for table in TABLES:
            if table in specs and not specs[table] and table != "subjects":
                continue  # absent by choice: not looked for under data/
            if table == "history" and not history_fields and table not in specs:
                continue  # a ruleset that reads no history leaves a history file alone
            if table == "results" and table not in specs:
                continue  # another ruleset's results are read only when declared
            spec = specs.get(table) or default_spec(table, base_dir)
            if spec is None and table == "subjects":
                looked = str(base_dir / "data" / f"subjects.{'|'.join(FORMATS)}")
                problems.add("E-DATA-FILE", {"file": "data/subjects.csv", "looked": looked}, file=looked)
            elif spec is not None:
                try:
                    raw[table] = read_table(table, spec, base_dir, registry)
                except KaoheError as exc:
                    problems.found.extend(exc.diagnostics)
        with _memory_named([t.origin for t in raw.values()]):
            dataset = (_typed(raw, problems, inputs, event_fields, history_fields, item_fields, names)
                       if "subjects" in raw else None)
    problems.warnings[:0] = notes
    problems.raise_if_any()
    assert dataset is not None, "a missing subjects table is a problem raised above"
    dataset.warnings[:0] = notes
    return dataset


def default_spec(table: str, base_dir: Path) -> dict[str, str] | None:
    for fmt in FORMATS:
        if (base_dir / "data" / f"{table}.{fmt}").is_file():
            return {"source": fmt, "path": f"data/{table}.{fmt}"}
    return None


def read_table(table: str, spec: Mapping[str, Any], base_dir: Path, registry: Registry) -> RawTable:
    """One table through the data source its spec names."""
    name = spec.get("source")
    source: DataSource | None = registry.get("data_source", name) if isinstance(name, str) else None
    if source is None:
        available = registry.names("data_source")
        raise KaoheError(Diagnostic("E-DATA-UNKNOWN-SOURCE", {
            "table": table, "table_zh": TABLE_ZH.get(table, table), "name": name,
            "available": ", ".join(available), "suggest": did_you_mean(str(name), available)}))
    params = {k: v for k, v in spec.items() if k != "source"}
    path = params.get("path")
    file = Path(base_dir) / path if isinstance(path, str) and path.strip() else None
    if file is not None:
        check_file_size(file)
    try:
        return source.read(params, base_dir)
    except KaoheError:
        raise
    except MemoryError:
        raise KaoheError(out_of_memory(str(file) if file is not None else str(path or table))) from None
    except Exception as exc:  # a plugin's own failure still reaches the user as a diagnostic
        raise KaoheError(Diagnostic("E-DATA-SOURCE", {
            "table": params.get("path", table), "problem": f"{type(exc).__name__}: {exc}"})) from exc


# ---------------------------------------------------------------------------
# Limits (docs/trust.md, 资源限制 Resource limits)


def max_data_file_bytes() -> tuple[int, str]:
    """The data file size limit and what set it: ``MAX_DATA_FILE_BYTES``, or ``KAOHE_MAX_DATA_MB`` MiB
    when that is set to a positive number (anything else leaves the default)."""
    raw = os.environ.get(DATA_LIMIT_ENV, "").strip()
    try:
        mib = float(raw) if raw else 0.0
    except ValueError:
        mib = 0.0
    if math.isfinite(mib) and mib > 0:
        return int(mib * 2**20), f"{DATA_LIMIT_ENV}={raw}"
    return MAX_DATA_FILE_BYTES, "MAX_DATA_FILE_BYTES"


def check_file_size(file: Path) -> None:
    """Refuse a data file over the limit from its size, before any source reads it."""
    try:
        size = file.stat().st_size if file.is_file() else 0
    except OSError:
        return  # the data source reports a file it cannot read
    limit, setting = max_data_file_bytes()
    if size > limit:
        raise KaoheError(Diagnostic("E-DATA-FILE-TOO-LARGE", {
            "file": str(file), "size": size_text(size), "limit": size_text(limit),
            "constant": setting, "env": DATA_LIMIT_ENV}, file=str(file)))


def out_of_memory(file: str) -> Diagnostic:
    """The memory ran out reading or typing ``file``: a located problem, not an internal error."""
    try:
        size = size_text(Path(file).stat().st_size)
    except OSError:
        size = "?"
    return Diagnostic("E-DATA-TOO-LARGE", {"file": file, "size": size, "env": DATA_LIMIT_ENV}, file=file)


@contextmanager
def _memory_named(origins: list[str]) -> Iterator[None]:
    """A ``MemoryError`` while typing tables becomes ``E-DATA-TOO-LARGE`` naming the biggest file."""
    try:
        yield
    except MemoryError:
        raise KaoheError(out_of_memory(_biggest(origins))) from None


def _biggest(origins: list[str]) -> str:
    def size(origin: str) -> int:
        try:
            return Path(origin).stat().st_size
        except OSError:
            return -1
    return max(origins, key=size, default="<data>")
