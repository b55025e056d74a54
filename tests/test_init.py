"""kaohe init: a new jurisdiction folder that validates, tests and evaluates as written."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from click.testing import CliRunner, Result

from kaohe.cli import main


def kaohe(*args: str, answers: str | None = None) -> Result:
    return CliRunner().invoke(main, ["--lang", "zh", *args], input=answers)


def check_all_three(folder: Path) -> dict[str, dict[str, object]]:
    """validate, test and evaluate pass; the year's (or single period's) records by subject id."""
    assert kaohe("validate", str(folder)).exit_code == 0
    tested = kaohe("test", str(folder))
    assert tested.exit_code == 0, tested.output
    evaluated = CliRunner().invoke(main, ["evaluate", str(folder), "--format", "json"])
    assert evaluated.exit_code == 0, evaluated.output
    last = json.loads(evaluated.stdout)["periods"][-1]
    return {s["id"]: s for s in last["subjects"]}


def test_flags_make_a_folder_that_validates_tests_and_evaluates(tmp_path: Path) -> None:
    folder = tmp_path / "xinqu"
    result = kaohe("init", str(folder), "--id", "xinqu", "--title", "新区部门绩效考核办法", "--year", "2026",
                   "--kind", "unit", "--periods", "quarter", "--indicator", "重点工作", "--indicator", "日常管理",
                   "--indicator", "群众满意度", "--yes")
    assert result.exit_code == 0, result.output
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()) == [
        "2026.yaml", "README.md", "data/events.csv", "data/subjects.csv", "data/values.csv", "tests/cases.yaml"]
    text = (folder / "2026.yaml").read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=") and "schemas/ruleset" in text.splitlines()[0]
    assert "# 考核周期" in text and "# 指标体系" in text  # sections explained in Chinese
    ruleset = yaml.safe_load(text)
    # 100 points over three indicators: 34 + 33 + 33
    assert [(i["title"], i["points"]) for i in ruleset["indicators"]] == [("重点工作", 34), ("日常管理", 33), ("群众满意度", 33)]
    records = check_all_three(folder)
    # sample data: U01 loses 1 point per indicator every quarter: 33 + 32 + 32 = 97 each quarter, the year 97;
    # U02 loses 5: 29 + 28 + 28 = 85, one red card (2 points) in Q1 → Q1 83, others 85 → year (83 + 85·3) / 4 = 84.5
    assert records["U01"]["total"] == 97 and records["U01"]["grade"] == "优秀"
    assert records["U02"]["total"] == 84.5 and records["U02"]["grade"] == "良好"
    assert "red_card" in (folder / "README.md").read_text(encoding="utf-8")


def test_the_interview_answers_make_a_yearly_folder_of_persons(tmp_path: Path) -> None:
    folder = tmp_path / "town"
    answers = "town\n某镇机关干部个人绩效考核办法\n2026\nperson\nyear\n工作实绩、工作作风\n"
    result = kaohe("init", str(folder), answers=answers)
    assert result.exit_code == 0, result.output
    assert "方案编号" in result.output and "考核周期" in result.output  # the questions were asked
    ruleset = yaml.safe_load((folder / "2026.yaml").read_text(encoding="utf-8"))
    assert (ruleset["id"], ruleset["subjects"]["kind"], ruleset["periods"]["cycle"]) == ("town", "person", "year")
    records = check_all_three(folder)
    # two indicators of 50: P01 49 + 49 = 98; P02 45 + 45 = 90 − red card 2 = 88
    assert (records["P01"]["total"], records["P02"]["total"]) == (98, 88)
    assert "unit" in (folder / "data" / "subjects.csv").read_text(encoding="utf-8").splitlines()[0]


def test_a_folder_in_use_is_refused_and_left_alone(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("keep me", encoding="utf-8")
    result = kaohe("init", str(tmp_path), "--yes")
    assert result.exit_code == 1
    assert "E-INIT-NOT-EMPTY" in result.output and f"{tmp_path}:" in result.output and "不是空的" in result.output
    english = CliRunner().invoke(main, ["--lang", "en", "init", str(tmp_path), "--yes"])
    assert "is not empty" in english.output and "不是" not in english.output
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_answers_that_cannot_become_a_ruleset_are_refused(tmp_path: Path) -> None:
    result = kaohe("init", str(tmp_path / "x"), "--id", "2026区", "--year", "1999", "--indicator", "甲:乙", "--yes")
    assert result.exit_code == 1
    assert all(code in result.output for code in ("E-INIT-ID", "E-INIT-YEAR", "E-INIT-INDICATORS"))
    assert not (tmp_path / "x").exists()  # nothing written


def test_an_empty_folder_is_filled_with_defaults_named_after_it(tmp_path: Path) -> None:
    folder = tmp_path / "laoqu"
    folder.mkdir()
    result = kaohe("init", str(folder), "--year", "2026", "--yes")
    assert result.exit_code == 0, result.output
    ruleset = yaml.safe_load((folder / "2026.yaml").read_text(encoding="utf-8"))
    assert ruleset["id"] == "laoqu" and ruleset["periods"]["cycle"] == "quarter"
    assert [i["title"] for i in ruleset["indicators"]] == ["重点工作任务", "日常运行管理", "服务对象满意度"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging folder left behind
    check_all_three(folder)
