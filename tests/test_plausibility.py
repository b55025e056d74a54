"""Evaluation warnings (docs/ruleset-format.md, 计算提醒 Evaluation warnings):
the docs' worked example by hand, and the absent-input error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kaohe.cli import main
from kaohe.engine.errors import KaoheError
from kaohe.engine.evaluation.runner import run

RULESET = """\
kaohe: 1
id: warn
title: 提醒
year: 2025
subjects: {kind: unit}
inputs:
  a: {title: 实际}
  t: {title: 目标}
  b: {title: 分档数据}
periods: {cycle: year}
indicators:
  - {id: x, title: 完成率, points: 20, rater: {use: attainment, actual: a, target: t, cap: 1.2}}
  - id: y
    title: 分档
    points: 80
    rater: {use: bands, input: b, bands: [{to: 1, points: 0}, {from: 1, points: 90}]}
data:
  subjects: {source: csv, path: subjects.csv}
  values: {source: csv, path: values.csv}
"""

VALUES = "subject,period,a,t,b\nU1,2025,30,10,2\nU2,2025,5,10,\n"


def project(tmp_path: Path, ruleset: str = RULESET, values: str = VALUES) -> Path:
    (tmp_path / "subjects.csv").write_text("id,name\nU1,一\nU2,二\n", encoding="utf-8")
    (tmp_path / "values.csv").write_text(values, encoding="utf-8")
    file = tmp_path / "ruleset.yaml"
    file.write_text(ruleset, encoding="utf-8")
    return file


def codes(file: Path) -> list[tuple[str, str | None, str]]:
    return [(w.code, w.params.get("indicator"), w.params["subjects"]) for w in run(file).warnings]


def test_the_docs_example_by_hand(tmp_path: Path) -> None:
    result = run(project(tmp_path)).period("2025")
    # U1: x = 20 × min(3, 1.2) = 24 (cap declared), y = 90; U2: x = 20 × 0.5 = 10, y missing → 0
    assert result.tree.scores["x"].tolist() == pytest.approx([24, 10])
    assert result.tree.scores["y"].tolist() == [90, 0]
    assert [(w.diagnostic.code, w.rows) for w in result.warnings] == [
        ("W-SCORE-ABOVE-FULL", (0,)), ("W-MISSING-DEFAULT-ZERO", (1,)),
    ]
    above = result.warnings[0].diagnostic
    assert above.params["highest"] == 90 and above.params["full"] == 80
    assert above.line == 13 and above.path == "$.indicators[1]"  # the indicator y


def test_declaring_missing_silences_the_default_zero(tmp_path: Path) -> None:
    ruleset = RULESET.replace("    points: 80\n", "    points: 80\n    missing: zero\n")
    assert codes(project(tmp_path, ruleset)) == [("W-SCORE-ABOVE-FULL", "y", "U1")]


def test_an_input_the_data_never_supplies_is_an_error(tmp_path: Path) -> None:
    file = project(tmp_path, values="subject,period,a,t\nU1,2025,30,10\nU2,2025,5,10\n")
    with pytest.raises(KaoheError) as caught:
        run(file)
    (problem,) = caught.value.diagnostics
    assert problem.code == "E-DATA-INPUT-ABSENT"
    assert problem.params["input"] == "b" and problem.path == "$.indicators[1].rater"
    assert "missing: zero" in problem.message("zh") and "missing: zero" in problem.message("en")


def test_an_absent_input_with_a_declared_policy_follows_it(tmp_path: Path) -> None:
    ruleset = RULESET.replace("    points: 80\n", "    points: 80\n    missing: exclude\n")
    file = project(tmp_path, ruleset, values="subject,period,a,t\nU1,2025,30,10\nU2,2025,5,10\n")
    result = run(file).period("2025")
    # y excluded, the top level re-normalised over x: U2 = 10 × 100 / 20 = 50
    assert result.tree.subtotal.tolist() == pytest.approx([120, 50])


def test_a_subtotal_above_the_scale_no_leaf_explains(tmp_path: Path) -> None:
    ruleset = """\
kaohe: 1
id: scale
title: 超出总分
year: 2025
subjects: {kind: unit}
total_points: 100
children_must_sum: false
inputs:
  a: {title: 甲}
  b: {title: 乙}
periods: {cycle: year}
indicators:
  - {id: p, title: 甲, points: 60, rater: {use: direct, input: a}}
  - {id: q, title: 乙, points: 50, rater: {use: direct, input: b}}
data:
  subjects: {source: csv, path: subjects.csv}
  values: {source: csv, path: values.csv}
"""
    # U1: 55 + 50 = 105 > 100, no leaf above its full marks; U2: 40 + 30 = 70
    file = project(tmp_path, ruleset, values="subject,period,a,b\nU1,2025,55,50\nU2,2025,40,30\n")
    assert codes(file) == [("W-SUBTOTAL-ABOVE-SCALE", None, "U1")]


def test_warnings_reach_the_screen_the_document_and_explain(tmp_path: Path) -> None:
    file = project(tmp_path)
    runner = CliRunner()
    table = runner.invoke(main, ["--lang", "en", "evaluate", str(file), "--format", "json"])
    assert table.exit_code == 0, table.output
    assert "W-MISSING-DEFAULT-ZERO" in table.stderr and "2 warning(s)" in table.stderr
    document = json.loads(table.stdout)
    warnings = document["periods"][0]["warnings"]
    assert [(w["code"], w["subjects"]) for w in warnings] == [
        ("W-SCORE-ABOVE-FULL", ["U1"]), ("W-MISSING-DEFAULT-ZERO", ["U2"]),
    ]
    assert warnings[0]["message"]["zh"].startswith("2025 指标 “y” 有 1 个对象得分高于满分 80")
    explained = runner.invoke(main, ["explain", str(file), "U2"])
    assert "W-MISSING-DEFAULT-ZERO" in explained.stdout and "W-SCORE-ABOVE-FULL" not in explained.stdout


def test_a_rate_cap_written_in_points_is_a_validation_warning(tmp_path: Path) -> None:
    file = project(tmp_path, RULESET.replace("cap: 1.2", "cap: 20"))
    result = CliRunner().invoke(main, ["--lang", "en", "validate", str(file), "--format", "json"])
    assert result.exit_code == 0
    (problem,) = json.loads(result.stdout)["problems"]
    assert problem["code"] == "W-RATE-CAP-POINTS" and problem["severity"] == "warning"
    assert problem["path"] == "$.indicators[0].rater.cap" and "2000" in problem["message"]


QUOTA_RULESET = """\
kaohe: 1
id: quota
title: 名额
year: 2025
subjects: {kind: unit}
inputs:
  a: {title: 得分}
periods: {cycle: year}
indicators:
  - {id: x, title: 得分, points: 100, rater: {use: direct, input: a}}
grading:
  group_by: class
  grades:
    - {grade: 优秀, min: 90, quota: {max_share: 0.2}}
    - {grade: 合格}
data:
  subjects: {source: csv, path: subjects.csv}
  values: {source: csv, path: values.csv}
"""


def test_a_quota_that_leaves_a_group_no_place_is_warned_of(tmp_path: Path) -> None:
    """Class A has 5 units: floor(5 × 0.2) = 1 place, A1 (95) is 优秀, A2 (92) is over the quota as
    intended. Class B has 3: floor(3 × 0.2) = 0 places, so B1 (96) reached 优秀 and cannot have it:
    that group, and only it, is warned of; min_count: 1 gives B1 its place and no warning."""
    subjects = "id,name,class\n" + "".join(f"A{i},甲{i},a\n" for i in range(1, 6)) + "B1,乙1,b\nB2,乙2,b\nB3,乙3,b\n"
    values = "subject,period,a\nA1,2025,95\nA2,2025,92\nA3,2025,80\nA4,2025,70\nA5,2025,60\n" \
             "B1,2025,96\nB2,2025,85\nB3,2025,75\n"
    ruleset = QUOTA_RULESET.replace("kind: unit}", "kind: unit, classes: {a: {title: 甲类}, b: {title: 乙类}}}")
    file = project(tmp_path, ruleset, values)
    (tmp_path / "subjects.csv").write_text(subjects, encoding="utf-8")
    evaluation = run(file)
    assert evaluation.period("2025").grades.grade.tolist()[:6] == ["优秀", "合格", "合格", "合格", "合格", "合格"]
    (warning,) = evaluation.warnings
    assert (warning.code, warning.params["subjects"], warning.path) == ("W-QUOTA-NO-PLACE", "B1",
                                                                          "$.grading.grades[0].quota")
    assert "min_count: 1" in warning.message("zh") and warning.line == 14
    file.write_text(ruleset.replace("max_share: 0.2}", "max_share: 0.2, min_count: 1}"), encoding="utf-8")
    fixed = run(file)
    assert fixed.warnings == [] and fixed.period("2025").grades.grade.tolist()[5] == "优秀"
