"""Built-in raters: each mechanism on small hand-checked cohorts."""

from __future__ import annotations

import math

import jsonschema
import numpy as np
import pytest

from kaohe.engine.components import Problem, RaterContext, RatingRows
from kaohe.engine.errors import KaoheError
from kaohe.engine.language.expressions import compile_expression
from kaohe.engine.messages import MESSAGES
from kaohe.engine.registry import build_registry, make_plugin_manager
from kaohe.plugins.raters import AttainmentRater, BandsRater, DirectRater, FormulaRater
from kaohe.plugins.raters_peer import (
    QUANTILE_METHODS,
    PercentileRater,
    RankTableRater,
    RatioToBestRater,
)

NAN = math.nan
ALL_RATERS = {
    "direct", "attainment", "bands", "piecewise", "ratio_to_best", "rank_table", "percentile", "formula", "survey",
    "event_items",
}


def make_ctx(values, full=10.0, mask=None, groups=None, history=None, ratings=None, n=None):
    """A RaterContext over the given input columns; expressions see those names."""
    columns = {k: np.asarray(v, dtype=float) for k, v in values.items()}
    n = n if n is not None else len(next(iter(columns.values())))
    names = dict.fromkeys(columns)

    def evaluate(text):
        return compile_expression(text, names).evaluate(columns, n)

    return RaterContext(
        indicator="ind", period="2025", full_marks=full, n=n,
        mask=np.ones(n, dtype=bool) if mask is None else np.asarray(mask, dtype=bool),
        groups=np.zeros(n, dtype=np.int64) if groups is None else np.asarray(groups, dtype=np.int64),
        values=columns.__getitem__, evaluate=evaluate,
        ratings=ratings if ratings is not None else RatingRows.empty(), history=history,
    )


def close(actual, expected):
    np.testing.assert_allclose(np.asarray(actual, dtype=float), np.asarray(expected, dtype=float), atol=1e-9, equal_nan=True)


# ---------------------------------------------------------------------------
# direct


def test_direct_clips_to_full_marks_and_floor():
    ctx = make_ctx({"x": [5, 12, -1, NAN]}, full=10)
    result = DirectRater().score({"input": "x"}, ctx)
    # 12 → cap (full marks) 10; -1 → floor 0; NaN stays missing
    close(result.points, [5, 10, 0, NAN])
    assert result.capped.tolist() == [False, True, True, False]


def test_direct_explicit_cap_and_floor():
    ctx = make_ctx({"x": [5, 12, 1]}, full=10)
    result = DirectRater().score({"input": "x", "cap": 8, "floor": 2}, ctx)
    close(result.points, [5, 8, 2])
    assert DirectRater().inputs({"input": "x"}) == ["x"]


def test_floor_above_cap_is_a_problem():
    problems = DirectRater().check({"input": "x", "cap": 2, "floor": 5})
    assert problems == [Problem("E-RATER-FLOOR-ABOVE-CAP", {"floor": 5, "cap": 2}, ("floor",))]


# ---------------------------------------------------------------------------
# attainment


def test_attainment_cap_allows_over_achievement():
    ctx = make_ctx({"a": [6000, 4000, 7000], "t": [5000, 5000, 5000]}, full=20)
    result = AttainmentRater().score({"actual": "a", "target": "t", "cap": 1.2}, ctx)
    # 6000/5000 = 1.2 → 24; 4000/5000 = 0.8 → 16; 7000/5000 = 1.4 → capped at 1.2 → 24
    close(result.points, [24, 16, 24])
    close(result.details["rate"], [1.2, 0.8, 1.4])
    assert result.capped.tolist() == [False, False, True]


def test_attainment_lower_is_better():
    ctx = make_ctx({"a": [2, 4, 8, 0], "t": [4, 4, 4, 4]}, full=20)
    result = AttainmentRater().score({"actual": "a", "target": "t", "polarity": "lower"}, ctx)
    # 4/2 = 2 → cap 1 → 20; 4/4 → 20; 4/8 = 0.5 → 10; 0 complaints → rate = cap → 20
    close(result.points, [20, 20, 10, 20])
    close(result.details["rate"], [2, 1, 0.5, 1])


def test_attainment_target_may_be_an_expression():
    # docs: target last_year × 1.08 = 5400; 5940 / 5400 = 1.1 → capped 1.0 → 20; 4860 / 5400 = 0.9 → 18
    params = {"actual": "output", "target": "last_year * 1.08"}
    ctx = make_ctx({"output": [5940, 4860], "last_year": [5000, 5000]}, full=20.0)
    result = AttainmentRater().score(params, ctx)
    assert result.points.tolist() == pytest.approx([20, 18])
    assert AttainmentRater().inputs(params) == ["output"]
    assert AttainmentRater().expressions(params) == {"target": "last_year * 1.08"}


def test_attainment_threshold_floor_and_numeric_target():
    ctx = make_ctx({"a": [50, 70, 10]}, full=10)
    params = {"actual": "a", "target": 100, "threshold": 0.6, "floor": 0.2}
    result = AttainmentRater().score(params, ctx)
    # 0.5 < 0.6 → 0; 0.7 → 7; 0.1 → below threshold → 0 (threshold wins over floor)
    close(result.points, [0, 7, 0])
    close(result.details["target"], [100, 100, 100])
    assert AttainmentRater().inputs(params) == ["a"]
    assert AttainmentRater().inputs({"actual": "a", "target": "t"}) == ["a", "t"]


def test_attainment_floor_lifts_low_rates():
    ctx = make_ctx({"a": [10]}, full=10)
    result = AttainmentRater().score({"actual": "a", "target": 100, "floor": 0.3}, ctx)
    close(result.points, [3])  # 0.1 → floor 0.3 → 3
    assert result.capped.tolist() == [True]


def test_attainment_missing_target_or_actual_is_missing():
    ctx = make_ctx({"a": [10, NAN], "t": [NAN, 5]}, full=10)
    result = AttainmentRater().score({"actual": "a", "target": "t"}, ctx)
    close(result.points, [NAN, NAN])
    assert not result.capped.any()


def test_attainment_target_of_zero_or_below_is_met_at_or_above_it():
    # engine/evaluation/rates.py: no ratio against 0 or a negative target; reaching it is 100 %
    # a=10 vs 0 -> met 1.0 -> 10; a=0 vs 0 -> met -> 10; a=-1 vs 0 -> missed -> 0;
    # growth -1 % vs -2 % -> met -> 10; -3 % vs -2 % -> missed -> 0
    ctx = make_ctx({"a": [10, 0, -1, -1, -3], "t": [0, 0, 0, -2, -2]}, full=10)
    result = AttainmentRater().score({"actual": "a", "target": "t"}, ctx)
    close(result.points, [10, 10, 0, 10, 0])


def test_attainment_and_percentile_share_one_rate_rule():
    from kaohe.engine.evaluation.rates import rate_against
    # lower is better: 0 or below is perfect (the cap), else target / actual: 4 / 8 = 0.5
    close(rate_against(np.array([0.0, -1.0, 8.0]), np.array([4.0, 4.0, 4.0]), True, 1.2), [1.2, 1.2, 0.5])
    ctx = make_ctx({"a": [0.0, 8.0], "t": [4.0, 4.0]}, full=10)
    lower = AttainmentRater().score({"actual": "a", "target": "t", "polarity": "lower", "cap": 1.2}, ctx)
    close(lower.points, [12, 5])


# ---------------------------------------------------------------------------
# bands and steps

BANDS = [
    {"to": 0.6, "points": 0},
    {"from": 0.6, "to": 0.8, "points": 6},
    {"from": 0.8, "to": 0.9, "rate": 0.8},
    {"from": 0.9, "points": 10},
]


def test_bands_boundary_goes_to_upper_band():
    ctx = make_ctx({"x": [0.8, 0.79, 0.6, 0.59, 0.9, 1.5, -3, NAN]}, full=10)
    result = BandsRater().score({"input": "x", "bands": BANDS}, ctx)
    # 0.8 → [0.8, 0.9) rate 0.8 × 10 = 8; 0.79 → 6; 0.6 → 6; 0.59 → 0; 0.9 → 10; 1.5 → 10; -3 → 0
    close(result.points, [8, 6, 6, 0, 10, 10, 0, NAN])
    close(result.details["band"], [3, 2, 2, 1, 4, 4, 1, NAN])


def test_bands_outside_and_expression():
    bands = [{"from": 0, "to": 1, "points": 3}, {"from": 1, "to": 2, "points": 7}]
    ctx = make_ctx({"a": [1, 3, 10], "b": [2, 2, 2]}, full=10)
    params = {"expr": "a / b", "bands": bands, "outside": 1}
    result = BandsRater().score(params, ctx)
    # 0.5 → 3; 1.5 → 7; 5 → outside → 1
    close(result.points, [3, 7, 1])
    assert BandsRater().expressions(params) == {"expr": "a / b"}
    assert BandsRater().inputs(params) == []


def test_bands_check_contiguous_is_clean():
    assert BandsRater().check({"input": "x", "bands": BANDS}) == []


def test_bands_check_gap_overlap_empty():
    gap = [{"to": 0.6, "points": 0}, {"from": 0.7, "points": 10}]
    overlap = [{"to": 0.8, "points": 0}, {"from": 0.6, "points": 10}]
    empty = [{"to": 0.5, "points": 0}, {"from": 0.5, "to": 0.5, "points": 5}, {"from": 0.5, "points": 10}]
    assert BandsRater().check({"input": "x", "bands": gap}) == [
        Problem("E-BANDS-GAP", {"prev_to": 0.6, "start": 0.7}, ("bands", 1, "from")),
    ]
    assert BandsRater().check({"input": "x", "bands": overlap}) == [
        Problem("E-BANDS-OVERLAP", {"prev_to": 0.8, "start": 0.6}, ("bands", 1, "from")),
    ]
    assert BandsRater().check({"input": "x", "bands": empty}) == [
        Problem("E-BANDS-EMPTY", {"start": 0.5, "end": 0.5}, ("bands", 1, "to")),
    ]


def test_bands_check_open_end_in_the_middle_overlaps():
    bands = [{"to": 0.6, "points": 0}, {"points": 5}]
    [problem] = BandsRater().check({"input": "x", "bands": bands})
    assert problem.code == "E-BANDS-OVERLAP" and problem.path == ("bands", 1)
    assert problem.params == {"prev_to": 0.6, "start": "−∞"}


def test_steps_lose_points_per_started_step():
    values = [0.95, 0.9, 0.85, 0.8, 0.79, 0.7, 0.0, NAN]
    ctx = make_ctx({"x": values}, full=20)
    result = BandsRater().score({"input": "x", "steps": {"full_at": 0.9, "every": 0.1, "minus": 5}}, ctx)
    # ≥ 0.9 full; 0.85 → 1 started step → 15; 0.80 → exactly 1 step (despite 0.9 − 0.8 = 0.0999…) → 15;
    # 0.79 → 2 → 10; 0.7 → 2 → 10; 0 → 9 steps → −25 → floored at 0
    close(result.points, [20, 20, 15, 15, 10, 10, 0, NAN])
    close(result.details["steps"], [0, 0, 1, 1, 2, 2, 9, NAN])
    assert result.capped.tolist() == [False] * 6 + [True, False]


def test_steps_example_ruleset_numbers():
    ctx = make_ctx({"x": [0.95, 0.90, 0.89]}, full=20)
    result = BandsRater().score({"input": "x", "steps": {"full_at": 0.95, "every": 0.05, "minus": 4}}, ctx)
    # 0.90 is exactly one 5-point step below 95% → 16; 0.89 starts a second → 12
    close(result.points, [20, 16, 12])


# ---------------------------------------------------------------------------
# ratio to best


def test_ratio_to_best_higher():
    ctx = make_ctx({"x": [300, 600, NAN]}, full=10)
    result = RatioToBestRater().score({"input": "x"}, ctx)
    close(result.points, [5, 10, NAN])  # 300/600 × 10 = 5
    close(result.details["best"], [600, 600, 600])


def test_ratio_to_best_peer_groups_and_mask():
    # group 0: 100, 200 (and 900 masked out); group 1: 50, 25
    ctx = make_ctx({"x": [100, 200, 900, 50, 25]}, full=10, groups=[0, 0, 0, 1, 1],
                   mask=[True, True, False, True, True])
    result = RatioToBestRater().score({"input": "x"}, ctx)
    # 100/200 × 10 = 5; 10; (masked: 900/200 → capped 10, ignored by the engine); 10; 25/50 × 10 = 5
    close(result.details["best"], [200, 200, 200, 50, 50])
    close(result.points[[0, 1, 3, 4]], [5, 10, 10, 5])


def test_ratio_to_best_lower_and_non_positive_best():
    ctx = make_ctx({"x": [2, 4, 0, 8]}, full=10, groups=[0, 0, 1, 1])
    result = RatioToBestRater().score({"input": "x", "polarity": "lower"}, ctx)
    # group 0: best 2 → 2/2 → 10, 2/4 → 5; group 1: best 0 → value 0 → 10, 0/8 → 0
    close(result.points, [10, 5, 10, 0])
    ctx = make_ctx({"x": [-5, 0]}, full=10)
    close(RatioToBestRater().score({"input": "x"}, ctx).points, [0, 0])  # best 0 ≤ 0 → 0


def test_ratio_to_best_expression():
    ctx = make_ctx({"tax": [100, 100], "difficulty": [1.0, 2.0]}, full=10)
    params = {"expr": "tax * difficulty"}
    close(RatioToBestRater().score(params, ctx).points, [5, 10])  # 100/200 × 10
    assert RatioToBestRater().expressions(params) == {"expr": "tax * difficulty"}


# ---------------------------------------------------------------------------
# rank table


def test_rank_table_ties_share_the_better_rank():
    ctx = make_ctx({"x": [90, 95, 95, 80, 70, NAN]}, full=100)
    params = {"input": "x", "points": [100, 98, 96], "rest": 88}
    result = RankTableRater().score(params, ctx)
    # 95, 95 → rank 1, 1; 90 → 3; 80 → 4 (beyond list → rest 88); 70 → 5 → 88
    close(result.details["rank"], [3, 1, 1, 4, 5, NAN])
    close(result.points, [96, 100, 100, 88, 88, NAN])


def test_rank_table_ascending_groups_mask_and_float_noise():
    values = [0.1 + 0.2, 0.3, 0.5, 3, 1, 0.0]
    ctx = make_ctx({"x": values}, full=10, groups=[0, 0, 0, 1, 1, 1], mask=[True] * 5 + [False])
    result = RankTableRater().score({"input": "x", "order": "asc", "points": [10, 8]}, ctx)
    # group 0 ascending: 0.30000000000000004 and 0.3 tie at rank 1, 0.5 → 3 → rest 0
    # group 1: 1 → 1, 3 → 2; the masked (excluded) 0.0 pushes no one down, and is scored as usual at
    # the rank it would stand at among them: ascending, 0.0 is before 1 → rank 1 → 10
    close(result.details["rank"], [1, 1, 3, 2, 1, 1])
    close(result.points, [10, 10, 0, 8, 10, 10])


def test_rank_table_scores_an_excluded_subject_where_it_would_stand():
    # docs (不参加排名): an excluded subject's indicators are computed as usual. Peers 300, 200, 100
    # rank 1, 2, 3; the excluded 900 would be 1st, 200 ties 2nd, 50 would be 4th → rest; no value → missing
    ctx = make_ctx({"x": [300, 200, 100, 900, 200, 50, NAN]}, full=50, mask=[True] * 3 + [False] * 4)
    result = RankTableRater().score({"input": "x", "points": [50, 40, 30], "rest": 20}, ctx)
    close(result.details["rank"], [1, 2, 3, 1, 2, 4, NAN])
    close(result.points, [50, 40, 30, 50, 40, 20, NAN])


# ---------------------------------------------------------------------------
# percentile

SATISFACTION = [80, 85, 90, 95]


def test_percentile_linear_benchmark():
    ctx = make_ctx({"s": SATISFACTION}, full=20)
    result = PercentileRater().score({"input": "s"}, ctx)
    # 75th (linear) of 80, 85, 90, 95: position 0.75 × 3 = 2.25 → 90 + 0.25 × 5 = 91.25
    close(result.details["benchmark"], [91.25] * 4)
    # S1 80/91.25 × 20 = 17.5342…; S4 95/91.25 > 1 → capped 20
    close(result.points, [80 / 91.25 * 20, 85 / 91.25 * 20, 90 / 91.25 * 20, 20])
    assert result.capped.tolist() == [False, False, False, True]
    assert list(result.details["target_source"]) == ["peer"] * 4


def test_percentile_methods_differ():
    ctx = make_ctx({"s": SATISFACTION}, full=20)
    result = PercentileRater().score({"input": "s", "method": "lower"}, ctx)
    # lower: position 2.25 → element 2 → 90; S1 80/90 × 20 = 17.777…
    close(result.details["benchmark"], [90] * 4)
    close(result.points[0], 80 / 90 * 20)


def test_percentile_groups_and_mask():
    values = [80, 85, 90, 95, 1000, 10, 20]
    ctx = make_ctx({"s": values}, full=10, groups=[0, 0, 0, 0, 0, 1, 1], mask=[True] * 4 + [False, True, True])
    result = PercentileRater().score({"input": "s", "quantile": 0.5}, ctx)
    # group 0 median of 80..95 (1000 masked out) = 87.5; group 1 median of 10, 20 = 15
    close(result.details["benchmark"], [87.5] * 5 + [15, 15])
    close(result.points[[0, 5, 6]], [80 / 87.5 * 10, 10 / 15 * 10, 10])


def test_percentile_lower_is_better():
    ctx = make_ctx({"d": [2, 4, 6, 8]}, full=10)
    result = PercentileRater().score({"input": "d", "quantile": 0.25, "polarity": "lower"}, ctx)
    # 25th linear of 2, 4, 6, 8: position 0.75 → 3.5; rate = 3.5 / value
    close(result.points, [10, 3.5 / 4 * 10, 3.5 / 6 * 10, 3.5 / 8 * 10])


def test_percentile_challenge_picks_own_or_peer():
    history = np.array([
        [95, 93, NAN, 91],    # own: last three with data 95, 93, 91 → 93 > 91.25 → own
        [NAN, NAN, NAN, NAN],  # no own history → peer
        [80, 80, 80, 99],     # own 80 < 91.25 → peer (the 4th year is beyond own_years)
        [NAN, 100, NAN, NAN],  # own 100 (one year with data) → own
    ])
    seen = []

    def past(name):
        seen.append(name)
        return history

    ctx = make_ctx({"s": SATISFACTION}, full=20, history=past)
    result = PercentileRater().score({"input": "s", "challenge": {"own_years": 3}}, ctx)
    assert seen == ["s"]
    close(result.details["own_average"], [93, NAN, 80, 100])
    close(result.details["target"], [93, 91.25, 91.25, 100])
    assert list(result.details["target_source"]) == ["own", "peer", "peer", "own"]
    # S1 80/93 × 20; S4 95/100 × 20 = 19
    close(result.points, [80 / 93 * 20, 85 / 91.25 * 20, 90 / 91.25 * 20, 19])


def test_percentile_challenge_without_history_uses_peers():
    ctx = make_ctx({"s": SATISFACTION}, full=20, history=None)
    result = PercentileRater().score({"input": "s", "challenge": {"own_years": 3}}, ctx)
    close(result.details["own_average"], [NAN] * 4)
    close(result.details["target"], [91.25] * 4)


def test_percentile_challenge_lower_takes_the_smaller_target():
    ctx = make_ctx({"d": [2, 4, 6, 8]}, full=10, history=lambda name: np.array([[1.0], [9.0], [NAN], [NAN]]))
    result = PercentileRater().score({"input": "d", "quantile": 0.25, "polarity": "lower", "challenge": {"own_years": 1}}, ctx)
    # peer 3.5; S1 own 1 is harder → target 1 → 1/2 × 10 = 5; S2 own 9 is easier → 3.5
    close(result.details["target"], [1, 3.5, 3.5, 3.5])
    close(result.points[:2], [5, 3.5 / 4 * 10])


# ---------------------------------------------------------------------------
# formula


def test_formula_clips_and_declares_expression():
    ctx = make_ctx({"a": [3, 8, -2, NAN], "b": [2, 2, 2, 2]}, full=10)
    params = {"expr": "a * b"}
    result = FormulaRater().score(params, ctx)
    # 6; 16 → cap 10; -4 → floor 0; NaN missing
    close(result.points, [6, 10, 0, NAN])
    close(result.details["value"], [6, 16, -4, NAN])
    assert result.capped.tolist() == [False, True, True, False]
    assert FormulaRater().expressions(params) == {"expr": "a * b"}
    result = FormulaRater().score({"expr": "a * b", "cap": 12, "floor": -1}, ctx)
    close(result.points, [6, 12, -1, NAN])


def test_formula_runtime_refusal_is_a_diagnostic():
    ctx = make_ctx({"a": [1.0]})
    ctx.evaluate = lambda text: compile_expression(text, {"a": None}).evaluate({"a": np.array(["x"], dtype=object)}, 1)
    with pytest.raises(KaoheError) as caught:
        FormulaRater().score({"expr": "a * 2"}, ctx)
    assert caught.value.diagnostics[0].code.startswith("E-EXPR-")


# ---------------------------------------------------------------------------
# schemas, messages and registration


def _walk_properties(schema, where=""):
    for key, sub in schema.get("properties", {}).items():
        yield f"{where}.{key}", sub
        yield from _walk_properties(sub, f"{where}.{key}")
        for nested in ("items", "additionalProperties"):
            if isinstance(sub.get(nested), dict):
                yield from _walk_properties(sub[nested], f"{where}.{key}[]")


def registry():
    return build_registry(make_plugin_manager(entry_points=False))


def test_all_raters_are_registered():
    assert set(registry().names("rater")) >= ALL_RATERS


@pytest.mark.parametrize("name", sorted(ALL_RATERS))
def test_params_schema_is_valid_and_documented(name):
    rater = registry().get("rater", name)
    schema = rater.params_schema
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["type"] == "object" and schema["additionalProperties"] is False and "required" in schema
    assert rater.title and rater.description
    for path, sub in _walk_properties(schema):
        assert sub.get("title") and " / " in sub["title"], path
        assert sub.get("description") and " / " in sub["description"], path


def test_schema_choices():
    bands = jsonschema.Draft202012Validator(BandsRater.params_schema)
    assert bands.is_valid({"input": "x", "bands": BANDS})
    assert bands.is_valid({"expr": "x * 2", "steps": {"full_at": 0.9, "every": 0.1, "minus": 5}})
    assert not bands.is_valid({"input": "x", "expr": "x", "bands": BANDS})
    assert not bands.is_valid({"input": "x", "bands": BANDS, "steps": {"full_at": 0.9, "every": 0.1, "minus": 5}})
    assert not bands.is_valid({"input": "x", "bands": [{"to": 1, "points": 1, "rate": 0.5}]})
    percentile = jsonschema.Draft202012Validator(PercentileRater.params_schema)
    assert set(percentile.schema["properties"]["method"]["enum"]) == set(QUANTILE_METHODS)
    assert not percentile.is_valid({"input": "s", "method": "cubic"})
    attainment = jsonschema.Draft202012Validator(AttainmentRater.params_schema)
    assert attainment.is_valid({"actual": "a", "target": 5000})
    assert attainment.is_valid({"actual": "a", "target": "t"})


def test_every_quantile_method_runs():
    ctx = make_ctx({"s": SATISFACTION}, full=20)
    for method in QUANTILE_METHODS:
        result = PercentileRater().score({"input": "s", "method": method}, ctx)
        assert np.isfinite(result.points).all(), method


def test_own_codes_have_both_languages():
    for code in ("E-RATER-FLOOR-ABOVE-CAP", "E-RATER-SURVEY-WEIGHTS", "E-RATER-SURVEY-TRIM",
                 "E-RATING-VOTE", "E-RATING-NO-VOTES", "E-BANDS-GAP", "E-BANDS-OVERLAP", "E-BANDS-EMPTY"):
        zh, en = MESSAGES[code]
        assert zh and en


@pytest.mark.parametrize("n", [0, 3])
def test_empty_or_unmasked_cohorts_score_missing_without_errors(n):
    """No subject in the pool: cohort statistics are missing, nothing raises."""
    ctx = make_ctx({"x": [NAN] * n, "t": [1.0] * n}, n=n, mask=[False] * n)
    cases = [
        (DirectRater(), {"input": "x"}), (AttainmentRater(), {"actual": "x", "target": "t"}),
        (BandsRater(), {"input": "x", "bands": BANDS}), (FormulaRater(), {"expr": "x * 2"}),
        (RatioToBestRater(), {"input": "x"}), (RankTableRater(), {"input": "x", "points": [1]}),
        (PercentileRater(), {"input": "x", "challenge": {"own_years": 2}}),
    ]
    for rater, params in cases:
        result = rater.score(params, ctx)
        assert result.points.shape == (n,) and np.isnan(result.points).all(), rater.name
