"""One truth function: the same column means the same condition in rules,
exclusion, outcomes, event filters and derived inputs (docs/ruleset-format.md,
条件的真假)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kaohe.engine.evaluation.pipeline import evaluate
from kaohe.engine.evaluation.runner import inline_dataset
from kaohe.engine.language.expressions import compile_expression
from kaohe.engine.language.truth import missing, truth
from kaohe.engine.registry import default_registry
from kaohe.engine.ruleset.load import load_ruleset

# The documented table, by hand: (value, true?)
TABLE = [
    (None, False), (np.nan, False), (0, False), (0.0, False), (2, True), (-1.5, True),
    ("", False), ("  ", False), ("否", False), ("no", False), ("False", False), ("0", False), ("×", False),
    ("是", True), ("yes", True), ("√", True), ("有问题", True), ("已整改", True), (True, True), (False, False),
]


def test_truth_table() -> None:
    values = np.array([v for v, _ in TABLE], dtype=object)
    assert truth(values).tolist() == [t for _, t in TABLE]


def test_numeric_and_bool_columns() -> None:
    assert truth(np.array([np.nan, 0.0, 0.5])).tolist() == [False, False, True]
    assert truth(np.array([0, 3])).tolist() == [False, True]
    assert truth(np.array([True, False])).tolist() == [True, False]


def test_missing_is_nan_none_or_blank() -> None:
    values = np.array([None, np.nan, "", " ", "否", 0], dtype=object)
    assert missing(values).tolist() == [True, True, True, True, False, False]


@pytest.mark.parametrize("text", ["x", "not not x", "x and True", "where(x, 1, 0) == 1", "(1 if x else 0) == 1"])
def test_every_expression_form_agrees_with_truth(text: str) -> None:
    column = np.array([v for v, _ in TABLE], dtype=object)
    expression = compile_expression(text, {"x": None})
    assert expression.evaluate_mask({"x": column}, len(column)).tolist() == [t for _, t in TABLE]


RULESET = """\
kaohe: 1
id: truth
title: 条件真假一致
year: 2025
subjects:
  kind: person
  fields: {remark: {title: 备注}}
inputs:
  work: {title: 工作}
  flagged_share: {title: 标记占比, from_events: {when: "event.type == '记录'", value: "event.flag", how: share}}
event_fields:
  flag: {title: 标记}
indicators:
  - {id: work, title: 工作, points: 100, rater: {use: direct, input: work}}
bonuses:
  - {id: flagged, title: 标记加分, when: "event.type == '记录' and event.flag", points: 1}
outcomes:
  - {id: remarked, title: 有备注, use: flag, when: "remark", label: 有}
"""

# remark / event flag per subject, and the truth the table gives them
WORDS = ["", "否", "是", "有问题", "0", "no"]
EXPECTED = [False, False, True, True, False, False]


def run(tmp_path: Path, text: str):
    file = tmp_path / "truth.yaml"
    file.write_text(text, encoding="utf-8")
    ruleset = load_ruleset(file)
    ids = [f"S{i}" for i in range(len(WORDS))]
    data = {
        "subjects": [{"id": s, "name": s, "remark": w} for s, w in zip(ids, WORDS, strict=True)],
        "values": [{"subject": s, "period": "2025", "work": 80} for s in ids],
        "events": [{"subject": s, "date": "2025-03-01", "type": "记录", "flag": w}
                   for s, w in zip(ids, WORDS, strict=True)],
    }
    return evaluate(ruleset, inline_dataset(ruleset, data, "inline"), default_registry()).period("2025")


@pytest.fixture
def result(tmp_path: Path):
    return run(tmp_path, RULESET)


def test_exclude_reads_text_like_every_condition(tmp_path: Path) -> None:
    excluding = RULESET.replace("  fields: {remark: {title: 备注}}\n", "  fields: {remark: {title: 备注}}\n  exclude: remark\n")
    assert run(tmp_path, excluding).cohort.excluded.tolist() == EXPECTED


def test_event_rule_reads_text_like_every_condition(result) -> None:
    assert (result.adjustments.bonus > 0).tolist() == EXPECTED


def test_derived_share_reads_text_like_every_condition(result) -> None:
    # one record each; a blank flag is missing, so that subject has no share at all
    share = result.cohort.value("flagged_share")
    assert np.isnan(share[0])
    assert (share[1:] == 1.0).tolist() == EXPECTED[1:]


def test_outcome_condition_reads_text_like_every_condition(result) -> None:
    values = result.outcomes["remarked"].values.tolist()
    assert [bool(v) for v in values] == EXPECTED
