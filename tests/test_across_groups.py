"""Places counted across ranking groups (docs/ruleset-format.md, 等次表 Grades, 跨组名额
across_groups): each group's quota first, then a cap over all groups in the overall
ranking order. Every expected grade is worked by hand in the comments."""

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
id: across
title: 分类排名、全体限额
year: 2025
subjects:
  kind: person
  fields:
    region: {title: 片区}
inputs:
  work: {title: 工作实绩}
indicators:
  - {id: work, title: 工作实绩, points: 100, rater: {use: direct, input: work}}
grading:
  group_by: class
  grades:
    - grade: 优秀
      min: 90
      quota: {max_share: 0.4}
      across_groups: {max_share: 0.3}
    - {grade: 良好, min: 80}
    - {grade: 合格, min: 60}
    - {grade: 不合格}
"""

# class A: 99 97 95 80 70; class B: 98 96 94 85 60
SCORES = {"A01": 99, "A02": 97, "A03": 95, "A04": 80, "A05": 70,
          "B01": 98, "B02": 96, "B03": 94, "B04": 85, "B05": 60}


def run(tmp_path: Path, text: str = RULESET, scores: dict[str, float] = SCORES,
        region: dict[str, str] | None = None):
    file = tmp_path / "ruleset.yaml"
    file.write_text(text, encoding="utf-8")
    ruleset = load_ruleset(file, default_registry())
    subjects = [{"id": s, "name": s, "class": s[0], "region": (region or {}).get(s, "东")} for s in scores]
    values = [{"subject": s, "period": "2025", "work": v} for s, v in scores.items()]
    return evaluate(ruleset, inline_dataset(ruleset, {"subjects": subjects, "values": values}, "inline"),
                    default_registry())


def grades(evaluation) -> dict[str, str]:
    result = evaluation.period("2025")
    return {str(i): str(g) for i, g in zip(result.cohort.ids, result.grades.grade, strict=True)}


def test_the_cap_over_all_groups_refuses_the_last_in_the_overall_order(tmp_path: Path) -> None:
    # each class: floor(5 × 0.4) = 2 places → A01 99, A02 97 and B01 98, B02 96 hold 优秀 (A03, B03 → 良好)
    # all: floor(10 × 0.3) = 3 places; overall order 99 A01, 98 B01, 97 A02, 96 B02 → B02 is the fourth → 良好
    assert grades(run(tmp_path)) == {
        "A01": "优秀", "A02": "优秀", "A03": "良好", "A04": "良好", "A05": "合格",
        "B01": "优秀", "B02": "良好", "B03": "良好", "B04": "良好", "B05": "合格",
    }


def test_the_reason_says_which_places_were_full(tmp_path: Path) -> None:
    document = build_document(run(tmp_path))
    subjects = {s["id"]: s for s in document["periods"][0]["subjects"]}
    assert subjects["B02"]["grade_reason"]["code"] == "quota"
    assert subjects["B02"]["grade_reason"]["text"] == (
        "优秀跨组名额已满：全体 10 名 × 0.3（向下取整） = 3 名，本对象按排名先后在名额之外，顺延为良好")
    # A03 is held back by its own class's quota, as before
    assert subjects["A03"]["grade_reason"]["text"].startswith("优秀名额已满：组内 5 名 × 0.4（向下取整） = 2 名")


def test_a_count_and_a_scope_column(tmp_path: Path) -> None:
    # within: region; 东 = A01 A02 B01 B02 B03 (5 ranked), 西 = the other five; max_count 1 in each region.
    # holders after the class quotas: A01 99 (东), B01 98 (东), A02 97 (东), B02 96 (东) → 东 keeps A01 only;
    # 西 has no holder (A03 95 and B03 94 were refused by their classes' quotas, and B03 is 东 anyway)
    text = RULESET.replace("across_groups: {max_share: 0.3}", "across_groups: {max_count: 1, within: region}")
    region = {s: "东" for s in ("A01", "A02", "B01", "B02", "B03")}
    region |= {s: "西" for s in SCORES if s not in region}
    result = grades(run(tmp_path, text, region=region))
    assert [s for s, g in result.items() if g == "优秀"] == ["A01"]
    assert result["B01"] == result["A02"] == result["B02"] == "良好"


def test_equal_keys_fall_back_to_id_order(tmp_path: Path) -> None:
    # A02 and B01 both 97: overall order A01 99, A02 97, B01 97 (A02 < B01 by id), B02 96; 3 places → B02 refused
    scores = dict(SCORES, A02=97, B01=97)
    result = grades(run(tmp_path, scores=scores))
    assert [s for s, g in result.items() if g == "优秀"] == ["A01", "A02", "B01"]


def test_an_unknown_scope_is_a_located_error(tmp_path: Path) -> None:
    text = RULESET.replace("across_groups: {max_share: 0.3}", "across_groups: {max_share: 0.3, within: regoin}")
    with pytest.raises(KaoheError) as caught:
        run(tmp_path, text)
    problem = caught.value.diagnostics[0]
    assert problem.code == "E-ACROSS-WITHIN"
    assert (problem.line, problem.column) == (19, 47) and "region" in problem.message("en")
