"""The results table as Apache Parquet: typed columns for integrators and for partitioned runs.

One row per subject per period, the columns of the CSV under machine names
(``period``, ``id`` … ``score.<indicator>`` … ``outcome.<outcome>``), one row
group per period (pyarrow's ``ParquetWriter``). The plain columns of every
period are gathered first, to fix one schema for all row groups (an outcome's
type is read from its values); no per-subject document is built. Types: scores and totals float64
(null where the document has none), rank and group size int64, texts string,
money decimal128 with the column's largest number of decimals (exact, sums
in any engine), yes/no outcomes bool. The bytes depend only on the results
and the pyarrow version: no timestamps are written.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, BinaryIO

import numpy as np

from kaohe.engine.components import ExportedResults, Exporter
from kaohe.engine.errors import Diagnostic, KaoheError
from kaohe.engine.hookspecs import Registrar, hookimpl
from kaohe.engine.report.table import BACK_IDS, FRONT_IDS, cells, column_ids
from kaohe.plugins.exporters import NO_PARAMS, result_table

INTEGER_COLUMNS = ("rank", "group_size")
TEXT_COLUMNS = (*FRONT_IDS, "grade", "grade_reason", "vetoes")


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
        periods = [[cells(c) for c in columns] for columns in results.period_columns()]
        write_parquet(results.column_ids(), periods, out)


def write_parquet(names: list[str], periods: list[list[list[Any]]], out: BinaryIO) -> None:
    """``periods``: each period's columns as plain values, in the order of ``names``."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([pa.field(name, _type(name, [p[k] for p in periods])) for k, name in enumerate(names)])
    writer = pq.ParquetWriter(out, schema, compression="zstd", write_statistics=True)
    try:
        for columns in periods:
            arrays = [_array(values, field.type) for values, field in zip(columns, schema, strict=True)]
            writer.write_table(pa.Table.from_arrays(arrays, schema=schema))
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise KaoheError(Diagnostic("E-EXPORT-VALUE", {"format": "parquet", "problem": str(exc)})) from None
    finally:
        writer.close()


def _type(name: str, chunks: list[list[Any]]) -> Any:
    import pyarrow as pa

    if name in TEXT_COLUMNS:
        return pa.string()
    if name in INTEGER_COLUMNS:
        return pa.int64()
    if name.startswith("score.") or name in BACK_IDS:
        return pa.float64()
    kinds = set()
    for chunk in chunks:
        kinds |= set(map(type, chunk))
    kinds.discard(type(None))
    if kinds and kinds <= {bool, np.bool_}:
        return pa.bool_()
    if kinds and kinds <= {int, float}:
        return pa.float64()
    if kinds == {Decimal}:
        scale = max(-_exponent(d) for chunk in chunks for d in chunk if isinstance(d, Decimal))
        return pa.decimal128(38, max(scale, 0))
    return pa.string()


def _exponent(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return exponent if isinstance(exponent, int) else 0


def _array(values: Iterable[Any], kind: Any) -> Any:
    import pyarrow as pa

    if pa.types.is_string(kind):
        return pa.array([None if v is None else str(v) for v in values], type=kind)
    return pa.array(list(values), type=kind)


@hookimpl
def register_exporters(register: Registrar) -> None:
    register.exporter(ParquetExporter)
