"""The XLSX exporter's workbook: openpyxl, imported only when an Excel file is written (it takes
a noticeable part of a second to import, which every other command would otherwise pay).

The sheets and their columns come from ``kaohe.plugins.workbook_sheets``; this module lays them
out for the screen and the printer: header style, number formats, widths by content (a Chinese
character counts double), wrapped long texts, autofilter, frozen header row and first columns,
A4 landscape one page wide with the header row on every page, a page header naming the sheet and
a footer with page numbers.

openpyxl's write-only mode streams each row to the file: memory stays flat for a 10,000-subject
city. Styled cells are one prototype cell per column, its value set row by row, because creating
and styling a cell per value costs more than writing it. Deterministic like every exporter: fixed
document times and zip metadata, so the same document always gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.xml.functions import tostring

from kaohe.plugins.workbook_sheets import Column, Sections, Sheet, Table

MAX_SHEET_ROWS = 1_048_576  # Excel's limit; longer tables continue on "name(2)" …
FIXED_TIME = dt.datetime(2000, 1, 1)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
# Widths in Excel's units (one digit): narrow enough that a period of 30 columns prints legibly one
# page wide. Headers wrap at MAX_HEADER_WIDTH; a text column wider than MAX_TEXT_WIDTH wraps too.
MIN_WIDTH, MAX_TEXT_WIDTH, MAX_WRAP_WIDTH, MAX_HEADER_WIDTH = 5.0, 16.0, 30.0, 8.0
LINE_HEIGHT = 14.5  # points per line of 11-point text
PAPER_A4 = "9"  # the paperSize code of A4
PAGE_NUMBERS = "第 &P 页，共 &N 页"

_THIN = Side(style="thin", color="808080")
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
HEADER_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
HEADER_ALIGNMENT = Alignment(horizontal="center", vertical="center", wrap_text=True)
WRAP = Alignment(wrap_text=True, vertical="top")
SECTION_FONT = Font(bold=True, size=12)


def workbook_bytes(sheets: Sequence[Sheet]) -> bytes:
    """The workbook of ``sheets``, as deterministic bytes."""
    workbook = Workbook(write_only=True)
    for sheet in sheets:
        if isinstance(sheet, Table):
            write_table(workbook, sheet)
        else:
            write_sections(workbook, sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    # save() stamps "modified" with the current time; put fixed ones back.
    workbook.properties.created = FIXED_TIME
    workbook.properties.modified = FIXED_TIME
    workbook.properties.creator = "kaohe"
    return normalise_zip(buffer.getvalue(), {"docProps/core.xml": tostring(workbook.properties.to_tree())})


# ---------------------------------------------------------------------------
# A table sheet


def write_table(workbook: Workbook, table: Table) -> None:
    """Header, rows and notes, continuing on "name(2)" … past Excel's row limit."""
    widths, wraps = column_layout(table.columns, table.rows)
    per_sheet = max(1, MAX_SHEET_ROWS - 1 - (len(table.notes) + 1 if table.notes else 0))
    starts = range(0, max(len(table.rows), 1), per_sheet)
    for part, start in enumerate(starts):
        name = table.name if part == 0 else f"{table.name[:27]}({part + 1})"
        sheet = workbook.create_sheet(name)
        rows = table.rows[start:start + per_sheet]
        _layout(sheet, table.heading, widths, table.landscape)
        sheet.freeze_panes = f"{get_column_letter(table.freeze + 1)}2"
        sheet.print_title_rows = "1:1"
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(table.columns))}{len(rows) + 1}"
        sheet.row_dimensions[1].height = header_height(table.columns, widths)
        sheet.append([_header_cell(sheet, c.title) for c in table.columns])
        _append_rows(sheet, table.columns, wraps, rows, table.row_height)
        if part == len(starts) - 1 and table.notes:
            sheet.append([])
            for line in table.notes:
                sheet.append([_text_cell(sheet, line)])


def _append_rows(sheet: Any, columns: Sequence[Column], wraps: Sequence[bool], rows: Iterable[list[Any]],
                 height: float | None) -> None:
    _stream_cells(sheet)
    makers = [_cell_maker(sheet, column, wrap) for column, wrap in zip(columns, wraps, strict=True)]
    index = 1
    for row in rows:
        index += 1
        if height is not None:
            sheet.row_dimensions[index].height = height
        sheet.append([make(value) for make, value in zip(makers, row, strict=False)])


# ---------------------------------------------------------------------------
# The summary: small titled tables one under another


def write_sections(workbook: Workbook, sections: Sections) -> None:
    sheet = workbook.create_sheet(sections.name)
    count = max(len(s.columns) for s in sections.sections)
    widths = [MIN_WIDTH] * count
    layouts = [column_layout(section.columns, section.rows) for section in sections.sections]
    for section_widths, _ in layouts:
        for i, width in enumerate(section_widths):
            widths[i] = max(widths[i], width)
    _layout(sheet, sections.heading, widths, sections.landscape)
    for number, (section, (_, wraps)) in enumerate(zip(sections.sections, layouts, strict=True)):
        if number:
            sheet.append([])
        title = WriteOnlyCell(sheet, value=section.title)
        title.font = SECTION_FONT
        sheet.append([title])
        sheet.append([_header_cell(sheet, c.title) for c in section.columns])
        _append_rows(sheet, section.columns, wraps, section.rows, None)


def _layout(sheet: Any, heading: str, widths: Sequence[float], landscape: bool) -> None:
    """Widths, page setup, header and footer: all written before the first row in write-only mode."""
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.page_setup.paperSize = PAPER_A4
    sheet.page_setup.orientation = "landscape" if landscape else "portrait"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages down as it takes
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_options.horizontalCentered = True
    sheet.print_options.gridLines = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.page_margins.top = sheet.page_margins.bottom = 0.6
    sheet.page_margins.header = sheet.page_margins.footer = 0.3
    sheet.oddHeader.center.text = _header_text(heading)
    sheet.oddFooter.center.text = PAGE_NUMBERS


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


def _stream_cells(sheet: Any) -> None:
    """Let a row hold ready cells without openpyxl trying each as a value first.

    ``WriteOnlyWorksheet._values_to_row`` assigns every item to a cell's value and takes a cell from
    the ValueError that follows (its message formats the cell's repr): for a styled cell per value
    that is most of the writing time. This does the same conversion without the exception; the
    result is the same XML. (openpyxl 3.1's ``_write_rows`` calls it as ``self._values_to_row``.)"""
    plain = WriteOnlyCell(sheet)

    def values_to_row(values: Iterable[Any], row_index: int) -> Iterator[Cell]:
        for column_index, value in enumerate(values, 1):
            if value is None:
                continue
            if isinstance(value, Cell):
                cell = value
            else:
                plain.value = value
                cell = plain
            cell.column = column_index
            cell.row = row_index
            yield cell

    sheet._values_to_row = values_to_row


def _cell_maker(sheet: Any, column: Column, wrap: bool) -> Callable[[Any], Any]:
    """value -> what to append for it in ``column``; numeric and wrapped columns share one styled
    prototype cell, whose value is set anew for each row (append writes it out at once)."""
    if column.kind in ("number", "int", "money", "percent"):
        return _numeric_maker(sheet, column.fmt or "General")
    if wrap:
        return _wrapped_maker(sheet)
    return lambda value: _plain_cell(sheet, value)


def _numeric_maker(sheet: Any, fmt: str) -> Callable[[Any], Any]:
    proto = WriteOnlyCell(sheet)
    proto.number_format = fmt

    def make(value: Any) -> Any:
        if value is None or isinstance(value, bool | str):
            return _plain_cell(sheet, value)
        if isinstance(value, float) and not math.isfinite(value):
            return None
        proto.value = value
        return proto

    return make


def _wrapped_maker(sheet: Any) -> Callable[[Any], Any]:
    proto = WriteOnlyCell(sheet)
    proto.alignment = WRAP

    def make(value: Any) -> Any:
        if not isinstance(value, str):
            return _plain_cell(sheet, value)  # a number or a flag among texts stays what it is
        proto.value = ILLEGAL_CHARACTERS_RE.sub("", value)
        proto.data_type = "s"  # never a formula
        return proto

    return make


def _plain_cell(sheet: Any, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, str):
        return _text_cell(sheet, value) if value.startswith("=") else ILLEGAL_CHARACTERS_RE.sub("", value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Decimal):
        return _money_cell(sheet, value)
    return value


def _money_cell(sheet: Any, value: Decimal) -> Cell:
    cell = WriteOnlyCell(sheet, value=value)  # type: ignore[arg-type]  # openpyxl writes a Decimal as a number; its stubs omit it
    cell.number_format = "#,##0.00"
    return cell


def _header_cell(sheet: Any, text: str) -> Cell:
    cell = _text_cell(sheet, text)
    cell.font = HEADER_FONT
    cell.fill = HEADER_FILL
    cell.border = HEADER_BORDER
    cell.alignment = HEADER_ALIGNMENT
    return cell


def _text_cell(sheet: Any, text: str) -> Cell:
    # openpyxl reads a leading "=" as a formula; data is never a formula.
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", text))
    cell.data_type = "s"
    return cell


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
