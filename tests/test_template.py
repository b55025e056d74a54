"""kaohe template: the data-entry workbook of a ruleset, and the same workbook read back filled in."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner, Result

from kaohe.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "rulesets" / "example"
YANGQUAN = ROOT / "rulesets" / "yangquan-hitech"


def kaohe(*args: str) -> Result:
    return CliRunner().invoke(main, ["--lang", "zh", *args])


@pytest.fixture(scope="module")
def example_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("template") / "example.xlsx"
    result = kaohe("template", str(EXAMPLE), "--out", str(out))
    assert result.exit_code == 0, result.output
    return out


def header(sheet: Any) -> list[Any]:
    return [cell.value for cell in sheet[1]]


def validations(sheet: Any) -> dict[str, Any]:
    """Each validated column's letter -> its validation."""
    found = {}
    for validation in sheet.data_validations.dataValidation:
        for cells in validation.sqref.ranges:
            found[cells.coord.split(":")[0].rstrip("0123456789")] = validation
    return found


def column_letter(sheet: Any, title: str) -> str:
    return str(sheet.cell(row=1, column=header(sheet).index(title) + 1).column_letter)


def test_one_sheet_per_table_the_ruleset_reads_named_in_chinese(example_book: Path) -> None:
    book = openpyxl.load_workbook(example_book)
    # the example reads subjects, values (wide), events and ratings (its survey); the instructions come first
    assert book.sheetnames == ["填报说明", "考核对象表", "数据项表", "事件表", "评价表"]
    assert header(book["考核对象表"]) == ["编号", "名称", "类别", "到岗日期", "离岗日期"]
    assert header(book["数据项表"])[:5] == ["对象编号", "名称", "周期", "招商引资到位资金", "招商引资目标"]
    assert header(book["事件表"]) == ["对象编号", "日期", "事件类型", "分值", "已核实", "督办事项编号"]
    assert header(book["评价表"]) == ["被评对象编号", "周期", "指标", "评价组", "评价人", "评分", "评价等次"]
    # inputs computed from events are not typed in: the example has none, so all 11 inputs are columns
    assert len(header(book["数据项表"])) == 3 + 11
    assert all(sheet.freeze_panes in ("A2", "D2") for sheet in book.worksheets[1:])  # values: id, name, period


def test_each_header_explains_its_column_in_a_comment(example_book: Path) -> None:
    values = openpyxl.load_workbook(example_book)["数据项表"]
    investment = values[f"{column_letter(values, '招商引资到位资金')}1"].comment.text
    assert "单位：万元" in investment
    assert "招商引资到位资金" in investment and "满分 20 分" in investment and "目标达成率" in investment
    key_tasks = values[f"{column_letter(values, '重点任务评分')}1"].comment.text
    assert "直接打分" in key_tasks and "0 至 20 分" in key_tasks


def test_cells_are_checked_by_lists_and_ranges_the_ruleset_implies(example_book: Path) -> None:
    book = openpyxl.load_workbook(example_book)
    subjects, values, events, ratings = (book[n] for n in ("考核对象表", "数据项表", "事件表", "评价表"))
    assert validations(subjects)["C"].formula1 == '"frontline,support"'  # the classes
    assert validations(subjects)["D"].type == "date"
    period = validations(values)[column_letter(values, "周期")]
    assert (period.type, period.formula1) == ("list", '"2025Q1,2025Q2,2025Q3,2025Q4,2025"')
    direct = validations(values)[column_letter(values, "重点任务评分")]  # direct, 20 points
    assert (direct.type, direct.operator, direct.formula1, direct.formula2) == ("decimal", "between", "0", "20")
    rate = validations(values)[column_letter(values, "公文按时办结率")]  # unit 比例, a rate: 0 to 1
    assert (rate.formula1, rate.formula2) == ("0", "1")
    count = validations(values)[column_letter(values, "有效投诉件数")]  # unit 件: a whole number, not below 0
    assert (count.type, count.operator, count.formula1) == ("whole", "greaterThanOrEqual", "0")
    types = validations(events)["C"].formula1.strip('"').split(",")
    assert {"红牌", "黄牌", "招商签约", "点赞", "重大安全事故", "违纪通报"} == set(types)
    assert validations(events)["E"].formula1 == '"是,否"'
    assert validations(ratings)["D"].formula1 == '"leader,peer,public"'
    assert validations(ratings)["G"].formula1 == '"好,较好,一般,较差"'


def test_subjects_are_prefilled_for_every_period(example_book: Path) -> None:
    book = openpyxl.load_workbook(example_book)
    subjects, values = book["考核对象表"], book["数据项表"]
    rows = [[c.value for c in row] for row in subjects.iter_rows(min_row=2)]
    assert len(rows) == 24 and rows[0][:3] == ["D01", "招商局", "frontline"]
    d24 = next(r for r in rows if r[0] == "D24")
    assert d24[3].date().isoformat() == "2025-05-20"  # joined, a date cell
    entries = [(row[0].value, row[1].value, row[2].value) for row in values.iter_rows(min_row=2)]
    assert len(entries) == 24 * 5  # four quarters and the year (the annual review is entered for the year)
    assert entries[:5] == [("D01", "招商局", p) for p in ("2025Q1", "2025Q2", "2025Q3", "2025Q4", "2025")]
    assert [c.value for c in values[1][:3]] == ["对象编号", "名称", "周期"]  # the name beside the id, for checking
    assert all(cell.value is None for cell in values[2][3:])  # inputs blank


def test_one_period_only_and_an_unknown_period(tmp_path: Path) -> None:
    out = tmp_path / "q2.xlsx"
    assert kaohe("template", str(EXAMPLE), "--period", "2025Q2", "--out", str(out)).exit_code == 0
    values = openpyxl.load_workbook(out)["数据项表"]
    assert {row[2].value for row in values.iter_rows(min_row=2)} == {"2025Q2"}
    result = kaohe("template", str(EXAMPLE), "--period", "2025Q5", "--out", str(tmp_path / "x.xlsx"))
    assert result.exit_code == 1 and "E-TEMPLATE-PERIOD" in result.output and not (tmp_path / "x.xlsx").exists()


def test_a_workbook_is_the_only_output_and_is_written_the_same_twice(tmp_path: Path) -> None:
    bad = kaohe("template", str(EXAMPLE), "--out", str(tmp_path / "template.csv"))
    assert bad.exit_code == 1 and "E-TEMPLATE-OUT" in bad.output
    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    kaohe("template", str(EXAMPLE), "--out", str(first))
    kaohe("template", str(EXAMPLE), "--out", str(second))
    assert first.read_bytes() == second.read_bytes()


def test_derived_inputs_are_not_typed_in_and_yes_no_fields_get_a_list(tmp_path: Path) -> None:
    out = tmp_path / "yq.xlsx"
    assert kaohe("template", str(YANGQUAN), "--out", str(out)).exit_code == 0
    book = openpyxl.load_workbook(out)
    assert "评价表" not in book.sheetnames  # no survey
    events = book["事件表"]
    closed = validations(events)[column_letter(events, "是否销号")]  # event.closed == '是' in the ruleset
    assert closed.formula1 == '"是,否"'
    values = book["数据项表"]  # monitoring months, then the quarters
    assert {row[2].value for row in values.iter_rows(min_row=2)} >= {"2022-01", "2022Q4"}


def test_the_instructions_sheet_says_what_to_fill(example_book: Path) -> None:
    sheet = openpyxl.load_workbook(example_book)["填报说明"]
    text = "\n".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None)
    assert "示例区部门绩效考核办法" in text and "【数据项表】" in text and "必填列：对象编号、周期" in text
    assert "万元" in text  # the units of the inputs


def test_the_filled_template_is_read_back_and_evaluated(example_book: Path, tmp_path: Path) -> None:
    """Every department fills the same numbers, D01 brings in 4000 of its 5000 target, D01 has six ratings.

    D01 (frontline, coefficient 1.1), 2025Q1:
      investment 4000 / 5000 = 0.8 × 20 = 16; projects 0.95 ≥ 0.9 → 10; tax 300 = the best → 10 → economy 36;
      key tasks 18 (direct); satisfaction 90 = the group's 75th percentile → 20 → common 38;
      survey: leaders 好 好 → 100, peers 好 好 → 100, public 100 100 → 100 → 20;
      late reports 0 → no deduction; no events.  Subtotal 36 + 38 + 20 = 94; × 1.1 = 103.4.
    """
    book = openpyxl.load_workbook(example_book)
    values = book["数据项表"]
    titles = header(values)
    same = {"招商引资到位资金": 5000, "招商引资目标": 5000, "重点项目开工率": 0.95, "税收增长额": 300,
            "公文按时办结率": 1, "有效投诉件数": 2, "投诉控制目标": 4, "重点任务评分": 18, "服务对象满意度": 90,
            "材料迟报次数": 0, "年终述职评议得分": 90}
    for row in values.iter_rows(min_row=2):
        for cell, title in zip(row, titles, strict=True):
            cell.value = same.get(title, cell.value)
        if row[0].value == "D01":
            row[titles.index("招商引资到位资金")].value = 4000
    for rater, group, score, vote in [("l1", "leader", None, "好"), ("l2", "leader", None, "好"),
                                      ("p1", "peer", None, "好"), ("p2", "peer", None, "好"),
                                      ("c1", "public", 100, None), ("c2", "public", 100, None)]:
        book["评价表"].append(["D01", "2025Q1", None, group, rater, score, vote])
    filled = tmp_path / "filled.xlsx"
    book.save(filled)

    checked = kaohe("validate", str(EXAMPLE), "--data", str(filled))
    assert checked.exit_code == 0, checked.output
    result = CliRunner().invoke(main, ["evaluate", str(EXAMPLE), "--data", str(filled), "--period", "2025Q1",
                                       "--format", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    d01 = next(s for p in document["periods"] for s in p["subjects"] if s["id"] == "D01")
    assert d01["total"] == pytest.approx(103.4)


def test_rectification_items_get_their_sheet_and_inputs_from_items_are_not_typed_in(tmp_path: Path) -> None:
    """The docs' worked example (整改督办事项): items with dates; items_overdue is counted from them."""
    import re

    docs = (ROOT / "docs" / "ruleset-format.md").read_text(encoding="utf-8")
    section = docs[docs.index("## 整改督办事项 Rectification items"):docs.index("## 排名与等次 Grading")]
    ruleset = next(text for lang, text in re.findall(r"```(\w*)\n(.*?)```", section, flags=re.S) if lang == "yaml")
    (tmp_path / "kaohe.toml").write_text("", encoding="utf-8")
    (tmp_path / "2025.yaml").write_text(ruleset, encoding="utf-8")
    out = tmp_path / "items.xlsx"
    result = kaohe("template", str(tmp_path / "2025.yaml"), "--out", str(out))
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out)
    items = book["整改事项表"]
    assert header(items)[:6] == ["事项编号", "对象编号", "交办日期", "完成时限", "销号日期", "责任人"]
    assert validations(items)["C"].type == "date" and validations(items)["E"].type == "date"
    assert header(items)[6:] == ["问题"]  # item_fields by their titles
    # its three inputs are all counted from the items, and nothing reads events: no values or events sheet
    assert book.sheetnames == ["填报说明", "考核对象表", "整改事项表"]


def test_subjects_from_another_folder_and_a_filled_workbook_is_never_overwritten(tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / "subjects.csv").write_text("编号,名称,类别\nN1,新设局,support\n", encoding="utf-8")  # Chinese headers
    out = tmp_path / "n.xlsx"
    assert kaohe("template", str(EXAMPLE), "--data", str(other), "--out", str(out)).exit_code == 0
    values = openpyxl.load_workbook(out)["数据项表"]
    assert [(r[0].value, r[2].value) for r in values.iter_rows(min_row=2)][:2] == [("N1", "2025Q1"), ("N1", "2025Q2")]
    before = out.read_bytes()
    refused = kaohe("template", str(EXAMPLE), "--data", str(out), "--out", str(out))
    assert refused.exit_code == 1 and "E-OUTPUT-IS-INPUT" in refused.output and out.read_bytes() == before


@pytest.mark.parametrize("folder", ["chengdu", "chengdu/units", "loudi", "loudi/leaders", "shaoyang",
                                    "province-district", "p-town/sections", "p-town/persons"])
def test_every_shipped_jurisdiction_has_a_template(folder: str) -> None:
    from kaohe.engine.data.sheet import TABLE_ZH
    from kaohe.engine.data.template import plan_template
    from kaohe.engine.registry import default_registry
    from kaohe.engine.ruleset.load import load_ruleset

    registry = default_registry()
    ruleset = load_ruleset(ROOT / "rulesets" / folder, registry)
    plan = plan_template(ruleset, registry)
    assert plan.sheets[0].name == "考核对象表" and plan.sheets[0].rows  # the shipped subjects, pre-filled
    assert all(sheet.name == TABLE_ZH[sheet.table] for sheet in plan.sheets)
    joined = set((ruleset.data.get("results") or {}).get("fields") or {})
    assert not joined & {c.id for c in plan.sheets[0].columns}  # fields another ruleset's results fill
    for sheet in plan.sheets:
        headers = [c.header for c in sheet.columns]
        assert len(headers) == len(set(headers)), sheet.name  # one column per header: read back unambiguously
