"""total_points is the scale of the total (docs/ruleset-format.md, 总分的分制):
a 110-point tree either rescales, or is an error, or is a warning."""

from __future__ import annotations

from pathlib import Path

import pytest

from kaohe.engine.errors import KaoheError
from kaohe.engine.evaluation.pipeline import evaluate
from kaohe.engine.evaluation.runner import inline_dataset
from kaohe.engine.registry import default_registry
from kaohe.engine.ruleset.inherit import load_resolved
from kaohe.engine.ruleset.load import check_ruleset, load_ruleset

RULESET = """\
kaohe: 1
id: scale
title: 分制
year: 2025
total_points: 100
{extra}
subjects: {{kind: unit}}
inputs:
  a: {{title: 甲}}
  b: {{title: 乙}}
  c: {{title: 丙}}
indicators:
  - {{id: a, title: 甲, points: 40, rater: {{use: direct, input: a}}}}
  - {{id: b, title: 乙, points: 40, rater: {{use: direct, input: b}}}}
  - {{id: c, title: 丙, points: 30, rater: {{use: direct, input: c}}}}
"""
DATA = {"subjects": [{"id": "U1", "name": "一"}, {"id": "U2", "name": "二"}],
        "values": [{"subject": "U1", "period": "2025", "a": 40, "b": 40, "c": 15},
                   {"subject": "U2", "period": "2025", "a": 40, "b": 40, "c": 30}]}


def write(tmp_path: Path, extra: str) -> Path:
    file = tmp_path / "ruleset.yaml"
    file.write_text(RULESET.format(extra=extra), encoding="utf-8")
    return file


def subtotals(file: Path) -> list[float]:
    ruleset = load_ruleset(file, default_registry())
    result = evaluate(ruleset, inline_dataset(ruleset, DATA, "inline"), default_registry()).period("2025")
    return [round(v, 2) for v in result.tree.subtotal.tolist()]


def test_rescale_to_total(tmp_path: Path) -> None:
    # 95 × 100 / 110 = 86.36; 110 × 100 / 110 = 100
    assert subtotals(write(tmp_path, "rescale_to_total: true")) == [86.36, 100.0]


def test_unequal_sum_is_an_error_by_default(tmp_path: Path) -> None:
    with pytest.raises(KaoheError) as caught:
        load_ruleset(write(tmp_path, ""), default_registry())
    assert [d.code for d in caught.value.diagnostics] == ["E-WEIGHT-SUM"]


def test_unchecked_sum_warns_and_keeps_the_points(tmp_path: Path) -> None:
    file = write(tmp_path, "children_must_sum: false")
    problems = check_ruleset(load_resolved(file), default_registry())
    assert [(p.code, p.severity) for p in problems] == [("W-TOTAL-POINTS", "warning")]
    assert problems[0].line is not None and "110" in problems[0].message("zh")
    assert subtotals(file) == [95.0, 110.0]
