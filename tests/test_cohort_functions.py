"""Cohort functions (docs/ruleset-format.md, 同组统计函数): the worked example
of the docs, by hand, plus where they may and may not be used."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kaohe.engine.errors import KaoheError
from kaohe.engine.evaluation.pipeline import evaluate
from kaohe.engine.evaluation.runner import inline_dataset
from kaohe.engine.language.cohort import CohortFrame, mean, rank
from kaohe.engine.registry import default_registry
from kaohe.engine.ruleset.load import load_ruleset

# (expression, A, B, C, D) from the hand calculation in the docs; E is excluded
EXPECTED = {
    "mean(x)": [77.5, 77.5, 77.5, 77.5],
    "mean(x, 'group')": [80, 80, 80, 70],
    "std(x, 'group')": [16.33, 16.33, 16.33, 0],
    "zscore(x, 'group')": [-1.22, 0, 1.22, 0],
    "percentile(x, 0.5, 'nearest_rank')": [70, 70, 70, 70],
    "percentile(x, 0.5)": [75, 75, 75, 75],
    "rank(x, within='group')": [3, 2, 1, 1],
    "share(x >= 80)": [0.5, 0.5, 0.5, 0.5],
    "count(x >= 80, 'group')": [2, 2, 2, 0],
    "highest(x, 'class')": [100, 100, 100, 70],
    "median(x, within='class')": [80, 80, 80, 70],
    "lowest(x)": [60, 60, 60, 60],
}

RULESET = """\
kaohe: 1
id: cohort
title: 同组统计函数
year: 2025
subjects:
  kind: unit
  classes: {{window: {{title: 窗口}}, business: {{title: 业务}}}}
inputs:
  x: {{title: 取值}}
indicators:
  - {{id: x, title: 取值, points: 100, rater: {{use: formula, expr: "x"}}}}
deductions:
  - id: far_below
    title: 明显低于本组平均
    per: subject
    when: "subtotal < mean(subtotal, 'group') - 10"
    points: 2
grading:
  group_by: class
  grades:
    - {{grade: 好, min: 0, eligible: "zscore(total, 'group') >= 1"}}
    - {{grade: 一般}}
outcomes:
{outcomes}
"""

DATA = {
    "subjects": [
        {"id": "A", "name": "A", "class": "window"}, {"id": "B", "name": "B", "class": "window"},
        {"id": "C", "name": "C", "class": "window"}, {"id": "D", "name": "D", "class": "business"},
        {"id": "E", "name": "E", "class": "business", "left": "2024-12-31"},
    ],
    "values": [{"subject": s, "period": "2025", "x": x} for s, x in zip("ABCDE", [60, 80, 100, 70, 90], strict=True)],
}


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory):
    outcomes = "\n".join(f"  - {{id: o{i}, title: o{i}, use: formula, value: \"{text}\"}}"
                         for i, text in enumerate(EXPECTED))
    file = tmp_path_factory.mktemp("cohort") / "ruleset.yaml"
    file.write_text(RULESET.format(outcomes=outcomes), encoding="utf-8")
    ruleset = load_ruleset(file, default_registry())
    return evaluate(ruleset, inline_dataset(ruleset, DATA, "inline"), default_registry()).period("2025")


@pytest.mark.parametrize("index", range(len(EXPECTED)))
def test_worked_example(result, index: int) -> None:
    text = list(EXPECTED)[index]
    values = result.outcomes[f"o{index}"].values.tolist()
    assert values[:4] == pytest.approx(EXPECTED[text]), text
    assert values[4] is None  # E is excluded: outcomes do not concern it


def test_excluded_subjects_get_their_scope_statistic_but_no_rank() -> None:
    frame = CohortFrame(5, np.array([True, True, True, True, False]),
                        {"all": np.zeros(5), "group": np.array(["w", "w", "w", "b", "b"])})
    x = np.array([60.0, 80, 100, 70, 90])
    assert mean(frame, x, "group").tolist() == [80, 80, 80, 70, 70]
    ranks = rank(frame, x, "desc", "group")
    assert ranks[:4].tolist() == [3, 2, 1, 1] and np.isnan(ranks[4])


def test_a_rank_tie_shares_the_rank() -> None:
    frame = CohortFrame(4, np.ones(4, dtype=bool), {"all": np.zeros(4)})
    assert rank(frame, np.array([90.0, 80, 90, 70])).tolist() == [1, 3, 1, 4]
    assert rank(frame, np.array([90.0, 80, 90, 70]), "asc").tolist() == [3, 2, 3, 1]


def test_per_subject_rule_compares_with_the_group_mean(result) -> None:
    # window mean 80: A's 60 is more than 10 below -> 2 off; B, C, D are not
    assert result.adjustments.deduction[:4].tolist() == [2, 0, 0, 0]


def test_eligibility_reads_a_group_zscore(result) -> None:
    # totals A 58 (60 − 2), B 80, C 100: window mean 79.33, deviations −21.33, 0.67, 20.67, std
    # √(882.67 ÷ 3) = 17.15; z: A −1.24, B 0.04, C 1.21 -> only C reaches 1; D alone has z = 0
    assert result.grades.grade[:4].tolist() == ["一般", "一般", "好", "一般"]


def _load(tmp_path: Path, extra: str) -> object:
    file = tmp_path / "ruleset.yaml"
    file.write_text(RULESET.format(outcomes="  - {id: o, title: o, use: formula, value: \"x\"}") + extra,
                    encoding="utf-8")
    return load_ruleset(file, default_registry())


def test_a_misspelt_scope_is_a_located_error(tmp_path: Path) -> None:
    with pytest.raises(KaoheError) as caught:
        _load(tmp_path, "bonuses:\n  - {id: b, title: b, per: subject, when: \"x > mean(x, 'grop')\", points: 1}\n")
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.code == "E-EXPR-COHORT-SCOPE" and diagnostic.line is not None
    assert "group" in diagnostic.message("en")


def test_a_cohort_function_over_single_events_is_a_located_error(tmp_path: Path) -> None:
    """Said when the ruleset is checked (kaohe validate), not first when a period with events runs."""
    with pytest.raises(KaoheError) as caught:
        _load(tmp_path, "bonuses:\n  - {id: b, title: b, when: \"event.points > mean(x)\", points: 1}\n")
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.code == "E-EXPR-COHORT-CONTEXT"
    assert diagnostic.path == "$.bonuses[0].when" and diagnostic.line is not None
    assert "per: subject" in diagnostic.message("en")


@pytest.mark.parametrize("expression, code", [
    ("mean(x, 'grade')", "E-EXPR-COHORT-SCOPE"),  # a name, but no scope: scopes are all, group, class, unit, fields
    ("mean(x, 'cls')", "E-EXPR-COHORT-SCOPE"),  # the scope is 'class'
    ("percentile(x, 1.5)", "E-EXPR-COHORT-ARG"),
    ("percentile(x, 0.5, 'middle')", "E-EXPR-COHORT-ARG"),
    ("rank(x, 'up')", "E-EXPR-COHORT-ARG"),
])
def test_a_cohort_setting_written_wrong_is_refused_when_checked(tmp_path: Path, expression: str, code: str) -> None:
    with pytest.raises(KaoheError) as caught:
        _load(tmp_path, f"bonuses:\n  - {{id: b, title: b, per: subject, when: \"{expression} > 0\", points: 1}}\n")
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.code, diagnostic.path) == (code, "$.bonuses[0].when")


def test_the_settings_a_cohort_function_accepts_load(tmp_path: Path) -> None:
    when = "percentile(x, 0.9, 'nearest_rank', 'class') > rank(x, 'asc', 'group') + mean(x, 'unit')"
    _load(tmp_path, f"bonuses:\n  - {{id: b, title: b, per: subject, when: \"{when}\", points: 1}}\n")


def test_the_class_is_named_cls_in_expressions(tmp_path: Path) -> None:
    # `class` is a Python keyword; `cls` is the same column (A, B, C window; D, E business)
    ruleset = _load(tmp_path, "bonuses:\n  - {id: b, title: b, per: subject, when: \"cls == 'window'\", points: 1}\n")
    result = evaluate(ruleset, inline_dataset(ruleset, DATA, "inline"), default_registry()).period("2025")
    assert result.adjustments.bonus.tolist() == [1, 1, 1, 0, 0]
