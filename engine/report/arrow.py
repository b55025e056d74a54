"""The results table as Arrow columns: each column's type decided in one place.

Parquet (``plugins/parquet.py``) and the partitioned run (``engine/distributed``)
both write through here, so a column has the same type and the same values
whichever path built it. Most columns are typed by their name: texts
(``period`` … ``group``, ``grade``, ``grade_reason``, ``vetoes``) string, ``rank``
and ``group_size`` int64, scores and the totals float64 (null where the
document has none). An outcome column is typed by its values over all periods:
yes/no bool, numbers float64, money decimal128 with the column's largest number
of decimals (exact), anything else string. pyarrow is imported only here and
only when a table is written.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any, BinaryIO

import numpy as np

from kaohe.engine.errors import Diagnostic, KaoheError
from kaohe.engine.report.stream_json import shown_array
from kaohe.engine.report.table import BACK_IDS, FRONT_IDS, Columns, cells

INTEGER_COLUMNS = ("rank", "group_size")
TEXT_COLUMNS = (*FRONT_IDS, "grade", "grade_reason", "vetoes")


def fixed_type(name: str) -> Any | None:
    """The type a column has by its name; None for an outcome column (typed by its values)."""
    import pyarrow as pa

    if name in TEXT_COLUMNS:
        return pa.string()
    if name in INTEGER_COLUMNS:
        return pa.int64()
    if name.startswith("score.") or name in BACK_IDS:
        return pa.float64()
    return None


def inferred_type(chunks: Sequence[Sequence[Any]]) -> Any:
    """An outcome column's type from its plain values (``chunks``: each period's)."""
    import pyarrow as pa

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


def column_type(name: str, chunks: Sequence[Sequence[Any]]) -> Any:
    fixed = fixed_type(name)
    return fixed if fixed is not None else inferred_type(chunks)


def _exponent(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return exponent if isinstance(exponent, int) else 0


def to_array(values: Iterable[Any], kind: Any) -> Any:
    """Plain values as an Arrow array of ``kind`` (text columns: each value's ``str``)."""
    import pyarrow as pa

    try:
        if pa.types.is_string(kind):
            return pa.array([None if v is None else str(v) for v in values], type=kind)
        return pa.array(list(values), type=kind)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise KaoheError(Diagnostic("E-EXPORT-VALUE", {"format": "parquet", "problem": str(exc)})) from None


def column_array(column: Any, kind: Any) -> Any:
    """A results-table column (``table.Columns``: a float array is a number column) as an Arrow
    array of ``kind`` (an Arrow array of that type as it is). A number column goes straight from numpy, with the values ``cells`` gives
    (noise removed, none for NaN) and without a Python object per cell."""
    import pyarrow as pa

    if isinstance(column, pa.Array) and column.type == kind:  # typed already (a partition's column)
        return column
    if isinstance(column, np.ndarray) and (pa.types.is_float64(kind) or pa.types.is_int64(kind)):
        shown = shown_array(column)
        missing = np.isnan(shown)
        if pa.types.is_float64(kind):
            return pa.array(shown, mask=missing, type=kind)
        whole = np.where(missing, 0.0, shown)
        if (whole == np.floor(whole)).all() and (np.abs(whole) < 2.0**53).all():
            return pa.array(whole.astype(np.int64), mask=missing, type=kind)
    return to_array(cells(column), kind)


def write_columns(names: list[str], periods: Iterable[Columns], outcomes: list[list[list[Any]]],
                  out: BinaryIO) -> None:
    """``periods``: each period's results-table columns (``table.Columns``) in the order of ``names``,
    made and written one period at a time; ``outcomes``: each period's outcome columns (the columns
    no name types), read first to type each by its values over every period."""
    import pyarrow as pa

    inferred = [k for k, name in enumerate(names) if fixed_type(name) is None]
    by_values = {k: inferred_type([p[j] for p in outcomes]) for j, k in enumerate(inferred)}
    schema = pa.schema([pa.field(name, fixed_type(name) or by_values[k]) for k, name in enumerate(names)])
    write_arrays(schema, ([to_array(cells(c), f.type) if k in by_values else column_array(c, f.type)
                           for k, (c, f) in enumerate(zip(columns, schema, strict=True))]
                          for columns in periods), out)


def write_parquet(names: list[str], periods: list[list[list[Any]]], out: BinaryIO) -> None:
    """``periods``: each period's columns as plain values, in the order of ``names``."""
    import pyarrow as pa

    schema = pa.schema([pa.field(name, column_type(name, [p[k] for p in periods])) for k, name in enumerate(names)])
    write_arrays(schema, ([to_array(v, f.type) for v, f in zip(columns, schema, strict=True)] for columns in periods),
                 out)


def write_arrays(schema: Any, periods: Iterable[list[Any]], out: BinaryIO) -> None:
    """One row group per period of Arrow arrays, in the order of ``schema``; no timestamps, so the
    bytes depend only on the values and the pyarrow version."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    writer = pq.ParquetWriter(out, schema, compression="zstd", write_statistics=True)
    try:
        for arrays in periods:
            writer.write_table(pa.Table.from_arrays(arrays, schema=schema))
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise KaoheError(Diagnostic("E-EXPORT-VALUE", {"format": "parquet", "problem": str(exc)})) from None
    finally:
        writer.close()
