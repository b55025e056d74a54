"""The results document schema, the json/csv/xlsx exporters and atomic writes.

The fixture tests/fixtures/results_small.json is hand-made: 2 quarters × 3
departments with a quota demotion (D02 in Q1), a veto and an event deduction
(D03 in Q1), and an excluded subject (D03 in Q2). Its numbers are worked out
in the comments of the tests that read them.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import os
import re
import stat
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema
import openpyxl
import pytest

import kaohe.engine.report.atomic
from kaohe.engine.errors import KaoheError
from kaohe.engine.registry import build_registry, make_plugin_manager
from kaohe.engine.report.atomic import write_atomic, write_atomic_with
from kaohe.plugins import xlsx_workbook
from kaohe.plugins.exporters import (
    CsvExporter,
    JsonExporter,
    XlsxExporter,
    adjustment_rows,
    column_titles,
    csv_cell,
    result_table,
)

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "schemas" / "results.schema.json").read_text(encoding="utf-8"))
FIXTURE = ROOT / "tests" / "fixtures" / "results_small.json"

HEADER = [
    "周期", "编号", "名称", "单位", "类别", "分组",
    "经济发展类", "招商引资", "财政收入", "服务评价",
    "小计", "加分", "扣分", "系数", "总分", "排名", "组内人数", "等次", "等次说明", "一票否决",
    "绩效奖金", "预警", "评优资格",
]


@pytest.fixture
def document() -> dict[str, Any]:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def errors_of(document: dict[str, Any]) -> list[jsonschema.ValidationError]:
    return list(jsonschema.Draft202012Validator(SCHEMA).iter_errors(document))


def subject(document: dict[str, Any], period: int, index: int) -> dict[str, Any]:
    return document["periods"][period]["subjects"][index]


# ---------------------------------------------------------------------------
# Schema


def test_schema_is_valid_draft_2020_12() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$id"] == "https://kaohe.example/schemas/results.schema.json"
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert {"subject", "indicator_score", "adjustment", "event", "outcome_value"} <= set(SCHEMA["$defs"])


def _properties(node: Any, path: str = "") -> list[tuple[str, dict[str, Any]]]:
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "properties" and isinstance(value, dict) and path.split("/")[-1] != "properties":
                found += [(f"{path}/{name}", sub) for name, sub in value.items()]
            found += _properties(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _properties(value, f"{path}/{i}")
    return found


def test_every_property_has_bilingual_title_and_description() -> None:
    props = [(p, s) for p, s in _properties(SCHEMA) if "/if/" not in p and "/then/" not in p]
    assert len(props) > 60
    for path, sub in props:
        for key in ("title", "description"):
            chinese, _, english = sub.get(key, "").partition("/ ")
            assert re.search(r"[\u4e00-\u9fff]", chinese), (path, key)
            assert re.search(r"[A-Za-z]", english), (path, key)


def test_fixture_validates(document: dict[str, Any]) -> None:
    assert errors_of(document) == []
    assert [len(p["subjects"]) for p in document["periods"]] == [3, 3]


def test_year_rollup_validates(document: dict[str, Any]) -> None:
    year = copy.deepcopy(document["periods"][1])
    year["period"], year["kind"] = "2025", "year"
    for s in year["subjects"]:
        s["rollup"] = {"periods": {"2025Q1": 88.1, "2025Q2": None}, "weight": 0.7,
                       "annual": {"annual_review": 27.0}, "bonus": 0.7, "deduction": 0}
    document["periods"].append(year)
    assert errors_of(document) == []


def _break(document: dict[str, Any], change: str) -> None:
    q1_d02, q1_d03, q2_d03 = subject(document, 0, 1), subject(document, 0, 2), subject(document, 1, 2)
    if change == "missing digest":
        del document["ruleset"]["digest"]
    elif change == "short digest":
        document["data"]["digest"] = "sha256:abc"
    elif change == "score as string":
        q1_d02["indicators"]["investment"]["score"] = "19.2"
    elif change == "unknown grade_reason code":
        q1_d02["grade_reason"]["code"] = "luck"
    elif change == "quota without from":
        del q1_d02["grade_reason"]["from"]
    elif change == "veto without rule":
        del q1_d03["grade_reason"]["rule"]
    elif change == "excluded with rank":
        q2_d03["rank"] = 3
    elif change == "unknown status":
        q1_d02["indicators"]["revenue"]["status"] = "guessed"
    elif change == "unknown subject key":
        q1_d02["bonus_points"] = 1
    elif change == "adjustment kind":
        q1_d03["adjustments"][0]["kind"] = "penalty"
    elif change == "event without row":
        del q1_d03["adjustments"][0]["event"]["row"]
    elif change == "leaf trace half present":
        del q1_d02["indicators"]["investment"]["inputs"]
    elif change == "money as object":
        q1_d02["outcomes"]["pool"]["value"] = {"amount": "1"}
    elif change == "bad period id":
        document["periods"][0]["period"] = "2025 Q1"
    elif change == "wrong format":
        document["kaohe"] = "results/2"


BROKEN = ["missing digest", "short digest", "score as string", "unknown grade_reason code",
          "quota without from", "veto without rule", "excluded with rank", "unknown status",
          "unknown subject key", "adjustment kind", "event without row", "leaf trace half present",
          "money as object", "bad period id", "wrong format"]


@pytest.mark.parametrize("change", BROKEN)
def test_broken_copies_do_not_validate(document: dict[str, Any], change: str) -> None:
    _break(document, change)
    assert errors_of(document), change


# ---------------------------------------------------------------------------
# The shared table


def test_result_table_header_and_rows(document: dict[str, Any]) -> None:
    header, rows = result_table(document)
    assert header == HEADER
    assert len(rows) == 6  # 2 periods × 3 subjects, period by period in data order
    # Q1 D01: 22.5 + 16 = 38.5 economy; + 51 service = 89.5; (89.5 + 1 − 0) × 1.1 = 99.55
    assert rows[0][:20] == ["2025Q1", "D01", "招商局", "区政府", "frontline", "frontline",
                            38.5, 22.5, 16, 51, 89.5, 1, 0, 1.1, 99.55, 1, 3, "优秀",
                            "总分 99.55 ≥ 优秀分数线 90", ""]
    # money becomes an exact Decimal; flags stay booleans; absent warnings stay None
    assert rows[0][20:] == [Decimal("163636.36"), None, True]
    assert rows[2][19:] == ["safety_accident", Decimal("0.00"), "黄色预警", False]
    # Q2 D03 is excluded: no scores, no total, no rank, no grade, no outcome values
    assert rows[5][6:11] == [None] * 5
    assert rows[5][14:18] == [None, None, 2, None]
    assert rows[5][20:] == [None, None, None]


def test_duplicate_titles_get_their_id() -> None:
    titles = column_titles([("a", "得分"), ("b", "得分"), ("c", "总分"), ("d", "服务")],
                           [("pool", "奖金"), ("warn", "服务")])
    assert titles[6:10] == ["得分(a)", "得分(b)", "总分(c)", "服务(d)"]
    assert titles[-2:] == ["奖金", "服务(warn)"]
    assert titles.count("总分") == 1


def test_adjustment_rows(document: dict[str, Any]) -> None:
    assert adjustment_rows(document) == [
        ["2025Q1", "D01", "招商局", "省级表彰", "加分", 1, "2025-03-10", "表彰"],
        ["2025Q1", "D03", "审批局", "督办红牌", "扣分", -2, "2025-02-03", "红牌"],
        ["2025Q2", "D02", "财政局", "财政收入增幅加分", "加分", 0.5, None, None],
    ]


def test_malformed_document_is_a_diagnostic(document: dict[str, Any]) -> None:
    del subject(document, 0, 0)["grade_reason"]
    with pytest.raises(KaoheError) as caught:
        CsvExporter().export(document)
    [diagnostic] = caught.value.diagnostics
    assert diagnostic.code == "E-EXPORT-DOCUMENT"
    assert "grade_reason" in diagnostic.message("zh")
    assert "kaohe evaluate" in diagnostic.message("en")


# ---------------------------------------------------------------------------
# JSON


def test_json_export_is_stable_utf8(document: dict[str, Any]) -> None:
    first = JsonExporter().export(document)
    assert first == JsonExporter().export(copy.deepcopy(document))
    assert first.endswith(b"}\n")
    text = first.decode("utf-8")
    assert "招商局" in text and "\\u" not in text
    assert json.loads(text) == document
    first_subject = document["periods"][0]["subjects"][0]
    assert f"\n        {json.dumps(first_subject, ensure_ascii=False, separators=(',', ':'))},\n" in text


def test_json_writes_nan_as_null_never_as_invalid_json(document: dict[str, Any]) -> None:
    """NaN is the document's "none"; strict JSON has no NaN, so it is written null (the document's none)."""
    subject(document, 0, 0)["total"] = float("nan")
    text = JsonExporter().export(document).decode("utf-8")
    assert "NaN" not in text
    assert json.loads(text, parse_constant=lambda c: pytest.fail(f"non-JSON constant {c}"))
    assert json.loads(text)["periods"][0]["subjects"][0]["total"] is None


def test_json_refuses_a_value_that_is_not_json_data(document: dict[str, Any]) -> None:
    subject(document, 0, 0)["total"] = object()
    with pytest.raises(KaoheError) as caught:
        JsonExporter().export(document)
    assert caught.value.diagnostics[0].code == "E-EXPORT-VALUE"


# ---------------------------------------------------------------------------
# CSV


def test_csv_bytes(document: dict[str, Any]) -> None:
    data = CsvExporter().export(document)
    assert data.startswith(b"\xef\xbb\xbf")
    assert data == CsvExporter().export(copy.deepcopy(document))
    text = data[3:].decode("utf-8")
    lines = text.split("\r\n")
    assert len(lines) == 8 and lines[-1] == ""  # header + 6 rows, each ended by CRLF
    assert "\n" not in text.replace("\r\n", "")
    assert lines[0] == ",".join(HEADER)
    assert lines[1] == ("2025Q1,D01,招商局,区政府,frontline,frontline,38.5,22.5,16,51,89.5,1,0,1.1,99.55,"
                        "1,3,优秀,总分 99.55 ≥ 优秀分数线 90,,163636.36,,是")
    # Q2 D02: 110/120 → 22; 45/50 → 14.4; 36.4 + 52.8 = 89.2; + 0.5 bonus = 89.7
    assert lines[5] == ("2025Q2,D02,财政局,区政府,frontline,frontline,36.4,22,14.4,52.8,89.2,0.5,0,1,89.7,"
                        "2,2,良好,总分 89.7 ≥ 良好分数线 80,,136363.64,,是")


def test_csv_reads_back(document: dict[str, Any]) -> None:
    text = CsvExporter().export(document).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == HEADER
    d03_q1 = dict(zip(HEADER, rows[3], strict=True))
    # 14.4 + 12.8 = 27.2; + 48 = 75.2; − 2 red card = 73.2
    assert d03_q1["总分"] == "73.2" and d03_q1["扣分"] == "2"
    assert d03_q1["一票否决"] == "safety_accident" and d03_q1["等次"] == "不合格"
    assert d03_q1["绩效奖金"] == "0.00" and d03_q1["评优资格"] == "否"
    d02_q1 = dict(zip(HEADER, rows[2], strict=True))
    assert d02_q1["等次说明"].startswith("优秀名额已满")
    excluded = dict(zip(HEADER, rows[6], strict=True))
    assert excluded["总分"] == excluded["排名"] == excluded["等次"] == excluded["绩效奖金"] == ""


def test_csv_several_vetoes_are_joined(document: dict[str, Any]) -> None:
    subject(document, 0, 2)["vetoes"] = ["safety_accident", "corruption"]
    rows = list(csv.reader(io.StringIO(CsvExporter().export(document).decode("utf-8-sig"))))
    assert rows[3][HEADER.index("一票否决")] == "safety_accident、corruption"


@pytest.mark.parametrize(("value", "text"), [
    (96.25, "96.25"), (0.1 + 0.2, "0.30000000000000004"), (1e-07, "1e-07"), (12, "12"),
    (None, ""), (True, "是"), (False, "否"), (Decimal("12345.00"), "12345.00"),
    (float("nan"), ""), ("招商局", "招商局"), ("=1+1", "'=1+1"), ("@cmd", "'@cmd"),
])
def test_csv_cell(value: Any, text: str) -> None:
    assert csv_cell(value) == text


# ---------------------------------------------------------------------------
# XLSX


def _workbook(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def _as_read(value: Any) -> Any:
    """How a table cell comes back from the workbook."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        return float(value)
    return None if value == "" else value


def test_xlsx_period_sheets_hold_the_csv_values(document: dict[str, Any]) -> None:
    """The workbook is laid out for print (tests/test_workbook.py); each period sheet holds the same
    values as the shared CSV table, subject by subject."""
    workbook = _workbook(XlsxExporter().export(document))
    assert workbook.sheetnames == ["概况", "结果 2025Q1", "结果 2025Q2", "加减分明细"]
    header, table = result_table(document)
    for row in table:
        sheet = workbook[f"结果 {row[0]}"]
        titles = [c.value for c in sheet[1]]
        [read] = [r for r in sheet.iter_rows(min_row=2, values_only=True) if r[titles.index("编号")] == row[1]]
        for title in ("名称", "小计", "加分", "扣分", "系数", "总分", "排名", "等次", "等次说明", "绩效奖金", "预警",
                      "评优资格"):
            assert read[titles.index(title)] == _as_read(row[header.index(title)]), (row[:2], title)
    sheet = workbook["结果 2025Q1"]
    assert sheet.freeze_panes == "D2"
    assert all(cell.font.b for cell in sheet[1])
    assert not sheet["A2"].font.b
    # numbers are numbers: 99.55 total and 163636.36 money, money shows its cents
    titles = [c.value for c in sheet[1]]
    total, money = (f"{sheet.cell(1, titles.index(t) + 1).column_letter}" for t in ("总分", "绩效奖金"))
    assert sheet[f"{total}2"].value == 99.55 and sheet[f"{total}2"].data_type == "n"
    assert sheet[f"{money}2"].value == 163636.36 and sheet[f"{money}2"].number_format == "#,##0.00"
    assert sheet[f"{money}4"].value == 0 and sheet[f"{money}4"].number_format == "#,##0.00"


def test_xlsx_adjustment_sheet(document: dict[str, Any]) -> None:
    sheet = _workbook(XlsxExporter().export(document))["加减分明细"]
    assert [list(r) for r in sheet.iter_rows(values_only=True)] == [
        ["周期", "编号", "名称", "规则", "类型", "分值", "事件日期", "事件类型", "说明"],
        ["2025Q1", "D01", "招商局", "省级表彰", "加分", 1, "2025-03-10", "表彰", None],
        ["2025Q1", "D03", "审批局", "督办红牌", "扣分", -2, "2025-02-03", "红牌", None],
        ["2025Q2", "D02", "财政局", "财政收入增幅加分", "加分", 0.5, None, None, None],
    ]


def test_xlsx_is_byte_identical(document: dict[str, Any]) -> None:
    first = XlsxExporter().export(document)
    assert first == XlsxExporter().export(copy.deepcopy(document))
    assert _workbook(first).properties.modified.year == 2000


def test_xlsx_text_is_never_a_formula(document: dict[str, Any]) -> None:
    subject(document, 0, 0)["name"] = "=HYPERLINK(\"x\")"
    subject(document, 0, 1)["name"] = "财政\x07局"  # a control character Excel refuses
    sheet = _workbook(XlsxExporter().export(document))["结果 2025Q1"]
    assert sheet["C2"].value == "=HYPERLINK(\"x\")" and sheet["C2"].data_type == "s"
    assert sheet["C3"].value == "财政局"


def test_xlsx_long_tables_continue_on_more_sheets(document: dict[str, Any],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xlsx_workbook, "MAX_SHEET_ROWS", 3)  # header + 2 rows per sheet
    workbook = _workbook(XlsxExporter().export(document))
    assert workbook.sheetnames == ["概况", "结果 2025Q1", "结果 2025Q1(2)", "结果 2025Q2", "结果 2025Q2(2)",
                                   "加减分明细", "加减分明细(2)"]
    ids = [[r[1] for r in workbook[name].iter_rows(min_row=2, values_only=True)]
           for name in workbook.sheetnames[1:5]]
    assert ids == [["D01", "D02"], ["D03"], ["D01", "D02"], ["D03"]]
    assert workbook["结果 2025Q1(2)"]["A1"].value == "排名"


# ---------------------------------------------------------------------------
# Registration


def test_registry_finds_the_exporters() -> None:
    registry = build_registry(make_plugin_manager(entry_points=False))
    assert {"json", "csv", "xlsx"} <= set(registry.names("exporter"))
    suffixes = {name: registry.get("exporter", name).suffix for name in ("json", "csv", "xlsx")}
    assert suffixes == {"json": ".json", "csv": ".csv", "xlsx": ".xlsx"}
    for name in ("json", "csv", "xlsx"):
        component = registry.get("exporter", name)
        assert component.title and component.description
        assert component.params_schema["additionalProperties"] is False


# ---------------------------------------------------------------------------
# Atomic writes


def _leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith((".tmp", ".kaohe-tmp")))


def test_write_atomic_creates_and_replaces(tmp_path: Path) -> None:
    target = tmp_path / "结果.csv"
    write_atomic(target, b"first")
    assert target.read_bytes() == b"first"
    target.chmod(0o640)
    write_atomic(target, b"second")
    assert target.read_bytes() == b"second"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640  # rewriting keeps permissions
    assert _leftovers(tmp_path) == []


def test_write_atomic_to_a_directory_fails_cleanly(tmp_path: Path) -> None:
    target = tmp_path / "out"
    target.mkdir()
    (target / "keep.txt").write_text("kept")
    with pytest.raises(KaoheError) as caught:
        write_atomic(target, b"data")
    [diagnostic] = caught.value.diagnostics
    assert diagnostic.code == "E-OUTPUT-WRITE"
    assert diagnostic.file == str(target)
    assert "文件夹" in diagnostic.message("zh") and "--out" in diagnostic.message("en")
    assert (target / "keep.txt").read_text() == "kept"
    assert _leftovers(tmp_path) == [] and _leftovers(target) == []


def test_write_atomic_failure_keeps_previous_content(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "results.json"
    target.write_bytes(b"previous")

    def no_space(src: Any, dst: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(kaohe.engine.report.atomic.os, "replace", no_space)
    with pytest.raises(KaoheError) as caught:
        write_atomic(target, b"new content")
    assert "磁盘空间不足" in caught.value.diagnostics[0].message("zh")
    assert target.read_bytes() == b"previous"
    assert _leftovers(tmp_path) == []


def test_a_streamed_write_keeps_every_piece_in_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The pieces are written by a thread (engine/report/behind.py) and flushed to disk as the file
    grows: the file holds exactly what was handed over, in order, whatever the pieces' types."""
    from kaohe.engine.report import behind

    monkeypatch.setattr(behind, "SYNC_EVERY", 1000)  # a flush every few pieces
    pieces = [f"{k:05d}|".encode() * (k % 7) for k in range(3000)]

    def fill(out: Any) -> None:
        for k, piece in enumerate(pieces):
            if k % 3 == 1:  # a buffer its owner changes once handed over: what was handed is written
                buffer = bytearray(piece)
                out.write(buffer)
                buffer[:] = b"?" * len(buffer)
            else:
                out.write(memoryview(piece) if k % 3 == 0 else piece)
        assert out.tell() == sum(map(len, pieces))  # tell waits for the thread to catch up

    target = tmp_path / "streamed.json"
    assert write_atomic_with(target, fill) == sum(map(len, pieces))
    assert target.read_bytes() == b"".join(pieces)
    assert _leftovers(tmp_path) == []


def test_a_disk_full_midway_through_a_streamed_write_keeps_the_previous_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The writing thread's error (no space left after some pieces) reaches the exporter at its next
    write: E-OUTPUT-WRITE, the previous file as it was, no temporary file left."""
    import builtins

    target = tmp_path / "results.json"
    target.write_bytes(b"previous")
    opened = builtins.open
    handed: list[int] = []

    class Filling:
        def __init__(self, handle: Any):
            self.handle, self.written = handle, 0

        def write(self, data: Any) -> int:
            self.written += len(data)
            if self.written > 5000:
                raise OSError(28, "No space left on device")
            return int(self.handle.write(data))

        def __getattr__(self, name: str) -> Any:
            return getattr(self.handle, name)

        def __enter__(self) -> Filling:
            return self

        def __exit__(self, *exc: object) -> None:
            self.handle.close()

    monkeypatch.setattr(kaohe.engine.report.atomic, "open",
                        lambda *a, **k: Filling(opened(*a, **k)), raising=False)

    def fill(out: Any) -> None:
        for _ in range(10_000):
            out.write(b"x" * 100)
            handed.append(1)

    with pytest.raises(KaoheError) as caught:
        write_atomic_with(target, fill)
    assert "磁盘空间不足" in caught.value.diagnostics[0].message("zh")
    assert len(handed) < 10_000  # the exporter was stopped, not left to make everything
    assert target.read_bytes() == b"previous"
    assert _leftovers(tmp_path) == []


def test_a_failing_exporter_stops_the_streamed_write(tmp_path: Path) -> None:
    from kaohe.engine.errors import Diagnostic

    target = tmp_path / "results.csv"
    target.write_bytes(b"previous")

    def fill(out: Any) -> None:
        out.write(b"half a file")
        raise KaoheError(Diagnostic("E-EXPORT-VALUE", {"format": "csv", "problem": "a test"}))

    with pytest.raises(KaoheError) as caught:
        write_atomic_with(target, fill)
    assert caught.value.diagnostics[0].code == "E-EXPORT-VALUE"
    assert target.read_bytes() == b"previous"
    assert _leftovers(tmp_path) == []


def test_write_atomic_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(KaoheError) as caught:
        write_atomic(tmp_path / "nowhere" / "out.csv", b"x")
    diagnostic = caught.value.diagnostics[0]
    assert diagnostic.code == "E-OUTPUT-WRITE"
    assert "文件夹不存在" in diagnostic.message("zh")
    assert "does not exist" in diagnostic.message("en")


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root may write to read-only folders")
def test_write_atomic_read_only_folder(tmp_path: Path) -> None:
    target = tmp_path / "results.csv"
    target.write_bytes(b"previous")
    tmp_path.chmod(0o500)
    try:
        with pytest.raises(KaoheError):
            write_atomic(target, b"new")
    finally:
        tmp_path.chmod(0o700)
    assert target.read_bytes() == b"previous"
    assert _leftovers(tmp_path) == []


def test_csv_titles_and_full_width_signs_are_never_formulas(document: dict[str, Any]) -> None:
    document["indicators"][0]["title"] = "=cmd|' /C calc'!A0"  # a title reaches the header row
    subject(document, 0, 0)["name"] = "＝1+1"  # a full-width = typed on a Chinese keyboard
    rows = list(csv.reader(io.StringIO(CsvExporter().export(document).decode("utf-8-sig"))))
    assert not [cell for row in rows for cell in row if cell.startswith(("=", "＝", "+", "@"))]
    assert any(cell.startswith("'=cmd") for cell in rows[0]) and rows[1][2] == "'＝1+1"


def test_a_killed_write_leaves_no_litter_after_the_next_run(tmp_path: Path) -> None:
    """A write killed midway leaves its hidden temporary file; the next write to the same target removes
    it when its process is gone, and never a live writer's."""
    import subprocess
    import sys

    from kaohe.engine.report.atomic import _temp_name, write_atomic

    target = tmp_path / "results.csv"
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = _temp_name(target, int(gone.stdout), "ab12cd34")
    dead.write_bytes(b"half a file")
    live = _temp_name(target, os.getpid(), "ffff0000")  # this very process: still writing
    live.write_bytes(b"in progress")
    other = tmp_path / ".other.csv.1-aa.kaohe-tmp"  # another target's temporary file is not ours
    other.write_bytes(b"")
    write_atomic(target, b"whole")
    assert target.read_bytes() == b"whole"
    assert not dead.exists() and live.exists() and other.exists()
