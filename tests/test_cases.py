"""The ruleset-case harness (engine/testing/cases.py): an expectation that
names something the results do not have is an error, not an empty value."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from kaohe.engine.testing.cases import CaseOutcome, run_file

RULESET = """\
kaohe: 1
id: harness
title: 用例测试
year: 2025
subjects: {kind: person}
inputs:
  a: {title: 甲项}
  b: {title: 乙项}
periods: {cycle: year}
indicators:
  - {id: work, title: 工作, points: 60, rater: {use: direct, input: a}}
  - {id: conduct, title: 作风, points: 40, rater: {use: direct, input: b}}
deductions:
  - {id: late, title: 迟报, when: "event.type == '迟报'", points: 1, cap: 3}
grading:
  grades:
    - {grade: 优秀, min: 90}
    - {grade: 合格}
outcomes:
  - {id: praise, title: 表扬, use: flag, when: "grade == '优秀'", label: 表扬}
"""

DATA = """\
    data:
      subjects: [{id: P1, name: 甲}, {id: P2, name: 乙}]
      values:
        - {subject: P1, period: "2025", input: a, value: 55}
        - {subject: P1, period: "2025", input: b, value: 38}
        - {subject: P2, period: "2025", input: a, value: 40}
        - {subject: P2, period: "2025", input: b, value: 30}
"""


def run(tmp_path: Path, expectations: str) -> CaseOutcome:
    (tmp_path / "ruleset.yaml").write_text(RULESET, encoding="utf-8")
    tests = tmp_path / "tests"
    tests.mkdir(exist_ok=True)
    text = "ruleset: ../ruleset.yaml\ncases:\n  - name: 用例\n" + DATA + textwrap.indent(
        textwrap.dedent(expectations), "    ")
    (tests / "cases.yaml").write_text(text, encoding="utf-8")
    (outcome,) = run_file(tests / "cases.yaml")
    return outcome


def test_known_ids_pass(tmp_path: Path) -> None:
    outcome = run(tmp_path, """\
        expect:
          P1: {total: 93, grade: 优秀, indicators: {work: 55, conduct: 38}, adjustments: {late: 0},
               outcomes: {praise: true}}
          P2: {total: 70, outcomes: {praise: false}}
        expect_summary: {outcome_counts: {praise: 1}}
    """)
    assert outcome.failures == []


def test_unknown_subject(tmp_path: Path) -> None:
    outcome = run(tmp_path, "expect: {P9: {total: 0}}\n")
    assert outcome.failures == ["expected subject P9, no such subject; known: P1, P2"]


@pytest.mark.parametrize("expectation, message", [
    # each of these passed before: the missing id read as "no score", 0 or null
    ("{indicators: {wrok: null}}", "P1.indicators: expected indicator wrok, no such indicator"
                                   " (did you mean work?); known: work, conduct"),
    ("{details: {wrok: {value: null}}}", "P1.details: expected indicator wrok, no such indicator"
                                         " (did you mean work?); known: work, conduct"),
    ("{outcomes: {prasie: null}}", "P1.outcomes: expected outcome prasie, no such outcome"
                                   " (did you mean praise?); known: praise"),
    ("{adjustments: {lates: 0}}", "P1.adjustments: expected rule lates, no such rule"
                                  " (did you mean late?); known: late"),
])
def test_unknown_ids_in_a_subject(tmp_path: Path, expectation: str, message: str) -> None:
    outcome = run(tmp_path, f"expect: {{P1: {expectation}}}\n")
    assert outcome.failures == [message]


def test_unknown_outcome_in_the_summary(tmp_path: Path) -> None:
    outcome = run(tmp_path, "expect_summary: {outcome_counts: {prasie: 0}, outcome_sums: {bonus: '0'}}\n")
    assert outcome.failures == [
        "outcome_sums: expected outcome bonus, no such outcome; known: praise",
        "outcome_counts: expected outcome prasie, no such outcome (did you mean praise?); known: praise",
    ]


def test_unknown_period(tmp_path: Path) -> None:
    outcome = run(tmp_path, "period: 2025Q1\nexpect: {P1: {total: 93}}\n")
    assert outcome.failures == ["expected period 2025Q1, no such period (did you mean 2025?); known: 2025"]


def test_a_long_list_of_known_ids_is_shortened(tmp_path: Path) -> None:
    from kaohe.engine.testing.cases import no_such

    known = [f"C{i:03}" for i in range(1, 31)]
    assert no_such("subject", "C1O4", known) == (
        "expected subject C1O4, no such subject (did you mean C014?); known: " + ", ".join(known[:20]) + ", … (30 in all)")


def test_a_flag_may_be_expected_as_yes_or_no(tmp_path: Path) -> None:
    """Results show a flag as 是/否, so a case may write it so (or as true/false)."""
    outcome = run(tmp_path, "expect: {P1: {outcomes: {praise: 是}}, P2: {outcomes: {praise: 否}}}\n")
    assert outcome.failures == []
    outcome = run(tmp_path, "expect: {P1: {outcomes: {praise: 否}}}\n")
    assert outcome.failures == ["P1.outcomes.praise: expected '否', got True"]


def test_outcome_sums_of_no_money_outcome(tmp_path: Path) -> None:
    """Summing a flag's values is a mistake in the case, said so, not a sum of 0 or an internal error."""
    outcome = run(tmp_path, "expect_summary: {outcome_sums: {praise: '1'}}\n")
    assert outcome.failures == ["outcome_sums.praise: outcome praise is no amount of money (its values: False, True);"
                                " outcome_sums adds up money outcomes such as a bonus pool's shares"]


def test_outcome_sums_written_with_a_thousands_comma(tmp_path: Path) -> None:
    """A sum written "100,000.00" is refused where it stands, before any case runs (it was E-INTERNAL)."""
    from kaohe.engine.errors import KaoheError

    with pytest.raises(KaoheError) as caught:
        run(tmp_path, "expect_summary: {outcome_sums: {praise: '100,000.00'}}\n")
    (problem,) = caught.value.diagnostics
    assert problem.code == "E-SCHEMA-PATTERN"
    assert "不带千位逗号" in problem.message("zh") and "no thousands commas" in problem.message("en")


def test_shared_rows_may_sit_under_an_x_key(tmp_path: Path) -> None:
    """A top-level x- key holds YAML anchors the cases share; it is no case and no error."""
    (tmp_path / "ruleset.yaml").write_text(RULESET, encoding="utf-8")
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "cases.yaml").write_text("""\
ruleset: ../ruleset.yaml
x-people: &people [{id: P1, name: 甲}]
cases:
  - name: 用例
    data:
      subjects: *people
      values: [{subject: P1, period: "2025", a: 55, b: 38}]
    expect: {P1: {total: 93}}
""", encoding="utf-8")
    assert [o.failures for o in run_file(tests / "cases.yaml")] == [[]]


def test_the_year_reads_its_periods_points_per_rule(tmp_path: Path) -> None:
    """A year rolled up as the mean of its quarters: P1 is late twice in Q1 (1 point each), never after →
    the year's deduction is (2 + 0 + 0 + 0) / 4 = 0.5, and adjustments: {late: -0.5} reads it per rule."""
    ruleset = RULESET.replace("periods: {cycle: year}", "periods: {cycle: quarter, year: {from_periods: mean}}")
    (tmp_path / "ruleset.yaml").write_text(ruleset, encoding="utf-8")
    tests = tmp_path / "tests"
    tests.mkdir()
    values = "".join(f"        - {{subject: P1, period: 2025Q{q}, a: 55, b: 38}}\n" for q in range(1, 5))
    (tests / "cases.yaml").write_text(f"""\
ruleset: ../ruleset.yaml
cases:
  - name: 年度逐条规则
    period: "2025"
    data:
      subjects: [{{id: P1, name: 甲}}]
      values:
{values}      events:
        - {{subject: P1, date: 2025-01-10, type: 迟报}}
        - {{subject: P1, date: 2025-02-10, type: 迟报}}
    expect: {{P1: {{deduction: 0.5, total: 92.5, adjustments: {{late: -0.5}}}}}}
""", encoding="utf-8")
    assert [o.failures for o in run_file(tests / "cases.yaml")] == [[]]


def test_a_detail_the_rater_does_not_give_is_told_the_known_ones(tmp_path: Path) -> None:
    """direct gives no details: a name expected there is a mistake in the case, not a detail of None."""
    outcome = run(tmp_path, "expect: {P1: {details: {work: {valeu: 55}}}}\n")
    assert outcome.failures == ["P1.details.work: expected detail valeu, no such detail; known: —"]
