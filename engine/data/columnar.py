"""Rows held as columns: a source that reads a table column by column (CSV through Arrow) hands
``RawTable`` a ``ColumnRows`` instead of a list of row lists.

It is a sequence of rows like any other (``len``, ``rows[i]``, slices, iteration), so every reader
of ``RawTable.rows`` keeps working; ``make_sheet`` takes its columns as they are, and a number
column of plain decimal text becomes float64 in Arrow's C code (``plain_numbers``) without a Python
string per cell. What ``plain_numbers`` accepts, Python's ``float`` reads the same way; anything
else (office forms such as ``97%``, full-width digits, ``nan``) goes the careful cell-by-cell way.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, overload

import numpy as np

# text that float() reads and means the same by: optional sign, digits with at most one point, exponent
PLAIN_NUMBER = r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$"


class ColumnRows(Sequence[list[Any]]):
    """Rows of equal length over columns (Arrow string arrays or Python lists)."""

    def __init__(self, columns: list[Any], height: int):
        self.columns = columns
        self.height = height
        self._plain: dict[int, list[Any]] = {}

    def __len__(self) -> int:
        return self.height

    @overload
    def __getitem__(self, index: int) -> list[Any]: ...

    @overload
    def __getitem__(self, index: slice) -> ColumnRows: ...

    def __getitem__(self, index: int | slice) -> list[Any] | ColumnRows:
        if isinstance(index, slice):
            start, stop, step = index.indices(self.height)
            if step != 1:
                chosen = range(start, stop, step)
                return ColumnRows([[self.cells(p)[i] for i in chosen] for p in range(len(self.columns))], len(chosen))
            return ColumnRows([_slice(c, start, stop) for c in self.columns], max(stop - start, 0))
        position = range(self.height)[index]
        return [self.cells(p)[position] for p in range(len(self.columns))]

    def __iter__(self) -> Iterator[list[Any]]:
        plain = [self.cells(p) for p in range(len(self.columns))]
        return (list(row) for row in zip(*plain, strict=True)) if plain else iter([[] for _ in range(self.height)])

    def cells(self, position: int) -> list[Any]:
        """Column ``position`` as Python values, made once."""
        if position not in self._plain:
            column = self.columns[position]
            self._plain[position] = column if isinstance(column, list) else column.to_pylist()
        return self._plain[position]


def _slice(column: Any, start: int, stop: int) -> Any:
    return column[start:stop] if isinstance(column, list) else column.slice(start, max(stop - start, 0))


def arrow_call(name: str, *args: Any, options: Any = None) -> Any:
    """Arrow's compute function ``name`` on ``args`` (arrays and typed scalars), called by name.
    Not through ``pyarrow.compute``: importing that module wraps and documents each of Arrow's
    three hundred functions (some 50 ms of every run that reads a CSV through Arrow), and array
    methods such as ``take`` and ``cast`` import it too."""
    return _call_function()(name, list(args), options)


def arrow_options(kind: str, *args: Any, **kwargs: Any) -> Any:
    """An Arrow compute options object (``CastOptions``, ``MatchSubstringOptions`` …) by name."""
    try:
        import pyarrow._compute as compute
    except ImportError:  # a pyarrow that keeps them elsewhere: the public module has them all
        import pyarrow.compute as compute
    return getattr(compute, kind)(*args, **kwargs)


def _call_function() -> Any:
    try:
        from pyarrow._compute import call_function
    except ImportError:  # as arrow_options
        from pyarrow.compute import call_function
    return call_function


def text_scalar(text: str) -> Any:
    """``text`` as an Arrow string scalar, for a compute function's argument. Given a Python str,
    pyarrow (26) infers its type and on the way looks for python-dateutil on every call, some
    0.2 ms when it is not installed: a workbook sheet's joins spent a third of their time so."""
    import pyarrow as pa

    return pa.scalar(text, pa.string())


def is_arrow(column: Any) -> bool:
    return not isinstance(column, (list, tuple)) and hasattr(column, "to_pylist")


def plain_numbers(column: Any) -> np.ndarray | None:
    """float64 (NaN for blank cells) when every cell of the Arrow text column is blank or plain
    decimal text with a finite value; None when any is not (the caller reads the cells one by one)."""
    import pyarrow as pa

    none = pa.scalar(None, pa.string())
    # first as written, empty cells as none: Arrow's parser takes what float() takes, bar spaces and
    # "_" (which it refuses); nan and inf, which it takes too, are refused below as float() results are
    direct = _cast(arrow_call("if_else", arrow_call("equal", column, text_scalar("")), none, column))
    if direct is not None:
        return direct
    trimmed = arrow_call("utf8_trim_whitespace", column)
    filled = arrow_call("if_else", arrow_call("equal", trimmed, text_scalar("")), none, trimmed)
    plain = arrow_call("match_substring_regex", filled, options=arrow_options("MatchSubstringOptions", PLAIN_NUMBER))
    if arrow_call("any", arrow_call("invert", arrow_call("coalesce", plain, pa.scalar(True)))).as_py():
        return None
    return _cast(filled)


def _cast(column: Any) -> np.ndarray | None:
    import pyarrow as pa

    try:
        values = arrow_call("cast", column, options=arrow_options("CastOptions", pa.float64())).to_numpy(
            zero_copy_only=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None
    out = np.asarray(values, dtype=float)
    if not np.isfinite(out[~np.isnan(out)]).all():  # nan, inf, 1e400: no numbers to float() either
        return None
    if np.isnan(out).sum() != column.null_count:  # "nan" written out read as NaN: not a number
        return None
    return out


NOT_A_NUMBER = r"[^0-9０-９.．eE+\-－＋\s]"  # a character no number cell holds (letters, Chinese, %, ,)


def surely_text(column: Any) -> bool:
    """Whether some cell of the Arrow text column holds a character no number has: the column is
    text, without reading each cell as a number first."""
    found = arrow_call("match_substring_regex", column, options=arrow_options("MatchSubstringOptions", NOT_A_NUMBER))
    return bool(arrow_call("any", found).as_py())


def longest(column: Any) -> int:
    """Characters in the longest cell of an Arrow text column, or, while its longest cell in bytes
    (read off the offsets) is at most ``LONGEST_WITHOUT_COUNTING``, that byte count: a character is
    at least a byte, so it is never less, and the callers' limits (10,000 characters, the csv
    module's 131,072) lie above it."""
    if not len(column):
        return 0
    widest = int(np.diff(text_offsets(column)).max())
    if widest <= LONGEST_WITHOUT_COUNTING:
        return widest  # at most this many characters: enough for every caller's limit
    found = arrow_call("max", arrow_call("utf8_length", column)).as_py()
    return int(found) if found is not None else 0


LONGEST_WITHOUT_COUNTING = 4096  # bytes: a cell this long in bytes has no more characters


def text_offsets(array: Any) -> np.ndarray:
    """Where each value of an Arrow string or binary array begins in its data buffer, and where the
    last ends (``len + 1`` offsets, 32 or 64 bits as the type has them)."""
    import pyarrow as pa

    large = pa.types.is_large_string(array.type) or pa.types.is_large_binary(array.type)
    offsets: np.ndarray = np.frombuffer(array.buffers()[1], dtype=np.int64 if large else np.int32)
    return offsets[array.offset:array.offset + len(array) + 1]


def text_bytes(array: Any) -> memoryview:
    """The values of an Arrow string or binary array one after another: its data buffer, not copied
    (what a join of them by Arrow, written out, is)."""
    data = array.buffers()[2]
    if not len(array) or data is None:
        return memoryview(b"")
    offsets = text_offsets(array)
    return memoryview(data)[int(offsets[0]):int(offsets[-1])]
