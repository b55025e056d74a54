"""``--data FILE``: one file as the data, a workbook as the data folder or one department's submission.

A workbook (``.xlsx``, ``.xls``) holds a table on each sheet named after it: its id
(``subjects``) or its Chinese name (``考核对象表``, also ``考核对象``); any other sheet
(``填报说明``, the instructions ``kaohe template`` writes) is not read. A CSV or JSON
file, or a workbook whose sheets name no table, holds the table its file name names.

A file holding the subjects table is the whole data, like a folder: every table
comes from it, tables it lacks are empty (a table the ruleset names a file for is
missing: ``E-DATA-BOOK-SHEET``). A file without the subjects table is one
department's submission: its tables replace the ruleset's own, the other tables
are read as the ruleset says, so its rows are checked against the real subjects.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from kaohe.engine.data.headers import header_key
from kaohe.engine.data.sheet import TABLE_ZH
from kaohe.engine.errors import Diagnostic, KaoheError
from kaohe.engine.ruleset.model import Locations

TABLES = ("subjects", "values", "events", "ratings", "history", "results", "items")
WORKBOOKS = {".xlsx": "xlsx", ".xlsm": "xlsx", ".xls": "xls"}
TEXT_FILES = {".csv": "csv", ".json": "json"}


def table_named(name: str) -> str | None:
    """The table a sheet or file name names: its id or its Chinese name, with or without 表."""
    key = header_key(name)
    for table in TABLES:
        zh = TABLE_ZH.get(table, table)
        if key in {table, header_key(zh), header_key(zh.removesuffix("表"))}:
            return table
    return None


def sheet_names(file: Path) -> list[str]:
    """The sheets of a workbook ([] when it cannot be opened: its source then says why)."""
    try:
        if file.suffix.lower() == ".xls":
            import python_calamine  # lazily: only an .xls pays for it

            book = python_calamine.CalamineWorkbook.from_path(str(file))
            try:
                return list(book.sheet_names)
            finally:
                book.close()
        import openpyxl  # lazily: a run without a workbook never imports it

        workbook = openpyxl.load_workbook(file, read_only=True)
        try:
            return list(workbook.sheetnames)
        finally:
            workbook.close()
    except MemoryError:
        raise
    except Exception:
        return []


def tables_in(file: Path, absolute: bool = False) -> dict[str, dict[str, Any]]:
    """The spec of each table ``file`` holds, by its sheets or else its file name; its path as the
    file's name (relative to its folder) or, when ``absolute``, in full."""
    suffix = file.suffix.lower()
    source = WORKBOOKS.get(suffix) or TEXT_FILES.get(suffix)
    if source is None:
        return {}
    path = str(file.absolute()) if absolute else file.name
    found: dict[str, dict[str, Any]] = {}
    if source in ("xlsx", "xls"):
        for sheet in sheet_names(file):
            table = table_named(sheet)
            if table is not None and table not in found:
                found[table] = {"source": source, "path": path, "sheet": sheet}
        if found:
            return found
    table = table_named(file.stem)
    return {table: {"source": source, "path": path}} if table is not None else {}


def file_specs(data: Mapping[str, Mapping[str, Any]], base: Path, file: Path,
               locations: Locations | None = None) -> tuple[dict[str, Any], Path]:
    """The table specs, and the folder their paths are relative to, when ``--data`` names a file
    (``data`` is the ruleset's ``data:``, ``base`` its folder, ``locations`` where it wrote each key)."""
    held = tables_in(file)
    if not held:
        names = "subjects.csv、考核对象表.xlsx、数据项表（工作表）"
        raise KaoheError(Diagnostic("E-DATA-WHICH-TABLE", {"file": str(file), "names": names}, file=str(file), line=1))
    if "subjects" not in held:  # one department's submission, checked against the ruleset's other tables
        return {**{t: dict(s) for t, s in data.items()}, **tables_in(file, absolute=True)}, base
    specs: dict[str, Any] = {}
    problems = []
    for table in TABLES:
        declared = data.get(table)
        if table in held:
            specs[table] = held[table]
        elif declared is not None and "path" not in declared:
            specs[table] = dict(declared)  # a table from a system or the store is not in any file
        elif declared is not None:
            problems.append(_no_sheet(locations, file, table))
        else:
            specs[table] = {}  # absent, and not looked for next to the workbook
    if problems:
        raise KaoheError(problems)
    return specs, file.parent


def _no_sheet(locations: Locations | None, file: Path, table: str) -> Diagnostic:
    """Located at the ruleset's line naming the table's file: that is what the workbook lacks."""
    zh = TABLE_ZH.get(table, table)
    params = {"file": str(file), "table": table, "table_zh": zh, "looked": f"{zh} / {table}",
              "available": ", ".join(sheet_names(file)) or "-"}
    if locations is None:
        return Diagnostic("E-DATA-BOOK-SHEET", params, file=str(file), line=1)
    return locations.diagnostic("E-DATA-BOOK-SHEET", ("data", table, "path"), **params)
