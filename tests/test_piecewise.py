"""The piecewise-linear rater and the formula rater's ``returns: rate``.

Each worked example of docs/ruleset-format.md (piecewise 分段线性计分, formula
公式计分) is a test here; the expected numbers are the hand calculations
written in the docs, not kaohe's output.
"""

from __future__ import annotations

import math
from pathlib import Path

import jsonschema
import numpy as np
import pytest

from kaohe.engine.components import Problem, RaterContext, RatingRows
from kaohe.engine.errors import KaoheError
from kaohe.engine.evaluation.pipeline import evaluate
from kaohe.engine.evaluation.runner import inline_dataset
from kaohe.engine.language.cohort import COHORT, CohortFrame
from kaohe.engine.language.expressions import compile_expression
from kaohe.engine.messages import MESSAGES
from kaohe.engine.registry import default_registry
from kaohe.engine.report.results import build_document
from kaohe.engine.ruleset.load import load_ruleset
from kaohe.plugins.raters import FormulaRater, PiecewiseRater

NAN = math.nan
DOC_POINTS = [{"at": 0.6, "rate": 0}, {"at": 0.9, "rate": 0.8}, {"at": 1.0, "rate": 1}]
JUMP_POINTS = [{"at": 0.6, "points": 0}, {"at": 0.6, "points": 6}, {"at": 1.0, "points": 10}]
LIMIT_POINTS = [{"at": 0, "rate": 1}, {"at": "limit", "rate": 0.6}, {"at": "limit * 2", "rate": 0}]


def make_ctx(values, full=20.0, mask=None):
    """A context whose expressions see ``values`` and the cohort frame of all subjects."""
    columns = {k: np.asarray(v, dtype=float) for k, v in values.items()}
    n = len(next(iter(columns.values())))
    pool = np.ones(n, dtype=bool) if mask is None else np.asarray(mask, dtype=bool)
    frame = CohortFrame(n, pool, {"all": np.zeros(n, dtype=np.int64)})

    def evaluate_text(text):
        return compile_expression(text, dict.fromkeys(columns)).evaluate({**columns, COHORT: frame}, n)

    return RaterContext(
        indicator="ind", period="2025", full_marks=full, n=n, mask=pool, groups=np.zeros(n, dtype=np.int64),
        values=columns.__getitem__, evaluate=evaluate_text, ratings=RatingRows.empty(),
    )


def close(actual, expected):
    np.testing.assert_allclose(np.asarray(actual, dtype=float), np.asarray(expected, dtype=float), atol=1e-9, equal_nan=True)


def piecewise(params, values, **kw):
    return PiecewiseRater().score(params, make_ctx(values, **kw))


# ---------------------------------------------------------------------------
# worked examples from the docs


def test_doc_example_interpolates_between_rates_and_is_flat_beyond_the_ends():
    result = piecewise({"input": "x", "points": DOC_POINTS}, {"x": [0.5, 0.6, 0.75, 0.95, 1.0, 1.2, NAN]})
    # 0.5 below the first point → 0; 0.75 half way from 0.6 to 0.9 → rate 0.4 → 8;
    # 0.95 → 0.8 + 0.5 × 0.2 = 0.9 → 18; 1.0 → 20; 1.2 above the last point → 20; no data → missing
    close(result.points, [0, 0, 8, 18, 20, 20, NAN])
    close(result.details["rate"], [0, 0, 0.4, 0.9, 1, 1, NAN])
    close(result.details["value"], [0.5, 0.6, 0.75, 0.95, 1.0, 1.2, NAN])
    # held flat beyond an end: a floor or a cap changed the score
    assert result.capped.tolist() == [True, False, False, False, False, True, False]
    assert not any(k.startswith("at:") for k in result.details)  # numeric breakpoints: nothing to show


def test_doc_example_extrapolate_extends_the_end_segments():
    result = piecewise({"input": "x", "points": DOC_POINTS, "extrapolate": True}, {"x": [1.1, 0.5, 0.75]})
    # 1.1: 0.8 + (1.1 − 0.9) / 0.1 × 0.2 = 1.2 → 24; 0.5: (0.5 − 0.6) / 0.3 × 0.8 = −0.2667 → −5.33
    close(result.points, [24, 20 * -0.8 / 3, 8])
    assert not result.capped.any()


def test_doc_example_jump_in_points():
    result = piecewise({"input": "x", "points": JUMP_POINTS}, {"x": [0.59, 0.6, 0.8, 1.0, 1.2]}, full=10)
    # below 60 % nothing; at 60 % the later point's 6; 0.8 → 6 + 0.5 × 4 = 8; 1.0 → 10; 1.2 → 10
    close(result.points, [0, 6, 8, 10, 10])
    close(result.details["rate"], [0, 0.6, 0.8, 1, 1])


def test_doc_example_lower_is_better_with_each_subjects_own_limit():
    values = {"x": [0, 5, 10, 15, 25, 6], "limit": [10, 10, 10, 10, 10, 4]}
    result = piecewise({"input": "x", "points": LIMIT_POINTS}, values)
    # limit 10: 0 → 20; 5 → 0.8 → 16; 10 → 0.6 → 12; 15 → 0.3 → 6; 25 → 0; limit 4, 6 complaints → 0.3 → 6
    close(result.points, [20, 16, 12, 6, 0, 6])
    close(result.details["at:2"], [10, 10, 10, 10, 10, 4])
    close(result.details["at:3"], [20, 20, 20, 20, 20, 8])
    assert "at:1" not in result.details


def test_doc_example_cohort_percentiles_as_breakpoints():
    points = [{"at": "percentile(x, 0.25)", "rate": 0.6}, {"at": "percentile(x, 0.75)", "rate": 1}]
    result = piecewise({"input": "x", "points": points}, {"x": [80, 85, 90, 95]})
    # p25 = 83.75, p75 = 91.25: 80 → 0.6 → 12; 85 → 0.6 + 1.25 / 7.5 × 0.4 → 13.33; 90 → 18.67; 95 → 20
    close(result.points, [12, 20 * (0.6 + 0.4 / 6), 20 * (0.6 + 0.4 * 6.25 / 7.5), 20])
    close(result.details["at:1"], [83.75] * 4)
    close(result.details["at:2"], [91.25] * 4)


def test_doc_example_negative_limit_is_an_error_naming_the_subject(tmp_path: Path):
    ruleset = _ruleset(tmp_path, """\
    rater: {use: piecewise, input: complaints, points: [{at: 0, rate: 1}, {at: limit, rate: 0.6},
                                                         {at: "limit * 2", rate: 0}]}""")
    rows = [{"subject": "D01", "period": "2025", "complaints": 5, "limit": 10},
            {"subject": "D02", "period": "2025", "complaints": 1, "limit": -2}]
    with pytest.raises(KaoheError) as caught:
        _run(ruleset, rows)
    [problem] = caught.value.diagnostics
    assert problem.code == "E-RATER-PIECEWISE-SUBJECT-ORDER"
    assert problem.params["subject"] == "D02" and problem.params["indicator"] == "handling"
    assert problem.params["index"] == 2 and problem.params["at"] == "limit" and problem.params["value"] == "-2"
    assert problem.params["previous_index"] == 1 and problem.params["previous_value"] == "0"
    assert problem.params["count"] == 1
    assert "D02" in problem.message("zh") and "D02" in problem.message("en")
    # located at the indicator's rater in the ruleset file (a rater raises without a location)
    assert problem.file and problem.file.endswith(".yaml") and problem.line is not None
    assert problem.path.endswith(".rater")


# ---------------------------------------------------------------------------
# edge cases


def test_missing_value_or_breakpoint_is_missing():
    result = piecewise({"input": "x", "points": LIMIT_POINTS}, {"x": [NAN, 5, 5], "limit": [10, NAN, 10]})
    close(result.points, [NAN, NAN, 16])
    assert not result.capped[:2].any()


def test_equal_breakpoints_at_run_time_are_a_jump_not_an_error():
    # every value equal: p25 = p75 = 90; the value itself takes the later point (rate 1)
    points = [{"at": "percentile(x, 0.25)", "rate": 0.6}, {"at": "percentile(x, 0.75)", "rate": 1}]
    result = piecewise({"input": "x", "points": points}, {"x": [90, 90, 90]})
    close(result.points, [20, 20, 20])
    # a value below a jump at the end keeps the earlier point's level; above it, the later one
    result = piecewise({"input": "x", "points": [{"at": 0, "rate": 0}, {"at": "t", "rate": 0.5}, {"at": "t", "rate": 1}]},
                       {"x": [5, 10, 11], "t": [10, 10, 10]}, full=10)
    close(result.points, [2.5, 10, 10])


def test_jump_at_either_end_stays_flat_when_extrapolating():
    points = [{"at": 1, "rate": 0}, {"at": 1, "rate": 0.5}, {"at": 2, "rate": 1}, {"at": 2, "rate": 0.9}]
    result = piecewise({"input": "x", "points": points, "extrapolate": True}, {"x": [0, 1, 1.5, 2, 3]}, full=10)
    # zero-width end segments have no slope to extend: below 1 → 0, at 2 and above → the last point's 9
    close(result.points, [0, 5, 7.5, 9, 9])


def test_out_of_order_breakpoints_of_unranked_subjects_do_not_stop_the_run():
    ctx = make_ctx({"x": [5, 5], "t": [10, -1]}, mask=[True, False])
    result = PiecewiseRater().score({"input": "x", "points": [{"at": 0, "rate": 0}, {"at": "t", "rate": 1}]}, ctx)
    close(result.points[:1], [10])


def test_run_time_order_error_without_subject_ids_names_the_row():
    ctx = make_ctx({"x": [5, 5, 5], "t": [10, -1, -3]})
    with pytest.raises(KaoheError) as caught:
        PiecewiseRater().score({"input": "x", "points": [{"at": 0, "rate": 0}, {"at": "t", "rate": 1}]}, ctx)
    [problem] = caught.value.diagnostics
    assert problem.params["subject"] == "#2" and problem.params["count"] == 2


def test_float_noise_between_equal_breakpoints_is_not_an_error():
    # 0.1 * 3 is 0.30000000000000004: equal to 0.3 up to noise
    result = piecewise({"input": "x", "points": [{"at": "0.1 * 3", "rate": 0}, {"at": 0.3, "rate": 1}]}, {"x": [0.3, 0.2]})
    close(result.points, [20, 0])


def test_mixed_rate_and_points_and_full_marks_zero():
    result = piecewise({"input": "x", "points": [{"at": 0, "points": 4}, {"at": 1, "rate": 1}]}, {"x": [0.5]}, full=10)
    close(result.points, [7])  # 4 + 0.5 × (10 − 4)
    result = piecewise({"input": "x", "points": [{"at": 0, "points": 0}, {"at": 1, "points": 2}]}, {"x": [0.5]}, full=0)
    close(result.points, [1])
    close(result.details["rate"], [NAN])


def test_expr_as_the_value():
    result = piecewise({"expr": "done / planned", "points": DOC_POINTS}, {"done": [75, 95], "planned": [100, 100]})
    close(result.points, [8, 18])


def test_check_numeric_breakpoints():
    rater = PiecewiseRater()
    assert rater.check({"input": "x", "points": DOC_POINTS}) == []
    assert rater.check({"input": "x", "points": JUMP_POINTS}) == []
    assert rater.check({"input": "x", "points": [{"at": 1, "rate": 0}, {"at": 0.5, "rate": 1}]}) == [
        Problem("E-RATER-PIECEWISE-ORDER", {"index": 2, "at": 0.5, "previous_index": 1, "previous": 1}, ("points", 1, "at")),
    ]
    # numbers are compared with each other across expression breakpoints
    mixed = [{"at": 1, "rate": 0}, {"at": "t", "rate": 1}, {"at": 0.5, "rate": 1}]
    [problem] = rater.check({"input": "x", "points": mixed})
    assert problem.code == "E-RATER-PIECEWISE-ORDER" and problem.path == ("points", 2, "at")
    assert problem.params["previous_index"] == 1
    triple = [{"at": 2, "rate": 0}, {"at": 2, "rate": 0.5}, {"at": 2, "rate": 1}]
    assert rater.check({"input": "x", "points": triple}) == [
        Problem("E-RATER-PIECEWISE-JUMP", {"index": 3, "at": 2}, ("points", 2, "at")),
    ]
    assert rater.check({"input": "x", "points": LIMIT_POINTS}) == []


def test_expressions_inputs_and_schema():
    rater = PiecewiseRater()
    assert rater.expressions({"input": "x", "points": LIMIT_POINTS}) == {"points[1].at": "limit", "points[2].at": "limit * 2"}
    assert rater.expressions({"expr": "a / b", "points": DOC_POINTS}) == {"expr": "a / b"}
    assert rater.inputs({"input": "x", "points": DOC_POINTS}) == ["x"]
    schema = jsonschema.Draft202012Validator(rater.params_schema)
    assert schema.is_valid({"input": "x", "points": DOC_POINTS, "extrapolate": True})
    assert not schema.is_valid({"input": "x", "points": DOC_POINTS[:1]})  # at least two points
    assert not schema.is_valid({"input": "x", "points": [{"at": 0, "rate": 0, "points": 1}, {"at": 1, "rate": 1}]})
    assert not schema.is_valid({"input": "x", "points": [{"at": 0}, {"at": 1, "rate": 1}]})
    assert not schema.is_valid({"input": "x", "expr": "x", "points": DOC_POINTS})
    assert not schema.is_valid({"input": "x", "points": [{"at": "", "rate": 0}, {"at": 1, "rate": 1}]})


def test_new_codes_have_both_languages():
    for code in ("E-RATER-PIECEWISE-ORDER", "E-RATER-PIECEWISE-JUMP", "E-RATER-PIECEWISE-SUBJECT-ORDER"):
        zh, en = MESSAGES[code]
        assert zh and en


# ---------------------------------------------------------------------------
# through the engine: validation locations and results


def test_validate_locates_an_out_of_order_breakpoint(tmp_path: Path):
    with pytest.raises(KaoheError) as caught:
        _ruleset(tmp_path, """\
    rater:
      use: piecewise
      input: complaints
      points:
        - {at: 0.6, rate: 0}
        - {at: 0.5, rate: 1}""")
    [problem] = caught.value.diagnostics
    assert problem.code == "E-RATER-PIECEWISE-ORDER"
    assert problem.path == "$.indicators[0].rater.points[1].at"
    assert problem.line == RULESET_LINES + 6


def test_validate_names_the_breakpoint_of_a_misspelt_expression(tmp_path: Path):
    with pytest.raises(KaoheError) as caught:
        _ruleset(tmp_path, """\
    rater: {use: piecewise, input: complaints, points: [{at: 0, rate: 1}, {at: limt, rate: 0}]}""")
    [problem] = caught.value.diagnostics
    assert problem.code == "E-EXPR-UNKNOWN-NAME" and problem.params["suggest"] == "limit"
    assert "points[1].at" in problem.path


def test_results_carry_score_rate_and_breakpoints(tmp_path: Path):
    ruleset = _ruleset(tmp_path, """\
    rater: {use: piecewise, input: complaints, points: [{at: 0, rate: 1}, {at: limit, rate: 0.6},
                                                         {at: "limit * 2", rate: 0}]}""")
    rows = [{"subject": "D01", "period": "2025", "complaints": 5, "limit": 10},
            {"subject": "D02", "period": "2025", "complaints": 30, "limit": 10}]
    subjects = _run(ruleset, rows)
    d01, d02 = subjects["D01"]["indicators"]["handling"], subjects["D02"]["indicators"]["handling"]
    assert d01["score"] == 16 and d01["detail"] == {"value": 5, "rate": 0.8, "at:2": 10, "at:3": 20}
    assert d01["capped"] is False
    assert d02["score"] == 0 and d02["capped"] is True


def test_cohort_percentiles_through_the_engine(tmp_path: Path):
    # the docs' example end to end: the percentiles are taken over the period's subjects
    ruleset = _ruleset(tmp_path, """\
    rater: {use: piecewise, input: complaints, points: [{at: "percentile(complaints, 0.25)", rate: 0.6},
                                                         {at: "percentile(complaints, 0.75)", rate: 1}]}""")
    rows = [{"subject": f"D0{i}", "period": "2025", "complaints": v, "limit": 1} for i, v in enumerate((80, 85, 90, 95))]
    subjects = _run(ruleset, rows)
    scores = [subjects[f"D0{i}"]["indicators"]["handling"]["score"] for i in range(4)]
    assert scores == pytest.approx([12, 13.333333, 18.666667, 20])
    assert subjects["D01"]["indicators"]["handling"]["detail"]["at:1"] == 83.75


# ---------------------------------------------------------------------------
# formula: returns


def formula(params, values, full=20.0):
    return FormulaRater().score(params, make_ctx(values, full=full))


def test_doc_example_formula_returns_rate():
    values = {"done": [90, 130, 50, NAN], "planned": [100, 100, 0, 100]}
    result = formula({"expr": "done / planned", "returns": "rate", "cap": 1.2}, values)
    # 0.9 → 18; 1.3 → cap 1.2 → 24; planned 0 → division by zero → missing; no data → missing
    close(result.points, [18, 24, NAN, NAN])
    close(result.details["value"], [0.9, 1.3, NAN, NAN])
    assert result.capped.tolist() == [False, True, False, False]


def test_formula_rate_defaults_cap_one_and_floor_zero():
    result = formula({"expr": "x", "returns": "rate"}, {"x": [1.5, -0.2, 0.25]})
    close(result.points, [20, 0, 5])
    result = formula({"expr": "x", "returns": "rate", "floor": 0.5}, {"x": [0.25]})
    close(result.points, [10])


def test_formula_returns_points_is_the_default():
    values = {"late": [3, 12]}
    default = formula({"expr": "20 - 2 * late"}, values)
    explicit = formula({"expr": "20 - 2 * late", "returns": "points"}, values)
    close(default.points, [14, 0])  # the docs' example: 3 late → 14; 12 late → −4 → floor 0
    close(explicit.points, default.points)
    assert not jsonschema.Draft202012Validator(FormulaRater.params_schema).is_valid({"expr": "x", "returns": "share"})


# ---------------------------------------------------------------------------
# helpers


RULESET_HEAD = """\
kaohe: 1
id: pw
title: 分段线性计分
year: 2025
total_points: 20
subjects: {kind: unit}
inputs:
  complaints: {title: 投诉件数}
  limit: {title: 投诉控制数}
periods: {cycle: year}
indicators:
  - id: handling
    title: 投诉办理
    points: 20
"""
RULESET_LINES = RULESET_HEAD.count("\n")


def _ruleset(tmp_path: Path, rater: str):
    file = tmp_path / "r.yaml"
    file.write_text(RULESET_HEAD + rater + "\n", encoding="utf-8")
    return load_ruleset(file)


def _run(ruleset, values: list[dict]) -> dict:
    subjects = [{"id": row["subject"], "name": row["subject"]} for row in values]
    data = {"subjects": subjects, "values": values}
    document = build_document(evaluate(ruleset, inline_dataset(ruleset, data, "inline"), default_registry()))
    return {s["id"]: s for s in document["periods"][-1]["subjects"]}
