"""Effective dates: an indicator added mid-year and a rule that starts mid-year."""

from __future__ import annotations

from pathlib import Path

import pytest

from kaohe.engine.evaluation.pipeline import evaluate
from kaohe.engine.evaluation.runner import inline_dataset
from kaohe.engine.ruleset.load import load_ruleset

RULESET = """\
kaohe: 1
id: effective
title: 生效日期测试
year: 2025
subjects: {kind: unit}
inputs:
  work: {title: 工作}
  epidemic: {title: 疫情防控}
periods: {cycle: quarter}
indicators:
  - id: main
    title: 业务工作
    points: 100
    children:
      - {id: work, title: 工作, points: 80, rater: {use: direct, input: work}}
      - id: epidemic
        title: 疫情防控（7 月 1 日起）
        points: 20
        effective: {from: 2025-07-01}
        outside_effective: POLICY
        rater: {use: direct, input: epidemic}
deductions:
  - {id: lapse, title: 防控不力, when: "event.type == '防控不力'", points: 5, effective: {from: 2025-08-01}}
"""


def run(tmp_path: Path, policy: str, period: str) -> float:
    file = tmp_path / "r.yaml"
    file.write_text(RULESET.replace("POLICY", policy), encoding="utf-8")
    ruleset = load_ruleset(file)
    data = {"subjects": [{"id": "U1", "name": "卫健局"}],
            "values": [{"subject": "U1", "period": p, "work": 60, "epidemic": 10} for p in ("2025Q2", "2025Q3")],
            "events": [{"subject": "U1", "date": "2025-07-15", "type": "防控不力"},
                       {"subject": "U1", "date": "2025-08-15", "type": "防控不力"}]}
    result = evaluate(ruleset, inline_dataset(ruleset, data, "inline"), only=period)
    return float(result.periods[-1].total[0])


@pytest.mark.parametrize(("policy", "period", "total"), [
    # before July the indicator is not in force: work 60 of 80 re-normalised to 100 → 75
    ("renormalise", "2025Q2", 75.0),
    # or it counts 0 of its 20 points
    ("zero", "2025Q2", 60.0),
    # from July both count: 60 + 10 = 70, minus the August lapse only (the rule starts 08-01) → 65
    ("renormalise", "2025Q3", 65.0),
])
def test_mid_year_indicator_and_rule(tmp_path: Path, policy: str, period: str, total: float):
    assert run(tmp_path, policy, period) == total
