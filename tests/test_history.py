"""Previous years' results as a data table, read by the years functions
(docs/ruleset-format.md, 往年结果 History): the docs' example by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from kaohe.engine.errors import KaoheError
from kaohe.engine.evaluation.runner import run

RULESET = """\
kaohe: 1
id: history
title: 连续优秀
year: 2025
subjects: {kind: person}
inputs:
  work: {title: 工作实绩}
history_fields:
  grade: {title: 年度等次}
  total: {title: 年度总分}
indicators:
  - {id: work, title: 工作实绩, points: 100, rater: {use: direct, input: work}}
grading:
  grades:
    - {grade: 优秀, min: 90}
    - {grade: 称职}
outcomes:
  - {id: three, title: 连续三年优秀, use: flag, when: "grade == '优秀' and years_run(grade == '优秀') >= 2"}
  - {id: three_skip, title: 连续三年优秀（不定等次年份跳过）, use: flag,
     when: "grade == '优秀' and years_run(grade == '优秀', missing='skip') >= 2"}
  - {id: recent, title: 近两年优秀次数, use: formula, value: "years_count(grade == '优秀', years=2)"}
  - {id: mean_total, title: 往年平均分, use: formula, value: "years_mean(total)"}
data:
  subjects: {source: csv, path: subjects.csv}
  values: {source: csv, path: values.csv}
  history: {source: csv, path: history.csv}
"""

HISTORY = """\
subject,year,grade,total
P1,2022,优秀,95
P1,2023,优秀,93
P1,2024,优秀,94
P2,2022,优秀,92
P2,2023,称职,85
P2,2024,优秀,91
P3,2023,优秀,96
P3,2024,优秀,97
P4,2022,优秀,90
P4,2023,,
P4,2024,优秀,92
P5,2024,称职,80
"""


def project(tmp_path: Path, history: str = HISTORY, ruleset: str = RULESET) -> Path:
    people = ["P1", "P2", "P3", "P4", "P5"]
    (tmp_path / "subjects.csv").write_text("id,name\n" + "".join(f"{p},{p}\n" for p in people), encoding="utf-8")
    (tmp_path / "values.csv").write_text("subject,period,work\n" + "".join(f"{p},2025,95\n" for p in people),
                                         encoding="utf-8")
    (tmp_path / "history.csv").write_text(history, encoding="utf-8")
    file = tmp_path / "ruleset.yaml"
    file.write_text(ruleset, encoding="utf-8")
    return file


def outcome(file: Path, name: str) -> list[object]:
    values = run(file).period("2025").outcomes[name].values
    return [v.item() if hasattr(v, "item") else v for v in values]


def test_three_years_running_with_gaps_and_ungraded_years(tmp_path: Path) -> None:
    file = project(tmp_path)
    # all five are 优秀 in 2025 (95 ≥ 90). Runs of 优秀 ending in 2024:
    # P1 2022–2024 = 3; P2 2024 only = 1 (2023 称职); P3 2023–2024 = 2 (no 2022 row: breaks before);
    # P4 2024 = 1 (2023 not graded breaks) but 2 with missing='skip'; P5 0
    assert outcome(file, "three") == [True, False, True, False, False]
    assert outcome(file, "three_skip") == [True, False, True, True, False]


def test_counts_over_the_last_years_and_means(tmp_path: Path) -> None:
    file = project(tmp_path)
    # years=2 → 2023, 2024: P1 2, P2 1, P3 2, P4 1 (2023 blank), P5 0
    assert outcome(file, "recent") == [2, 1, 2, 1, 0]
    # means over assessed years: P1 (95+93+94)/3 = 94, P2 (92+85+91)/3 = 89.333… → 89.33 (formula precision 2),
    # P3 96.5, P4 (90+92)/2 = 91 (2023 blank is left out), P5 80
    assert outcome(file, "mean_total") == pytest.approx([94, 89.33, 96.5, 91, 80])


def test_later_years_in_the_table_are_not_read(tmp_path: Path) -> None:
    file = project(tmp_path, HISTORY + "P2,2025,称职,70\nP5,2026,优秀,99\n")
    assert outcome(file, "recent") == [2, 1, 2, 1, 0]


def test_years_functions_need_declared_history_fields(tmp_path: Path) -> None:
    ruleset = RULESET.replace("history_fields:\n  grade: {title: 年度等次}\n  total: {title: 年度总分}\n", "")
    with pytest.raises(KaoheError) as caught:
        run(project(tmp_path, ruleset=ruleset))
    assert {d.code for d in caught.value.diagnostics} == {"E-EXPR-HISTORY-UNDECLARED"}


def test_inside_a_years_function_only_history_fields_are_names(tmp_path: Path) -> None:
    ruleset = RULESET.replace("years_mean(total)", "years_mean(work)")
    with pytest.raises(KaoheError) as caught:
        run(project(tmp_path, ruleset=ruleset))
    (problem,) = caught.value.diagnostics
    assert problem.code == "E-EXPR-UNKNOWN-NAME" and "grade, total" in problem.message("en")


def test_a_quarter_in_the_year_column_is_a_located_error(tmp_path: Path) -> None:
    with pytest.raises(KaoheError) as caught:
        run(project(tmp_path, HISTORY + "P5,2023Q4,称职,80\n"))
    (problem,) = caught.value.diagnostics
    assert problem.code == "E-DATA-HISTORY-YEAR" and problem.line == 14


def test_a_case_may_write_history_rows_inline(tmp_path: Path) -> None:
    from kaohe.engine.testing.cases import run_file

    project(tmp_path)
    case = tmp_path / "case.yaml"
    case.write_text("""\
ruleset: ruleset.yaml
cases:
  - name: 两年优秀、本年优秀 → 连续三年 / two earlier 优秀 years and this one
    # Q1: 2023 优秀, 2024 优秀, 2025 96 ≥ 90 → years_run = 2 → flagged; Q2: 2024 称职 → run 0
    period: "2025"
    data:
      subjects: [{id: Q1, name: 甲}, {id: Q2, name: 乙}]
      values: [{subject: Q1, period: "2025", work: 96}, {subject: Q2, period: "2025", work: 96}]
      history:
        - {subject: Q1, year: 2023, grade: 优秀, total: 91}
        - {subject: Q1, year: 2024, grade: 优秀, total: 92}
        - {subject: Q2, year: 2024, grade: 称职, total: 85}
    expect:
      Q1: {outcomes: {three: true}}
      Q2: {outcomes: {three: false}}
""", encoding="utf-8")
    results = run_file(case)
    assert [r.ok for r in results] == [True], [r.message for r in results]


def test_rules_read_history_too(tmp_path: Path) -> None:
    """A per-event deduction in a ruleset with history (the rule's rows carry the history frame), and a
    per-subject bonus that reads it: +1 for each earlier 优秀 year of the last two (P1 2, P2 1, P3 2, P4 1, P5 0);
    P1 also has one 迟报 event, −2."""
    ruleset = RULESET.replace("grading:", """\
bonuses:
  - {id: steady, title: 往年优秀, per: subject, when: "years_count(grade == '优秀', years=2) > 0",
     points: "years_count(grade == '优秀', years=2)"}
deductions:
  - {id: late, title: 迟报, when: "event.type == '迟报'", points: 2}
grading:""").replace("  history: {source: csv, path: history.csv}\n",
                        "  history: {source: csv, path: history.csv}\n  events: {source: csv, path: events.csv}\n")
    file = project(tmp_path, ruleset=ruleset)
    (tmp_path / "events.csv").write_text("subject,date,type\nP1,2025-03-01,迟报\n", encoding="utf-8")
    result = run(file).period("2025")
    assert result.adjustments.bonus.tolist() == [2, 1, 2, 1, 0]
    assert result.adjustments.deduction.tolist() == [2, 0, 0, 0, 0]


def test_the_explanation_lists_the_years_read(tmp_path: Path) -> None:
    """An appeal over 连续三年优秀 starts from what was read: P3 has no 2022 row (not assessed:
    it breaks the run), P4's 2023 row is blank (不定等次), each said so."""
    from kaohe.engine.report.explain import explain_subject

    evaluation = run(project(tmp_path))
    p3 = explain_subject(evaluation, "P3").split("六、往年结果（往年结果表，years_* 函数读取）\n")[1]
    assert p3.startswith("  2022：没有记录或各项为空（按未参加考核计）\n  2023：年度等次 优秀，年度总分 96\n"
                         "  2024：年度等次 优秀，年度总分 97\n")
    p4 = explain_subject(evaluation, "P4")
    assert "  2023：没有记录或各项为空（按未参加考核计）\n" in p4 and "  2022：年度等次 优秀，年度总分 90\n" in p4
