"""The printable XLSX workbook (plugins/workbook_sheets.py, plugins/xlsx_workbook.py), read back with openpyxl.

The document is tests/fixtures/handouts/2025.yaml evaluated for 2025Q1; its numbers are worked out in
tests/test_handouts.py: P2 20 + 27 + 5 = 52 (rank 1, 好), P3 50 (2, 好), P1 48 (3, 一般), P4 33 (4, 较差).
The bonus pool of 1000 goes to the two 好 (weight 1 each): 500 + 500.
"""

from __future__ import annotations

import copy
import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from kaohe.engine.evaluation.runner import run
from kaohe.engine.report.results import build_document
from kaohe.plugins import xlsx_workbook
from kaohe.plugins.exporters import XlsxExporter
from kaohe.plugins.xlsx_workbook import display_width

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "handouts" / "2025.yaml"
RESULT_HEADER = ["排名", "编号", "名称", "单位", "类别", "工作实绩（业务工作完成情况）（20分）", "重点任务（30分）",
                 "作风（10分）", "小计", "加分", "扣分", "系数", "总分", "等次", "等次说明",
                 "实绩公示（评为“好”）", "季度反馈谈话", "申报实绩", "季度奖金"]


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return build_document(run(FIXTURE, period="2025Q1"))


@pytest.fixture(scope="module")
def workbook(document: dict[str, Any]) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(XlsxExporter().export(document)))


def rows(sheet: Any) -> list[list[Any]]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def column_of(sheet: Any, title: str) -> str:
    return next(cell.column_letter for cell in sheet[1] if cell.value == title)


XLSX_PADDING = 0.7109375  # a width of n characters is stored as n plus Excel's cell padding (5 pixels)


def width(sheet: Any, title: str) -> float:
    """The width set for the column headed ``title``, in characters (columns of one width may be
    stored as one range)."""
    index = openpyxl.utils.column_index_from_string(column_of(sheet, title))
    for dimension in sheet.column_dimensions.values():
        if dimension.min <= index <= dimension.max:
            return round(float(dimension.width) - XLSX_PADDING, 4)
    raise AssertionError(f"no width set for {title}")


def test_sheets_and_their_order(workbook: openpyxl.Workbook) -> None:
    assert workbook.sheetnames == ["概况", "结果 2025Q1", "加减分明细", "公示 2025Q1", "反馈 2025Q1"]


def test_result_sheet_in_ranking_order_with_titles(workbook: openpyxl.Workbook) -> None:
    table = rows(workbook["结果 2025Q1"])
    assert table[0] == RESULT_HEADER  # one ranking group: no 分组 column
    assert table[1] == [1, "P2", "王五", "一科", "科级干部", 20, 27, 5, 52, 0, 0, 1, 52, "好",
                        "总分 52 ≥ 好分数线 49", "是", "作风", 2, 500]
    assert [r[1] for r in table[1:]] == ["P2", "P3", "P1", "P4"]
    assert [r[4] for r in table[1:]] == ["科级干部", "科员", "科员", "科员"]  # class titles, never 'staff'
    assert not any(cell in ("staff", "chief") for row in table for cell in row)


def test_number_formats(workbook: openpyxl.Workbook) -> None:
    sheet = workbook["结果 2025Q1"]
    total = sheet[f"{column_of(sheet, '总分')}2"]
    assert total.value == 52 and total.data_type == "n" and total.number_format == "0.00"  # precision.score 2
    score = sheet[f"{column_of(sheet, '重点任务（30分）')}2"]
    assert score.number_format == "0.00"
    money = sheet[f"{column_of(sheet, '季度奖金')}2"]
    assert money.value == 500 and money.number_format == "#,##0.00"
    assert sheet[f"{column_of(sheet, '排名')}2"].number_format == "0"
    share = workbook["概况"]
    percent = [c for row in share.iter_rows() for c in row if c.number_format == "0.0%"]
    assert [c.value for c in percent] == [0.5, 0.25, 0.25]


def test_widths_by_content(workbook: openpyxl.Workbook) -> None:
    sheet = workbook["结果 2025Q1"]
    assert width(sheet, "等次说明") > width(sheet, "总分")  # "总分 52 ≥ 好分数线 49" against "52.00"
    assert width(sheet, "类别") > width(sheet, "排名")  # 科级干部: four Chinese characters, eight columns
    assert display_width("科级干部") == 8 and display_width("P2") == 2


def test_long_texts_wrap_and_the_header_is_styled(workbook: openpyxl.Workbook) -> None:
    sheet = workbook["结果 2025Q1"]
    assert sheet[f"{column_of(sheet, '等次说明')}2"].alignment.wrap_text
    header = sheet["A1"]
    assert header.font.b and header.alignment.wrap_text and header.fill.fgColor.rgb.endswith("D9E1F2")
    assert not sheet["A2"].font.b
    # 工作实绩（业务工作完成情况）（20分） is 36 columns wide; its column is 9.5 (header wraps at 8): 5 lines
    assert width(sheet, "工作实绩（业务工作完成情况）（20分）") == pytest.approx(9.5, abs=0.15)  # whole pixels
    assert sheet.row_dimensions[1].height == pytest.approx(5 * 14.5 + 3, abs=0.75)  # whole pixels (0.75 pt)


def test_autofilter_and_frozen_panes(workbook: openpyxl.Workbook) -> None:
    sheet = workbook["结果 2025Q1"]
    assert sheet.auto_filter.ref == "A1:S5"  # 19 columns, header + 4 people
    assert sheet.freeze_panes == "D2"  # the header row and 排名, 编号, 名称 stay in view
    assert workbook["公示 2025Q1"].auto_filter.ref == "A1:G3"
    assert workbook["反馈 2025Q1"].freeze_panes == "D2"


def test_page_setup_prints_one_page_wide(workbook: openpyxl.Workbook) -> None:
    for name in workbook.sheetnames:
        sheet = workbook[name]
        assert sheet.page_setup.orientation == "landscape", name
        assert int(sheet.page_setup.paperSize) == 9, name  # A4
        assert int(sheet.page_setup.fitToWidth or 1) == 1, name  # 1 is the default the file may leave out
        assert int(sheet.page_setup.fitToHeight) == 0, name
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, name
        assert sheet.oddFooter.center.text == "第 &P 页，共 &N 页", name
    assert workbook["结果 2025Q1"].print_title_rows == "$1:$1"  # the header row on every page
    assert workbook["结果 2025Q1"].oddHeader.center.text == "某局平时考核（测试）　2025年第一季度考核结果"


def test_summary_sheet(workbook: openpyxl.Workbook) -> None:
    table = rows(workbook["概况"])
    assert ["方案", "某局平时考核（测试）", None, None, None] in table
    assert ["考核对象", "个人", None, None, None] in table
    assert ["2025Q1", "2025年第一季度", 4, 4, 0] in table  # subjects, ranked, not ranked
    start = table.index(["各周期等次人数", None, None, None, None])
    assert table[start + 2:start + 5] == [["2025Q1", "好", 2, 0.5, None], ["2025Q1", "一般", 1, 0.25, None],
                                          ["2025Q1", "较差", 1, 0.25, None]]
    assert ["2025Q1", "季度奖金", 1000, 2, None] in table  # 500 + 500, two people


def test_adjustment_sheet_header(workbook: openpyxl.Workbook) -> None:
    assert rows(workbook["加减分明细"]) == [["周期", "编号", "名称", "规则", "类型", "分值", "事件日期", "事件类型", "说明"]]


def test_publicity_sheet(workbook: openpyxl.Workbook) -> None:
    table = rows(workbook["公示 2025Q1"])
    assert table[0] == ["名次", "姓名", "单位", "类别", "总分", "等次", "申报实绩"]
    assert table[1] == [1, "王五", "一科", "科级干部", 52, "好", "1. 完成调解 12 件；2. 普法讲座"]
    assert table[2] == [2, "李四", "二科", "科员", 50, "好", "1. 社区矫正评估"]
    assert [r[0] for r in table[3:]] == [None, "2025年第一季度实绩公示（评为“好”），共 2 名。",
                                         "公示期：　　年　　月　　日至　　年　　月　　日（5 个工作日）",
                                         "公示方式：内网平台", "公示期间如有异议，请向局政治处（电话 12345678）反映。"]
    assert workbook["公示 2025Q1"]["E2"].number_format == "0.00"


def test_feedback_sheet_one_row_per_person(workbook: openpyxl.Workbook) -> None:
    table = rows(workbook["反馈 2025Q1"])
    assert table[0] == ["单位", "编号", "姓名", "类别", "总分", "名次", "等次", "工作实绩（业务工作完成情况）（20分）",
                        "重点任务（30分）", "作风（10分）", "长处", "短板", "培训需求", "谈话记录", "被谈话人签字",
                        "谈话日期"]
    assert [r[1] for r in table[1:5]] == ["P2", "P1", "P3", "P4"]  # 一科 then 二科, ranking order within
    # P1: 18/20 = 90% and 9/10 = 90% tie, the first is the strength; 21/30 = 70% the weakness
    assert table[2] == ["一科", "P1", "张三", "科员", 48, 3, "一般", 18, 21, 9,
                        "工作实绩（业务工作完成情况）（得分率 90%）", "重点任务（得分率 70%）", "重点任务",
                        None, None, None]
    assert table[6:] == [["2025年第一季度季度反馈谈话，共 4 人；长处、短板按各维度得分率（得分 ÷ 满分）比较。", *[None] * 15],
                         ["谈话人：部门负责人", *[None] * 15], ["谈话内容：思想动态、工作实绩", *[None] * 15],
                         ["培训安排：“小切口”专业培训", *[None] * 15]]
    sheet = workbook["反馈 2025Q1"]
    assert width(sheet, "谈话记录") == 40  # room to write
    assert sheet.row_dimensions[2].height == 30


def test_deterministic_bytes(document: dict[str, Any]) -> None:
    first = XlsxExporter().export(document)
    assert first == XlsxExporter().export(copy.deepcopy(document))
    assert openpyxl.load_workbook(io.BytesIO(first)).properties.modified.year == 2000


def test_text_is_never_a_formula(document: dict[str, Any]) -> None:
    changed = copy.deepcopy(document)
    changed["periods"][0]["subjects"][1]["name"] = "=HYPERLINK(\"x\")"  # P2, first in the ranking
    changed["periods"][0]["subjects"][1]["grade_reason"]["text"] = "=1+1"  # a wrapped column
    sheet = openpyxl.load_workbook(io.BytesIO(XlsxExporter().export(changed)))["结果 2025Q1"]
    assert sheet["C2"].value == "=HYPERLINK(\"x\")" and sheet["C2"].data_type == "s"
    reason = sheet[f"{column_of(sheet, '等次说明')}2"]
    assert reason.value == "=1+1" and reason.data_type == "s"


def test_several_groups_get_a_group_column(document: dict[str, Any]) -> None:
    grouped = copy.deepcopy(document)
    for s in grouped["periods"][0]["subjects"]:
        s["group"] = s["class"]
    workbook = openpyxl.load_workbook(io.BytesIO(XlsxExporter().export(grouped)))
    sheet = workbook["结果 2025Q1"]
    assert sheet["A1"].value == "分组" and sheet.freeze_panes == "E2"
    assert {sheet[f"A{r}"].value for r in range(2, 6)} == {"科员", "科级干部"}  # class titles
    # the publicity list says which group a rank is within (groups in the order the data first names
    # them: P1 科员 comes first); grouped by class, 分组 is the class and 类别 is left out
    assert rows(workbook["公示 2025Q1"])[:3] == [["分组", "名次", "姓名", "单位", "总分", "等次", "申报实绩"],
                                                ["科员", 2, "李四", "二科", 50, "好", "1. 社区矫正评估"],
                                                ["科级干部", 1, "王五", "一科", 52, "好", "1. 完成调解 12 件；2. 普法讲座"]]


def test_long_tables_continue_on_more_sheets(document: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xlsx_workbook, "MAX_SHEET_ROWS", 3)  # header + 2 rows per sheet
    workbook = openpyxl.load_workbook(io.BytesIO(XlsxExporter().export(document)))
    assert workbook.sheetnames[1:3] == ["结果 2025Q1", "结果 2025Q1(2)"]
    assert [r[1] for r in rows(workbook["结果 2025Q1(2)"])] == ["编号", "P1", "P4"]
    assert workbook["结果 2025Q1(2)"].auto_filter.ref == "A1:S3"


def test_grade_counts_follow_the_scale_across_groups() -> None:
    """Grades per bureau: each bureau's 好 is its rank 1, 较好 its rank 2 …, so median ranks tie and
    code order (好, 一般, 较好, 较差) came out; totals put them best first. A vetoed top scorer's
    较差 (98) does not lift 较差 above the others: the median of 较差 is 55."""
    from kaohe.plugins.workbook_sheets import grade_order_of

    graded = [("好", 95.0), ("较好", 88.0), ("一般", 75.0), ("较差", 55.0), ("好", 93.0), ("较好", 86.0),
              ("一般", 72.0), ("较差", 50.0), ("较差", 98.0)]
    assert grade_order_of(graded) == ["好", "较好", "一般", "较差"]
