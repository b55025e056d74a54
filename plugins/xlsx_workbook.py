"""The XLSX exporter's workbook: openpyxl, imported only when an Excel file is written (it takes
a noticeable part of a second to import, which every other command would otherwise pay).

Deterministic like every exporter: fixed document times and zip metadata, so the same tables always
give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import zipfile
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.xml.functions import tostring

MAX_SHEET_ROWS = 1_048_576  # Excel's limit; longer tables continue on "name(2)" …
FIXED_TIME = dt.datetime(2000, 1, 1)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
RESULT_SHEET = "考核结果"
ADJUSTMENT_SHEET = "扣加分明细"


def workbook_bytes(sheets: list[tuple[str, list[str], list[list[Any]]]]) -> bytes:
    """One workbook with a sheet (title, header, rows) per entry, as deterministic bytes."""
    workbook = Workbook(write_only=True)
    for title, header, rows in sheets:
        write_sheets(workbook, title, header, rows)
    buffer = io.BytesIO()
    workbook.save(buffer)
    # save() stamps "modified" with the current time; put fixed ones back.
    workbook.properties.created = FIXED_TIME
    workbook.properties.modified = FIXED_TIME
    workbook.properties.creator = "kaohe"
    return normalise_zip(buffer.getvalue(), {"docProps/core.xml": tostring(workbook.properties.to_tree())})


def write_sheets(workbook: Workbook, title: str, header: list[str], rows: list[list[Any]]) -> None:
    """Write ``rows`` under a bold, frozen header, continuing on extra sheets past Excel's limit."""
    per_sheet = MAX_SHEET_ROWS - 1
    for part, start in enumerate(range(0, max(len(rows), 1), per_sheet)):
        sheet = workbook.create_sheet(title if part == 0 else f"{title}({part + 1})")
        sheet.freeze_panes = "A2"
        for column, text in enumerate(header, start=1):
            sheet.column_dimensions[get_column_letter(column)].width = max(8, 2 * len(text) + 2)
        sheet.append([_header_cell(sheet, text) for text in header])
        for row in rows[start:start + per_sheet]:
            sheet.append(list(_xlsx_cells(sheet, row)))


def _header_cell(sheet: Any, text: str) -> Cell:
    cell = _text_cell(sheet, text)
    cell.font = Font(bold=True)
    return cell


def _xlsx_cells(sheet: Any, row: list[Any]) -> Iterator[Any]:
    for value in row:
        if isinstance(value, bool):
            yield "是" if value else "否"
        elif isinstance(value, str):
            yield _text_cell(sheet, value) if value.startswith("=") else ILLEGAL_CHARACTERS_RE.sub("", value)
        elif isinstance(value, float) and not math.isfinite(value):
            yield None
        elif isinstance(value, Decimal):
            yield _money_cell(sheet, value)
        else:
            yield value


def _money_cell(sheet: Any, value: Decimal) -> Cell:
    # Keep the cents visible ("0.00", not "0") and thousands grouped.
    places = max(0, -int(value.as_tuple().exponent))
    cell = WriteOnlyCell(sheet, value=value)  # type: ignore[arg-type]  # openpyxl writes a Decimal as a number; its stubs omit it
    cell.number_format = "#,##0" + ("." + "0" * places if places else "")
    return cell


def _text_cell(sheet: Any, text: str) -> Cell:
    # openpyxl reads a leading "=" as a formula; data is never a formula.
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", text))
    cell.data_type = "s"
    return cell


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
