"""The mutation check (engine/testing/mutation.py, ``kaohe test --mutate``,
benchmarks/mutation.py) on a tiny ruleset with cases written here."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from click.testing import CliRunner

from kaohe.cli import main
from kaohe.engine.ruleset.inherit import load_resolved
from kaohe.engine.testing.mutation import (
    Report,
    check_mutations,
    jurisdictions,
    mutated,
    mutations_of,
    numbers_in,
    render_json,
    render_text,
)

ROOT = Path(__file__).resolve().parent.parent

RULESET = """\
kaohe: 1
id: tiny
title: 小方案
year: 2025
subjects: {kind: person}
inputs:
  a: {title: 工作量}
  r: {title: 作风评价率}
periods: {cycle: year}
indicators:
  - id: main
    title: 业绩
    points: 100
    children:
      - {id: work, title: 工作, points: 60, rater: {use: attainment, actual: a, target: 100}}
      - id: conduct
        title: 作风
        points: 40
        rater:
          use: bands
          input: r
          bands:
            - {to: 0.5, points: 0}
            - {from: 0.5, points: 40}
deductions:
  - {id: late, title: 迟报, when: "event.type == '迟报'", points: 1, cap: 3}
grading:
  grades:
    - {grade: 优秀, min: 90}
    - {grade: 合格}
outcomes:
  - {id: pay, title: 奖金, use: proportional_pool, pool: "1000.00", weight: "1"}
"""

# P1: work 60 × 50/100 = 30, conduct 40 (0.8 is in the top band), one late report −1: total 69, 合格
CASES = """\
ruleset: ../2025.yaml
cases:
  - name: 合计与扣分
    data:
      subjects: [{id: P1, name: 甲}]
      values:
        - {subject: P1, period: "2025", input: a, value: 50}
        - {subject: P1, period: "2025", input: r, value: 0.8}
      events:
        - {subject: P1, date: 2025-03-01, type: 迟报}
    expect:
      P1: {total: 69, grade: 合格, outcomes: {pay: "1000.00"}}
"""

FILE = "2025.yaml"


def jurisdiction(tmp_path: Path, cases: str = CASES) -> Path:
    folder = tmp_path / "tiny"
    (folder / "tests").mkdir(parents=True)
    (folder / FILE).write_text(RULESET, encoding="utf-8")
    (folder / "tests" / "cases.yaml").write_text(cases, encoding="utf-8")
    return folder


def labels(mutations: list[object]) -> list[str]:
    return [m.label().split("::", 1)[1] for m in mutations]  # type: ignore[attr-defined]


def checked(folder: Path) -> Report:
    (report,) = check_mutations(jurisdictions([folder]))
    return report


def test_each_policy_value_is_changed_up_and_down_keeping_sums_and_edges(tmp_path: Path) -> None:
    folder = jurisdiction(tmp_path)
    found = labels(mutations_of(load_resolved(folder / FILE).data, "f"))
    assert found == [
        "$.indicators[0].points: 100 → 110",  # alone at the top: rejected by the checks
        "$.indicators[0].points: 100 → 90",
        "$.indicators[0].children[0].points: 60 → 66 (with $.indicators[0].children[1].points: 40 → 34)",
        "$.indicators[0].children[0].points: 60 → 54 (with $.indicators[0].children[1].points: 40 → 46)",
        "$.indicators[0].children[0].rater.target: 100 → 110",
        "$.indicators[0].children[0].rater.target: 100 → 90",
        "$.indicators[0].children[1].points: 40 → 44 (with $.indicators[0].children[0].points: 60 → 56)",
        "$.indicators[0].children[1].points: 40 → 36 (with $.indicators[0].children[0].points: 60 → 64)",
        "$.indicators[0].children[1].rater.bands[0].points: 0 → 1",
        # the edge both bands share moves as one value
        "$.indicators[0].children[1].rater.bands[0].to: 0.5 → 0.55 (with $.indicators[0].children[1].rater.bands[1].from: 0.5 → 0.55)",
        "$.indicators[0].children[1].rater.bands[0].to: 0.5 → 0.45 (with $.indicators[0].children[1].rater.bands[1].from: 0.5 → 0.45)",
        "$.indicators[0].children[1].rater.bands[1].points: 40 → 44",
        "$.indicators[0].children[1].rater.bands[1].points: 40 → 36",
        "$.deductions[0].points: 1 → 2",
        "$.deductions[0].points: 1 → 0",  # never below zero: 0 → 1 is the only change of a zero
        "$.deductions[0].cap: 3 → 4",
        "$.deductions[0].cap: 3 → 2",
        "$.grading.grades[0].min: 90 → 91",
        "$.grading.grades[0].min: 90 → 89",
        '$.outcomes[0].pool: "1000.00" → "1100.00"',  # a money amount written as text stays text
        '$.outcomes[0].pool: "1000.00" → "900.00"',
        # the weight is an expression: the number in it changes, the text is written anew
        '$.outcomes[0].weight: 1 → 2 (in "1")',
        '$.outcomes[0].weight: 1 → 0 (in "1")',
    ]


# the tiny ruleset with a warning whose line is written inside an expression
WARNING = '  - {id: warn, title: 预警, use: warning, when: "%s"}\n'

# P1 as in CASES (69, warned); P2 the same without the late report: 70, just at the line, not warned
AT_THE_LINE = """\
ruleset: ../2025.yaml
cases:
  - name: 预警线
    data:
      subjects: [{id: P1, name: 甲}, {id: P2, name: 乙}]
      values:
        - {subject: P1, period: "2025", input: a, value: 50}
        - {subject: P1, period: "2025", input: r, value: 0.8}
        - {subject: P2, period: "2025", input: a, value: 50}
        - {subject: P2, period: "2025", input: r, value: 0.8}
      events:
        - {subject: P1, date: 2025-03-01, type: 迟报}
    expect:
      P1: {total: 69, outcomes: {warn: 预警}}
      P2: {total: 70, outcomes: {warn: null}}
"""


def warned(tmp_path: Path, when: str = "total < 70", cases: str = CASES) -> Path:
    folder = jurisdiction(tmp_path, cases)
    (folder / FILE).write_text(RULESET + WARNING % when, encoding="utf-8")
    return folder


def test_numbers_inside_an_expression_are_found_where_written() -> None:
    text = " grade == '优秀' and years_run(grade == '优秀', years=3) >= 2 and score.a ** 2 > round(-0.5 * b, 2) + 2 "
    found = numbers_in(text, "amount")
    assert [(text[n.start:n.end], n.value, n.style, n.which) for n in found] == [
        ("3", 3, "count", ""),  # years=: a count, ±1
        ("2", 2, "threshold", "the 1st 2"),  # compared with: a threshold (whole numbers ±1)
        # the exponent of ** and the digits of round are not policy: left out (but counted in "the 4th 2")
        ("0.5", 0.5, "amount", ""),  # the number under the minus sign
        ("2", 2, "amount", "the 4th 2"),  # anything else: like the key holding the expression
    ]
    # offsets are characters (ast counts UTF-8 bytes): just the number is rewritten, spacing and quotes kept
    assert found[1].replaced(text, 3) == \
        " grade == '优秀' and years_run(grade == '优秀', years=3) >= 3 and score.a ** 2 > round(-0.5 * b, 2) + 2 "
    assert found[2].replaced(text, 0.55) == \
        " grade == '优秀' and years_run(grade == '优秀', years=3) >= 2 and score.a ** 2 > round(-0.55 * b, 2) + 2 "
    assert numbers_in("(total > 60 and\n   grade == '合格')")[0].replaced("(total > 60 and\n   grade == '合格')", 61) \
        == "(total > 61 and\n   grade == '合格')"
    assert numbers_in("not an ( expression") == [] and numbers_in("grade == '优秀'") == []


def test_a_number_in_an_expression_is_changed_and_the_text_rebuilt(tmp_path: Path) -> None:
    folder = warned(tmp_path, "total < 70 and months_on_post >= 6")
    data = load_resolved(folder / FILE).data
    found = [m for m in mutations_of(data, "f") if m.kind == "outcome expression"]
    assert labels(found) == [
        '$.outcomes[0].weight: 1 → 2 (in "1")',
        '$.outcomes[0].weight: 1 → 0 (in "1")',
        '$.outcomes[1].when: 70 → 71 (in "total < 70 and months_on_post >= 6")',  # a threshold: ±1
        '$.outcomes[1].when: 70 → 69 (in "total < 70 and months_on_post >= 6")',
        '$.outcomes[1].when: 6 → 7 (in "total < 70 and months_on_post >= 6")',
        '$.outcomes[1].when: 6 → 5 (in "total < 70 and months_on_post >= 6")',
    ]
    (edit,) = found[2].edits
    assert (edit.old, edit.new) == ("total < 70 and months_on_post >= 6", "total < 71 and months_on_post >= 6")
    changed = mutated(data, found[2])
    assert changed["outcomes"][1]["when"] == "total < 71 and months_on_post >= 6"
    changed["outcomes"][1]["when"] = data["outcomes"][1]["when"]
    assert changed == data  # nothing else moves


def test_a_case_at_the_expression_line_kills_its_changes(tmp_path: Path) -> None:
    line = ["$.outcomes[1].when: 70 → 71 (in \"total < 70\")", "$.outcomes[1].when: 70 → 69 (in \"total < 70\")"]
    # no case looks at the warning: both changes of its line survive
    report = checked(warned(tmp_path / "none"))
    assert [label for label in labels(report.survivors) if "outcomes[1]" in label] == line
    assert report.by_kind["outcome expression"] == {"generated": 4, "invalid": 0, "killed": 1, "survived": 3}
    # a case warning 69 kills 70 → 69 only; a second subject just at 70, not warned, kills 70 → 71 too
    report = checked(warned(tmp_path / "below", cases=CASES.replace("outcomes: {pay: \"1000.00\"}", "outcomes: {warn: 预警}")))
    assert [label for label in labels(report.survivors) if "outcomes[1]" in label] == line[:1]
    report = checked(warned(tmp_path / "at", cases=AT_THE_LINE))
    assert not [label for label in labels(report.survivors) if "outcomes[1]" in label]
    assert report.by_kind["outcome expression"]["killed"] >= 2
    text = render_text([report])
    document = json.loads(render_json([report]))
    assert '$.outcomes[1].when: 70 → 71 (in "total < 70")' not in text
    assert not [m for m in document["jurisdictions"][0]["survivors"] if m["path"] == "$.outcomes[1].when"]


def test_an_expression_change_the_checks_reject_is_invalid(tmp_path: Path) -> None:
    # 10^15 is the largest number an expression may write (E-EXPR-NUMBER): one more is rejected, not run
    report = checked(warned(tmp_path, "total < 70 or total >= 1000000000000000", AT_THE_LINE))
    invalid = [(label, code) for label, code in zip(labels([m for m, _ in report.invalid]),
                                                    [c for _, c in report.invalid], strict=True)]
    assert ('$.outcomes[1].when: 1000000000000000 → 1000000000000001 (in "total < 70 or total >= 1000000000000000")',
            "E-EXPR-NUMBER") in invalid
    entry = json.loads(render_json([report]))["jurisdictions"][0]
    (rejected,) = [m for m in entry["invalid_mutations"] if m["path"] == "$.outcomes[1].when"]
    assert rejected["mutated_expression"] == "total < 70 or total >= 1000000000000001"
    assert rejected["error"] == "E-EXPR-NUMBER" and rejected["offset"] == 23


def test_killed_survived_and_invalid(tmp_path: Path) -> None:
    report = checked(jurisdiction(tmp_path))
    assert report.files == [str(tmp_path / "tiny" / FILE)] and report.cases == 1
    survivors = labels(report.survivors)
    # one late report, far from the cap: the case cannot tell a cap of 2 from one of 4
    assert "$.deductions[0].cap: 3 → 4" in survivors and "$.deductions[0].cap: 3 → 2" in survivors
    # the case expects the one-point deduction in the total: a two-point one fails it (killed)
    assert "$.deductions[0].points: 1 → 2" not in survivors
    assert [(label, code) for label, code in zip(labels([m for m, _ in report.invalid]),
                                                  [c for _, c in report.invalid], strict=True)] == [
        ("$.indicators[0].points: 100 → 110", "E-WEIGHT-SUM"), ("$.indicators[0].points: 100 → 90", "E-WEIGHT-SUM")]
    assert survivors == [
        "$.indicators[0].children[1].rater.bands[0].points: 0 → 1",
        "$.indicators[0].children[1].rater.bands[0].to: 0.5 → 0.55 (with $.indicators[0].children[1].rater.bands[1].from: 0.5 → 0.55)",
        "$.indicators[0].children[1].rater.bands[0].to: 0.5 → 0.45 (with $.indicators[0].children[1].rater.bands[1].from: 0.5 → 0.45)",
        "$.deductions[0].cap: 3 → 4",
        "$.deductions[0].cap: 3 → 2",
        "$.grading.grades[0].min: 90 → 91",
        "$.grading.grades[0].min: 90 → 89",
        '$.outcomes[0].weight: 1 → 2 (in "1")',  # one subject takes the whole pool at any weight; 0 leaves it unpaid
    ]
    assert (report.generated, len(report.invalid), report.killed, report.survived) == (23, 2, 13, 8)
    assert report.score == 13 / 21
    assert sum(k["generated"] for k in report.by_kind.values()) == report.generated
    assert report.by_kind["grade min"] == {"generated": 2, "invalid": 0, "killed": 0, "survived": 2}


def test_a_case_that_fails_unchanged_is_left_out(tmp_path: Path) -> None:
    broken = CASES + textwrap.indent(textwrap.dedent("""\
        - name: 错误的预期
          data:
            subjects: [{id: P1, name: 甲}]
          expect:
            P1: {total: 1}
    """), "  ")
    report = checked(jurisdiction(tmp_path, broken))
    assert report.baseline_failures == [f"{tmp_path / 'tiny' / 'tests' / 'cases.yaml'}::错误的预期"]
    assert report.cases == 2 and report.survived == 8  # the failing case kills nothing
    assert "left out (fails without any change)" in render_text([report])


def test_reports_are_the_same_on_every_run(tmp_path: Path) -> None:
    folder = jurisdiction(tmp_path)
    first, second = checked(folder), checked(folder)
    assert render_text([first]) == render_text([second])
    assert render_json([first]) == render_json([second])
    document = json.loads(render_json([first]))
    (entry,) = document["jurisdictions"]
    assert (entry["generated"], entry["invalid"], entry["killed"], entry["survived"]) == (23, 2, 13, 8)
    assert entry["survivors"][3] == {
        "file": str(folder / FILE), "path": "$.deductions[0].cap", "old": 3, "new": 4, "kind": "deduction cap",
        "with": [], "at": f"{folder / FILE}:26", "label": f"{folder / FILE}::$.deductions[0].cap: 3 → 4"}
    assert entry["survivors"][7] == {
        "file": str(folder / FILE), "path": "$.outcomes[0].weight", "old": 1, "new": 2,
        "expression": "1", "mutated_expression": "2", "offset": 0, "kind": "outcome expression",
        "with": [], "at": f"{folder / FILE}:32", "label": f'{folder / FILE}::$.outcomes[0].weight: 1 → 2 (in "1")'}
    assert document["total"] == {"generated": 23, "invalid": 2, "killed": 13, "survived": 8, "score": 0.619}
    text = render_text([first])
    assert "  mutations 23, invalid 2, killed 13, survived 8, score 0.619\n" in text
    assert f"    {folder / FILE}::$.grading.grades[0].min: 90 → 91\n" in text


def test_jurisdictions_are_found_under_a_folder_or_from_a_test_file(tmp_path: Path) -> None:
    folder = jurisdiction(tmp_path)
    assert [j.folder for j in jurisdictions([tmp_path])] == [folder]
    assert [j.folder for j in jurisdictions([folder / "tests"])] == [folder]
    (place,) = jurisdictions([folder / "tests" / "cases.yaml"])
    assert place.folder == folder and place.test_files == (folder / "tests" / "cases.yaml",)


def test_the_cli(tmp_path: Path) -> None:
    folder = jurisdiction(tmp_path)
    runner = CliRunner()
    result = runner.invoke(main, ["test", str(folder), "--mutate"])
    assert result.exit_code == 0 and "score 0.619" in result.stdout and "deductions[0].cap: 3 → 4" in result.stdout
    result = runner.invoke(main, ["test", str(folder), "--mutate", "--format", "json", "--min-score", "0.6"])
    assert result.exit_code == 0 and json.loads(result.stdout)["total"]["survived"] == 8
    assert runner.invoke(main, ["test", str(folder), "--mutate", "--min-score", "0.7"]).exit_code == 1
    assert runner.invoke(main, ["test", str(folder), "--min-score", "0.7"]).exit_code == 2


def test_the_benchmark_script(tmp_path: Path) -> None:
    folder = jurisdiction(tmp_path)
    script = [sys.executable, str(ROOT / "benchmarks" / "mutation.py"), str(folder)]
    done = subprocess.run([*script, "--json"], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and json.loads(done.stdout)["total"]["killed"] == 13
    assert "done in" in done.stderr
    assert subprocess.run([*script, "--min-score", "0.9"], capture_output=True, check=False).returncode == 1
