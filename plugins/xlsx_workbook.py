"""The XLSX exporter's workbook: XlsxWriter, imported only when an Excel file is written.

The sheets and their columns come from ``kaohe.plugins.workbook_sheets``; this module lays them
out for the screen and the printer: header style, number formats, widths by content (a Chinese
character counts double), wrapped long texts, autofilter, frozen header row and first columns,
A4 landscape one page wide with the header row on every page, a page header naming the sheet and
a footer with page numbers.

XlsxWriter rather than openpyxl: it is made for writing large sheets (constant-memory mode flushes
each row to a temporary file; one format object per column style, not a styled cell per value).
A table's rows (a 10,000-subject city has two million cells) are not written cell by cell through
it: XlsxWriter writes the sheet with its header, notes and a marker row, and the rows' XML — the
very XML XlsxWriter writes for those cells (``_write_rows`` is the cell-by-cell reference the tests
hold it to) — is made column by column in Arrow and put in the marker's place while the zip is
rewritten, each such sheet made and deflated on a thread of its own (Arrow and ISA-L's deflate,
``engine/report/deflate.py``, let go of the interpreter: on two cores two sheets at once).
Deterministic like every exporter: fixed document times and zip metadata, so the same document
always gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import math
import os
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

import numpy as np
import xlsxwriter

from kaohe.engine.data.columnar import text_bytes, text_scalar
from kaohe.engine.report import deflate
from kaohe.plugins.workbook_sheets import (
    Column,
    Sections,
    Sheet,
    Table,
    rows_to_columns,
    table_data,
)

MAX_SHEET_ROWS = 1_048_576  # Excel's limit; longer tables continue on "name(2)" …
FIXED_TIME = dt.datetime(2000, 1, 1)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
# Widths in Excel's units (one digit): narrow enough that a period of 30 columns prints legibly one
# page wide. Headers wrap at MAX_HEADER_WIDTH; a text column wider than MAX_TEXT_WIDTH wraps too.
MIN_WIDTH, MAX_TEXT_WIDTH, MAX_WRAP_WIDTH, MAX_HEADER_WIDTH = 5.0, 16.0, 30.0, 8.0
LINE_HEIGHT = 14.5  # points per line of 11-point text
PAPER_A4 = 9  # the paperSize code of A4
PAGE_NUMBERS = "第 &P 页，共 &N 页"

ILLEGAL_CHARACTERS_RE = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")  # not allowed in the XML of a sheet
HEADER_STYLE = {"bold": True, "bg_color": "#D9E1F2", "border": 1, "border_color": "#808080", "align": "center",
                "valign": "vcenter", "text_wrap": True}
WRAP_STYLE = {"text_wrap": True, "valign": "top"}
SECTION_STYLE = {"bold": True, "font_size": 12}
MONEY_FORMAT = "#,##0.00"


class _Styles:
    """One format object per distinct style of a workbook (XlsxWriter writes each once)."""

    def __init__(self, workbook: Any):
        self.workbook = workbook
        self.made: dict[tuple[tuple[str, Any], ...], Any] = {}
        self.numbers: dict[float, str] = {}  # a number's text in a cell (%.16G), worded once per workbook

    def __call__(self, **style: Any) -> Any:
        key = tuple(sorted(style.items()))
        if key not in self.made:
            made = self.workbook.add_format(style)
            # its number in the workbook's styles fixed now, in the order made (XlsxWriter would fix
            # it when a cell first uses it), so rows written as XML can name it
            made._get_xf_index()
            self.made[key] = made
        return self.made[key]


Spliced = dict[str, tuple[bytes, Callable[[], Iterator[bytes]]]]  # sheet file -> (marker row, rows' XML)


def workbook_bytes(sheets: Iterable[Sheet]) -> bytes:
    """The workbook of ``sheets``, as deterministic bytes."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {
        "constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
        "strings_to_numbers": False, "nan_inf_to_errors": False,
    })
    workbook.set_properties({"author": "kaohe", "created": FIXED_TIME})
    styles = _Styles(workbook)
    spliced: Spliced = {}
    for sheet in sheets:
        if isinstance(sheet, Table):
            write_table(workbook, styles, sheet, spliced)
        else:
            write_sections(workbook, styles, sheet)
    workbook.close()
    return normalise_zip(buffer.getvalue(), {}, spliced)


# ---------------------------------------------------------------------------
# A table sheet


def write_table(workbook: Any, styles: _Styles, table: Table, spliced: Spliced | None = None) -> None:
    """Header, rows and notes, continuing on "name(2)" … past Excel's row limit. With ``spliced``
    the rows are left to ``normalise_zip`` (see ``table_rows_xml``), else written cell by cell."""
    data = table_data(table)
    if spliced is not None:
        data = [bulk_column(values) for values in data]  # numbers and texts in bulk, for widths and rows
    count = len(data[0]) if data else 0
    widths, wraps = column_layout(table.columns, data)
    per_sheet = max(1, MAX_SHEET_ROWS - 1 - (len(table.notes) + 1 if table.notes else 0))
    starts = range(0, max(count, 1), per_sheet)
    for part, start in enumerate(starts):
        name = table.name if part == 0 else f"{table.name[:27]}({part + 1})"
        number = len(workbook.worksheets()) + 1  # XlsxWriter's file for it: xl/worksheets/sheet<number>.xml
        sheet = workbook.add_worksheet(name)
        length = max(0, min(per_sheet, count - start))
        _layout(sheet, table.heading, widths, table.landscape)
        sheet.freeze_panes(1, table.freeze)
        sheet.repeat_rows(0)
        sheet.autofilter(0, 0, length, len(table.columns) - 1)
        sheet.set_row(0, header_height(table.columns, widths))
        header = styles(**HEADER_STYLE)
        for c, column in enumerate(table.columns):
            sheet.write_string(0, c, _clean(column.title), header)
        if spliced is None:
            rows = [list(row) for row in zip(*[d[start:start + length] for d in data], strict=True)]
            _write_rows(sheet, styles, table.columns, wraps, rows, 1, table.row_height)
        elif length:
            marker = f"kaohe-rows-{number}"
            sheet.write_string(length, 0, marker)  # the last row: the sheet's extent is the table's
            row = f'<row r="{length + 1}"><c r="A{length + 1}" t="inlineStr"><is><t>{marker}</t></is></c></row>'
            makers = [_cell_maker(styles, column, wrap) for column, wrap in zip(table.columns, wraps, strict=True)]
            spliced[f"xl/worksheets/sheet{number}.xml"] = (row.encode(), _rows_later(
                [d[start:start + length] for d in data], makers, table.row_height))
        if part == len(starts) - 1 and table.notes:
            for k, line in enumerate(table.notes):
                sheet.write_string(length + 2 + k, 0, _clean(line))


def _rows_later(data: list[Any], makers: list[CellMaker], height: float | None) -> Callable[[], Iterator[Any]]:
    return lambda: table_rows_xml(data, makers, height)


def _write_rows(sheet: Any, styles: _Styles, columns: Sequence[Column], wraps: Sequence[bool],
                rows: Iterable[Sequence[Any]], first: int, height: float | None) -> int:
    """Rows from sheet row ``first`` (0-based); the row after the last."""
    writers = [_cell_writer(sheet, styles, column, wrap) for column, wrap in zip(columns, wraps, strict=True)]
    r = first
    for row in rows:
        if height is not None:
            sheet.set_row(r, height)
        for c, (write, value) in enumerate(zip(writers, row, strict=False)):
            if value is not None:
                write(r, c, value)
        r += 1
    return r


# ---------------------------------------------------------------------------
# The summary: small titled tables one under another


def write_sections(workbook: Any, styles: _Styles, sections: Sections) -> None:
    sheet = workbook.add_worksheet(sections.name)
    count = max(len(s.columns) for s in sections.sections)
    widths = [MIN_WIDTH] * count
    layouts = [column_layout(section.columns, rows_to_columns(section.rows, len(section.columns)))
               for section in sections.sections]
    for section_widths, _ in layouts:
        for i, width in enumerate(section_widths):
            widths[i] = max(widths[i], width)
    _layout(sheet, sections.heading, widths, sections.landscape)
    r = 0
    for number, (section, (_, wraps)) in enumerate(zip(sections.sections, layouts, strict=True)):
        if number:
            r += 1
        sheet.write_string(r, 0, _clean(section.title), styles(**SECTION_STYLE))
        header = styles(**HEADER_STYLE)
        for c, column in enumerate(section.columns):
            sheet.write_string(r + 1, c, _clean(column.title), header)
        r = _write_rows(sheet, styles, section.columns, wraps, section.rows, r + 2, None)


def _layout(sheet: Any, heading: str, widths: Sequence[float], landscape: bool) -> None:
    """Widths, page setup, header and footer."""
    for i, width in enumerate(widths):
        sheet.set_column(i, i, width)
    sheet.set_paper(PAPER_A4)
    if landscape:
        sheet.set_landscape()
    else:
        sheet.set_portrait()
    sheet.fit_to_pages(1, 0)  # one page wide, as many pages down as it takes
    sheet.center_horizontally()
    sheet.hide_gridlines(0)  # gridlines on screen and on paper
    sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    sheet.set_header("&C" + _header_text(heading), {"margin": 0.3})
    sheet.set_footer("&C" + PAGE_NUMBERS, {"margin": 0.3})


def _header_text(text: str) -> str:
    # "&" starts a code in a page header; Excel allows 255 characters in all
    return ILLEGAL_CHARACTERS_RE.sub("", text).replace("&", "&&")[:240]


# ---------------------------------------------------------------------------
# Widths


def header_height(columns: Sequence[Column], widths: Sequence[float]) -> float:
    """Points for the header row to show every wrapped title whole (a spreadsheet program does not
    always grow a row for wrapped text it did not lay out itself)."""
    lines = max((math.ceil(display_width(c.title) / max(w - 1.5, 1.0)) for c, w in zip(columns, widths, strict=True)),
                default=1)
    return LINE_HEIGHT * min(max(lines, 1), 8) + 3


def display_width(text: str) -> float:
    """Columns a text takes on screen: a Chinese character (3 bytes in UTF-8) counts double, an ASCII
    one single; counted by the codec in C, as it runs over every cell of a 10,000-subject city."""
    return (len(text.encode("utf-8")) + len(text)) / 2


def column_layout(columns: Sequence[Column], data: Sequence[Any]) -> tuple[list[float], list[bool]]:
    """Each column's width (its widest value, its header up to MAX_HEADER_WIDTH, plus a margin) and
    whether its texts wrap (declared long, or a text column too wide for MAX_TEXT_WIDTH); ``data``
    holds the values column by column (lists, or ``bulk_column``s)."""
    widths, wraps = [], []
    for index, column in enumerate(columns):
        if column.width is not None:
            widths.append(column.width)
            wraps.append(column.kind == "wrap")
            continue
        values = data[index] if index < len(data) else []
        content = _content_width(column, values)
        header = min(max(display_width(part) for part in column.title.split()), MAX_HEADER_WIDTH)
        long_text = column.kind == "wrap"
        wrap = long_text or (column.kind in ("text", "auto") and content > MAX_TEXT_WIDTH)
        widths.append(max(MIN_WIDTH, min(max(content, header) + 1.5,
                                         MAX_WRAP_WIDTH if long_text else MAX_TEXT_WIDTH + 1.5)))
        wraps.append(wrap)
    return widths, wraps


def _content_width(column: Column, values: Any) -> float:
    """The widest value as shown: numbers by their format (only the largest and the smallest can be
    widest), texts by their display width."""
    if _is_arrow(values):  # texts and None (``bulk_column``): display_width of each, in bulk
        import pyarrow.compute as pc

        widest = pc.max(pc.add(pc.utf8_length(values), pc.binary_length(values))).as_py()
        return float(widest or 0) / 2
    if isinstance(values, np.ndarray):  # a number column (``table.number_column``): NaN for none
        kinds: set[type] = {float}
        array = values
    elif (kinds := set(map(type, values))) <= {int, float, type(None)}:  # its extremes in bulk
        array = np.array(values, dtype=float)
    elif not any(issubclass(k, int | float | Decimal) for k in kinds):
        array = np.array([])
    else:
        array = np.array([float(v) for v in values if isinstance(v, int | float | Decimal) and not isinstance(v, bool)])
    numbers = array[np.isfinite(array)]
    widest = max(_number_width(column, v) for v in _extremes(numbers)) if len(numbers) else 0.0
    # the widest text (any past the column's limit gives the same width: the limit's)
    texts = [v for v in values if isinstance(v, str)] if any(issubclass(k, str) for k in kinds) else []
    if texts:
        chars = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
        encoded = np.fromiter(map(len, map(str.encode, texts)), dtype=np.int64, count=len(texts))
        widest = max(widest, float((chars + encoded).max()) / 2)  # display_width of each
    if bool in kinds:
        widest = max(widest, 2.0)
    return widest


def _extremes(numbers: np.ndarray) -> tuple[float, float]:
    """``min`` and ``max`` of the numbers as Python's give them: of equal ones the first (0.0 or -0.0,
    which is one character wider)."""
    low, high = float(numbers.min()), float(numbers.max())
    zeros = np.flatnonzero(numbers == 0)
    first_zero = float(numbers[zeros[0]]) if len(zeros) else 0.0
    return (first_zero if low == 0 else low), (first_zero if high == 0 else high)


def _number_width(column: Column, value: float) -> float:
    decimals = _decimals(column.fmt)
    if column.kind == "percent":
        return len(f"{value:.{decimals}%}")
    grouped = column.fmt is not None and "," in column.fmt
    return len(f"{value:,.{decimals}f}" if grouped else f"{value:.{decimals}f}")


def _decimals(fmt: str | None) -> int:
    if not fmt or "." not in fmt:
        return 0 if fmt else 2
    return len(fmt.split(".")[1].rstrip("%"))


# ---------------------------------------------------------------------------
# Cells

CellWriter = Callable[[int, int, Any], None]


def _cell_writer(sheet: Any, styles: _Styles, column: Column, wrap: bool) -> CellWriter:
    """(row, column, value) -> the cell written in ``column``'s style; texts are never formulas."""
    numeric = column.kind in ("number", "int", "money", "percent")
    number = styles(num_format=column.fmt or "General") if numeric else None
    text = styles(**WRAP_STYLE) if wrap and not numeric else None  # a number among texts stays plain
    money = styles(num_format=MONEY_FORMAT)

    def write(r: int, c: int, value: Any) -> None:
        if isinstance(value, bool):
            sheet.write_string(r, c, "是" if value else "否")
        elif isinstance(value, str):
            sheet.write_string(r, c, _clean(value), text)
        elif isinstance(value, Decimal):
            sheet.write_number(r, c, float(value), number or money)
        elif isinstance(value, int | float):
            if math.isfinite(value):
                sheet.write_number(r, c, value, number)
        else:
            sheet.write_string(r, c, _clean(str(value)), text)

    return write


def _clean(text: str) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", text)


# ---------------------------------------------------------------------------
# Rows as XML: what XlsxWriter (constant_memory) writes for the cells ``_cell_writer`` writes, made
# a column at a time in Arrow. A cell is ``<c r="B7"`` and its text after the reference, e.g.
# ``" s="3"><v>52</v></c>`` (a number in format 3) or ``" t="inlineStr"><is><t>是</t></is></c>``: a
# column's texts are worded once per distinct value and taken for its rows, and a chunk of rows is
# joined element by element in C (``binary_join_element_wise``), its UTF-8 bytes read straight from
# the result's value buffer: no Python string per cell.

# what _clean removes or XlsxWriter escapes (control characters, & < >, U+FFFE/F, "_x0041_"-like
# text): a column holding any is written text by text; so is one with a text that starts or ends
# with white space (it gets xml:space="preserve")
_SPECIAL_CHARACTER = re.compile("[\x00-\x08\x0b-\x1f&<>\ufffe\uffff]")
_ESCAPE_LIKE = re.compile("_x[0-9a-fA-F]{4}_")
_JOIN = "\ue000"  # between a column's texts searched at once: none of these patterns matches it
_SPACE_AFTER_JOIN, _SPACE_BEFORE_JOIN = re.compile("\ue000\\s"), re.compile("\\s\ue000")


def _plain_texts(joined: str) -> bool:
    """Whether texts joined by _JOIN are all written as they are (each split searched in C)."""
    return not (_SPECIAL_CHARACTER.search(joined) or _ESCAPE_LIKE.search(joined)
                or _SPACE_AFTER_JOIN.search(joined) or _SPACE_BEFORE_JOIN.search(joined)
                or joined[:1].isspace() or joined[-1:].isspace())


_ESCAPED_ESCAPE = re.compile("(_x[0-9a-fA-F]{4}_)")
_CONTROL = re.compile(r"([\x00-\x08\x0b-\x1f])")
_LEADING_SPACE, _TRAILING_SPACE = re.compile(r"^\s"), re.compile(r"\s$")
STRING_MAX = 32767  # UTF-16 units in a cell; XlsxWriter cuts longer texts
ROWS_PER_CHUNK = 2000  # rows joined at once
ROWS_PER_BLOCK = 50_000  # rows whose cells' texts are made at once
ROWS_COMPRESSLEVEL = deflate.FAST  # ISA-L's level for a sheet's rows (the other parts keep zlib's default, 6)
CellMaker = Callable[[Any], list[Any]]  # a column (``bulk_column``) -> its cells' texts after the reference


def bulk_column(values: Sequence[Any] | np.ndarray) -> Any:
    """A table's column as its rows' XML is made from it: numbers (int, float, None) as a float array
    (NaN for none), texts (str, None) as an Arrow string array, any other mix as the values."""
    if isinstance(values, np.ndarray):
        return np.asarray(values, dtype=float)
    kinds = set(map(type, values))
    if kinds <= {int, float, type(None)}:
        return np.array(values, dtype=float)
    if kinds <= {str, type(None)}:
        import pyarrow as pa

        return pa.array(values, type=pa.string())
    return values


def _is_arrow(values: Any) -> bool:
    return hasattr(values, "to_pylist") and not isinstance(values, list | tuple | np.ndarray)


def _cell_maker(styles: _Styles, column: Column, wrap: bool) -> CellMaker:
    """A column's values (``bulk_column``) -> the pieces of each cell's text after its reference, as
    ``_cell_writer`` would have XlsxWriter write them: texts (the same for every row) and Arrow
    string arrays, joined in this order; a null in an array: no cell."""
    numeric = column.kind in ("number", "int", "money", "percent")
    number = _style_attribute(styles(num_format=column.fmt or "General") if numeric else None)
    text = _style_attribute(styles(**WRAP_STYLE) if wrap and not numeric else None)
    money = _style_attribute(styles(num_format=MONEY_FORMAT))

    def make(values: Any) -> list[Any]:
        if isinstance(values, np.ndarray):
            return [_Numbers(np.asarray(values, dtype=float), number, styles.numbers)]  # see _word_numbers
        if _is_arrow(values):
            return _string_cells(values, text)
        return [_mixed_cells(values, number, text, money)]

    return make


def _style_attribute(style: Any) -> str:
    return f' s="{style._get_xf_index()}"' if style is not None else ""


# Numbers: ``f"{v:.16G}"`` of a column at once, for 1e-4 <= |v| < 1e9 (written without exponent),
# and v = 0. v * 10**6 is split exactly into a double and its rounding error (Dekker's product), so
# v = (M + off) / 10**6 with M the nearest integer and ``off`` known to the last bit; v rounded to
# 16 significant digits is W * 10**(E - 15) with W = M * 10**(16 - digits of M) + round(off * 10**(16
# - digits of M)) (exact in int64) and E = digits of M - 7. When W is M's digits and v is the double
# nearest M / 10**6 (every number ``table.number_column`` shows, bar a 16th digit), that is also the
# shortest text reading back as v, which Arrow writes in C; else W is spelled out. A value too near
# a tie to round, or just below a power of ten (its 16th digit a place further right), and any other
# is worded by Python.
_SPLIT = 134217729.0  # 2**27 + 1: Veltkamp's split of a double into two halves of 26 bits
_POWERS = 10.0 ** np.arange(16)
_TENS = 10 ** np.arange(20, dtype=np.uint64)


def number_texts(values: np.ndarray, known: dict[float, str] | None = None) -> Any:
    """``f"{v:.16G}"`` of each value as an Arrow string array (null for NaN and infinities)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    array = np.asarray(values, dtype=float)
    finite = np.isfinite(array)
    magnitude = np.abs(np.where(finite, array, 0.0))
    bulk = finite & (((magnitude >= 1e-4) & (magnitude < 1e9)) | (magnitude == 0))
    scaled = np.where(bulk, magnitude, 0.0)
    product = scaled * 1e6
    high = _SPLIT * scaled
    high = high - (high - scaled)
    error = (high * 1e6 - product) + (scaled - high) * 1e6  # scaled * 1e6 == product + error exactly
    whole = np.rint(product)
    digits = np.searchsorted(_POWERS, whole, side="right")  # of M (0 for v = 0)
    shift = np.where(bulk, 16 - digits, 0)
    past = ((product - whole) + error) * _POWERS[np.minimum(shift, 15)]  # off * 10**(16 - digits)
    step = np.rint(past)
    bulk &= np.abs(past - step) < 0.49
    mantissa = whole.astype(np.int64) * _TENS[shift].astype(np.int64) + step.astype(np.int64)  # W
    # below a power of ten (M one, then zeros, and off < 0) v's 16th digit is a place further right
    bulk &= (mantissa >= 10 ** 15) | (magnitude == 0)
    bulk &= ~((mantissa == 10 ** 15) & (past < -0.049))
    shortest = pc.cast(pa.array(array), pa.string())
    shown = bulk & (step == 0) & (whole / 1e6 == scaled)
    shown &= ~pc.match_substring_regex(shortest, r"e|\.0$").to_numpy(zero_copy_only=False)  # as Arrow 26 writes
    pieces, index = [shortest], np.arange(len(array))

    def add(piece: Any, where: np.ndarray) -> None:
        index[where] = sum(map(len, pieces)) + np.arange(len(where))
        pieces.append(piece)

    spelled = np.flatnonzero(bulk & ~shown)
    if len(spelled):
        add(_spelled(mantissa[spelled], digits[spelled], np.signbit(array[spelled])), spelled)
    others = np.flatnonzero(finite & ~bulk)
    if len(others):  # worded one by one, each once per workbook
        known = {} if known is None else known
        add(pa.array([known.get(v) or known.setdefault(v, f"{v:.16G}") for v in array[others].tolist()],
                     type=pa.string()), others)
    if not finite.all():  # no cell
        index[~finite] = sum(map(len, pieces))
        pieces.append(pa.nulls(1, pa.string()))
    return shortest if len(pieces) == 1 else pa.concat_arrays(pieces).take(pa.array(index))


def _spelled(mantissa: np.ndarray, digits: np.ndarray, negative: np.ndarray) -> Any:
    """The texts of W * 10**(E - 15) (no zero among them), E = digits - 7."""
    import pyarrow as pa
    import pyarrow.compute as pc

    places = 15 - (digits - 7)  # of W after the decimal point
    integer, fraction = np.divmod(mantissa.astype(np.uint64), _TENS[places])
    # "." and the fraction's digits: a 1 and the zero-padded digits, the 1 replaced, trailing zeros cut
    decimals = pc.utf8_rtrim(pc.utf8_replace_slice(pc.cast(pa.array(fraction + _TENS[places], mask=fraction == 0),
                                                           pa.string()), 0, 1, "."), "0")
    parts = [pc.cast(pa.array(integer), pa.string()), decimals]  # the integer part never null: Arrow 26
    if negative.any():  # joins arrays all null in every row, skipped, as no rows
        parts.insert(0, pc.if_else(pa.array(negative), text_scalar("-"), pa.scalar(None, pa.string())))
    return pc.binary_join_element_wise(*parts, text_scalar(""), null_handling="skip")


class _Numbers:
    """A number column's cells (NaN, inf: none) as XlsxWriter writes them, made with the table's
    other number columns (``_word_numbers``): ``number_texts`` of each distinct value, made into its
    cell's text once; -0.0, which np.unique takes for 0, is written "-0"."""

    def __init__(self, values: np.ndarray, style: str, known: dict[float, str]):
        self.values, self.style, self.known = values, style, known

    def cells(self, words: Any, where: np.ndarray) -> Any:
        """The cells, from the texts of the column's distinct values and where each value is among them."""
        import pyarrow as pa
        import pyarrow.compute as pc

        where = where.reshape(-1)
        negative_zero = (self.values == 0) & np.signbit(self.values)
        if negative_zero.any():
            where = np.where(negative_zero, len(words), where)
            words = pa.concat_arrays([words, pa.array(["-0"])])
        cells = pc.binary_join_element_wise(text_scalar('"' + self.style + "><v>"), words, text_scalar("</v></c>"),
                                            text_scalar(""))  # null: none
        return cells.take(pa.array(where))


def _word_numbers(cells: list[list[Any]]) -> list[list[Any]]:
    """A table's cell pieces with its number columns made: the distinct values of each worded by
    one ``number_texts`` call for them all (a call in bulk costs about as much as a few hundred
    values)."""
    pending = [piece for pieces in cells for piece in pieces if isinstance(piece, _Numbers)]
    if not pending:
        return cells
    uniques = [np.unique(piece.values, return_inverse=True) for piece in pending]
    words = number_texts(np.concatenate([distinct for distinct, _ in uniques]) + 0.0, pending[0].known)
    made: dict[int, Any] = {}
    start = 0
    for piece, (distinct, where) in zip(pending, uniques, strict=True):
        made[id(piece)] = piece.cells(words.slice(start, len(distinct)), where)
        start += len(distinct)
    return [[made[id(piece)] if isinstance(piece, _Numbers) else piece for piece in pieces] for pieces in cells]


def _number_cells(values: np.ndarray, style: str, known: dict[float, str]) -> Any:
    """One number column's cells (``_Numbers``)."""
    return _word_numbers([[_Numbers(np.asarray(values, dtype=float), style, known)]])[0][0]


def _string_cells(texts: Any, style: str) -> list[Any]:
    """Texts (null: no cell): plain ones between the cell's head and tail, a column with any other
    worded text by text (each distinct one once) as ``_string_cell``."""
    import pyarrow as pa
    import pyarrow.compute as pc

    words = texts.unique().drop_null().to_pylist()
    if _plain_texts(_JOIN.join(words)) and max(map(len, words), default=0) <= STRING_MAX // 2:
        return ['"' + style + ' t="inlineStr"><is><t>', texts, "</t></is></c>"]
    encoded = texts.dictionary_encode()
    cells = [_string_cell(_clean(word), style) for word in encoded.dictionary.to_pylist()]
    return [pc.take(pa.array(cells, type=pa.string()), encoded.indices)]


_REPEATING = (str, int, float, bool, Decimal)  # values whose cell is worded once per distinct value


def _mixed_cells(values: Sequence[Any], number: str, text: str, money: str) -> Any:
    """A column of mixed values, each cell worded as ``_one_cell``; a repeated value once (zeros and
    NaN apart: 0.0 equals -0.0, which is written "-0")."""
    import pyarrow as pa

    worded: dict[tuple[type, Any], str | None] = {}
    cells = []
    for value in values:
        if isinstance(value, _REPEATING) and value == value and value != 0:
            key = (type(value), value)
            if key not in worded:
                worded[key] = _one_cell(value, number, text, money)
            cells.append(worded[key])
        else:
            cells.append(_one_cell(value, number, text, money))
    return pa.array(cells, type=pa.string())


def _one_cell(value: Any, number: str, text: str, money: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return _string_cell("是" if value else "否", "")
    if isinstance(value, str):
        return _string_cell(_clean(value), text)
    if isinstance(value, Decimal):
        return '"' + (number or money) + f"><v>{float(value):.16G}</v></c>"
    if isinstance(value, int | float):
        return '"' + number + f"><v>{value:.16G}</v></c>" if math.isfinite(value) else None
    return _string_cell(_clean(str(value)), text)


def _string_cell(string: str, style: str) -> str:
    """XlsxWriter's ``write_string`` and ``_write_cell`` for one text in constant_memory mode."""
    if len(string) > STRING_MAX // 2:
        from xlsxwriter.utility import _utf16_len, _utf16_truncate

        if _utf16_len(string) > STRING_MAX:
            string = _utf16_truncate(string, STRING_MAX)
    string = _ESCAPED_ESCAPE.sub(r"_x005F\1", string)
    string = _CONTROL.sub(lambda match: f"_x{ord(match.group(1)):04X}_", string)
    string = string.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
    if string.startswith("<r>") and string.endswith("</r>"):  # a rich string: written as it is
        return '"' + style + f' t="inlineStr"><is>{string}</is></c>'
    preserve = ' xml:space="preserve"' if _LEADING_SPACE.search(string) or _TRAILING_SPACE.search(string) else ""
    if re.search('["&<>\n]', string):
        string = string.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return '"' + style + f' t="inlineStr"><is><t{preserve}>{string}</t></is></c>'


def table_rows_xml(data: list[Any], makers: list[CellMaker], height: float | None) -> Iterator[Any]:
    """The ``<row>`` elements of a table's rows (sheet rows 2 …; ``data``: its ``bulk_column``s), a
    chunk of rows at a time, each a buffer of UTF-8; the cells' texts made for ROWS_PER_BLOCK rows at
    a time (a sheet of a million rows is not held as text)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    count = len(data[0]) if data else 0
    attributes = "\">"
    if height is not None and int(height * 4.0 / 3.0 + 0.5) != 20:  # XlsxWriter's set_row: pixels, shown in points
        attributes = f'" ht="{int(height * 4.0 / 3.0 + 0.5) * 0.75:.16g}" customHeight="1">'
    prefixes = ['<c r="' + xlsxwriter.utility.xl_col_to_name(c) for c in range(len(data))]
    nothing = text_scalar("")
    for block in range(0, count, ROWS_PER_BLOCK):
        block_size = min(ROWS_PER_BLOCK, count - block)
        cells = _word_numbers([make(values[block:block + block_size]) for make, values in zip(makers, data, strict=True)])
        numbers = pc.cast(pa.array(np.arange(block + 2, block + block_size + 2, dtype=np.int64)), pa.string())
        for start in range(0, block_size, ROWS_PER_CHUNK):
            size = min(ROWS_PER_CHUNK, block_size - start)
            references = numbers.slice(start, size)
            parts: list[Any] = ['<row r="', references, attributes]
            for prefix, pieces in zip(prefixes, cells, strict=True):
                pieces = [p if isinstance(p, str) else p.slice(start, size) for p in pieces]
                if any(not isinstance(p, str) and p.null_count for p in pieces):  # no cell: no reference either
                    parts.append(pc.binary_join_element_wise(*_scalars([prefix, references, *pieces]), nothing))
                else:
                    parts += [prefix, references, *pieces]
            parts.append("</row>")
            yield text_bytes(pc.binary_join_element_wise(*_scalars(_merged(parts)), nothing, null_handling="skip"))


def _scalars(parts: list[Any]) -> list[Any]:
    """A join's texts as Arrow scalars (``columnar.text_scalar``), its arrays as they are."""
    return [text_scalar(part) if isinstance(part, str) else part for part in parts]


def _merged(parts: list[Any]) -> list[Any]:
    """Parts of a join, texts one after another as one (fewer pieces for each row)."""
    out: list[Any] = []
    for part in parts:
        if isinstance(part, str) and out and isinstance(out[-1], str):
            out[-1] += part
        else:
            out.append(part)
    return out


# ---------------------------------------------------------------------------
# Deterministic zip


def normalise_zip(raw: bytes, replace: Mapping[str, bytes], spliced: Spliced | None = None) -> bytes:
    """Rewrite a zip with fixed timestamps and attributes, entries in written order; an entry of
    ``spliced`` has its marker row replaced by the rows' XML. Those entries (most of a workbook)
    are made and deflated on threads of their own, one entry each at a time: ISA-L and Arrow let go
    of the interpreter, so a two-core machine deflates two sheets at once (the same bytes)."""
    spliced = spliced or {}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target, \
            ThreadPoolExecutor(max_workers=max(1, min(len(spliced), _cores())), thread_name_prefix="kaohe-xlsx") as pool:
        infos = source.infolist()
        contents = {info.filename: replace.get(info.filename) or source.read(info) for info in infos}
        deflating = {name: pool.submit(_deflate_spliced, contents[name], marker, rows)
                     for name, (marker, rows) in spliced.items()}
        assert set(deflating) <= set(contents), "every spliced sheet is in the workbook"
        for info in infos:
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.create_system = 3
            entry.external_attr = 0o644 << 16
            if info.filename in deflating:
                # the rows are most of the workbook: deflated fast by ISA-L (a fifth larger than
                # zlib's default level, a tenth of its time; deterministic all the same)
                entry._compresslevel = 1  # type: ignore[attr-defined]  # zlib's, should zipfile deflate it
                _write_deflated(target, entry, *deflating.pop(info.filename).result())
            else:
                target.writestr(entry, contents[info.filename])
    return out.getvalue()


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _deflate_spliced(data: bytes, marker: bytes, rows: Callable[[], Iterator[Any]]) -> tuple[bytes, int, int]:
    """An entry's raw deflate stream (ISA-L at ROWS_COMPRESSLEVEL), CRC-32 and size, its marker row
    replaced by ``rows``."""
    before, found, after = data.partition(marker)
    assert found, "the marker row of a spliced sheet is where the rows go"
    compressor = deflate.raw(ROWS_COMPRESSLEVEL)
    stream, crc, size = [], 0, 0
    for piece in itertools.chain([before], rows(), [after]):
        crc = deflate.crc32(piece, crc)
        size += memoryview(piece).nbytes
        stream.append(compressor.compress(piece))
    stream.append(compressor.flush())
    return b"".join(stream), crc, size


def takes_stream(handle: object) -> bool:
    """Whether a zipfile write handle has the compressor, CRC and size a finished stream replaces."""
    return all(hasattr(handle, name) for name in ("_compressor", "_crc", "_file_size"))


class _Deflated:
    """A zip write handle's compressor for an entry deflated already: it is handed the stream."""

    def __init__(self, stream: bytes):
        self.stream = stream

    def compress(self, data: bytes) -> bytes:
        return b""

    def flush(self) -> bytes:
        return self.stream


def _write_deflated(target: zipfile.ZipFile, entry: zipfile.ZipInfo, stream: bytes, crc: int, size: int) -> None:
    """The entry as zipfile writes it (header, then the stream, then the header again with the sizes),
    from its stream deflated elsewhere: zipfile has no public way to take one, so its handle is given
    the stream for a compressor and the CRC and size it would have counted; checked after."""
    with target.open(entry, "w") as handle:
        if not takes_stream(handle):
            # a Python whose zipfile keeps these elsewhere: the entry inflated and written the public
            # way (deflated again by zlib: the same workbook, its own bytes on every rerun, slower)
            handle.write(zlib.decompressobj(-15).decompress(stream))
            return
        handle._compressor = _Deflated(stream)  # type: ignore[attr-defined]
        handle._crc, handle._file_size = crc, size  # type: ignore[attr-defined]
    assert (entry.CRC, entry.file_size, entry.compress_size) == (crc, size, len(stream)), "zipfile took the stream"
