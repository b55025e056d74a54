"""Data tables as the office has them: Chinese headers, title rows, numbers with % and thousands
separators, full-width digits, .xls, GBK CSV, a workbook as the data folder, and
``kaohe validate RULESET --data``. Expected values are worked out by hand from the cells."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from click.testing import CliRunner

from kaohe.cli import main
from kaohe.engine.components import RawTable
from kaohe.engine.data.headers import Named, Vocabulary, names_of
from kaohe.engine.data.load import dataset_from_tables, load_dataset
from kaohe.engine.data.numbers import office_number, office_period
from kaohe.engine.data.tables import Dataset
from kaohe.engine.errors import Diagnostic, KaoheError
from kaohe.engine.evaluation.runner import load_data
from kaohe.engine.registry import default_registry
from kaohe.engine.ruleset.load import load_ruleset

OFFICE = Path(__file__).resolve().parent / "fixtures" / "office"
RULESET = OFFICE / "ruleset.yaml"
XLS = OFFICE / "考核数据.xls"


def load(data: Path) -> Dataset:
    return load_data(load_ruleset(RULESET), data)


def failure(data: Path) -> list[Diagnostic]:
    with pytest.raises(KaoheError) as caught:
        load(data)
    return [d for d in caught.value.diagnostics if d.severity == "error"]


def value(dataset: Dataset, period: str, name: str) -> list[float]:
    """One input's values per subject (in id order), NaN where absent."""
    return dataset.values.column(period, name).tolist()


def subjects_csv(folder: Path, text: str = "编号,名称\nD01,招商局\nD02,财政局\n") -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "subjects.csv").write_text(text, encoding="utf-8")


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--lang", "zh", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


# ---------------------------------------------------------------------------
# A workbook as an office sends it


def office_workbook(path: Path) -> None:
    """考核对象表 under a merged title row; 数据项表 with Chinese headers, a line break in one,
    a unit suffix, an alias, a cell formatted as a percentage and text numbers an office types."""
    book = openpyxl.Workbook()
    subjects = book.active
    subjects.title = "考核对象表"
    subjects.append(["2025年第二季度考核对象名单", None])
    subjects.merge_cells("A1:B1")
    subjects.append(["编号", "名称"])
    subjects.append(["D01", "招商局"])
    subjects.append(["D02", "财政局"])
    values = book.create_sheet("数据项表")
    values.append(["2025年第二季度考核数据", None, None, None, None])
    values.merge_cells("A1:E1")
    values.append(["对象编号", " 周期 ", "重点任务\n完成评分", "满意率（%）", "固定资产投资(万元)"])
    values.append(["D01", "2025年第二季度", " 45 ", 0.97, "5，200"])
    values.append(["D02", "2025Q2", "４２．５", "88.5%", "3,100万元"])
    values["D3"].number_format = "0%"  # Excel shows 97%, the cell holds 0.97
    book.create_sheet("填报说明").append(["请勿改动表头"])
    book.save(path)


def test_a_workbook_with_a_title_row_and_chinese_headers_loads(tmp_path: Path) -> None:
    office_workbook(tmp_path / "考核数据.xlsx")
    dataset = load(tmp_path / "考核数据.xlsx")
    assert dataset.subjects.ids.tolist() == ["D01", "D02"]
    assert dataset.subjects.name.tolist() == ["招商局", "财政局"]
    assert value(dataset, "2025Q2", "key_tasks") == [45.0, 42.5]  # " 45 ", full-width ４２．５
    assert value(dataset, "2025Q2", "satisfaction") == [97.0, 88.5]  # 0.97 formatted 0%, "88.5%" (unit %)
    assert value(dataset, "2025Q2", "investment") == [5200.0, 3100.0]  # "5，200", "3,100万元" (unit 万元)
    notes = [(w.code, w.line, w.file) for w in dataset.warnings if w.code == "W-DATA-TITLE-ROWS"]
    assert sorted(notes) == [("W-DATA-TITLE-ROWS", 2, str(tmp_path / "考核数据.xlsx#数据项表")),
                             ("W-DATA-TITLE-ROWS", 2, str(tmp_path / "考核数据.xlsx#考核对象表"))]
    (note, _) = [w for w in dataset.warnings if w.code == "W-DATA-TITLE-ROWS"]
    assert "第 1 行" in note.message("zh") and "第 2 行" in note.message("zh")


def test_the_workbook_evaluates_as_the_folder_would(tmp_path: Path) -> None:
    office_workbook(tmp_path / "考核数据.xlsx")
    code, out, err = invoke("evaluate", str(RULESET), "--data", str(tmp_path / "考核数据.xlsx"),
                            "--period", "2025Q2", "--format", "json")
    assert code == 0, err
    (period,) = [p for p in json.loads(out)["periods"] if p["period"] == "2025Q2"]
    totals = {s["id"]: s["total"] for s in period["subjects"]}
    # D01: min(45, 50) + 97 / 100 × 40 + min(5200 / 1000, 10) = 45 + 38.8 + 5.2 = 89
    # D02: 42.5 + 88.5 / 100 × 40 + 3100 / 1000 = 42.5 + 35.4 + 3.1 = 81
    assert totals == {"D01": 89, "D02": 81}
    assert "W-DATA-TITLE-ROWS" in err


def test_a_merged_group_header_over_sub_headers(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "数据项表"
    sheet.append(["对象编号", "周期", "得分情况", None])
    sheet.append([None, None, "重点任务完成评分", "满意率"])
    sheet.merge_cells("A1:A2")
    sheet.merge_cells("B1:B2")
    sheet.merge_cells("C1:D1")
    sheet.append(["D01", "2025Q2", 40, 90])
    book.save(tmp_path / "values.xlsx")
    subjects_csv(tmp_path)
    dataset = load(tmp_path)
    key_tasks = value(dataset, "2025Q2", "key_tasks")
    assert key_tasks[0] == 40.0 and np.isnan(key_tasks[1])  # D02 has no row
    assert value(dataset, "2025Q2", "satisfaction")[0] == 90.0
    (note,) = [w for w in dataset.warnings if w.code == "W-DATA-TITLE-ROWS"]
    assert note.line == 2 and note.params["rows"] == "1"


def test_the_xls_fixture_reads_with_its_row_numbers(tmp_path: Path) -> None:
    dataset = load(XLS)
    assert dataset.subjects.ids.tolist() == ["D01", "D02"]
    assert value(dataset, "2025Q2", "key_tasks") == [45.0, 42.5]
    assert value(dataset, "2025Q2", "satisfaction") == [97.0, 88.5]  # "97%" as text, 88.5 a number
    assert value(dataset, "2025Q2", "investment") == [5200.0, 3100.0]
    (note,) = [w for w in dataset.warnings if w.code == "W-DATA-TITLE-ROWS"]
    assert (note.file, note.line) == (f"{XLS}#考核对象表", 2)
    # found by the default lookup data/<table>.xls too (the first sheet)
    (tmp_path / "data").mkdir()
    shutil.copy(XLS, tmp_path / "data" / "subjects.xls")
    assert load_dataset({}, tmp_path, default_registry()).subjects.name.tolist() == ["招商局", "财政局"]


def test_an_xls_bad_cell_is_located_by_sheet_and_row() -> None:
    specs = {"subjects": {"source": "xls", "path": XLS.name, "sheet": "考核对象表"},
             "values": {"source": "xlsx", "path": XLS.name, "sheet": "错误示例"}}  # xlsx hands .xls on
    with pytest.raises(KaoheError) as caught:
        load_dataset(specs, OFFICE, default_registry(), inputs=["key_tasks"], names=names_of(load_ruleset(RULESET)))
    problems = [d for d in caught.value.diagnostics if d.severity == "error"]
    (problem,) = problems
    assert (problem.code, problem.file, problem.line, problem.column) == (
        "E-DATA-NOT-NUMBER", f"{XLS}#错误示例", 4, 3)  # Excel row 4: rows 1-2 empty, header on row 3
    assert "四十五" in problem.message("zh")


# ---------------------------------------------------------------------------
# Bad cells: located, with the expected form


def test_a_bad_number_names_the_cell_and_the_forms(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "数据项表"
    sheet.append(["对象编号", "周期", "重点任务完成评分", "满意率"])
    sheet.append(["D01", "2025Q2", "四十五", "97"])
    sheet.append(["D02", "2025Q2", "40", "九成"])
    book.create_sheet("填报说明")
    book.save(tmp_path / "values.xlsx")
    subjects_csv(tmp_path)
    first, second = sorted(failure(tmp_path), key=lambda p: p.line or 0)
    assert (first.code, first.line, first.column, first.path) == ("E-DATA-NOT-NUMBER", 2, 3, "key_tasks")
    assert first.file == f"{tmp_path / 'values.xlsx'}#数据项表"
    zh = first.message("zh")
    assert "四十五" in zh and "重点任务完成评分" in zh and "97、5,200、5.2分" in zh
    assert (second.code, second.line, second.column) == ("E-DATA-NOT-NUMBER", 3, 4)
    assert "九成" in second.message("zh") and "97、97%、97.5" in second.message("zh")
    assert "not a number" in second.message("en")


def test_a_suffix_unlike_the_unit_is_not_taken_away(tmp_path: Path) -> None:
    subjects_csv(tmp_path)
    (tmp_path / "values.csv").write_text("对象编号,周期,固定资产投资\nD01,2025Q2,5.2亿元\n", encoding="utf-8")
    (problem,) = failure(tmp_path)
    assert (problem.code, problem.line, problem.column) == ("E-DATA-NOT-NUMBER", 2, 3)
    assert "5.2亿元" in problem.message("zh") and "5.2万元" in problem.message("zh")


def test_number_forms_by_hand() -> None:
    assert office_number("97%") == 0.97  # no unit: a share
    assert office_number("97%", "%") == 97.0
    assert office_number("97%", "％") == office_number("97%", "百分比") == 97.0  # the units that mean percent
    assert office_number("5,200") == 5200.0
    assert office_number("5，200") == 5200.0
    assert office_number("-1,234,567.5") == -1234567.5
    assert office_number(" １２ ") == 12.0
    assert office_number("９７．５") == 97.5
    assert office_number("5.2万元", "万元") == 5.2
    assert office_number("5.2万元") is None  # a unit only goes when it is the declared one
    assert office_number("52,00") is None  # not a thousands grouping
    assert office_number("1_000") is None
    assert office_number("nan") is None and office_number("inf%") is None
    assert office_period("2025年") == "2025"
    assert office_period("2025年第二季度") == "2025Q2"
    assert office_period("2025年二季度") == "2025Q2"
    assert office_period("2025年第4季度") == "2025Q4"
    assert office_period("2025年3月") == "2025-03"
    assert office_period("２０２５年１２月") == "2025-12"
    assert office_period("2025年13月") is None and office_period("2025年第五季度") is None


def test_percent_without_a_percent_unit_is_a_share() -> None:
    raw = {"subjects": RawTable(["编号", "名称"], [["D01", "甲"]], "s.csv", [2], 1),
           "values": RawTable(["对象编号", "期间", "rate"], [["D01", "2025年3月", "97%"]], "v.csv", [2], 1)}
    dataset = dataset_from_tables(raw, inputs=["rate"])
    assert dataset.values.column("2025-03", "rate").tolist() == [0.97]


# ---------------------------------------------------------------------------
# Headers


def test_standard_headers_by_title_and_alias_in_any_order() -> None:
    raw = {"subjects": RawTable(["单位名称", "【编号】", "类别 "], [["甲", "D01", "a"]], "s.csv", [2], 1),
           "events": RawTable(["发生日期", "对象", "事件类型"], [["2025年3月1日", "D01", "红牌"]], "e.csv", [2], 1)}
    dataset = dataset_from_tables(raw)
    assert dataset.subjects.ids.tolist() == ["D01"] and dataset.subjects.cls.tolist() == ["a"]
    assert dataset.events.type.tolist() == ["红牌"] and str(dataset.events.date[0]) == "2025-03-01"


def test_an_unknown_header_suggests_the_id_and_the_title(tmp_path: Path) -> None:
    subjects_csv(tmp_path)
    (tmp_path / "values.csv").write_text("对象编号,周期,重点任务评分\nD01,2025Q2,40\n", encoding="utf-8")
    (problem,) = failure(tmp_path)
    assert (problem.code, problem.line, problem.column) == ("E-DATA-UNKNOWN-INPUT", 1, 3)
    assert problem.params["suggest"] == "key_tasks / 重点任务完成评分"
    assert "key_tasks / 重点任务完成评分" in problem.message("zh")


def test_a_header_naming_two_columns_is_an_error_naming_both() -> None:
    names = Vocabulary({"values": (Named("a", "甲", ("总分",)), Named("b", "乙", ("总分",)))})
    raw = {"subjects": RawTable(["id", "name"], [["D01", "甲"]], "s.csv", [2], 1),
           "values": RawTable(["subject", "period", "乙", "总分"], [["D01", "2025", 2, 1]], "v.csv", [2], 1)}
    with pytest.raises(KaoheError) as caught:
        dataset_from_tables(raw, inputs=["a", "b"], names=names)
    (problem,) = caught.value.diagnostics
    assert (problem.code, problem.file, problem.line, problem.column) == ("E-DATA-HEADER-AMBIGUOUS", "v.csv", 1, 4)
    assert "a / 甲" in problem.message("zh") and "b / 乙" in problem.message("zh")


def test_two_headers_for_one_column_are_a_duplicate() -> None:
    raw = {"subjects": RawTable(["id", "编号", "name"], [["D01", "D01", "甲"]], "s.csv", [2], 1)}
    with pytest.raises(KaoheError) as caught:
        dataset_from_tables(raw)
    (problem,) = caught.value.diagnostics
    assert (problem.code, problem.line, problem.column, problem.path) == ("E-DATA-DUPLICATE-COLUMN", 1, 2, "id")


def test_a_long_values_table_may_name_inputs_by_title(tmp_path: Path) -> None:
    subjects_csv(tmp_path)
    (tmp_path / "values.csv").write_text("对象编号,周期,数据项,数值\nD01,2025年二季度,满意率,97%\n"
                                         "D01,2025年二季度,固定资产投资,\"1,200万元\"\n", encoding="utf-8")
    dataset = load(tmp_path)
    assert value(dataset, "2025Q2", "satisfaction")[0] == 97.0
    assert value(dataset, "2025Q2", "investment")[0] == 1200.0


# ---------------------------------------------------------------------------
# GBK CSV


def test_a_gbk_csv_is_read_with_a_warning(tmp_path: Path) -> None:
    (tmp_path / "subjects.csv").write_text("编号,名称\nD01,招商局\nD02,财政局\n", encoding="gbk")
    dataset = load(tmp_path)
    assert dataset.subjects.name.tolist() == ["招商局", "财政局"]
    (warning,) = [w for w in dataset.warnings if w.code == "W-DATA-GBK"]
    assert warning.severity == "warning" and warning.file == str(tmp_path / "subjects.csv")
    assert (warning.line, warning.column) == (1, 1)  # 编 is the first byte UTF-8 cannot read
    assert "encoding: gbk" in warning.message("zh") and "UTF-8" in warning.message("zh")


def test_the_gbk_warning_reaches_the_user_of_evaluate_and_validate(tmp_path: Path) -> None:
    (tmp_path / "subjects.csv").write_text("编号,名称\nD01,招商局\n", encoding="gbk")
    (tmp_path / "values.csv").write_text("对象编号,周期,重点任务完成评分,满意率,固定资产投资\nD01,2025年二季度,45,97%,\"5,200\"\n",
                                         encoding="gbk")
    code, out, err = invoke("evaluate", str(RULESET), "--data", str(tmp_path), "--period", "2025Q2")
    assert code == 0 and err.count("W-DATA-GBK") == 2 and "招商局" in out
    code, out, err = invoke("validate", str(RULESET), "--data", str(tmp_path))
    assert code == 0 and err.count("W-DATA-GBK") == 2 and "共 2 条提醒" in err


def test_bytes_neither_utf8_nor_gbk_stay_a_located_encoding_error(tmp_path: Path) -> None:
    (tmp_path / "subjects.csv").write_bytes("编号,名称\nD01,一\n".encode() + b"D02,\xff\xfe\n")
    (problem,) = failure(tmp_path)
    assert (problem.code, problem.line, problem.column) == ("E-DATA-ENCODING", 3, 5)


# ---------------------------------------------------------------------------
# kaohe validate RULESET --data


def bad_folder(folder: Path) -> Path:
    """Three files, each with problems: all of them must be reported together."""
    folder.mkdir()
    (folder / "subjects.csv").write_text("编号,名称\nD01,招商局\nD01,财政局\n", encoding="utf-8")
    (folder / "values.csv").write_text("对象编号,周期,重点任务完成评分,满意率,固定资产投资\n"
                                       "D01,2025Q2,四十,97%,100\nD09,2025Q2,40,90,100\n", encoding="utf-8")
    (folder / "events.csv").write_text("对象编号,日期,事件类型\nD01,2025-02-30,红牌\n", encoding="utf-8")
    return folder


def test_validate_data_reports_every_problem_of_every_file(tmp_path: Path) -> None:
    folder = bad_folder(tmp_path / "data")
    code, out, err = invoke("validate", str(RULESET), "--data", str(folder))
    assert code == 1
    assert f"{folder / 'subjects.csv'}:3:1::id" in err and "E-DATA-DUPLICATE-ID" in err
    assert f"{folder / 'values.csv'}:2:3::key_tasks" in err and "“四十”" in err
    assert f"{folder / 'values.csv'}:3:1::subject" in err and "E-DATA-UNKNOWN-SUBJECT" in err
    assert f"{folder / 'events.csv'}:2:2::date" in err and "E-DATA-BAD-DATE" in err
    assert "共 4 个问题" in err
    code, out, _ = invoke("validate", str(RULESET), "--data", str(folder), "--format", "json")
    report = json.loads(out)
    assert code == 1 and report["ok"] is False and report["files"] == 1
    found = sorted((p["code"], Path(p["file"]).name, p["line"], p["column"]) for p in report["problems"])
    assert found == [("E-DATA-BAD-DATE", "events.csv", 2, 2), ("E-DATA-DUPLICATE-ID", "subjects.csv", 3, 1),
                     ("E-DATA-NOT-NUMBER", "values.csv", 2, 3), ("E-DATA-UNKNOWN-SUBJECT", "values.csv", 3, 1)]


def test_validate_data_passes_clean_data_and_prints_its_warnings(tmp_path: Path) -> None:
    office_workbook(tmp_path / "考核数据.xlsx")
    code, out, err = invoke("validate", str(RULESET), "--data", str(tmp_path / "考核数据.xlsx"))
    assert code == 0 and "✓ 数据通过校验：2 张表" in out
    assert err.count("W-DATA-TITLE-ROWS") == 2
    code, out, _ = invoke("validate", str(RULESET), "--data", str(tmp_path / "考核数据.xlsx"), "--format", "json")
    report = json.loads(out)
    assert code == 0 and report["ok"] is True
    assert {p["severity"] for p in report["problems"]} == {"warning"}


def test_validate_data_finds_an_input_left_out(tmp_path: Path) -> None:
    subjects_csv(tmp_path / "d")
    (tmp_path / "d" / "values.csv").write_text("对象编号,周期,重点任务完成评分,满意率\nD01,2025Q2,40,90\n",
                                               encoding="utf-8")
    code, out, err = invoke("validate", str(RULESET), "--data", str(tmp_path / "d"))
    assert code == 1 and "E-DATA-INPUT-ABSENT" in err and "investment" in err


def test_validate_one_departments_file_against_the_rulesets_subjects(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(RULESET, project / "ruleset.yaml")
    subjects_csv(project / "data")
    submission = tmp_path / "招商局" / "数据项表.csv"
    submission.parent.mkdir()
    submission.write_text("对象编号,周期,重点任务完成评分,满意率,固定资产投资\nD01,2025Q2,45,97%,\"5,200\"\n"
                          "D1,2025Q2,45,97%,1\n", encoding="utf-8")
    code, out, err = invoke("validate", str(project / "ruleset.yaml"), "--data", str(submission))
    assert code == 1
    assert f"{submission.absolute()}:3:1::subject" in err and "E-DATA-UNKNOWN-SUBJECT" in err
    assert "D01" in err  # did you mean, from the ruleset's own subjects table
    submission.write_text("对象编号,周期,重点任务完成评分,满意率,固定资产投资\nD01,2025Q2,45,97%,\"5,200\"\n",
                          encoding="utf-8")
    code, out, err = invoke("validate", str(project / "ruleset.yaml"), "--data", str(submission))
    assert code == 0, err


def test_a_file_naming_no_table_is_refused(tmp_path: Path) -> None:
    (tmp_path / "汇总.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    code, _, err = invoke("validate", str(RULESET), "--data", str(tmp_path / "汇总.csv"))
    assert code == 1 and "E-DATA-WHICH-TABLE" in err and "考核对象表" in err


def test_a_workbook_lacking_a_declared_table_names_the_sheet_to_add(tmp_path: Path) -> None:
    project = tmp_path / "p"
    project.mkdir()
    text = RULESET.read_text(encoding="utf-8") + "data:\n  events: {source: csv, path: data/events.csv}\n"
    (project / "ruleset.yaml").write_text(text, encoding="utf-8")
    office_workbook(tmp_path / "考核数据.xlsx")
    code, _, err = invoke("validate", str(project / "ruleset.yaml"), "--data", str(tmp_path / "考核数据.xlsx"))
    assert code == 1 and "E-DATA-BOOK-SHEET" in err and "事件表" in err
    line = len(text.splitlines())  # at the ruleset line that names the file the workbook stands in for
    assert f"ruleset.yaml:{line}:" in err


def test_sheets_and_files_name_their_table_by_id_or_chinese_name() -> None:
    from kaohe.engine.data.submission import table_named

    assert table_named("考核对象表") == table_named("考核对象") == table_named(" Subjects ") == "subjects"
    assert table_named("数据项表") == "values" and table_named("整改事项") == "items"
    assert table_named("填报说明") is None and table_named("Sheet1") is None


def test_a_workbook_sheet_named_without_biao_is_read(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.title = "填报说明"
    book.active.append(["第一行写表头"])
    sheet = book.create_sheet("考核对象")
    sheet.append(["对象编号", "对象名称"])
    sheet.append(["D01", "招商局"])
    values = book.create_sheet("数据项")
    values.append(["编号", "考核周期", "key_tasks", "满意率", "investment"])
    values.append(["D01", "2025", 50, 1, 0])
    book.save(tmp_path / "填报.xlsx")
    dataset = load(tmp_path / "填报.xlsx")
    assert dataset.subjects.name.tolist() == ["招商局"]
    assert value(dataset, "2025", "satisfaction") == [1.0] and value(dataset, "2025", "investment") == [0.0]
    assert dataset.origins == {"subjects": str(tmp_path / "填报.xlsx#考核对象"),
                               "values": str(tmp_path / "填报.xlsx#数据项")}


def test_only_a_scaling_percent_format_marks_a_percentage() -> None:
    from kaohe.plugins.data_sources import _scales_by_100

    assert _scales_by_100("0%") and _scales_by_100("0.00%")
    assert not _scales_by_100('0"%"') and not _scales_by_100("0\\%") and not _scales_by_100("General")


def test_a_name_column_beside_the_ids_is_checked_not_read(tmp_path: Path) -> None:
    """The data-entry template writes 名称 beside each id: a row whose name is another subject's is
    located (E-DATA-NAME-MISMATCH); blank names and matching names pass."""

    from click.testing import CliRunner

    from kaohe.cli import main

    folder = tmp_path / "office"
    shutil.copytree(Path(__file__).parent / "fixtures" / "office", folder)
    subjects = "编号,名称\nD01,招商局\nD02,交通局\n"
    (folder / "data").mkdir(exist_ok=True)
    data = folder / "data"
    (data / "subjects.csv").write_text(subjects, encoding="utf-8")
    values = "对象编号,名称,周期,key_tasks\nD01,招商局,2025Q2,45\nD02,招商局,2025Q2,42.5\nD02,,2025Q2,1\n"
    (data / "values.csv").write_text(values, encoding="utf-8")
    result = CliRunner().invoke(main, ["--lang", "zh", "validate", str(folder / "ruleset.yaml"), "--data", str(data),
                                       "--format", "json"])
    problems = [p for p in json.loads(result.stdout)["problems"] if p["code"] == "E-DATA-NAME-MISMATCH"]
    assert len(problems) == 1  # D01's row matches, D02's blank name is not checked
    assert problems[0]["line"] == 3 and problems[0]["column"] == 2
    assert "D02" in problems[0]["message"] and "交通局" in problems[0]["message"] and "招商局" in problems[0]["message"]


def test_a_column_mixing_97_percent_with_plain_numbers_warns(tmp_path: Path) -> None:
    """key_tasks declares unit 分, so 90% reads as 0.9 while 45 beside it is 45: a hundred times apart."""
    from click.testing import CliRunner

    from kaohe.cli import main

    folder = tmp_path / "office"
    shutil.copytree(Path(__file__).parent / "fixtures" / "office", folder)
    data = folder / "data"
    data.mkdir(exist_ok=True)
    (data / "subjects.csv").write_text("编号,名称\nD01,招商局\nD02,交通局\n", encoding="utf-8")
    values = "对象编号,周期,重点任务完成评分,满意率,固定资产投资\nD01,2025Q2,45,97,5200\nD02,2025Q2,90%,88,3100\n"
    (data / "values.csv").write_text(values, encoding="utf-8")
    args = ["--lang", "zh", "validate", str(folder / "ruleset.yaml"), "--data", str(data), "--format", "json"]
    problems = json.loads(CliRunner().invoke(main, args).stdout)["problems"]
    assert [(p["code"], p["line"], p["column"]) for p in problems] == [("W-DATA-PERCENT-MIXED", 3, 3)]
    assert "0.9" in problems[0]["message"] and "unit: %" in problems[0]["message"]
    # 满意率 declares unit: %, so 97 and 88 are percents already: nothing to warn about
    (data / "values.csv").write_text(values.replace("90%", "90"), encoding="utf-8")
    assert json.loads(CliRunner().invoke(main, args).stdout)["problems"] == []


def test_a_formula_the_file_holds_no_result_for_is_refused_where_it_stands(tmp_path: Path) -> None:
    """A workbook written by a program holds =20+8 with no result: read as blank it would score 0 as
    missing data. Said at its sheet, row and column; the rest of the sheet is not the problem."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "数据项表"
    sheet.append(["subject", "period", "key_tasks", "satisfaction"])
    sheet.append(["D01", "2025Q2", "=20+25", 90])
    sheet.append(["D02", "2025Q2", 40, 88])
    book.save(tmp_path / "values.xlsx")
    subjects_csv(tmp_path)
    (problem,) = failure(tmp_path)
    assert (problem.code, problem.line, problem.column) == ("E-DATA-FORMULA-UNCACHED", 2, 3)
    assert "=20+25" in problem.message("zh") and "open and save it in Excel" in problem.message("en")
