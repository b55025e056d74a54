"""Built-in data sources: CSV, XLSX and JSON files, and rows written inline.

Each returns a ``RawTable`` whose ``row_numbers`` point at what the user
sees (the CSV line, the Excel row, the index in a JSON list), so that
``kaohe.engine.data.load`` can report bad cells by file, row and column. Fully empty
rows are skipped; everything else is passed on untouched, typing is
``kaohe.engine.data.load``'s job. Tables carry ``header_line`` (the line of the
column names, None when there is none) for locating column problems.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from kaohe.engine.components import DataSource, RawTable
from kaohe.engine.data.columnar import ColumnRows, arrow_call, longest, text_scalar
from kaohe.engine.data.notes import note
from kaohe.engine.data.numbers import Percent
from kaohe.engine.data.sheet import MAX_CELL_CHARS, shown
from kaohe.engine.errors import Bilingual, Diagnostic, KaoheError, did_you_mean
from kaohe.engine.hookspecs import Registrar, hookimpl

_PATH = {
    "type": "string", "minLength": 1,
    "title": "文件路径 / Path",
    "description": "相对于方案所在目录的文件路径 / file path relative to the ruleset's folder",
}


# from this size a plain CSV is read by Arrow (``_read_plain_csv``): below it the csv module is as quick
# as importing pyarrow (a few tenths of a second cold), and a plain run imports no heavy library
ARROW_CSV_BYTES = 4 << 20

GBK = "gb18030"  # the superset of GBK: what a CSV that is not UTF-8 most likely is in a Chinese office


def _schema(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {"type": "object", "additionalProperties": False, "required": required, "properties": properties}


def _fail(code: str, where: Path | str, line: int | None = None, column: int | None = None,
          **params: Any) -> KaoheError:
    return KaoheError(Diagnostic(code, params, file=str(where), line=line, column=column))


def _undecodable_at(file: Path, exc: UnicodeError) -> tuple[int | None, int | None]:
    """Line and byte column of the first byte the encoding could not read (where to look in the file).

    A text-mode reader reports the byte offset within its last read chunk, so the file is decoded again
    in one piece to find the offset in the whole file."""
    if not isinstance(exc, UnicodeDecodeError):
        return None, None
    raw = file.read_bytes()
    try:
        raw.decode(exc.encoding)
    except UnicodeDecodeError as whole:
        before = raw[: whole.start]
        return before.count(b"\n") + 1, whole.start - (before.rfind(b"\n") + 1) + 1
    return None, None


def locate(params: Mapping[str, Any], base_dir: Path) -> Path:
    """The file named by ``params['path']`` (relative to ``base_dir``), which must exist."""
    raw = params.get("path")
    if not isinstance(raw, str) or not raw.strip():
        raise _fail("E-DATA-SOURCE", str(base_dir), table=str(base_dir),
                    problem=Bilingual("参数 path 缺失", "the path parameter is missing"))
    file = Path(base_dir) / raw
    if file.is_dir():
        raise _fail("E-DATA-SOURCE", file, table=str(file), problem=Bilingual("这是文件夹", "this is a folder"))
    if not file.exists():
        raise _fail("E-DATA-FILE", file, file=raw, looked=str(file.absolute()))
    return file


def _table(columns: list[Any], rows: list[list[Any]], origin: str, numbers: list[int],
           header_line: int | None) -> RawTable:
    return RawTable(columns=columns, rows=rows, origin=origin, row_numbers=numbers, header_line=header_line)


# ---------------------------------------------------------------------------
# CSV


class CsvSource(DataSource):
    name = "csv"
    title = "CSV 文件"
    description = "Reads a table from a delimited text file whose first row names the columns."
    params_schema = _schema({
        "path": _PATH,
        "encoding": {
            "type": "string", "minLength": 1, "default": "utf-8-sig",
            "title": "编码 / Encoding",
            "description": "文件编码，默认 utf-8-sig（兼容 BOM），Excel 旧版导出常为 gbk / "
                           "text encoding, default utf-8-sig (BOM tolerant); old Excel exports are often gbk",
        },
        "delimiter": {
            "type": "string", "minLength": 1, "maxLength": 1, "default": ",",
            "title": "分隔符 / Delimiter",
            "description": "列分隔符，默认逗号 / column separator, default a comma",
        },
    }, ["path"])

    def read(self, params: Mapping[str, Any], base_dir: Path) -> RawTable:
        file = locate(params, base_dir)
        encoding = params.get("encoding", "utf-8-sig")
        delimiter = params.get("delimiter", ",")
        if not isinstance(delimiter, str) or len(delimiter) != 1:
            raise _fail("E-DATA-SOURCE", file, table=str(file),
                        problem=Bilingual("delimiter 必须是一个字符", "delimiter must be one character"))
        try:
            return self._read(file, encoding, delimiter)
        except UnicodeError as exc:
            line, column = _undecodable_at(file, exc)
            if "encoding" not in params and _decodes(file, GBK):  # an old Excel export: read it, and say so
                # located at the first byte UTF-8 could not read: where to look whether GBK read it right
                note(Diagnostic("W-DATA-GBK", {"file": str(file)}, file=str(file), line=line, column=column,
                                severity="warning"))
                return self._read(file, GBK, delimiter)
            raise _fail("E-DATA-ENCODING", file, line, column, file=str(file), encoding=encoding) from None

    def _read(self, file: Path, encoding: str, delimiter: str) -> RawTable:
        if encoding.lower().replace("_", "-") in ("utf-8-sig", "utf-8", "utf8"):
            plain = _read_plain_csv(file, delimiter, encoding.lower().endswith("sig"))
            if plain is not None:
                return plain
        try:
            with file.open(encoding=encoding, newline="") as handle:
                reader = csv.reader(handle, delimiter=delimiter)
                try:
                    return _read_csv(reader, str(file))
                except csv.Error as exc:
                    # a quote opened and never closed pulls the rest of the file into one cell; with no such
                    # quote, a cell past the csv module's field limit is one huge cell
                    quote = _record_start(file, reader.line_num, encoding)
                    if quote is None and "field limit" in str(exc):
                        raise KaoheError(_huge_cell(file, reader.line_num, encoding, delimiter)) from None
                    raise _fail("E-DATA-CSV-QUOTE", file, quote or reader.line_num or None,
                                file=str(file)) from None
        except LookupError:
            raise _fail("E-DATA-SOURCE", file, table=str(file),
                        problem=Bilingual(f"不认识的编码 {encoding}（常用 utf-8-sig 或 gbk）", f"unknown encoding {encoding}")) from None
        except (csv.Error, OSError) as exc:
            raise _fail("E-DATA-SOURCE", file, table=str(file), problem=unreadable(exc)) from None


def _read_plain_csv(file: Path, delimiter: str, bom: bool = True) -> RawTable | None:
    """A CSV with no quote character, ``\r`` only before ``\n`` and valid UTF-8, read by Arrow into
    text columns (``engine/data/columnar.py``): the same cells and line numbers the ``csv`` module
    gives such a file, without a Python string per cell. None for any other file (and for rows of
    unequal length), which the ``csv`` module then reads as always. ``bom``: the encoding drops a
    leading byte-order mark (utf-8-sig); plain utf-8 keeps it in the first header, so such a file
    is left to the csv module."""
    data = file.read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        if not bom:
            return None
        data = data[3:]
    if len(data) < ARROW_CSV_BYTES or b'"' in data or (b"\r" in data and data.count(b"\r") != data.count(b"\r\n")):
        return None  # quotes (cells may span lines), lone CRs, or too small to be worth importing Arrow
    import pyarrow as pa
    import pyarrow.csv as pacsv

    try:
        data.decode("utf-8")
    except UnicodeError:
        return None
    records = _record_lines(data, delimiter)
    if len(records) < 2 or records[0] != 1:  # the header on the first line: Arrow counts no other lines
        return None
    header = data[:data.find(b"\n")].rstrip(b"\r").decode("utf-8").split(delimiter)
    try:
        table = pacsv.read_csv(pa.BufferReader(data), read_options=pacsv.ReadOptions(
            autogenerate_column_names=True, skip_rows=1, block_size=1 << 24), parse_options=pacsv.ParseOptions(
            delimiter=delimiter, quote_char=False, newlines_in_values=False, ignore_empty_lines=True),
            convert_options=pacsv.ConvertOptions(column_types={f"f{k}": pa.string() for k in range(len(header))},
                                                 strings_can_be_null=False, quoted_strings_can_be_null=False))
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # rows of unequal length: the csv module reports them
        return None
    if table.num_columns != len(header) or any(not pa.types.is_string(t) for t in table.schema.types):
        return None
    columns = [table.column(k).combine_chunks() for k in range(table.num_columns)]
    if max(map(longest, columns), default=0) > csv.field_size_limit():
        return None  # a cell the csv module refuses: it reports it as it always has
    lines_of = list(records[1:])
    if table.num_rows != len(lines_of) or _some_row_all_empty(columns):
        return None  # a line of only delimiters is a row to Arrow, none to the csv module
    return _table(header, ColumnRows(columns, table.num_rows), str(file), lines_of, records[0])  # type: ignore[arg-type]


def _some_row_all_empty(columns: list[Any]) -> bool:
    nothing = text_scalar("")
    empty = arrow_call("equal", columns[0], nothing)
    for column in columns[1:]:
        empty = arrow_call("and", empty, arrow_call("equal", column, nothing))
    return bool(arrow_call("any", empty).as_py())


def _record_lines(data: bytes, delimiter: str) -> list[int] | range:
    """The lines that hold a record (any cell not empty, as the csv module keeps them), 1-based."""
    count = data.count(b"\n") + (not data.endswith(b"\n"))
    if not (data.startswith((b"\n", b"\r\n")) or b"\n\n" in data or b"\n\r\n" in data
            or (delimiter * 2).encode("utf-8") in data):
        return range(1, count + 1)  # no line is empty or only delimiters: every line is a record
    empty = delimiter.encode("utf-8") + b"\r"
    lines = data.split(b"\n")
    return [n for n, line in enumerate(lines, start=1) if line.strip(empty) != b""]


def _decodes(file: Path, encoding: str) -> bool:
    try:
        file.read_bytes().decode(encoding)
    except (OSError, UnicodeError):
        return False
    return True


def _record_start(file: Path, line_num: int, encoding: str) -> int | None:
    """The first line with an odd number of double quotes up to where the reader stopped: where a quoted
    cell opened that the file never closed properly."""
    try:
        text = file.read_text(encoding=encoding)
    except (OSError, UnicodeError, LookupError):
        return None
    for number, line in enumerate(text.splitlines()[:max(line_num, 1)], start=1):
        if line.count('"') % 2:
            return number
    return None


def _huge_cell(file: Path, line_num: int, encoding: str, delimiter: str) -> Diagnostic:
    """E-DATA-CELL-TOO-LARGE for the cell on ``line_num`` that the csv module refused as over its field limit
    (131,072 characters, far above MAX_CELL_CHARS): cells split on the delimiter, no quote being open."""
    try:
        lines = file.read_text(encoding=encoding).splitlines()
    except (OSError, UnicodeError, LookupError):
        lines = []
    fields = lines[line_num - 1].split(delimiter) if 0 < line_num <= len(lines) else []
    header = next((line for line in lines if line.strip()), "").split(delimiter)
    p = max(range(len(fields)), key=lambda k: len(fields[k]), default=-1)
    name = shown(header[p]) if 0 <= p < len(header) else ""
    return Diagnostic("E-DATA-CELL-TOO-LARGE", {
        "column": name or f"#{p + 1}", "value": shown(fields[p]) if p >= 0 else "",
        "length": len(fields[p]) if p >= 0 else f">{csv.field_size_limit()}", "limit": MAX_CELL_CHARS,
        "constant": "MAX_CELL_CHARS"}, file=str(file), line=line_num or None, column=p + 1 if p >= 0 else None,
        path=name)


def _read_csv(reader: Any, origin: str) -> RawTable:
    header: list[str] | None = None
    header_line: int | None = None
    rows: list[list[str]] = []
    numbers: list[int] = []
    start = 1  # physical line where the next record begins (quoted cells may span lines)
    for cells in reader:
        if any(cells):
            if header is None:
                header, header_line = cells, start
            else:
                rows.append(cells)
                numbers.append(start)
        start = reader.line_num + 1
    return _table(header or [], rows, origin, numbers, header_line)


# ---------------------------------------------------------------------------
# XLSX


class XlsxSource(DataSource):
    name = "xlsx"
    title = "Excel 工作簿"
    description = "Reads a table from one sheet of an Excel .xlsx workbook whose first row names the columns."
    params_schema = _schema({
        "path": _PATH,
        "sheet": {
            "type": "string", "minLength": 1,
            "title": "工作表 / Sheet",
            "description": "工作表名称，默认第一个工作表 / sheet name, default the first sheet",
        },
    }, ["path"])

    def read(self, params: Mapping[str, Any], base_dir: Path) -> RawTable:
        file = locate(params, base_dir)
        if file.suffix.lower() == ".xls":  # an old workbook named under source: xlsx
            return XlsSource().read(params, base_dir)
        try:
            import openpyxl  # imported by the one source that reads workbooks: every other run is spared it

            book = openpyxl.load_workbook(file, read_only=True, data_only=True)
        except MemoryError:
            raise  # not a format problem: kaohe.engine.data.load names the file (E-DATA-TOO-LARGE)
        except Exception:  # zip, XML or format errors all mean "not a workbook"
            raise _fail("E-DATA-NOT-XLSX", file, file=str(file)) from None
        try:
            sheet = _sheet(book, params.get("sheet"), file)
            sheet.reset_dimensions()  # stored dimensions are often wrong; read what is there
            origin = _origin(file, sheet.title, book.sheetnames)
            table = _read_rows(_xlsx_values(sheet), origin)
            if _has_formulas(file):
                _refuse_uncached_formulas(openpyxl, file, sheet, origin)
            return table
        except (KaoheError, MemoryError):
            raise
        except Exception:
            raise _fail("E-DATA-NOT-XLSX", file, file=str(file)) from None
        finally:
            book.close()


def _has_formulas(file: Path) -> bool:
    """Whether any sheet of the workbook holds a formula (``<f>`` in its XML): most office workbooks
    hold none, and are spared reading the sheet a second time."""
    import zipfile

    with zipfile.ZipFile(file) as archive:
        return any(b"<f>" in archive.read(name) or b"<f " in archive.read(name)
                   for name in archive.namelist() if name.startswith("xl/worksheets/") and name.endswith(".xml"))


def _refuse_uncached_formulas(openpyxl: Any, file: Path, sheet: Any, origin: str) -> None:
    """A formula cell whose result the file does not hold (written by a program, never opened and
    saved in Excel) reads as empty: the subject would score 0 as if it had no data. Said, located."""
    formulas = openpyxl.load_workbook(file, read_only=True, data_only=False)
    try:
        written = formulas[sheet.title]
        written.reset_dimensions()
        problems = [
            Diagnostic("E-DATA-FORMULA-UNCACHED", {"formula": str(cell.value)}, file=origin, line=cell.row,
                       column=cell.column)
            for cells, values in zip(written.iter_rows(), sheet.iter_rows(), strict=False)
            for cell, value in zip(cells, values, strict=False)
            if isinstance(cell.value, str) and cell.value.startswith("=") and value.value is None
        ]
    finally:
        formulas.close()
    if problems:
        raise KaoheError(problems)


def _sheet(book: Any, name: Any, file: Path) -> Any:
    if name is None:
        if not book.worksheets:
            raise _fail("E-DATA-NOT-XLSX", file, file=str(file))
        return book.worksheets[0]
    if name not in book.sheetnames:
        raise _fail("E-DATA-SHEET", file, file=str(file), sheet=name,
                    available=", ".join(book.sheetnames), suggest=did_you_mean(name, book.sheetnames))
    return book[name]


def _origin(file: Path, sheet: str, sheets: list[str]) -> str:
    """The file, and the sheet when the workbook has several (``book.xlsx#考核对象表``)."""
    return f"{file}#{sheet}" if len(sheets) > 1 else str(file)


def _xlsx_values(sheet: Any) -> Iterator[list[Any]]:
    """Each row's values; a number in a cell formatted as a percentage (97% holds 0.97) is a ``Percent``."""
    percent: dict[int, bool] = {}
    for cells in sheet.iter_rows():
        row = []
        for cell in cells:
            value = cell.value
            if type(value) in (float, int):
                style = getattr(cell, "_style_id", 0)
                if style not in percent:
                    percent[style] = _scales_by_100(str(getattr(cell, "number_format", "")))
                if percent[style]:
                    value = Percent(value)
            row.append(value)
        yield row


def _scales_by_100(number_format: str) -> bool:
    """Whether an Excel number format shows the value times 100 (``0%``, ``0.0%``); a quoted or
    escaped percent sign (``0"%"``, ``0\\%``) is a literal that does not scale."""
    return "%" in re.sub(r'"[^"]*"|\\.', "", number_format)


def _read_rows(values: Iterable[Sequence[Any]], origin: str) -> RawTable:
    header: list[Any] | None = None
    header_line: int | None = None
    rows: list[list[Any]] = []
    numbers: list[int] = []
    # read-only sheets yield every row from row 1, empty ones included
    for number, cells in enumerate(values, start=1):
        if not any(c is not None and c != "" for c in cells):
            continue
        if header is None:
            header, header_line = list(cells), number
        else:
            rows.append(list(cells))
            numbers.append(number)
    return _table(header or [], rows, origin, numbers, header_line)


# ---------------------------------------------------------------------------
# XLS (Excel 97-2003)


class XlsSource(DataSource):
    name = "xls"
    title = "Excel 97-2003 工作簿"
    description = ("Reads a table from one sheet of an old Excel .xls workbook (through python-calamine); "
                   "rows are numbered as Excel shows them.")
    params_schema = XlsxSource.params_schema

    def read(self, params: Mapping[str, Any], base_dir: Path) -> RawTable:
        file = locate(params, base_dir)
        try:
            import python_calamine  # imported only when an .xls is read

            book = python_calamine.CalamineWorkbook.from_path(str(file))
        except MemoryError:
            raise
        except Exception:  # calamine's own errors, a zip or a text file named .xls
            raise _fail("E-DATA-NOT-XLS", file, file=str(file)) from None
        try:
            names = list(book.sheet_names)
            name = params.get("sheet")
            if name is None and not names:
                raise _fail("E-DATA-NOT-XLS", file, file=str(file))
            if name is not None and name not in names:
                raise _fail("E-DATA-SHEET", file, file=str(file), sheet=name,
                            available=", ".join(names), suggest=did_you_mean(name, names))
            title = name if name is not None else names[0]
            rows = book.get_sheet_by_name(title).to_python(skip_empty_area=False)
            return _read_rows(([None if c == "" else c for c in row] for row in rows), _origin(file, title, names))
        except (KaoheError, MemoryError):
            raise
        except Exception:
            raise _fail("E-DATA-NOT-XLS", file, file=str(file)) from None
        finally:
            book.close()


# ---------------------------------------------------------------------------
# JSON and inline rows


class JsonSource(DataSource):
    name = "json"
    title = "JSON 文件"
    description = "Reads a table from a JSON file holding a list of row objects, or {\"rows\": [...]}."
    params_schema = _schema({"path": _PATH}, ["path"])

    def read(self, params: Mapping[str, Any], base_dir: Path) -> RawTable:
        file = locate(params, base_dir)
        try:
            data = json.loads(file.read_text(encoding="utf-8-sig"))
        except UnicodeError as exc:
            line, column = _undecodable_at(file, exc)
            raise _fail("E-DATA-ENCODING", file, line, column, file=str(file), encoding="utf-8") from None
        except json.JSONDecodeError as exc:
            raise _fail("E-DATA-JSON-SYNTAX", file, exc.lineno, exc.colno, problem=json_problem(exc.msg)) from None
        except OSError as exc:
            raise _fail("E-DATA-SOURCE", file, table=str(file), problem=unreadable(exc)) from None
        origin = str(file)
        if isinstance(data, dict) and isinstance(data.get("rows"), list):
            data, origin = data["rows"], f"{file}#rows"
        if not isinstance(data, list):
            raise _fail("E-DATA-JSON-SHAPE", file, file=str(file))
        return rows_table(data, origin)


class InlineSource(DataSource):
    name = "inline"
    title = "内联数据"
    description = "Takes a table's rows written directly in YAML, as test cases do."
    params_schema = _schema({
        "rows": {
            "type": "array", "items": {"type": "object"},
            "title": "数据行 / Rows",
            "description": "每行一个 “列名: 值” 映射 / one mapping of column: value per row",
        },
        "origin": {
            "type": "string", "minLength": 1, "default": "<inline>",
            "title": "来源名称 / Origin",
            "description": "报错时显示的来源名称 / name shown as the file in error messages",
        },
    }, ["rows"])

    def read(self, params: Mapping[str, Any], base_dir: Path) -> RawTable:
        rows = params.get("rows")
        origin = str(params.get("origin") or "<inline>")
        if not isinstance(rows, list):
            raise _fail("E-DATA-JSON-SHAPE", origin, file=origin)
        return rows_table(rows, origin)


def rows_table(records: list[Any], origin: str) -> RawTable:
    """A table from a list of mappings; columns in order of first appearance."""
    problems = []
    columns: dict[str, None] = {}
    for number, record in enumerate(records, start=1):
        if not isinstance(record, Mapping):
            problems.append(Diagnostic("E-DATA-ROW-NOT-MAPPING", {}, file=origin, line=number))
            continue
        for key, value in record.items():
            columns.setdefault(str(key), None)
            if isinstance(value, (list, dict, tuple, set)):
                problems.append(Diagnostic("E-DATA-CELL-NOT-SCALAR", {"column": str(key)},
                                           file=origin, line=number, path=str(key)))
    if problems:
        raise KaoheError(problems)
    names = list(columns)
    rows = [[_get(record, name) for name in names] for record in records]
    return _table(names, rows, origin, list(range(1, len(records) + 1)), None)


def _get(record: Mapping[Any, Any], name: str) -> Any:
    if name in record:
        return record[name]
    # YAML may key a column by a number (2025: …); columns are named by text
    return next((v for k, v in record.items() if str(k) == name), None)


@hookimpl
def register_data_sources(register: Registrar) -> None:
    for source in (CsvSource, XlsxSource, XlsSource, JsonSource, InlineSource):
        register.data_source(source)


def unreadable(exc: Exception) -> Bilingual:
    """A data file the csv module or the system could not read, in both languages."""
    return Bilingual(f"无法读取（{type(exc).__name__}）", str(exc))


_JSON_PROBLEMS = {
    "Expecting value": "这里缺少一个值", "Expecting ',' delimiter": "缺少逗号",
    "Expecting ':' delimiter": "缺少冒号", "Expecting property name enclosed in double quotes": "键名要用双引号",
    "Unterminated string starting at": "引号没有闭合", "Extra data": "JSON 结束后还有多余的内容",
    "Invalid control character at": "含有不能直接写的控制字符", "Invalid \\escape": "反斜杠转义无效",
}


def json_problem(message: str) -> Bilingual:
    """Python's JSON parser wording, in both languages."""
    return Bilingual(next((zh for en, zh in _JSON_PROBLEMS.items() if message.startswith(en)), "写法有误"), message)

