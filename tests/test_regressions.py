"""Defects of the first version, each pinned by a test that failed before: a
bad tie-break key hidden by a text grade minimum, a closed pipe reported as
an internal error, a zero deduction explained with a plus sign, and an input
named like a key of the old scoring cache."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from kaohe.engine.errors import KaoheError
from kaohe.engine.evaluation.pipeline import evaluate
from kaohe.engine.evaluation.runner import inline_dataset
from kaohe.engine.registry import default_registry
from kaohe.engine.report.explain import explain_subject
from kaohe.engine.ruleset.load import load_ruleset

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "rulesets" / "example"

BASE = """\
kaohe: 1
id: regressions
title: 回归测试
year: 2025
subjects: {kind: unit}
inputs:
  base: {title: 基础分}
periods: {cycle: year}
indicators:
  - id: base
    title: 基础分
    points: 100
    rater: {use: direct, input: base}
"""


def codes(tmp_path: Path, text: str) -> list[str]:
    file = tmp_path / "ruleset.yaml"
    file.write_text(text, encoding="utf-8")
    with pytest.raises(KaoheError) as caught:
        load_ruleset(file, default_registry())
    return sorted(d.code for d in caught.value.diagnostics)


def test_a_text_grade_minimum_does_not_hide_a_bad_tie_break_key(tmp_path: Path):
    grading = textwrap.dedent("""\
        grading:
          tie_break: [total, totl]
          grades:
            - {grade: 好, min: 九十}
            - {grade: 差}
    """)
    # before: only the text minimum's error; comparing the text with a number ended the grading
    # check. A text minimum is now an expression (a computed line), so 九十 is an unknown name.
    assert codes(tmp_path, BASE + grading) == ["E-EXPR-UNKNOWN-NAME", "E-TIEBREAK-KEY"]


def test_grades_after_a_text_minimum_are_still_checked(tmp_path: Path):
    grading = textwrap.dedent("""\
        grading:
          grades:
            - {grade: 好, min: 九十}
            - {grade: 中, min: 80}
            - {grade: 良, min: 85}
            - {grade: 差}
    """)
    assert codes(tmp_path, BASE + grading) == ["E-EXPR-UNKNOWN-NAME", "E-GRADES-ORDER"]


@pytest.mark.parametrize("args", [
    ["explain", str(EXAMPLE), "D01"],                  # text through click.echo
    ["evaluate", str(EXAMPLE), "--format", "json"],    # bytes on the binary stream
    ["plugins"],
    ["schema"],                                        # a command without handles_errors
])
def test_a_reader_that_stops_early_ends_the_command_quietly(args: list[str]):
    # like `kaohe explain … | head -1`, deterministically: the reading end is closed
    # before the command writes anything
    read, write = os.pipe()
    os.close(read)
    try:
        done = subprocess.run([sys.executable, "-m", "kaohe.cli", "--lang", "en", *args], stdout=write,
                              stderr=subprocess.PIPE, cwd=ROOT, timeout=120, check=False)
    finally:
        os.close(write)
    stderr = done.stderr.decode("utf-8", "replace")
    # before: E-INTERNAL (BrokenPipeError) and exit 1, or "Exception ignored … BrokenPipeError" and exit 120
    assert (done.returncode, stderr) == (0, "")


def test_a_zero_deduction_is_explained_without_a_sign(tmp_path: Path):
    file = tmp_path / "ruleset.yaml"
    file.write_text(BASE + textwrap.dedent("""\
        deductions:
          - id: late
            title: 材料迟报
            when: "event.type == '迟报'"
            points: 1
            cap: 1
    """), encoding="utf-8")
    registry = default_registry()
    ruleset = load_ruleset(file, registry)
    data = {"subjects": [{"id": "D01", "name": "甲"}],
            "values": [{"subject": "D01", "period": "2025", "input": "base", "value": 100}],
            "events": [{"subject": "D01", "date": "2025-03-01", "type": "迟报"},
                       {"subject": "D01", "date": "2025-04-01", "type": "迟报"}]}
    text = explain_subject(evaluate(ruleset, inline_dataset(ruleset, data, "inline"), registry), "D01")
    lines = text.splitlines()
    assert "  − 材料迟报 1 分：事件 2025-03-01 迟报（数据第 1 行）" in lines
    # the second one is capped to 0: before it read "  + 材料迟报 0 分…"
    assert "  材料迟报 0 分：事件 2025-04-01 迟报（数据第 2 行）；因封顶少计" in lines


@pytest.mark.parametrize("name", ["events", "event_columns"])
def test_an_input_named_like_an_internal_cache_key_is_just_an_input(tmp_path: Path, name: str):
    # before: scoring kept compiled expressions and the period's events in one
    # dict, so a formula whose text was "events" read the event view instead
    text = f"""\
kaohe: 1
id: cache_keys
title: 缓存键
year: 2025
subjects: {{kind: unit}}
inputs:
  {name}: {{title: 事件数}}
indicators:
  - {{id: count, title: 件数, points: 100, rater: {{use: formula, expr: "{name}"}}}}
"""
    file = tmp_path / "ruleset.yaml"
    file.write_text(text, encoding="utf-8")
    ruleset = load_ruleset(file, default_registry())
    data = {"subjects": [{"id": "U1", "name": "甲"}],
            "values": [{"subject": "U1", "period": "2025", name: 7}],
            "events": [{"subject": "U1", "date": "2025-02-01", "type": "任意"}]}
    result = evaluate(ruleset, inline_dataset(ruleset, data, "inline"), default_registry()).period("2025")
    assert result.tree.scores["count"].tolist() == [7.0]  # the formula is the input itself: 7


def test_a_require_condition_may_read_a_name_nothing_else_in_the_rule_reads(tmp_path: Path) -> None:
    """`require: "base > 60"` on an event rule whose when and points never name base crashed at evaluation
    ('base' is not defined); now base is gathered for require too: U1 (80) keeps the deduction, U2 (50) not."""
    text = BASE + """\
deductions:
  - {id: d, title: 红牌, when: "event.type == '红牌'", points: 2, require: "base > 60", reject_message: 不计}
"""
    file = tmp_path / "ruleset.yaml"
    file.write_text(text, encoding="utf-8")
    ruleset = load_ruleset(file, default_registry())
    data = {"subjects": [{"id": "U1", "name": "一"}, {"id": "U2", "name": "二"}],
            "values": [{"subject": "U1", "period": "2025", "base": 80}, {"subject": "U2", "period": "2025", "base": 50}],
            "events": [{"subject": s, "date": "2025-03-01", "type": "红牌"} for s in ("U1", "U2")]}
    result = evaluate(ruleset, inline_dataset(ruleset, data, "inline"), default_registry()).period("2025")
    assert result.adjustments.deduction.tolist() == [2, 0]
