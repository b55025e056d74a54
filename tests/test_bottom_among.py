"""bottom_zero among a declared selection (docs/ruleset-format.md, bottom_zero):
the last among the full-year members, by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from kaohe.engine.evaluation.pipeline import evaluate
from kaohe.engine.evaluation.runner import inline_dataset
from kaohe.engine.registry import default_registry
from kaohe.engine.ruleset.load import load_ruleset

RULESET = """\
kaohe: 1
id: among
title: 末位范围
year: 2025
subjects: {{kind: person}}
inputs:
  x: {{title: 得分}}
indicators:
  - {{id: x, title: 得分, points: 100, rater: {{use: direct, input: x}}}}
outcomes:
  - {{id: last, title: 末位零绩效, use: bottom_zero{among}}}
"""
TOTALS = {"P1": 95, "P2": 90, "P3": 85, "P4": 80, "P5": 70}
DATA = {"subjects": [{"id": s, "name": s, **({"joined": "2025-07-01"} if s == "P5" else {})} for s in TOTALS],
        "values": [{"subject": s, "period": "2025", "x": x} for s, x in TOTALS.items()]}


def last(tmp_path: Path, among: str) -> tuple[list, list]:
    file = tmp_path / "ruleset.yaml"
    file.write_text(RULESET.format(among=among), encoding="utf-8")
    ruleset = load_ruleset(file, default_registry())
    result = evaluate(ruleset, inline_dataset(ruleset, DATA, "inline"), default_registry()).period("2025")
    outcome = result.outcomes["last"]
    return outcome.values.tolist(), outcome.notes.tolist()


def test_the_last_among_full_year_members(tmp_path: Path) -> None:
    values, notes = last(tmp_path, ', among: "months_on_post == 12"')
    assert values == [False, False, False, True, False]
    assert "4/4" in notes[3]


def test_without_among_the_last_of_all(tmp_path: Path) -> None:
    values, notes = last(tmp_path, "")
    assert values == [False, False, False, False, True]
    assert "5/5" in notes[4]


@pytest.mark.parametrize("among", [', among: "months_on_post == 12", share: 0.5'])
def test_a_share_counts_only_those_taking_part(tmp_path: Path, among: str) -> None:
    # four take part: 4 × 0.5 = 2 (floor) -> P3 and P4
    values, _ = last(tmp_path, among)
    assert values == [False, False, True, True, False]
