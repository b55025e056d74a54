"""A grade line computed over the period (docs/ruleset-format.md, 按同组统计定分数线), by hand."""

from __future__ import annotations

import pytest

from kaohe.engine.evaluation.pipeline import evaluate
from kaohe.engine.evaluation.runner import inline_dataset
from kaohe.engine.registry import default_registry
from kaohe.engine.report.explain import explain_subject
from kaohe.engine.report.results import build_document
from kaohe.engine.ruleset.load import load_ruleset

RULESET = """\
kaohe: 1
id: lines
title: 计算分数线
year: 2025
subjects: {kind: unit}
inputs:
  x: {title: 得分}
indicators:
  - {id: x, title: 得分, points: 100, rater: {use: direct, input: x}}
grading:
  grades:
    - {grade: 优秀, min: "percentile(total, 0.8, 'nearest_rank')"}
    - {grade: 良好, min: 80}
    - {grade: 一般}
"""
TOTALS = {"U1": 95, "U2": 90, "U3": 85, "U4": 80, "U5": 70}
DATA = {"subjects": [{"id": s, "name": s} for s in TOTALS],
        "values": [{"subject": s, "period": "2025", "x": x} for s, x in TOTALS.items()]}


@pytest.fixture(scope="module")
def evaluation(tmp_path_factory: pytest.TempPathFactory):
    file = tmp_path_factory.mktemp("lines") / "ruleset.yaml"
    file.write_text(RULESET, encoding="utf-8")
    ruleset = load_ruleset(file, default_registry())
    return evaluate(ruleset, inline_dataset(ruleset, DATA, "inline"), default_registry())


def test_the_line_is_the_nearest_rank_80th_percentile(evaluation) -> None:
    grades = evaluation.period("2025").grades
    assert grades.grade.tolist() == ["优秀", "优秀", "良好", "良好", "一般"]
    assert grades.thresholds["优秀"].tolist() == [90] * 5


def test_the_results_and_explain_name_the_computed_line(evaluation) -> None:
    document = build_document(evaluation)
    text = str(document)
    assert "优秀分数线 90（percentile(total, 0.8, 'nearest_rank')）" in text
    assert "距优秀分数线 90 还差 5 分" in explain_subject(evaluation, "U3", None)
