"""Built-in exporters: the results document as JSON, CSV and XLSX.

CSV and XLSX carry the same table (one row per subject per period), built
once by ``result_table`` so the two can never drift apart. Every exporter is
deterministic: the same document always gives the same bytes (no
timestamps, fixed zip metadata), so results can be compared and signed.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import math
import re
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any, BinaryIO, NamedTuple

import numpy as np
import orjson

from kaohe.engine.components import ExportedResults, Exporter
from kaohe.engine.data.columnar import arrow_call, text_bytes
from kaohe.engine.data.tables import paused_gc
from kaohe.engine.errors import Diagnostic, KaoheError
from kaohe.engine.hookspecs import Registrar, hookimpl
from kaohe.engine.report.results import with_record_lines
from kaohe.engine.report.stream_json import write_json
from kaohe.engine.report.table import column_titles, outcome_cell

NO_PARAMS: dict[str, Any] = {"type": "object", "additionalProperties": False, "required": [],
                             "properties": {}}

ADJUSTMENT_HEADER = ["周期", "编号", "名称", "规则", "类型", "分值", "事件日期", "事件类型"]
ADJUSTMENT_KIND = {"bonus": "加分", "deduction": "扣分"}

# ---------------------------------------------------------------------------
# The shared table


def result_table(document: Mapping[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """Header and rows (one per subject per period) shared by CSV and XLSX, read from a document
    (``kaohe.engine.report.table`` makes the same table from an evaluation's columns).

    Cells are plain values: str, int, float, Decimal (money), bool or None;
    each format decides how to write them.
    """
    with _document_keys("csv/xlsx"):
        indicators = [(i["id"], i["title"]) for i in document["indicators"]]
        outcomes = [(o["id"], o["title"], o.get("kind") == "allocator") for o in document["outcomes"]]
        header = column_titles(indicators, [(o[0], o[1]) for o in outcomes])
        rows = [_row(period["period"], subject, indicators, outcomes)
                for period in document["periods"] for subject in period["subjects"]]
    return header, rows


def _row(period: str, s: Mapping[str, Any], indicators: list[tuple[str, str]],
         outcomes: list[tuple[str, str, bool]]) -> list[Any]:
    scores = s["indicators"]
    values = s["outcomes"]
    return [
        period, s["id"], s["name"], s["unit"], s["class"], s["group"],
        *[(scores.get(ident) or {}).get("score") for ident, _ in indicators],
        s["subtotal"], s["bonus"], s["deduction"], s["coefficient"], s["total"], s["rank"],
        s["group_size"], s["grade"], s["grade_reason"]["text"], "、".join(s["vetoes"]),
        *[outcome_cell((values.get(ident) or {}).get("value"), money) for ident, _, money in outcomes],
    ]


def adjustment_rows(document: Mapping[str, Any]) -> list[list[Any]]:
    """One row per adjustment: 周期, 编号, 名称, 规则, 类型, 分值, 事件日期, 事件类型."""
    rows = []
    with _document_keys("xlsx"):
        for period in document["periods"]:
            for s in period["subjects"]:
                for a in s["adjustments"]:
                    event = a.get("event") or {}
                    rows.append([period["period"], s["id"], s["name"], a.get("title") or a["rule"],
                                 ADJUSTMENT_KIND.get(a["kind"], a["kind"]), a["points"],
                                 event.get("date"), event.get("type")])
    return rows


@contextlib.contextmanager
def _document_keys(fmt: str) -> Iterator[None]:
    """Turn a missing key in a malformed document into a diagnostic."""
    try:
        yield
    except KeyError as exc:
        raise KaoheError(Diagnostic("E-EXPORT-DOCUMENT", {"format": fmt, "missing": str(exc.args[0])})) from None


# ---------------------------------------------------------------------------
# JSON


class JsonExporter(Exporter):
    name = "json"
    title = "JSON 结果文档"
    description = ("The full results document as UTF-8 JSON (schemas/results.schema.json): indented, "
                   "each subject's record on one line.")
    params_schema = NO_PARAMS
    suffix = ".json"

    # orjson (C) instead of json.dumps (pure Python when indenting), several times faster
    def export(self, document: Mapping[str, Any]) -> bytes:
        out = io.BytesIO()
        write_json(with_record_lines(dict(document)), out)
        return out.getvalue() + b"\n"

    def write(self, results: ExportedResults, out: BinaryIO) -> None:
        with paused_gc():  # millions of small texts, no cycles: the collector would rescan them
            write_json(results.document_stream(), out)  # a period at a time, never the whole document
        out.write(b"\n")


# ---------------------------------------------------------------------------
# CSV

# Text that Excel would run as a formula (CSV injection) is quoted with "'"; spreadsheet programs
# read the full-width signs a Chinese keyboard types (＝ ＋ － ＠) as formulas too.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def csv_cell(value: Any) -> str:
    """The text of one CSV cell: shortest float text, 是/否, empty for None."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else ""
    if isinstance(value, int | Decimal):
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


class CsvExporter(Exporter):
    name = "csv"
    title = "CSV 表格"
    description = "One row per subject per period with Chinese headers, UTF-8 with BOM so Excel opens it."
    params_schema = NO_PARAMS
    suffix = ".csv"

    def export(self, document: Mapping[str, Any]) -> bytes:
        header, rows = result_table(document)
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow([csv_cell(h) for h in header])  # titles come from the ruleset: escaped like data
        writer.writerows([csv_cell(v) for v in row] for row in rows)
        return buffer.getvalue().encode("utf-8-sig")

    def write(self, results: ExportedResults, out: BinaryIO) -> None:
        """The same bytes as ``export``, from the columns: a period at a time, a column at a time
        (each column's texts made and quoted as a whole, then the rows joined)."""
        header = [csv_cell(h) for h in results.header()]
        if len(header) < 2:  # csv quotes a row's only empty field: leave such tables to it
            super().write(results, out)
            return
        out.write(codecs.BOM_UTF8)
        out.write(csv_lines([csv_quoted([h]) for h in header]))
        for columns in results.period_columns():
            write_rows([csv_cells(c) for c in columns], out)


NUMBER_TYPES = frozenset({int, float, type(None)})
_INFINITE = (math.inf, -math.inf)
# csv.writer (QUOTE_MINIMAL, lineterminator "\r\n") quotes a field holding one of these
_CSV_SPECIAL = re.compile(r'[,"\r\n]')
_LINE_STARTS_FORMULA = tuple("\n" + sign for sign in _FORMULA_START)


def csv_lines(columns: list[list[str]]) -> bytes:
    """Rows of quoted cells (a list per column) as csv.writer writes them, UTF-8."""
    return "".join([",".join(row) + "\r\n" for row in zip(*columns, strict=True)]).encode("utf-8")


def csv_quoted(texts: list[str]) -> list[str]:
    """Cells as csv.writer writes them: in quotes, quotes doubled, when one holds , " CR or LF."""
    joined = "".join(texts)
    if not any(special in joined for special in ',"\r\n'):  # a substring search each, in C
        return texts
    return ['"' + t.replace('"', '""') + '"' if _CSV_SPECIAL.search(t) else t for t in texts]


class CsvCells(NamedTuple):
    """A column's cells as written (quoted where needed): a cell per row, or, for a number column,
    each distinct value's cell (``words``) and which one each row has (``where``)."""

    words: list[str]
    where: np.ndarray | None = None

    @property
    def rows(self) -> int:
        return len(self.words) if self.where is None else len(self.where)

    def texts(self) -> list[str]:
        if self.where is None:
            return self.words
        texts: list[str] = np.array(self.words, dtype=object)[self.where].tolist()
        return texts


def csv_cells(values: list[Any] | np.ndarray) -> CsvCells:
    """A column of ``table.period_columns`` as CSV cells (``csv_cell`` of each value, quoted)."""
    if isinstance(values, np.ndarray):  # a number column: NaN for none, whole numbers as integers
        # each distinct value worded once (scores repeat: bands, full marks, 0), then spread by index;
        # a number's word never holds a character to quote
        return CsvCells(*_distinct(values))
    return CsvCells(csv_quoted(csv_column(values)))


def csv_column(values: list[Any] | np.ndarray) -> list[str]:
    """``csv_cell`` of every value, with the common columns (numbers, all text) on a fast path."""
    if isinstance(values, np.ndarray):
        return csv_cells(values).texts()
    kinds = set(map(type, values))
    if kinds <= NUMBER_TYPES:
        return ["" if v is None else (repr(v) if v == v and v not in _INFINITE else "") for v in values]
    if kinds == {str}:
        lines = "\n" + "\n".join(values)
        if not any(start in lines for start in _LINE_STARTS_FORMULA):  # no cell starts like a formula
            return values if isinstance(values, list) else list(values)
        return ["'" + v if v.startswith(_FORMULA_START) else v for v in values]
    return [csv_cell(v) for v in values]


def _distinct(values: np.ndarray) -> tuple[list[str], np.ndarray]:
    """The distinct values' words and each value's: a long column hashed by Arrow, a short one
    sorted by numpy (the words are the same either way; only their order differs)."""
    if len(values) < ARROW_ROWS:
        distinct, where = np.unique(values, return_inverse=True)
        return number_words(distinct), where.reshape(-1)
    import pyarrow as pa

    coded = arrow_call("dictionary_encode", pa.array(values, pa.float64()))
    return number_words(coded.dictionary.to_numpy(zero_copy_only=False)), coded.indices.to_numpy()


ARROW_ROWS = 20_000  # a period of at least this many rows is joined by Arrow (in C), not row by row
ROWS_PER_WRITE = 65_536


def write_rows(columns: list[CsvCells], out: BinaryIO) -> None:
    """The rows of ``columns`` as ``csv_lines`` writes them; a long table's rows joined by Arrow
    (``pyarrow.compute.binary_join_element_wise``, the same bytes, several times sooner), a
    short one's without importing it."""
    n = columns[0].rows if columns else 0
    if n < ARROW_ROWS:
        out.write(csv_lines([c.texts() for c in columns]))
        return
    import pyarrow as pa

    text = pa.large_string()  # 64-bit offsets: no limit on a block's bytes
    arrays = [pa.array(c.words, text) if c.where is None else arrow_call("take", pa.array(c.words, text), pa.array(c.where))
              for c in columns]
    for start in range(0, n, ROWS_PER_WRITE):
        part = [a.slice(start, ROWS_PER_WRITE) for a in arrays]
        part[-1] = arrow_call("binary_join_element_wise", part[-1], pa.scalar("\r\n", text), pa.scalar("", text))
        rows = arrow_call("binary_join_element_wise", *part, pa.scalar(",", text))
        assert rows.null_count == 0, "a CSV cell is text, never null"
        out.write(text_bytes(rows))


def number_words(values: np.ndarray) -> list[str]:
    """Distinct shown numbers (``table.number_column``) as CSV cells: empty for NaN, whole numbers
    as integers (``str(int(v))``), the others as ``repr``. orjson writes the same shortest
    round-trip digits as ``repr`` and, from 1e-4 up, the same plain notation: it words those in
    bulk; ``repr`` the rest (below 1e-4 it writes 1e-05 where orjson writes 0.00001)."""
    finite = np.isfinite(values)
    integral = finite & (values == np.floor(values))
    whole = integral & (np.abs(values) < 2.0 ** 63)
    plain = finite & ~integral & (np.abs(values) >= 1e-4)
    words = np.full(len(values), "", dtype=object)
    for mask, chosen in ((whole, values[whole].astype(np.int64)), (plain, values[plain])):
        if mask.any():
            words[mask] = orjson.dumps(chosen, option=orjson.OPT_SERIALIZE_NUMPY)[1:-1].decode().split(",")
    for k in np.flatnonzero(finite & ~whole & ~plain).tolist():
        v = float(values[k])
        words[k] = str(int(v)) if v.is_integer() else repr(v)
    texts: list[str] = words.tolist()
    return texts


# ---------------------------------------------------------------------------
# XLSX (the workbook itself is written by kaohe.plugins.xlsx_workbook, which imports openpyxl)


class XlsxExporter(Exporter):
    name = "xlsx"
    title = "Excel 工作簿"
    description = ("A printable Excel workbook: a summary, one ranking sheet per period, every bonus and "
                   "deduction, the publicity lists and the feedback-talk registers.")
    params_schema = NO_PARAMS
    suffix = ".xlsx"

    def export(self, document: Mapping[str, Any]) -> bytes:
        from kaohe.plugins.workbook_sheets import workbook_sheets
        from kaohe.plugins.xlsx_workbook import workbook_bytes  # openpyxl: only here

        with _document_keys("xlsx"):
            sheets = workbook_sheets(document)
        return workbook_bytes(sheets)

    def write(self, results: ExportedResults, out: BinaryIO) -> None:
        """The same workbook as ``export``, its periods read from the evaluation's columns (no
        per-subject document); from the document when one is built already."""
        evaluation = _columns_of(results)
        if evaluation is None:
            super().write(results, out)  # the document's workbook
            return
        from kaohe.engine.report.results import document_head
        from kaohe.plugins.workbook_sheets import sheets_of, views_of_evaluation
        from kaohe.plugins.xlsx_workbook import workbook_bytes

        with paused_gc():  # millions of cell texts, no cycles
            sheets = sheets_of(document_head(evaluation), views_of_evaluation(evaluation))
            out.write(workbook_bytes(sheets))


def _columns_of(results: ExportedResults) -> Any | None:
    """The evaluation whose columns an exporter reads, or None when it should read the document
    (one built already, or results that are not an evaluation's)."""
    from kaohe.engine.report.output import Results

    return results.evaluation if isinstance(results, Results) and not results.has_document else None


# ---------------------------------------------------------------------------
# HTML (the report of engine/report/html/: from the evaluation, what kaohe report writes; from a
# document alone, without what only the evaluation knows: quota places, grade lines, distance to
# the next grade, clauses)


class HtmlExporter(Exporter):
    name = "html"
    title = "HTML 报告"
    description = "One self-contained HTML report of the last period, as kaohe report writes it (no network)."
    params_schema = NO_PARAMS
    suffix = ".html"
    last_period_only = True

    def export(self, document: Mapping[str, Any]) -> bytes:
        from kaohe.engine.report.html.build import from_document, html_bytes

        with _document_keys("html"):
            return html_bytes(from_document(document))

    def write(self, results: ExportedResults, out: BinaryIO) -> None:
        """``kaohe report``'s report of the last period, read from the evaluation's columns; from
        the document alone (quota places, lines and clauses left out) when one is built already."""
        evaluation = _columns_of(results)
        if evaluation is None:
            super().write(results, out)
            return
        from kaohe.engine.report.html.build import from_evaluation, html_bytes

        with paused_gc():  # many small strings and lists, no cycles
            out.write(html_bytes(from_evaluation(evaluation)))


@hookimpl
def register_exporters(register: Registrar) -> None:
    register.exporter(JsonExporter)
    register.exporter(CsvExporter)
    register.exporter(XlsxExporter)
    register.exporter(HtmlExporter)
