"""The results table as Apache Parquet: typed columns for integrators and for partitioned runs.

One row per subject per period, the columns of the CSV under machine names
(``period``, ``id`` … ``score.<indicator>`` … ``outcome.<outcome>``), one row
group per period (pyarrow's ``ParquetWriter``), made and written one period at
a time: only the outcome columns of every period are read first, to fix one
schema for all row groups (an outcome's type is read from its values); no
per-subject document is built. Each column's
type is decided in ``kaohe.engine.report.arrow`` (the partitioned run writes
through it too): scores and totals float64, rank and group size int64, texts
string, money decimal128 (exact), yes/no outcomes bool. The bytes depend only
on the results and the pyarrow version: no timestamps are written.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, BinaryIO

from kaohe.engine.components import ExportedResults, Exporter
from kaohe.engine.hookspecs import Registrar, hookimpl
from kaohe.engine.report.arrow import write_columns, write_parquet
from kaohe.engine.report.table import column_ids
from kaohe.plugins.exporters import NO_PARAMS, result_table


class ParquetExporter(Exporter):
    name = "parquet"
    title = "Parquet 列式表"
    description = "The results table (one row per subject per period) as typed Parquet columns, a row group per period."
    params_schema = NO_PARAMS
    suffix = ".parquet"

    def export(self, document: Mapping[str, Any]) -> bytes:
        import io

        _, rows = result_table(document)
        names = column_ids([i["id"] for i in document["indicators"]], [o["id"] for o in document["outcomes"]])
        by_period: dict[str, list[list[Any]]] = {}
        for row in rows:
            by_period.setdefault(row[0], []).append(row)
        periods = [[list(column) for column in zip(*chunk, strict=True)] for chunk in by_period.values()]
        buffer = io.BytesIO()
        write_parquet(names, periods, buffer)
        return buffer.getvalue()

    def write(self, results: ExportedResults, out: BinaryIO) -> None:
        write_columns(results.column_ids(), results.period_columns(), results.outcome_columns(), out)


@hookimpl
def register_exporters(register: Registrar) -> None:
    register.exporter(ParquetExporter)
