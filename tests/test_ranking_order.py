"""The declared rank order (docs/ruleset-format.md, 排名依据 tie_break): a
vetoed subject last, a computed key; the docs' example by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from kaohe.engine.errors import KaoheError
from kaohe.engine.evaluation.pipeline import evaluate
from kaohe.engine.evaluation.runner import inline_dataset
from kaohe.engine.registry import default_registry
from kaohe.engine.ruleset.load import load_ruleset

RULESET = """\
kaohe: 1
id: order
title: 排名依据
year: 2025
subjects: {{kind: unit}}
inputs:
  economy: {{title: 经济}}
  service: {{title: 服务}}
indicators:
  - {{id: economy, title: 经济, points: 50, rater: {{use: direct, input: economy}}}}
  - {{id: service, title: 服务, points: 50, rater: {{use: direct, input: service}}}}
vetoes:
  - {{id: veto, title: 一票否决, per: subject, when: "id == 'A'", grade: 较差}}
grading:
  tie_break: {tie_break}
  grades:
    - {{grade: 好, min: 88}}
    - {{grade: 一般, min: 0}}
    - {{grade: 较差}}
"""

SCORES = {"A": (45, 45), "B": (40, 45), "C": (45, 40), "D": (40, 40)}
DATA = {"subjects": [{"id": s, "name": s} for s in SCORES],
        "values": [{"subject": s, "period": "2025", "economy": e, "service": v} for s, (e, v) in SCORES.items()]}


def ranks(tmp_path: Path, tie_break: str) -> list[int]:
    file = tmp_path / "ruleset.yaml"
    file.write_text(RULESET.format(tie_break=tie_break), encoding="utf-8")
    ruleset = load_ruleset(file, default_registry())
    result = evaluate(ruleset, inline_dataset(ruleset, DATA, "inline"), default_registry()).period("2025")
    return result.ranking.rank.tolist()


def test_a_vetoed_subject_ranks_last_and_a_computed_key_breaks_the_tie(tmp_path: Path) -> None:
    # A B C D -> 4 2 1 3
    assert ranks(tmp_path, '[vetoed, total, {expr: "score.economy", order: desc}, id]') == [4, 2, 1, 3]


def test_without_vetoed_the_total_comes_first(tmp_path: Path) -> None:
    assert ranks(tmp_path, '[total, {expr: "score.economy", order: desc}, id]') == [1, 3, 2, 4]


def test_ascending_computed_key(tmp_path: Path) -> None:
    # lowest economy first among equal totals: B (40) before C (45)
    assert ranks(tmp_path, '[vetoed, total, {expr: "score.economy", order: asc}, id]') == [4, 1, 2, 3]


@pytest.mark.parametrize("order, expected", [
    # a key with no value for B (its economy is missing: 1 / economy over a missing input is missing)
    ("desc", [1, 4, 2, 3]),  # A 45, C 45 tie on the key → id; D 40; B last
    ("asc", [2, 4, 3, 1]),  # D 40 first, then A, C; B still last, not first (nan once sorted as −∞)
])
def test_a_missing_key_ranks_last_in_either_order(tmp_path: Path, order: str, expected: list[int]) -> None:
    expr = "where(id == 'B', 1 / 0, score.economy)"
    assert ranks(tmp_path, f'[{{expr: "{expr}", order: {order}}}, id]') == expected


def test_a_bad_computed_key_is_a_located_error(tmp_path: Path) -> None:
    file = tmp_path / "ruleset.yaml"
    file.write_text(RULESET.format(tie_break='[total, {expr: "score.econmy"}]'), encoding="utf-8")
    with pytest.raises(KaoheError) as caught:
        load_ruleset(file, default_registry())
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.code == "E-EXPR-UNKNOWN-FIELD" and diagnostic.path == "$.grading.tie_break[1].expr"


def test_the_cross_group_order_decides_pool_remainders(tmp_path: Path) -> None:
    """Docs: with group_by the pool's leftover yuan go by one order across all
    groups (total, then id), not group rank first. Pool 101 over three equal
    weights = 33.67 each, two yuan left: E2 96.35 is first of all, and E1
    96.04 (2nd of econ) beats S1 94.24 (1st of social)."""
    text = """\
kaohe: 1
id: remainders
title: 跨组余数
year: 2025
subjects: {kind: unit}
inputs:
  x: {title: 得分}
indicators:
  - {id: x, title: 得分, points: 100, rater: {use: direct, input: x}}
grading:
  group_by: unit
  grades:
    - {grade: 合格, min: 0}
outcomes:
  - {id: pool, title: 奖金, use: proportional_pool, pool: 101, weight: "1"}
"""
    file = tmp_path / "ruleset.yaml"
    file.write_text(text, encoding="utf-8")
    ruleset = load_ruleset(file, default_registry())
    data = {"subjects": [{"id": "E1", "name": "E1", "unit": "econ"}, {"id": "E2", "name": "E2", "unit": "econ"},
                         {"id": "S1", "name": "S1", "unit": "social"}],
            "values": [{"subject": s, "period": "2025", "x": x} for s, x in (("E1", 96.04), ("E2", 96.35),
                                                                           ("S1", 94.24))]}
    result = evaluate(ruleset, inline_dataset(ruleset, data, "inline"), default_registry()).period("2025")
    # 101 / 3 = 33.67 each: floors 33 × 3 = 99, two yuan left (equal remainders .67) -> E2, then E1
    assert [str(v) for v in result.outcomes["pool"].values] == ["34", "34", "33"]
