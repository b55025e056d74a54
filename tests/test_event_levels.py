"""Events counted per key and capped level by level (docs/ruleset-format.md,
按事项计与分级封顶): the docs' worked example, by hand."""

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
id: levels
title: 分级封顶
year: 2025
subjects: {kind: person}
inputs:
  base: {title: 基础分}
event_fields:
  task: {title: 任务}
periods: {cycle: quarter}
indicators:
  - {id: base, title: 基础分, points: 100, rater: {use: direct, input: base}}
deductions:
  - id: yellow_cards
    title: 督办黄牌
    when: "event.type == '黄牌'"
    key: task
    points: "1 if n % 2 == 0 else 0"
    cap_key: 2
    cap_month: 3
"""

# (date, task) in date order, as in the docs
CARDS = ([("2025-01-05", "A"), ("2025-01-06", "A")]
         + [(f"2025-01-1{d}", "B") for d in range(4)]
         + [("2025-01-20", "C"), ("2025-01-21", "C")]
         + [(f"2025-02-0{d + 1}", "A") for d in range(6)])


def run(tmp_path: Path, text: str = RULESET):
    file = tmp_path / "ruleset.yaml"
    file.write_text(text, encoding="utf-8")
    ruleset = load_ruleset(file, default_registry())
    data = {"subjects": [{"id": "P1", "name": "甲"}],
            "values": [{"subject": "P1", "period": "2025Q1", "base": 100}],
            "events": [{"subject": "P1", "date": d, "type": "黄牌", "task": k} for d, k in CARDS]}
    return evaluate(ruleset, inline_dataset(ruleset, data, "inline"), default_registry()).period("2025Q1")


def test_each_level_caps_in_order(tmp_path: Path) -> None:
    result = run(tmp_path)
    adjustments = result.adjustments
    order = adjustments.event.argsort(kind="stable")  # rows by event (date order)
    raw = adjustments.raw[order].tolist()
    kept = (-adjustments.points[order]).tolist()
    # A1 A2 B1 B2 B3 B4 C1 C2 | A3 A4 A5 A6 A7 A8
    assert raw == [0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1]
    assert kept == [0, 1, 0, 1, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0]
    assert adjustments.deduction.tolist() == [4]
    assert result.total.tolist() == [96]


def test_without_key_n_counts_all_cards(tmp_path: Path) -> None:
    text = RULESET.replace("    key: task\n", "").replace("    cap_key: 2\n", "")
    # 14 cards, every second one costs 1: 7 raw; month cap 3 in January (8 cards: 4 raw) and
    # February (6 cards: 3 raw) -> 3 + 3 = 6
    assert run(tmp_path, text).adjustments.deduction.tolist() == [6]


@pytest.mark.parametrize(("change", "code"), [
    (("    key: task\n", "    key: taks\n"), "E-RULE-KEY-FIELD"),
    (("    key: task\n", "    key: task\n    per: subject\n"), "E-RULE-KEY-PER"),
    (("    key: task\n", ""), "E-RULE-KEY-NEEDED"),
])
def test_a_wrong_key_is_a_located_error(tmp_path: Path, change: tuple[str, str], code: str) -> None:
    file = tmp_path / "ruleset.yaml"
    file.write_text(RULESET.replace(*change), encoding="utf-8")
    with pytest.raises(KaoheError) as caught:
        load_ruleset(file, default_registry())
    found = [d for d in caught.value.diagnostics if d.code == code]
    assert found and found[0].line is not None, [d.code for d in caught.value.diagnostics]


TWO_CLASSES = """\
kaohe: 1
id: percap
title: 按对象封顶
year: 2025
subjects:
  kind: unit
  classes: {front: {title: 一线, coefficient: 1.5}, staff: {title: 机关, coefficient: 1.0}}
inputs:
  base: {title: 基础分}
event_fields:
  task: {title: 任务}
indicators:
  - {id: base, title: 基础分, points: 100, rater: {use: direct, input: base}}
"""


def run_two_classes(tmp_path: Path, rules: str, events: list[tuple[str, str]]):
    """U1 in the front line (coefficient 1.5) and U2 on staff (1.0), each with the same ``events`` (type, task)."""
    file = tmp_path / "ruleset.yaml"
    file.write_text(TWO_CLASSES + rules, encoding="utf-8")
    ruleset = load_ruleset(file, default_registry())
    data = {"subjects": [{"id": "U1", "name": "一", "class": "front"}, {"id": "U2", "name": "二", "class": "staff"}],
            "values": [{"subject": s, "period": "2025", "base": 80} for s in ("U1", "U2")],
            "events": [{"subject": s, "date": f"2025-03-0{d + 1}", "type": t, "task": k}
                       for s in ("U1", "U2") for t, k in events for d in range(5)]}
    return evaluate(ruleset, inline_dataset(ruleset, data, "inline"), default_registry()).period("2025")


def test_a_cap_computed_per_subject(tmp_path: Path) -> None:
    # 5 events of 1 point each; cap = coefficient × 2: front line (1.5) keeps 3, staff (1.0) keeps 2
    result = run_two_classes(tmp_path, """\
bonuses:
  - {id: praise, title: 点赞, when: "event.type == '点赞'", points: 1, cap: "coefficient * 2"}
""", [("点赞", "")])
    assert result.adjustments.bonus.tolist() == [3, 2]


def test_every_cap_may_be_computed_per_subject(tmp_path: Path) -> None:
    """Docs (总封顶 adjustment_caps): cap_month, cap_year, cap_key and adjustment_caps per subject."""
    result = run_two_classes(tmp_path, """\
adjustment_caps: {bonus: "6 if cls == 'front' else 3"}
bonuses:
  - {id: a, title: 甲, when: "event.type == '甲'", points: 1, cap_month: "coefficient * 2"}
  - {id: b, title: 乙, when: "event.type == '乙'", points: 1, cap_year: "coefficient * 2"}
deductions:
  - {id: c, title: 丙, when: "event.type == '丙'", points: 1, key: task, cap_key: "coefficient"}
""", [("甲", "T"), ("乙", "T"), ("丙", "T")])
    # bonus: a 3 + b 3 = 6 for U1 (cap 6), a 2 + b 2 = 4 capped to 3 for U2
    assert result.adjustments.bonus.tolist() == [6, 3]
    # deduction c: five on the same task, cap_key = coefficient: U1 1.5, U2 1.0
    assert result.adjustments.deduction.tolist() == [1.5, 1.0]
