"""The fast paths of scoring and adjustments give the answers a hand calculation gives
(benchmarks/peer.py, issue 12): caps add a subject's own rows in order, text conditions on
event columns compare by codes, events are ordered by date then row and cut into periods."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from kaohe.engine.data.periods import Period
from kaohe.engine.data.tables import Events, Values, sorted_codes, text_codes
from kaohe.engine.evaluation.adjust import cap_in_order, capped_with_totals
from kaohe.engine.evaluation.events import EventView, RecordColumns
from kaohe.engine.evaluation.pipeline import evaluate
from kaohe.engine.evaluation.runner import inline_dataset
from kaohe.engine.language.expressions import compile_expression
from kaohe.engine.registry import default_registry
from kaohe.engine.ruleset.load import load_ruleset


def test_points_that_fit_the_cap_are_kept_exactly() -> None:
    # 0.1 + 0.2 + 0.7 = 1.0, within the cap of 1: all three kept as written, the last not 0.6999…
    kept = cap_in_order(np.array([0, 0, 0]), np.array([0.1, 0.2, 0.7]), np.array([1.0]))
    assert kept.tolist() == [0.1, 0.2, 0.7]


def test_a_subjects_cap_does_not_depend_on_other_subjects_rows() -> None:
    # subject 1: 0.1, 0.2, 0.3 against a cap of 0.5 -> 0.1, 0.2, then what is left of 0.5
    alone = cap_in_order(np.array([1, 1, 1]), np.array([0.1, 0.2, 0.3]), np.array([9.0, 0.5]))
    # the same rows after a million points of subject 0, which is over its own cap of 9
    mixed = cap_in_order(np.array([0, 1, 1, 1]), np.array([1e6, 0.1, 0.2, 0.3]), np.array([9.0, 0.5]))
    assert mixed[1:].tolist() == alone.tolist()
    assert mixed[0] == 9.0
    assert alone[:2].tolist() == [0.1, 0.2]
    assert abs(alone[2] - 0.2) < 1e-12


def test_caps_return_each_subjects_kept_total() -> None:
    # subject 0: 1 + 1 + 1 capped at 2 -> 1, 1, 0; subject 2: 0.5 within 2; subject 1 has none
    kept, totals = capped_with_totals(np.array([0, 2, 0, 0]), np.array([1.0, 0.5, 1.0, 1.0]), np.full(3, 2.0))
    assert kept.tolist() == [1.0, 0.5, 1.0, 0.0]
    assert totals.tolist() == [2.0, 0.0, 0.5]


def test_caps_agree_with_a_running_total_kept_row_by_row() -> None:
    """More subjects than 16 bits number (the capped ones are renumbered to sort them): every
    row against a plain loop that walks the rows in order, keeping each subject's running total."""
    rng = np.random.default_rng(5)
    n, rows = 70_000, 140_000
    subjects = np.concatenate([rng.integers(0, n, rows - 40), np.full(40, n - 1)])  # one long group at the end
    points = rng.integers(1, 5, rows) * 0.5
    limit = rng.integers(0, 6, n) * 0.5
    kept, totals = capped_with_totals(subjects, points, limit)
    before = [0.0] * n
    expected = []
    for s, p in zip(subjects.tolist(), points.tolist(), strict=True):
        expected.append(p if before[s] + p <= limit[s] else min(max(limit[s] - before[s], 0.0), p))
        before[s] += p
    assert kept.tolist() == expected
    assert totals.tolist() == np.bincount(subjects, np.array(expected), minlength=n).tolist()
    assert (kept < points).sum() > 1000  # many subjects over their caps: the ordering path ran


def test_text_codes_sort_labels_and_refuse_what_is_not_text() -> None:
    coded = text_codes(np.array(["点赞", "迟报", "点赞", ""], dtype=object))
    assert coded is not None
    assert coded.labels == sorted(["点赞", "迟报", ""])
    assert [coded.labels[c] for c in coded.codes.tolist()] == ["点赞", "迟报", "点赞", ""]
    assert coded.fixed_width().tolist() == ["点赞", "迟报", "点赞", ""]
    assert text_codes(np.array(["a", None], dtype=object)) is None
    assert text_codes(np.array(["a", 1.5], dtype=object)) is None
    labels, codes = sorted_codes(np.array(["b", "a", "b"], dtype=object))
    assert (labels, codes.tolist()) == (["a", "b"], [1, 0, 1])


def _events(types: list[object], dates: list[str], rows: list[int] | None = None) -> Events:
    n = len(types)
    return Events(
        subject=np.zeros(n, dtype=np.int64), date=np.array(dates, dtype="datetime64[D]"),
        period=np.full(n, "", dtype=object), type=np.array(types, dtype=object), points=np.zeros(n),
        confirmed=np.ones(n, dtype=bool), fields={}, row=np.array(rows if rows else range(2, n + 2)),
    )


def _condition(text: str, events: Events) -> list[bool]:
    view = EventView(events.in_order(), events)
    record = RecordColumns(("type", "date"), view.column, codes=view.text_codes)
    expression = compile_expression(text, {"event": frozenset({"type", "date"})})
    found: list[bool] = expression.evaluate_mask({"event": record}, len(view.index)).tolist()
    return found


def test_conditions_on_event_text_match_the_texts() -> None:
    events = _events(["迟报", "点赞", "迟报", "通报"], ["2025-01-01", "2025-01-02", "2025-01-03", "2025-01-04"])
    assert _condition("event.type == '迟报'", events) == [True, False, True, False]
    assert _condition("event.type != '迟报'", events) == [False, True, False, True]
    assert _condition("event.type in ('点赞', '通报')", events) == [False, True, False, True]
    assert _condition("event.type not in ('点赞', '无此类')", events) == [True, False, True, True]
    assert _condition("event.type == '无此类'", events) == [False, False, False, False]


def test_conditions_on_a_column_that_is_not_all_text_still_compare() -> None:
    events = _events(["迟报", 3.0, "迟报"], ["2025-01-01", "2025-01-02", "2025-01-03"])
    assert _condition("event.type == '迟报'", events) == [True, False, True]


def test_events_in_date_order_then_row_blank_dates_last() -> None:
    # rows 2–6: 03-02, (blank), 01-15, 03-02, 01-15
    events = _events(["a"] * 5, ["2025-03-02", "NaT", "2025-01-15", "2025-03-02", "2025-01-15"])
    assert events.in_order().tolist() == [2, 4, 0, 3, 1]
    # the same events written in another row order: equal dates keep their rows' order
    shuffled = _events(["a"] * 3, ["2025-01-15", "2025-01-15", "2025-01-01"], rows=[9, 4, 7])
    assert shuffled.in_order().tolist() == [2, 1, 0]


def test_a_periods_events_are_the_ones_dated_in_it() -> None:
    events = _events(["a"] * 5, ["2025-03-31", "2025-04-01", "2025-01-01", "2024-12-31", "NaT"])
    q1 = Period(2025, "quarter", 1)
    assert events.in_period(events.placed_dates(), q1.start, q1.end).tolist() == [2, 0]
    q2 = Period(2025, "quarter", 2)
    assert events.in_period(events.placed_dates(), q2.start, q2.end).tolist() == [1]


def test_an_event_placed_by_its_period_column_joins_that_period() -> None:
    events = _events(["a"] * 3, ["2025-01-05", "2025-05-01", "2025-02-01"])
    events.period[1] = "2025Q1"  # before the first read: the placed dates are kept once per dataset
    q1 = Period(2025, "quarter", 1)
    assert sorted(events.in_period(events.placed_dates(), q1.start, q1.end).tolist()) == [0, 1, 2]


def test_a_wide_values_column_in_subject_order_is_read_as_it_is() -> None:
    values = Values(np.array([0, 1, 2, 0]), np.array(["Q", "Q", "Q", "Q"], dtype=object),
                    np.array(["a", "a", "a", "b"], dtype=object), np.array([1.0, 2.0, 3.0, 4.0]), 3)
    assert values.column("Q", "a").tolist() == [1.0, 2.0, 3.0]
    assert np.isnan(values.column("Q", "b")[1:]).all() and values.column("Q", "b")[0] == 4.0


RULESET = """\
kaohe: 1
id: exact
title: 精确
year: 2025
subjects: {kind: person}
inputs:
  a: {title: 甲}
  b: {title: 乙}
periods: {cycle: quarter}
indicators:
  - id: all
    title: 全部
    points: 100
    children:
      - {id: ka, title: 甲, points: 50, rater: {use: direct, input: a}}
      - {id: kb, title: 乙, points: 50, missing: exclude, rater: {use: direct, input: b}}
deductions:
  - {id: late, title: 迟报, when: "event.type == '迟报'", points: 0.3, cap: 0.7}
bonuses:
  - {id: praise, title: 点赞, when: "event.type in ('点赞', '表扬')", points: 1, cap: 2}
"""


def test_scores_and_capped_adjustments_by_hand(tmp_path: Path) -> None:
    file = tmp_path / "ruleset.yaml"
    file.write_text(RULESET, encoding="utf-8")
    ruleset = load_ruleset(file, default_registry())
    data: dict[str, Any] = {
        "subjects": [{"id": "P1", "name": "甲"}, {"id": "P2", "name": "乙"}],
        "values": [{"subject": "P1", "period": "2025Q1", "a": 60, "b": 25},
                   {"subject": "P2", "period": "2025Q1", "a": 30}],
        "events": [{"subject": "P1", "date": f"2025-01-0{d}", "type": "迟报"} for d in range(1, 5)]
        + [{"subject": "P2", "date": "2025-02-01", "type": "点赞"}, {"subject": "P2", "date": "2025-02-02", "type": "表扬"},
           {"subject": "P2", "date": "2025-02-03", "type": "点赞"}, {"subject": "P1", "date": "2025-02-04", "type": "其他"}],
    }
    result = evaluate(ruleset, inline_dataset(ruleset, data, "inline"), default_registry()).period("2025Q1")
    # P1: a 60 capped at 50, b 25 -> 75; P2: a 30, b missing and excluded -> 30 re-normalised to 100 marks = 60
    assert result.tree.subtotal.tolist() == [75.0, 60.0]
    # P1: four late reports of 0.3 capped at 0.7 -> 0.3, 0.3, 0.1, 0; P2: three praises of 1 capped at 2
    late = result.adjustments.rule == 0
    assert np.round(-result.adjustments.points[late], 9).tolist() == [0.3, 0.3, 0.1, 0.0]
    assert result.adjustments.capped[late].tolist() == [False, False, True, True]
    assert np.round(result.adjustments.deduction, 9).tolist() == [0.7, 0.0]
    assert result.adjustments.bonus.tolist() == [0.0, 2.0]
    assert result.total.tolist() == [74.3, 62.0]
