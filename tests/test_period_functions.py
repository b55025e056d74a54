"""Period functions (docs/ruleset-format.md, 周期函数): the year reads its
quarters. Expected values are the docs' hand calculation."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kaohe.engine.errors import KaoheError
from kaohe.engine.evaluation.pipeline import evaluate
from kaohe.engine.evaluation.runner import inline_dataset
from kaohe.engine.language.periodic import reduce_periods
from kaohe.engine.registry import default_registry
from kaohe.engine.ruleset.load import load_ruleset

RULESET = """\
kaohe: 1
id: periodic
title: 周期函数
year: 2025
subjects: {kind: person}
inputs:
  x: {title: 得分}
periods: {cycle: quarter, year: {from_periods: mean}}
indicators:
  - {id: x, title: 得分, points: 100, rater: {use: direct, input: x}}
grading:
  scales:
    quarter:
      - {grade: 好, min: 90}
      - {grade: 一般}
    year:
      - {grade: 优秀, min: 85, eligible: "periods_count(grade == '好') >= 2"}
      - {grade: 称职}
outcomes:
  - {id: twice_last, title: 连续两个季度末位, use: flag, when: "periods_streak(rank == group_size) >= 2"}
  - {id: good, title: 好的季度数, use: formula, value: "periods_count(grade == '好')"}
  - {id: streak, title: 最长连续好, use: formula, value: "periods_streak(grade == '好')"}
  - {id: run, title: 截至最后连续好, use: formula, value: "periods_run(grade == '好')"}
  - {id: mean_total, title: 季度平均, use: formula, value: "periods_mean(total)"}
  - {id: all_good, title: 都好, use: flag, when: "periods_all(grade == '好', missing='skip')"}
  - {id: any_good, title: 有好, use: flag, when: "periods_any(grade == '好')"}
"""

SCORES = {"P1": [95, 92, 80, 91], "P2": [95, 85, 85, 85], "P3": [None, 93, 94, 80]}
DATA = {
    "subjects": [{"id": "P1", "name": "甲"}, {"id": "P2", "name": "乙"},
                 {"id": "P3", "name": "丙", "joined": "2025-04-01"}],
    "values": [{"subject": s, "period": f"2025Q{q + 1}", "x": v}
               for s, values in SCORES.items() for q, v in enumerate(values) if v is not None],
}


@pytest.fixture(scope="module")
def year(tmp_path_factory: pytest.TempPathFactory):
    file = tmp_path_factory.mktemp("periodic") / "ruleset.yaml"
    file.write_text(RULESET, encoding="utf-8")
    ruleset = load_ruleset(file, default_registry())
    return evaluate(ruleset, inline_dataset(ruleset, DATA, "inline"), default_registry()).period("2025")


def values(year, outcome: str) -> list:
    return year.outcomes[outcome].values.tolist()


def test_year_totals_roll_up_the_quarters(year) -> None:
    assert year.total.tolist() == [89.5, 87.5, 89.0]


def test_excellent_needs_two_good_quarters(year) -> None:
    assert year.grades.grade.tolist() == ["优秀", "称职", "优秀"]
    assert year.grades.reason[1] == "eligibility"


def test_counts_streaks_and_runs(year) -> None:
    assert values(year, "good") == [3, 1, 2]
    assert values(year, "streak") == [2, 1, 2]
    assert values(year, "run") == [1, 0, 0]


def test_a_mean_leaves_out_a_quarter_not_on_post(year) -> None:
    assert values(year, "mean_total") == [89.5, 87.5, 89.0]


def test_skip_ignores_the_quarter_not_on_post(year) -> None:
    assert values(year, "all_good") == [False, False, False]
    assert values(year, "any_good") == [True, True, True]


def test_last_in_two_consecutive_quarters(year) -> None:
    assert values(year, "twice_last") == [False, True, False]


def test_break_and_skip_differ_on_a_gap() -> None:
    # met, not assessed, met: break -> longest 1; skip -> 2 (the gap is left out)
    per_period = [np.array([True]), np.array([False]), np.array([True])]
    assessed = [np.array([True]), np.array([False]), np.array([True])]
    assert reduce_periods("periods_streak", per_period, assessed, 1, "break").tolist() == [1]
    assert reduce_periods("periods_streak", per_period, assessed, 1, "skip").tolist() == [2]


def test_a_quarter_reads_the_quarters_before_it(tmp_path: Path) -> None:
    """Docs (明显退步): fell back by more than 10 points on the previous quarter.
    P1 95, 92, 80, 91: Q3 80 < 92 − 10 = 82 → flagged; P2 Q2 85 < 95 − 10 = 85 is not (not below);
    P3 (not on post in Q1) Q4 80 < 94 − 10 = 84 → flagged; Q2 has no previous value for P3 → not flagged."""
    text = RULESET + (
        "  - {id: fell_back, title: 明显退步, use: flag, periods: [quarter],"
        " when: \"total < periods_last(total) - 10\"}\n"
        "  - {id: good_before, title: 此前好的季度数, use: formula, periods: [quarter],"
        " value: \"periods_count(grade == '好')\"}\n")
    file = tmp_path / "ruleset.yaml"
    file.write_text(text, encoding="utf-8")
    ruleset = load_ruleset(file, default_registry())
    evaluation = evaluate(ruleset, inline_dataset(ruleset, DATA, "inline"), default_registry())
    flagged = {q: evaluation.period(f"2025Q{q}").outcomes["fell_back"].values.tolist() for q in (1, 2, 3, 4)}
    # P3 is not on post in Q1: no value there (None)
    assert flagged == {1: [False, False, None], 2: [False, False, False], 3: [True, False, False],
                       4: [False, False, True]}
    # 好 quarters before Q4: P1 Q1, Q2 → 2; P2 Q1 → 1; P3 Q2, Q3 → 2
    assert evaluation.period("2025Q4").outcomes["good_before"].values.tolist() == [2, 1, 2]
    assert evaluation.period("2025Q1").outcomes["good_before"].values.tolist() == [0, 0, None]


def test_periods_last_with_skip_takes_the_latest_assessed() -> None:
    # 80, not assessed, — : break → the last (missing); skip → 80
    per_period = [np.array([80.0]), np.array([np.nan])]
    assessed = [np.array([True]), np.array([False])]
    assert np.isnan(reduce_periods("periods_last", per_period, assessed, 1, "break")[0])
    assert reduce_periods("periods_last", per_period, assessed, 1, "skip").tolist() == [80]


def test_a_rule_has_no_periods_to_read(tmp_path: Path) -> None:
    text = RULESET.replace("outcomes:", "deductions:\n  - {id: d, title: 扣, per: subject, points: 1,"
                                        " when: \"periods_count(x > 0) > 0\"}\noutcomes:")
    file = tmp_path / "ruleset.yaml"
    file.write_text(text, encoding="utf-8")
    with pytest.raises(KaoheError) as caught:  # when the ruleset is checked, not first when it runs
        load_ruleset(file, default_registry())
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.code == "E-EXPR-PERIODS-CONTEXT"
    assert diagnostic.path == "$.deductions[0].when" and diagnostic.line is not None


def test_a_missing_setting_written_wrong_is_refused_when_checked(tmp_path: Path) -> None:
    text = RULESET.replace("missing='skip'", "missing='skp'")
    file = tmp_path / "ruleset.yaml"
    file.write_text(text, encoding="utf-8")
    with pytest.raises(KaoheError) as caught:
        load_ruleset(file, default_registry())
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.code == "E-EXPR-PERIODS-ARG" and diagnostic.line is not None
    assert "break, skip" in diagnostic.message("en")
