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
    mutations_of,
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
    ]


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
    ]
    assert (report.generated, len(report.invalid), report.killed, report.survived) == (21, 2, 12, 7)
    assert report.score == 12 / 19
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
    assert report.cases == 2 and report.survived == 7  # the failing case kills nothing
    assert "left out (fails without any change)" in render_text([report])


def test_reports_are_the_same_on_every_run(tmp_path: Path) -> None:
    folder = jurisdiction(tmp_path)
    first, second = checked(folder), checked(folder)
    assert render_text([first]) == render_text([second])
    assert render_json([first]) == render_json([second])
    document = json.loads(render_json([first]))
    (entry,) = document["jurisdictions"]
    assert (entry["generated"], entry["invalid"], entry["killed"], entry["survived"]) == (21, 2, 12, 7)
    assert entry["survivors"][3] == {
        "file": str(folder / FILE), "path": "$.deductions[0].cap", "old": 3, "new": 4, "kind": "deduction cap",
        "with": [], "at": f"{folder / FILE}:26", "label": f"{folder / FILE}::$.deductions[0].cap: 3 → 4"}
    assert document["total"] == {"generated": 21, "invalid": 2, "killed": 12, "survived": 7, "score": 0.6316}
    text = render_text([first])
    assert "  mutations 21, invalid 2, killed 12, survived 7, score 0.632\n" in text
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
    assert result.exit_code == 0 and "score 0.632" in result.stdout and "deductions[0].cap: 3 → 4" in result.stdout
    result = runner.invoke(main, ["test", str(folder), "--mutate", "--format", "json", "--min-score", "0.6"])
    assert result.exit_code == 0 and json.loads(result.stdout)["total"]["survived"] == 7
    assert runner.invoke(main, ["test", str(folder), "--mutate", "--min-score", "0.7"]).exit_code == 1
    assert runner.invoke(main, ["test", str(folder), "--min-score", "0.7"]).exit_code == 2


def test_the_benchmark_script(tmp_path: Path) -> None:
    folder = jurisdiction(tmp_path)
    script = [sys.executable, str(ROOT / "benchmarks" / "mutation.py"), str(folder)]
    done = subprocess.run([*script, "--json"], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and json.loads(done.stdout)["total"]["killed"] == 12
    assert "done in" in done.stderr
    assert subprocess.run([*script, "--min-score", "0.9"], capture_output=True, check=False).returncode == 1
