"""Partitioned data: every table split by a subject column into Parquet, one folder per value.

The layout is the Hive style that Spark, Dask and pyarrow write and read::

    DIR/subjects.parquet/unit=财政局/part-0.parquet
    DIR/values.parquet/unit=财政局/part-0.parquet
    DIR/events.parquet/unit=财政局/part-0.parquet   (a file in every partition, rows or not)

A row goes to the partition of the subject it is about, so each partition's
files are a complete data folder for its subjects, and the whole folder
(``DIR/values.parquet`` read as one table by ``plugins/parquet_source.py``) is the
complete data for a single-process run. Columns keep the headers the office
wrote; cells keep their types where a column has one type, text otherwise.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import numpy as np

from kaohe.engine.components import RawTable
from kaohe.engine.data.columnar import ColumnRows
from kaohe.engine.data.headers import names_of
from kaohe.engine.data.load import read_table
from kaohe.engine.data.tables import Dataset
from kaohe.engine.errors import Diagnostic, KaoheError
from kaohe.engine.evaluation.grading import scope_labels
from kaohe.engine.registry import Registry
from kaohe.engine.ruleset.model import Ruleset

TABLES = ("subjects", "values", "events", "ratings", "history", "items")
_ESCAPED = "%/\\:=\n\r\t"  # characters a folder name cannot hold as they are (Hive escapes them too)


def folder_name(key: str, label: str) -> str:
    return f"{key}={''.join(f'%{ord(c):02X}' if c in _ESCAPED else c for c in label)}"


def partition_labels(data_dir: Path, key: str) -> list[str]:
    """The partitions of a partitioned data folder, by the subjects table's folders (sorted)."""
    subjects = data_dir / "subjects.parquet"
    prefix = f"{key}="
    found = sorted(unquote(p.name[len(prefix):]) for p in subjects.iterdir()
                   if p.is_dir() and p.name.startswith(prefix)) if subjects.is_dir() else []
    if not found:
        raise KaoheError(Diagnostic("E-PARTITION-NONE", {"folder": str(data_dir), "key": key,
                                                         "looked": str(subjects / f"{prefix}…")}, file=str(data_dir)))
    return found


def partition_specs(data_dir: Path, key: str, label: str | None) -> dict[str, dict[str, Any]]:
    """Data specs reading one partition (``label``) or, with None, the whole partitioned folder."""
    specs = {}
    for table in TABLES:
        folder = data_dir / f"{table}.parquet"
        if folder.is_dir():
            where = folder if label is None else folder / folder_name(key, label)
            specs[table] = {"source": "parquet", "path": str(where.relative_to(data_dir))}
    return specs


@dataclass
class Written:
    partitions: int
    rows: dict[str, int]  # table -> rows written


def write_partitions(ruleset: Ruleset, dataset: Dataset, specs: Mapping[str, Mapping[str, Any]], base: Path,
                     key: str, out: Path, registry: Registry) -> Written:
    """Split the tables ``specs`` name (already read and checked as ``dataset``) by the subjects'
    ``key`` column and write them under ``out`` (a new folder, written whole or not at all)."""
    subjects = dataset.subjects
    env = {"unit": subjects.unit, "class": subjects.cls, **subjects.extra}
    if key not in env:
        allowed = ", ".join(["unit", "class", *ruleset.subject_fields])
        raise KaoheError(Diagnostic("E-PARTITION-KEY", {"key": key, "allowed": allowed}))
    labels = scope_labels(key, env, len(subjects.ids)).astype(str)
    label_of = dict(zip(subjects.ids.tolist(), labels.tolist(), strict=True))
    staging = out.with_name(f".{out.name}.partial")
    shutil.rmtree(staging, ignore_errors=True)
    rows: dict[str, int] = {}
    try:
        for table in TABLES:
            if table not in specs or not specs[table]:
                continue
            raw = read_table(table, specs[table], base, registry)
            column = _subject_column(ruleset, table, raw)
            chosen = sorted(set(labels.tolist()))
            for label, part in _split(raw, column, label_of, chosen).items():
                file = staging / f"{table}.parquet" / folder_name(key, label) / "part-0.parquet"
                if isinstance(raw.rows, ColumnRows):
                    _write_table(part, file)
                else:
                    _write(raw.columns, part, file)
            rows[table] = len(raw.rows)
        if out.exists():
            shutil.rmtree(out)
        staging.rename(out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return Written(len(set(labels.tolist())), rows)


def _subject_column(ruleset: Ruleset, table: str, raw: RawTable) -> int:
    wanted = "id" if table == "subjects" else "subject"
    columns = names_of(ruleset).columns(table)
    for position, header in enumerate(raw.columns):
        if columns.match(header).id == wanted:
            return position
    raise KaoheError(Diagnostic("E-PARTITION-COLUMN", {"table": raw.origin}, file=raw.origin))


def _split(raw: RawTable, column: int, label_of: Mapping[str, str], labels: list[str]) -> dict[str, Any]:
    """Each partition's rows: a list of row lists, or an Arrow table when the source read columns."""
    if isinstance(raw.rows, ColumnRows):
        return _split_columns(raw, raw.rows, column, label_of, labels)
    parts: dict[str, list[list[Any]]] = {label: [] for label in labels}
    for row, number in zip(raw.rows, raw.row_numbers, strict=True):
        label = label_of.get(_subject_text(row[column]))
        if label is None:  # the load checked every row names a subject: only an odd spelling gets here
            raise KaoheError(Diagnostic("E-PARTITION-SUBJECT", {"table": raw.origin, "row": number,
                                                                "subject": str(row[column])},
                                        file=raw.origin, line=number))
        parts[label].append(row)
    return parts


def _split_columns(raw: RawTable, rows: ColumnRows, column: int, label_of: Mapping[str, str],
                   labels: list[str]) -> dict[str, Any]:
    import pyarrow as pa

    code = {label: k for k, label in enumerate(labels)}
    subjects = rows.cells(column)
    found = [code.get(label_of.get(_subject_text(s), ""), -1) for s in subjects]
    if -1 in found:
        at = found.index(-1)
        raise KaoheError(Diagnostic("E-PARTITION-SUBJECT", {"table": raw.origin, "row": raw.row_numbers[at],
                                                            "subject": str(subjects[at])},
                                    file=raw.origin, line=raw.row_numbers[at]))
    codes = np.asarray(found)
    order = np.argsort(codes, kind="stable")  # each partition's rows in file order
    bounds = np.searchsorted(codes[order], np.arange(len(labels) + 1))
    columns = [c if not isinstance(c, list) else pa.array(c) for c in rows.columns]
    table = pa.Table.from_arrays(columns, names=[str(c) for c in raw.columns])
    return {label: table.take(pa.array(order[bounds[k]:bounds[k + 1]])) for k, label in enumerate(labels)}


def _write_table(table: Any, file: Path) -> None:
    import pyarrow.parquet as pq

    file.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, file, compression="zstd")


def _subject_text(cell: Any) -> str:
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def _write(columns: list[str], rows: list[list[Any]], file: Path) -> None:
    """Rows as read (cells of any type) into a typed table: a column of one type keeps it."""
    import pyarrow as pa

    arrays = []
    for position in range(len(columns)):
        values = [row[position] if position < len(row) else None for row in rows]
        try:
            arrays.append(pa.array(values))
        except (pa.ArrowInvalid, pa.ArrowTypeError):  # mixed types: the cells as text, as a CSV holds them
            arrays.append(pa.array([None if v is None else str(v) for v in values], type=pa.string()))
    names = [str(c) for c in columns]
    _write_table(pa.Table.from_arrays(arrays, names=names) if names else pa.table({}), file)
