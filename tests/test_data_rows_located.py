"""A problem found in one data row while scoring points at that row of the data file, the thing to
correct, not at the ruleset (issue 15: E-RATING-VOTE and E-RATER-ITEM-WEIGHT carried no file or row)."""

from __future__ import annotations

import csv
import io
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kaohe.cli import main

ROOT = Path(__file__).resolve().parent.parent


def jurisdiction(tmp_path: Path, name: str) -> Path:
    for folder in (name, "province"):  # Loudi extends the province's framework
        shutil.copytree(ROOT / "rulesets" / folder, tmp_path / folder, ignore=shutil.ignore_patterns("tests"))
    (tmp_path / "kaohe.toml").write_text("", encoding="utf-8")
    return tmp_path / name


def errors(ruleset: Path, lang: str) -> list[str]:
    result = CliRunner().invoke(main, ["--lang", lang, "evaluate", str(ruleset), "--format", "csv"])
    assert result.exit_code == 1
    return [line for line in result.stderr.splitlines() if re.search(r"\((E|W)-[A-Z-]+\)$", line)]


def replace_line(file: Path, number: int, old: str, new: str) -> None:
    lines = file.read_text(encoding="utf-8").split("\n")
    assert old in lines[number - 1]
    lines[number - 1] = lines[number - 1].replace(old, new)
    file.write_text("\n".join(lines), encoding="utf-8")


def test_an_undefined_vote_points_at_its_line_in_the_ratings_file(tmp_path: Path) -> None:
    folder = jurisdiction(tmp_path, "example")
    ratings = folder / "data" / "ratings.csv"
    replace_line(ratings, 3, ",较好", ",很好好")  # D01, 2025Q1, leader-2
    [zh] = errors(folder / "2025.yaml", "zh")
    assert zh.startswith(f"{ratings}:3: ") and "“很好好”" in zh and zh.endswith("(E-RATING-VOTE)")
    [en] = errors(folder / "2025.yaml", "en")
    assert en.startswith(f"{ratings}:3: ") and "'很好好'" in en


def test_a_bad_item_weight_points_at_its_line_in_the_events_file(tmp_path: Path) -> None:
    folder = jurisdiction(tmp_path, "loudi")
    events = folder / "data" / "events.csv"
    replace_line(events, 22, ",就业驿站,1,", ",就业驿站,-1,")  # LD21's 民生实事 item, weight −1
    [zh] = errors(folder / "2024.yaml", "zh")
    assert zh.startswith(f"{events}:22: ") and "-1" in zh and zh.endswith("(E-RATER-ITEM-WEIGHT)")


STRAY_RULESET = """\
kaohe: 1
id: stray
title: 年份写错
year: 2026
subjects: {kind: person}
inputs:
  work: {title: 工作实绩}
periods: {cycle: quarter}
indicators:
  - {id: work, title: 工作实绩, points: 100, rater: {use: direct, input: work}, missing: zero}
"""


@pytest.mark.parametrize("subjects, values, warned", [
    # A1's fourth quarter typed as 2025Q4: A1 is on post in 2026Q4 with no row there → warned
    ("id,name\nA1,甲\nA2,乙\n", [("A1", "2025Q4"), ("A2", "2026Q4")], "2025Q4（1 个）"),
    # last year's rows beside this year's (a file shared by two years' rulesets): not stray
    ("id,name\nA1,甲\n", [("A1", "2025Q4"), ("A1", "2026Q4")], None),
    # a leaver has last year's Q4 and rightly none this year
    ("id,name,left\nA1,甲,2026-08-31\n", [("A1", "2025Q4"), ("A1", "2026Q3")], None),
])
def test_a_value_for_the_year_typed_wrong_is_warned_of(tmp_path: Path, subjects: str, values: list, warned: str | None):
    (tmp_path / "data").mkdir()
    (tmp_path / "2026.yaml").write_text(STRAY_RULESET, encoding="utf-8")
    (tmp_path / "data" / "subjects.csv").write_text(subjects, encoding="utf-8")
    rows = "".join(f"{subject},{period},90\n" for subject, period in values)
    (tmp_path / "data" / "values.csv").write_text("subject,period,work\n" + rows, encoding="utf-8")
    for command in (["validate", str(tmp_path), "--data", str(tmp_path / "data")], ["evaluate", str(tmp_path)]):
        result = CliRunner().invoke(main, command)
        assert result.exit_code == 0, result.output
        assert ("W-DATA-OTHER-PERIOD" in result.stderr) == (warned is not None), result.stderr
        if warned:
            assert warned in result.stderr and "values.csv" in result.stderr


def test_other_scripts_digits_in_a_csv_are_refused_where_they_stand(tmp_path: Path) -> None:
    """Docs (数据错误): ١٢ is no number, read from a CSV as from anywhere (it read as 12 there)."""
    (tmp_path / "data").mkdir()
    (tmp_path / "2026.yaml").write_text(STRAY_RULESET, encoding="utf-8")
    (tmp_path / "data" / "subjects.csv").write_text("id,name\nA1,甲\n", encoding="utf-8")
    (tmp_path / "data" / "values.csv").write_text("subject,period,work\nA1,2026Q1,١٢\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(tmp_path), "--data", str(tmp_path / "data")])
    assert result.exit_code == 1 and "values.csv:2:3::work:" in result.stderr and "E-DATA-NOT-NUMBER" in result.stderr


def test_a_class_the_ruleset_does_not_declare_is_warned_of(tmp_path: Path) -> None:
    """Docs (类别与系数): a class not in classes gets coefficient 1. Written as the class's title
    (一线部门) or in the wrong case (Frontline), the office meant frontline: said, with the id to write."""
    (tmp_path / "data").mkdir()
    ruleset = STRAY_RULESET.replace("subjects: {kind: person}",
                                    "subjects: {kind: person, classes: {frontline: {title: 一线部门, coefficient: 1.1}}}")
    (tmp_path / "2026.yaml").write_text(ruleset, encoding="utf-8")
    (tmp_path / "data" / "subjects.csv").write_text("id,name,class\nA1,甲,一线部门\nA2,乙,Frontline\nA3,丙,frontline\n",
                                                   encoding="utf-8")
    rows = "".join(f"A{i},2026Q{q},80\n" for i in (1, 2, 3) for q in (1, 2, 3, 4))
    (tmp_path / "data" / "values.csv").write_text("subject,period,work\n" + rows, encoding="utf-8")
    result = CliRunner().invoke(main, ["--lang", "en", "evaluate", str(tmp_path), "--format", "csv"])
    assert result.exit_code == 0
    warned = [line for line in result.stderr.splitlines() if "W-DATA-UNKNOWN-CLASS" in line]
    assert len(warned) == 2 and all("did you mean 'frontline'?" in line for line in warned)
    assert "gives A1 the class '一线部门'" in warned[1] and "gives A2 the class 'Frontline'" in warned[0]
    rows = [r for r in csv.DictReader(io.StringIO(result.stdout.lstrip("\ufeff"))) if r["周期"] == "2026Q4"]
    # the documented coefficient 1 stands for A1 and A2 (80); A3 frontline: 80 × 1.1 = 88
    assert {r["编号"]: float(r["总分"]) for r in rows} == {"A1": 80, "A2": 80, "A3": 88}


def test_a_data_folder_without_subjects_names_where_it_looked(tmp_path: Path) -> None:
    """--data DIR looks for DIR/subjects.csv (…xlsx, xls, json) first: the message names that, not DIR/data/."""
    (tmp_path / "2026.yaml").write_text(STRAY_RULESET, encoding="utf-8")
    (tmp_path / "empty").mkdir()
    result = CliRunner().invoke(main, ["validate", str(tmp_path), "--data", str(tmp_path / "empty")])
    assert result.exit_code == 1 and "E-DATA-FILE" in result.stderr
    assert f"{tmp_path / 'empty' / 'subjects'}.csv|xlsx|xls|json" in result.stderr


def test_an_event_type_a_rule_would_match_but_for_a_space_is_warned_of(tmp_path: Path) -> None:
    """红 牌 (a space typed in) and ＲＥＤ are no 红牌 / red to the rule, silently; 黄牌 is another type."""
    (tmp_path / "data").mkdir()
    ruleset = STRAY_RULESET + "deductions:\n  - {id: card, title: 红牌, when: \"event.type in ('红牌', 'red')\", points: 1}\n"
    (tmp_path / "2026.yaml").write_text(ruleset, encoding="utf-8")
    (tmp_path / "data" / "subjects.csv").write_text("id,name\nA1,甲\n", encoding="utf-8")
    rows = "".join(f"A1,2026Q{q},80\n" for q in (1, 2, 3, 4))
    (tmp_path / "data" / "values.csv").write_text("subject,period,work\n" + rows, encoding="utf-8")
    (tmp_path / "data" / "events.csv").write_text(
        "subject,date,type\nA1,2026-01-05,红牌\nA1,2026-01-06,红 牌\nA1,2026-01-07,黄牌\nA1,2026-01-08,ＲＥＤ\n",
        encoding="utf-8")
    result = CliRunner().invoke(main, ["--lang", "en", "validate", str(tmp_path), "--data", str(tmp_path / "data")])
    warned = [line for line in result.stderr.splitlines() if "W-DATA-EVENT-TYPE" in line]
    assert result.exit_code == 0 and len(warned) == 2
    assert ":3::type: " in warned[0] and "type '红 牌', which differs from the rules' '红牌'" in warned[0]
    assert ":5::type: " in warned[1] and "type 'ＲＥＤ', which differs from the rules' 'red'" in warned[1]
