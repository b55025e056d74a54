"""The XLSX exporter's workbook: XlsxWriter, imported only when an Excel file is written.

The sheets and their columns come from ``kaohe.plugins.workbook_sheets``; this module lays them
out for the screen and the printer: header style, number formats, widths by content (a Chinese
character counts double), wrapped long texts, autofilter, frozen header row and first columns,
A4 landscape one page wide with the header row on every page, a page header naming the sheet and
a footer with page numbers.

XlsxWriter rather than openpyxl: it is made for writing large sheets (constant-memory mode flushes
each row to a temporary file; one format object per column style, not a styled cell per value),
and writes a 10,000-subject city several times faster. Deterministic like every exporter: fixed
document times and zip metadata, so the same document always gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

import xlsxwriter

from kaohe.plugins.workbook_sheets import Column, Sections, Sheet, Table

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

    def __call__(self, **style: Any) -> Any:
        key = tuple(sorted(style.items()))
        if key not in self.made:
            self.made[key] = self.workbook.add_format(style)
        return self.made[key]


def workbook_bytes(sheets: Sequence[Sheet]) -> bytes:
    """The workbook of ``sheets``, as deterministic bytes."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {
        "constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
        "strings_to_numbers": False, "nan_inf_to_errors": False,
    })
    workbook.set_properties({"author": "kaohe", "created": FIXED_TIME})
    styles = _Styles(workbook)
    for sheet in sheets:
        if isinstance(sheet, Table):
            write_table(workbook, styles, sheet)
        else:
            write_sections(workbook, styles, sheet)
    workbook.close()
    return normalise_zip(buffer.getvalue(), {})


# ---------------------------------------------------------------------------
# A table sheet


def write_table(workbook: Any, styles: _Styles, table: Table) -> None:
    """Header, rows and notes, continuing on "name(2)" … past Excel's row limit."""
    widths, wraps = column_layout(table.columns, table.rows)
    per_sheet = max(1, MAX_SHEET_ROWS - 1 - (len(table.notes) + 1 if table.notes else 0))
    starts = range(0, max(len(table.rows), 1), per_sheet)
    for part, start in enumerate(starts):
        name = table.name if part == 0 else f"{table.name[:27]}({part + 1})"
        sheet = workbook.add_worksheet(name)
        rows = table.rows[start:start + per_sheet]
        _layout(sheet, table.heading, widths, table.landscape)
        sheet.freeze_panes(1, table.freeze)
        sheet.repeat_rows(0)
        sheet.autofilter(0, 0, len(rows), len(table.columns) - 1)
        sheet.set_row(0, header_height(table.columns, widths))
        header = styles(**HEADER_STYLE)
        for c, column in enumerate(table.columns):
            sheet.write_string(0, c, _clean(column.title), header)
        _write_rows(sheet, styles, table.columns, wraps, rows, 1, table.row_height)
        if part == len(starts) - 1 and table.notes:
            for k, line in enumerate(table.notes):
                sheet.write_string(len(rows) + 2 + k, 0, _clean(line))


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
    layouts = [column_layout(section.columns, section.rows) for section in sections.sections]
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


def column_layout(columns: Sequence[Column], rows: Sequence[Sequence[Any]]) -> tuple[list[float], list[bool]]:
    """Each column's width (its widest value, its header up to MAX_HEADER_WIDTH, plus a margin) and
    whether its texts wrap (declared long, or a text column too wide for MAX_TEXT_WIDTH)."""
    widths, wraps = [], []
    for index, column in enumerate(columns):
        if column.width is not None:
            widths.append(column.width)
            wraps.append(column.kind == "wrap")
            continue
        values = [row[index] for row in rows if index < len(row)]
        content = _content_width(column, values)
        header = min(max(display_width(part) for part in column.title.split()), MAX_HEADER_WIDTH)
        long_text = column.kind == "wrap"
        wrap = long_text or (column.kind in ("text", "auto") and content > MAX_TEXT_WIDTH)
        widths.append(max(MIN_WIDTH, min(max(content, header) + 1.5,
                                         MAX_WRAP_WIDTH if long_text else MAX_TEXT_WIDTH + 1.5)))
        wraps.append(wrap)
    return widths, wraps


def _content_width(column: Column, values: list[Any]) -> float:
    """The widest value as shown: numbers by their format (only the largest and the smallest can be
    widest), texts until one reaches the column's limit."""
    numbers = [float(v) for v in values if isinstance(v, int | float | Decimal) and not isinstance(v, bool)]
    numbers = [v for v in numbers if math.isfinite(v)]
    widest = max((_number_width(column, v) for v in (min(numbers), max(numbers))), default=0.0) if numbers else 0.0
    limit = MAX_WRAP_WIDTH if column.kind == "wrap" else MAX_TEXT_WIDTH + 1
    for value in set(v for v in values if isinstance(v, str)):
        widest = max(widest, display_width(value))
        if widest > limit:
            break
    if any(isinstance(v, bool) for v in values):
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
# Deterministic zip


def normalise_zip(raw: bytes, replace: Mapping[str, bytes]) -> bytes:
    """Rewrite a zip with fixed timestamps and attributes, entries in written order."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.create_system = 3
            entry.external_attr = 0o644 << 16
            target.writestr(entry, replace.get(info.filename) or source.read(info))
    return out.getvalue()
