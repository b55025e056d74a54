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
very XML XlsxWriter writes for those cells (``_write_rows`` is the cell-by-cell reference a test
holds it to) — is made column by column and put in the marker's place while the zip is rewritten.
Deterministic like every exporter: fixed document times and zip metadata, so the same document
always gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import threading
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from queue import Queue
from typing import Any, cast

import numpy as np
import xlsxwriter

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


def _rows_later(data: list[list[Any]], makers: list[CellMaker], height: float | None) -> Callable[[], Iterator[bytes]]:
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


def column_layout(columns: Sequence[Column], data: Sequence[Sequence[Any] | np.ndarray]) -> tuple[list[float], list[bool]]:
    """Each column's width (its widest value, its header up to MAX_HEADER_WIDTH, plus a margin) and
    whether its texts wrap (declared long, or a text column too wide for MAX_TEXT_WIDTH); ``data``
    holds the values column by column."""
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


def _content_width(column: Column, values: Sequence[Any] | np.ndarray) -> float:
    """The widest value as shown: numbers by their format (only the largest and the smallest can be
    widest), texts until one reaches the column's limit."""
    if isinstance(values, np.ndarray):  # a number column (``table.number_column``): NaN for none
        kinds: set[type] = {float}
        numbers = values[np.isfinite(values)].tolist()
    elif (kinds := set(map(type, values))) <= {int, float, type(None)}:  # its extremes in bulk
        array = np.array(values, dtype=float)
        numbers = array[np.isfinite(array)].tolist()
    elif not any(issubclass(k, int | float | Decimal) for k in kinds):
        numbers = []
    else:
        numbers = [float(v) for v in values if isinstance(v, int | float | Decimal) and not isinstance(v, bool)]
        numbers = [v for v in numbers if math.isfinite(v)]
    widest = max((_number_width(column, v) for v in (min(numbers), max(numbers))), default=0.0) if numbers else 0.0
    # the widest text (any past the column's limit gives the same width: the limit's)
    texts = [v for v in values if isinstance(v, str)] if any(issubclass(k, str) for k in kinds) else []
    if texts:
        chars = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
        encoded = np.fromiter(map(len, map(str.encode, texts)), dtype=np.int64, count=len(texts))
        widest = max(widest, float((chars + encoded).max()) / 2)  # display_width of each
    if bool in kinds:
        widest = max(widest, 2.0)
    return widest


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
# a column at a time. A cell is ``<c r="B7"`` and its text after the reference, e.g.
# ``" s="3"><v>52</v></c>`` (a number in format 3) or ``" t="inlineStr"><is><t>是</t></is></c>``.

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
ROWS_PER_CHUNK = 2000
ROWS_COMPRESSLEVEL = 1  # zlib level of a sheet's rows (the other parts keep zlib's default, 6)
CellMaker = Callable[[Sequence[Any] | np.ndarray], list[str | None]]


def _cell_maker(styles: _Styles, column: Column, wrap: bool) -> CellMaker:
    """A column's values -> each cell's text after its reference (None: no cell), as ``_cell_writer``
    would have XlsxWriter write them."""
    numeric = column.kind in ("number", "int", "money", "percent")
    number = _style_attribute(styles(num_format=column.fmt or "General") if numeric else None)
    text = _style_attribute(styles(**WRAP_STYLE) if wrap and not numeric else None)
    money = _style_attribute(styles(num_format=MONEY_FORMAT))

    def make(values: Sequence[Any] | np.ndarray) -> list[str | None]:
        if isinstance(values, np.ndarray):
            return _number_cells(values, number, styles.numbers)
        kinds = set(map(type, values))
        if kinds <= {int, float, type(None)}:
            return _number_cells(values, number, styles.numbers)
        if kinds <= {str, type(None)}:
            return _string_cells(values, text)
        return [_one_cell(v, number, text, money) for v in values]

    return make


def _style_attribute(style: Any) -> str:
    return f' s="{style._get_xf_index()}"' if style is not None else ""


def _number_cells(values: Sequence[Any] | np.ndarray, style: str, known: dict[float, str]) -> list[str | None]:
    """Numbers (None and NaN, inf: no cell) as XlsxWriter writes them: ``%.16G``, each distinct
    value worded once (``known``: the texts already made, shared by the workbook's columns)."""
    array = np.array(values, dtype=float)
    if not len(array):
        return []
    if np.signbit(array[array == 0]).any():  # -0.0 is written "-0": keep it apart from 0
        return [_one_cell(v, style, "", "") for v in values]
    distinct, where = np.unique(array, return_inverse=True)
    head = '"' + style + "><v>"
    finite = np.isfinite(distinct)  # no -0.0 among them (see above): the dict may hold 0.0 for it
    words = np.full(len(distinct), None, dtype=object)
    if finite.any():
        words[finite] = np.array([head + (known.get(v) or known.setdefault(v, f"{v:.16G}")) + "</v></c>"
                                  for v in distinct[finite].tolist()], dtype=object)
    cells: list[str | None] = words[where.reshape(-1)].tolist()
    return cells


def _string_cells(values: Sequence[str | None], style: str) -> list[str | None]:
    texts = [v for v in values if v is not None]
    joined = _JOIN.join(texts)
    if not _plain_texts(joined) or max(map(len, texts), default=0) > STRING_MAX // 2:
        return [None if v is None else _string_cell(_clean(v), style) for v in values]
    head, tail = '"' + style + ' t="inlineStr"><is><t>', "</t></is></c>"
    return [None if v is None else head + v + tail for v in values]


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


def table_rows_xml(data: list[list[Any]], makers: list[CellMaker], height: float | None) -> Iterator[bytes]:
    """The ``<row>`` elements of a table's rows (sheet rows 2 …), a chunk of rows at a time."""
    count = len(data[0]) if data else 0
    letters = [xlsxwriter.utility.xl_col_to_name(c) for c in range(len(data))]
    opening = "<row r=\""
    attributes = "\">"
    if height is not None and int(height * 4.0 / 3.0 + 0.5) != 20:  # XlsxWriter's set_row: pixels, shown in points
        attributes = f'" ht="{int(height * 4.0 / 3.0 + 0.5) * 0.75:.16g}" customHeight="1">'
    cells = [make(values) for make, values in zip(makers, data, strict=True)]
    width = 3 + 3 * len(cells) + 1
    for start in range(0, count, ROWS_PER_CHUNK):
        stop = min(start + ROWS_PER_CHUNK, count)
        size = stop - start
        numbers = [str(r + 2) for r in range(start, stop)]
        parts: list[str] = [opening] * (size * width)
        parts[1::width] = numbers
        parts[2::width] = [attributes] * size
        for k, (letter, column) in enumerate(zip(letters, cells, strict=True)):
            texts = column[start:stop]
            prefix = '<c r="' + letter
            if None in texts:
                parts[3 + 3 * k::width] = [prefix if t is not None else "" for t in texts]
                parts[4 + 3 * k::width] = [r if t is not None else "" for r, t in zip(numbers, texts, strict=True)]
                parts[5 + 3 * k::width] = [t if t is not None else "" for t in texts]
            else:
                parts[3 + 3 * k::width] = [prefix] * size
                parts[4 + 3 * k::width] = numbers
                parts[5 + 3 * k::width] = cast(list[str], texts)  # no None in it
        parts[width - 1::width] = ["</row>"] * size
        yield "".join(parts).encode("utf-8")


# ---------------------------------------------------------------------------
# Deterministic zip


def _write_while_making(handle: Any, chunks: Iterator[bytes]) -> None:
    """Write ``chunks`` to ``handle`` from a second thread: zlib compresses without holding the
    interpreter, so the next rows are made while the last are compressed (same bytes either way)."""
    queue: Queue[bytes | None] = Queue(maxsize=4)
    failed: list[BaseException] = []

    def write() -> None:
        while (chunk := queue.get()) is not None:
            if not failed:
                try:
                    handle.write(chunk)
                except BaseException as exc:  # noqa: BLE001 - handed to the making thread
                    failed.append(exc)

    writer = threading.Thread(target=write, name="kaohe-xlsx-deflate", daemon=True)
    writer.start()
    try:
        for chunk in chunks:
            if failed:
                break
            queue.put(chunk)
    finally:
        queue.put(None)
        writer.join()
    if failed:
        raise failed[0]


def normalise_zip(raw: bytes, replace: Mapping[str, bytes], spliced: Spliced | None = None) -> bytes:
    """Rewrite a zip with fixed timestamps and attributes, entries in written order; an entry of
    ``spliced`` has its marker row replaced by the rows' XML, streamed into the entry."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.create_system = 3
            entry.external_attr = 0o644 << 16
            data = replace.get(info.filename) or source.read(info)
            if spliced and info.filename in spliced:
                marker, rows = spliced[info.filename]
                before, found, after = data.partition(marker)
                assert found, f"the marker row of {info.filename} is where the rows go"
                # the rows are most of the workbook: deflated fast (a third larger than zlib's
                # default level, three times sooner; deterministic all the same)
                entry._compresslevel = ROWS_COMPRESSLEVEL  # type: ignore[attr-defined]  # per entry: no public way
                with target.open(entry, "w") as handle:
                    handle.write(before)
                    _write_while_making(handle, rows())
                    handle.write(after)
            else:
                target.writestr(entry, data)
    return out.getvalue()
