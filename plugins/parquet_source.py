"""A data source for Apache Parquet: one file, or a folder of files (a partitioned table).

A folder is read as one table: every ``*.parquet`` file under it, in sorted path
order (``values.parquet/unit=A/part-0.parquet``, ``…/unit=B/…``), so a table
written by ``kaohe partition`` reads whole for a single-process run and one
partition at a time for ``kaohe evaluate --engine dask``. The files must share
their columns. Cells come out as Python values (text, numbers, dates, None) and
are typed by ``kaohe.engine.data.load`` like any other source's; a cell's row is
its position in the table (1-based). Rows stay columns (``data.columnar.ColumnRows``).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from kaohe.engine.components import DataSource, RawTable
from kaohe.engine.data.columnar import ColumnRows
from kaohe.engine.errors import Bilingual, Diagnostic, KaoheError
from kaohe.engine.hookspecs import Registrar, hookimpl

PATH = {"type": "string", "minLength": 1, "title": "文件或文件夹 / Path",
        "description": "Parquet 文件，或存放一张表各分区文件的文件夹（相对于方案所在目录）/ "
                       "a Parquet file, or a folder holding a table's partition files (relative to the ruleset's folder)"}


class ParquetSource(DataSource):
    name = "parquet"
    title = "Parquet 文件"
    description = "Reads a table from a Parquet file, or from every Parquet file under a folder (a partitioned table)."
    params_schema = {"type": "object", "additionalProperties": False, "required": ["path"],
                     "properties": {"path": PATH}}

    def read(self, params: Mapping[str, Any], base_dir: Path) -> RawTable:
        where = Path(base_dir) / str(params["path"])
        files = sorted(p for p in where.rglob("*.parquet") if p.is_file()) if where.is_dir() else [where]
        if not where.exists() or not files:
            raise KaoheError(Diagnostic("E-DATA-FILE", {"file": str(params["path"]), "looked": str(where.absolute())},
                                        file=str(where)))
        tables = [_read(file) for file in files]
        names = tables[0].column_names
        for file, table in zip(files, tables, strict=True):
            if table.column_names != names:
                raise KaoheError(Diagnostic("E-DATA-SOURCE", {"table": str(where), "problem": Bilingual(
                    f"{file.name} 的列与同一张表的其他文件不同", f"{file.name} has other columns than the table's other files",
                )}, file=str(file)))
        height = sum(t.num_rows for t in tables)
        columns = [_column([t.column(k) for t in tables]) for k in range(len(names))]
        return RawTable(columns=list(names), rows=ColumnRows(columns, height), origin=str(where),
                        row_numbers=list(range(1, height + 1)), header_line=None)


def _read(file: Path) -> Any:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        return pq.ParquetFile(file).read()  # the file alone: no partition columns guessed from its folder
    except (OSError, pa.ArrowException) as exc:
        raise KaoheError(Diagnostic("E-DATA-SOURCE", {"table": str(file), "problem": Bilingual(
            f"不是可读的 Parquet 文件（{exc}）", f"not a readable Parquet file ({exc})")}, file=str(file))) from None


def _column(chunks: list[Any]) -> Any:
    """One column over the files: text stays an Arrow array (typed in C where it is plain numbers),
    other types become Python values, as a spreadsheet's cells are."""
    import pyarrow as pa

    if all(pa.types.is_string(c.type) for c in chunks):
        arrays = [a for c in chunks for a in c.chunks]
        return pa.concat_arrays(arrays) if arrays else pa.array([], pa.string())
    return [value for c in chunks for value in c.to_pylist()]


@hookimpl
def register_data_sources(register: Registrar) -> None:
    register.data_source(ParquetSource)
