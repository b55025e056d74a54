"""Built-in exporters: the results document as JSON, CSV and XLSX.

CSV and XLSX carry the same table (one row per subject per period), built
once by ``result_table`` so the two can never drift apart. Every exporter is
deterministic: the same document always gives the same bytes (no
timestamps, fixed zip metadata), so results can be compared and signed.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

from kaohe.engine.components import Exporter
from kaohe.engine.errors import Diagnostic, KaoheError
from kaohe.engine.hookspecs import Registrar, hookimpl

NO_PARAMS: dict[str, Any] = {"type": "object", "additionalProperties": False, "required": [],
                             "properties": {}}

FRONT = ["周期", "编号", "名称", "单位", "类别", "分组"]
BACK = ["小计", "加分", "扣分", "系数", "总分", "排名", "组内人数", "等次", "等次说明", "一票否决"]
ADJUSTMENT_HEADER = ["周期", "编号", "名称", "规则", "类型", "分值", "事件日期", "事件类型"]
ADJUSTMENT_KIND = {"bonus": "加分", "deduction": "扣分"}
MONEY = re.compile(r"^-?\d+(\.\d+)?$")

# ---------------------------------------------------------------------------
# The shared table


def result_table(document: Mapping[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """Header and rows (one per subject per period) shared by CSV and XLSX.

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


def column_titles(indicators: list[tuple[str, str]], outcomes: list[tuple[str, str]]) -> list[str]:
    """All column titles; an indicator or outcome title used twice gets "(id)" appended."""
    counts = Counter([*FRONT, *BACK, *(t for _, t in indicators), *(t for _, t in outcomes)])

    def unique(pairs: list[tuple[str, str]]) -> list[str]:
        return [f"{title}({ident})" if counts[title] > 1 else title for ident, title in pairs]

    return [*FRONT, *unique(indicators), *BACK, *unique(outcomes)]


def _row(period: str, s: Mapping[str, Any], indicators: list[tuple[str, str]],
         outcomes: list[tuple[str, str, bool]]) -> list[Any]:
    scores = s["indicators"]
    values = s["outcomes"]
    return [
        period, s["id"], s["name"], s["unit"], s["class"], s["group"],
        *[(scores.get(ident) or {}).get("score") for ident, _ in indicators],
        s["subtotal"], s["bonus"], s["deduction"], s["coefficient"], s["total"], s["rank"],
        s["group_size"], s["grade"], s["grade_reason"]["text"], "、".join(s["vetoes"]),
        *[_outcome_cell((values.get(ident) or {}).get("value"), money) for ident, _, money in outcomes],
    ]


def _outcome_cell(value: Any, money: bool) -> Any:
    # Money travels as exact decimal text; Decimal keeps it exact and lets
    # XLSX store it as a number people can sum.
    if money and isinstance(value, str) and MONEY.match(value):
        return Decimal(value)
    return value


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
    description = "The full results document as indented UTF-8 JSON (schemas/results.schema.json)."
    params_schema = NO_PARAMS
    suffix = ".json"

    def export(self, document: Mapping[str, Any]) -> bytes:
        try:
            text = json.dumps(document, ensure_ascii=False, indent=2, allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise KaoheError(Diagnostic("E-EXPORT-VALUE", {"format": "json", "problem": str(exc)})) from None
        return (text + "\n").encode("utf-8")


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


# ---------------------------------------------------------------------------
# XLSX (the workbook itself is written by kaohe.plugins.xlsx_workbook, which imports openpyxl)


class XlsxExporter(Exporter):
    name = "xlsx"
    title = "Excel 工作簿"
    description = "An Excel workbook: the results table and a sheet listing every bonus and deduction."
    params_schema = NO_PARAMS
    suffix = ".xlsx"

    def export(self, document: Mapping[str, Any]) -> bytes:
        from kaohe.plugins.xlsx_workbook import (  # openpyxl: only here
            ADJUSTMENT_SHEET,
            RESULT_SHEET,
            workbook_bytes,
        )

        header, rows = result_table(document)
        return workbook_bytes([(RESULT_SHEET, header, rows),
                               (ADJUSTMENT_SHEET, ADJUSTMENT_HEADER, adjustment_rows(document))])


@hookimpl
def register_exporters(register: Registrar) -> None:
    register.exporter(JsonExporter)
    register.exporter(CsvExporter)
    register.exporter(XlsxExporter)
