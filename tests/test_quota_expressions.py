"""Quota sizes computed per group (docs/ruleset-format.md, 等次表 Grades,
按组计算的名额): a unit's grade decides its staff's 优秀 share. By hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from kaohe.engine.errors import KaoheError
from kaohe.engine.evaluation.pipeline import evaluate
from kaohe.engine.evaluation.runner import inline_dataset
from kaohe.engine.registry import default_registry
from kaohe.engine.report.results import build_document
from kaohe.engine.ruleset.load import load_ruleset

RULESET = """\
kaohe: 1
id: staff
title: 按单位等次分配优秀比例
year: 2025
subjects:
  kind: person
  fields:
    unit_grade: {title: 所在单位年度等次}
    posts: {title: 职数}
inputs:
  work: {title: 工作实绩}
indicators:
  - {id: work, title: 工作实绩, points: 100, rater: {use: direct, input: work}}
grading:
  group_by: unit
  grades:
    - grade: 优秀
      min: 90
      quota: {max_share: "0.3 if unit_grade == '优秀' else 0.2", max_count: "posts"}
    - {grade: 称职, min: 60}
    - {grade: 不称职}
"""


def people(unit: str, grade: str, posts: int) -> list[dict[str, object]]:
    return [{"id": f"{unit}{k:02d}", "name": f"{unit}{k}", "unit": unit, "unit_grade": grade, "posts": posts}
            for k in range(1, 11)]


def run(tmp_path: Path, subjects: list[dict[str, object]], text: str = RULESET):
    file = tmp_path / "ruleset.yaml"
    file.write_text(text, encoding="utf-8")
    ruleset = load_ruleset(file, default_registry())
    # everyone scores 99 − k (k = 1 … 10 within the unit): 98, 97, …, 89
    values = [{"subject": s["id"], "period": "2025", "work": 99 - int(str(s["id"])[1:])} for s in subjects]
    data = {"subjects": subjects, "values": values}
    return evaluate(ruleset, inline_dataset(ruleset, data, "inline"), default_registry())


def excellent(evaluation) -> list[str]:
    result = evaluation.period("2025")
    return [str(i) for i, g in zip(result.cohort.ids, result.grades.grade, strict=True) if g == "优秀"]


def test_the_units_grade_decides_its_share(tmp_path: Path) -> None:
    # A (优秀 unit): floor(10 × 0.3) = 3 → A01–A03; B (良好 unit): floor(10 × 0.2) = 2 → B01–B02.
    # 90 and above: the first nine of each unit; the rest of them are demoted to 称职 by the quota.
    evaluation = run(tmp_path, people("A", "优秀", 9) + people("B", "良好", 9))
    assert excellent(evaluation) == ["A01", "A02", "A03", "B01", "B02"]
    document = build_document(evaluation)
    a04 = next(s for s in document["periods"][0]["subjects"] if s["id"] == "A04")
    assert a04["grade_reason"]["text"].startswith("优秀名额已满：组内 10 名 × 0.3（向下取整），至多 9 名 = 3 名")


def test_a_count_read_from_the_data_caps_the_places(tmp_path: Path) -> None:
    # A has 2 promotion posts: min(3, 2) = 2 → A01, A02; B: min(2, 9) = 2
    evaluation = run(tmp_path, people("A", "优秀", 2) + people("B", "良好", 9))
    assert excellent(evaluation) == ["A01", "A02", "B01", "B02"]


def test_a_size_that_differs_within_a_group_is_a_located_error(tmp_path: Path) -> None:
    subjects = people("A", "优秀", 9)
    subjects[4]["unit_grade"] = "良好"  # A05 says its unit is 良好: 0.2 where A01 gives 0.3
    with pytest.raises(KaoheError) as caught:
        run(tmp_path, subjects)
    (problem,) = caught.value.diagnostics
    assert problem.code == "E-QUOTA-VARIES"
    assert problem.path == "$.grading.grades[0].quota.max_share" and problem.line == 19
    assert problem.params["a"] == "A01" and problem.params["b"] == "A05"


def test_an_unknown_name_in_a_quota_is_caught_at_load(tmp_path: Path) -> None:
    with pytest.raises(KaoheError) as caught:
        run(tmp_path, people("A", "优秀", 9), RULESET.replace("unit_grade == '优秀'", "unit_grad == '优秀'"))
    assert [d.code for d in caught.value.diagnostics] == ["E-EXPR-UNKNOWN-NAME"]
