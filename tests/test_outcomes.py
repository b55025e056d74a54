"""Built-in outcomes and allocators over hand-built graded cohorts."""

from __future__ import annotations

from decimal import Decimal

import jsonschema
import numpy as np
import pytest

from kaohe.engine.components import OutcomeContext
from kaohe.engine.errors import KaoheError
from kaohe.engine.language.expressions import compile_expression
from kaohe.engine.registry import build_registry, make_plugin_manager
from kaohe.plugins.allocators import ProportionalPool, TwoLevelPool
from kaohe.plugins.outcomes import BottomZero, Flag, RankList, WarningOutcome

D = Decimal
COMPONENTS = (ProportionalPool, TwoLevelPool, BottomZero, WarningOutcome, Flag, RankList)


def cohort(**columns) -> dict[str, np.ndarray]:
    """An env with defaults for every column an outcome may read."""
    n = len(columns["id"])
    env = {
        "name": columns["id"], "unit": ["U"] * n, "class": ["c"] * n, "group": ["g"] * n,
        "total": [80.0] * n, "rank": list(range(1, n + 1)), "grade": ["合格"] * n,
        "grade_factor": [1.0] * n, "coefficient": [1.0] * n, "months_on_post": [12.0] * n,
        "vetoed": [False] * n, "zero_bonus": [False] * n, **columns,
    }
    arrays = {k: np.array(v, dtype=object if k in ("id", "name", "unit", "class", "group", "grade") else None)
              for k, v in env.items()}
    arrays["rank"] = arrays["rank"].astype(float)
    if "group_size" not in columns:
        groups = arrays["group"]
        arrays["group_size"] = np.array([float((groups == g).sum()) for g in groups])
    arrays["rank_pct"] = arrays["rank"] / arrays["group_size"]
    return arrays


def context(env: dict[str, np.ndarray], mask=None, order=None) -> OutcomeContext:
    n = len(env["id"])
    names = dict.fromkeys(env)
    cache: dict[str, object] = {}

    def evaluate(text: str) -> np.ndarray:
        if text not in cache:
            cache[text] = compile_expression(text, names)
        return cache[text].evaluate(env, n)

    mask = np.ones(n, dtype=bool) if mask is None else np.asarray(mask, dtype=bool)
    order = np.arange(n) if order is None else np.asarray(order)
    return OutcomeContext("o", "2025", n, env, evaluate, mask, order)


def raises(code: str, call) -> KaoheError:
    with pytest.raises(KaoheError) as info:
        call()
    diagnostic = info.value.diagnostics[0]
    assert diagnostic.code == code
    for lang in ("zh", "en"):
        assert "{" not in diagnostic.message(lang)  # every placeholder filled
    return info.value


# ---------------------------------------------------------------------------
# registration and schemas


def test_registry_finds_the_six_components():
    registry = build_registry(make_plugin_manager(entry_points=False))
    assert {"proportional_pool", "two_level_pool"} <= set(registry.names("allocator"))
    assert {"bottom_zero", "warning", "flag", "rank_list"} <= set(registry.names("outcome"))


@pytest.mark.parametrize("component", COMPONENTS)
def test_schema_is_valid_and_fully_described(component):
    schema = component.params_schema
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["type"] == "object" and schema["additionalProperties"] is False
    for key, spec in schema["properties"].items():
        assert spec.get("title") and " / " in spec.get("description", ""), key
    assert component.title and component.description and component.name


@pytest.mark.parametrize(
    ("component", "params"),
    [
        (ProportionalPool, {"pool": 600000, "weight": "coefficient * grade_factor", "unit": "1"}),
        (ProportionalPool, {"pool": "600000.00", "weight": "1", "unit": 0.01, "when": "grade != '不合格'"}),
        (TwoLevelPool, {"pool": 1000, "unit_weight": "headcount", "person_weight": "1", "group_by": "unit"}),
        (BottomZero, {"share": 0.1, "rounding": "ceil", "min_count": 1, "within": "all", "ties": "include"}),
        (WarningOutcome, {"when": "total < 75", "level": "黄牌", "message": "发预警提示函"}),
        (Flag, {"when": "grade == '优秀'", "label": "推荐评优"}),
        (RankList, {"when": "grade == '好'"}),
    ],
)
def test_example_params_pass_schema_and_check(component, params):
    jsonschema.Draft202012Validator(component.params_schema).validate(params)
    assert component().check(params) == []


def test_schema_refuses_bad_params():
    validator = jsonschema.Draft202012Validator(ProportionalPool.params_schema)
    assert not validator.is_valid({"pool": "六十万", "weight": "1"})
    assert not validator.is_valid({"pool": -5, "weight": "1"})
    assert not validator.is_valid({"pool": 5})
    assert not jsonschema.Draft202012Validator(BottomZero.params_schema).is_valid({"share": 1.5})


def test_check_reports_problems_with_paths():
    problem = ProportionalPool().check({"pool": "100.5", "weight": "1"})[0]
    assert (problem.code, problem.path) == ("E-MONEY-POOL-UNIT", ("pool",))
    assert problem.params["fitting"] == "0.1"  # the fix it offers is a unit 100.5 is a whole number of
    (problem,) = ProportionalPool().check({"pool": "100000.005", "weight": "1", "unit": "0.01"})
    assert problem.params["fitting"] == "0.001"  # not the 0.01 already written
    assert ProportionalPool().check({"pool": "100.5", "weight": "1", "unit": "0.5"}) == []
    problem = TwoLevelPool().check({"pool": 10, "unit_weight": "headcount * mean_totl", "person_weight": "1"})[0]
    assert (problem.code, problem.path) == ("E-EXPR-UNKNOWN-NAME", ("unit_weight",))
    assert problem.params["suggest"] == "mean_total"
    problem = BottomZero().check({"count": 1, "share": 0.1})[0]
    assert (problem.code, problem.path) == ("E-OUTCOME-COUNT-AND-SHARE", ("share",))
    problem = BottomZero().check({"rounding": "ceil"})[0]
    assert (problem.code, problem.path) == ("E-OUTCOME-SHARE-ONLY", ("rounding",))


def test_expressions_declared_for_load_time_checking():
    params = {"pool": 1, "unit_weight": "headcount", "person_weight": "grade_factor", "when": "total > 0"}
    assert TwoLevelPool().expressions(params) == {"person_weight": "grade_factor", "when": "total > 0"}
    assert ProportionalPool().expressions({"pool": 1, "weight": "w"}) == {"weight": "w"}
    assert BottomZero().expressions({}) == {}
    assert Flag().expressions({"when": "x"}) == {"when": "x"}


# ---------------------------------------------------------------------------
# proportional_pool


def six_units() -> dict[str, np.ndarray]:
    return cohort(
        id=["F1", "F2", "F3", "F4", "F5", "F6"],
        coefficient=[1.1] * 6, grade_factor=[1.2, 1.0, 1.0, 1.0, 0.0, 1.0],
        zero_bonus=[False, False, False, False, False, True],
        grade=["优秀", "良好", "良好", "良好", "不合格", "合格"],
    )


def test_proportional_pool_exact_to_the_yuan():
    # weights 1.1 × factor: F1 1.32, F2–F4 1.1, F5 0 (不合格), F6 0 (zero_bonus); sum 4.62
    # F1 600000 × 1.32 / 4.62 = 171428.57…, F2–F4 142857.14… each
    # floors 171428 + 3 × 142857 = 599999; the last yuan to the largest remainder (F1 .57)
    result = ProportionalPool().apply({"pool": 600000, "weight": "coefficient * grade_factor"}, context(six_units()))
    assert list(result.values) == [D(171429), D(142857), D(142857), D(142857), D(0), D(0)]
    assert sum(result.values) == D(600000)
    assert result.notes[0] == "权重 1.32 / 合计 4.62 × 奖金池 600000"
    assert result.notes[5].startswith("零绩效，权重 0")


def test_proportional_pool_tie_order_and_cents():
    env = cohort(id=["a", "b", "c"])
    # 100 over three equal weights: 33.33… each, one yuan left for the best in ctx.order
    result = ProportionalPool().apply({"pool": "100", "weight": "1"}, context(env, order=[2, 0, 1]))
    assert list(result.values) == [D(33), D(33), D(34)]
    # in cents: 33.33 each, one cent left -> c
    result = ProportionalPool().apply({"pool": "100.00", "weight": "1", "unit": "0.01"}, context(env, order=[2, 0, 1]))
    assert list(result.values) == [D("33.33"), D("33.33"), D("33.34")]


def test_proportional_pool_when_mask_and_missing_weights():
    env = cohort(id=["a", "b", "c", "d", "e"], x=[1.0, np.nan, 3.0, 2.0, 4.0],
                 grade=["好", "好", "好", "较差", None])
    # e is excluded (mask), d fails when; b's weight is missing -> 0
    # a : c = 1 : 3 of 1000 -> 250, 750
    result = ProportionalPool().apply(
        {"pool": 1000, "weight": "x", "when": "grade != '较差'"}, context(env, mask=[1, 1, 1, 1, 0]))
    assert list(result.values) == [D(250), D(0), D(750), None, None]
    assert result.notes[3] is None and result.notes[1].startswith("权重 0 / 合计 4")


def test_proportional_pool_all_zero_weights_leaves_pool_unallocated():
    result = ProportionalPool().apply({"pool": 500, "weight": "0"}, context(cohort(id=["a", "b"])))
    assert list(result.values) == [D(0), D(0)]
    assert result.notes[0] == "全部权重为 0，奖金池 500 未分配"


def test_proportional_pool_negative_weight_names_the_subject():
    env = cohort(id=["a", "b", "c"], total=[90.0, 70.0, 85.0])
    error = raises("E-OUTCOME-NEGATIVE-WEIGHT",
                   lambda: ProportionalPool().apply({"pool": 100, "weight": "total - 80"}, context(env)))
    assert "b" in error.diagnostics[0].params["ids"] and "a" not in error.diagnostics[0].params["ids"]


def test_proportional_pool_text_weight_and_bad_pool_are_diagnostics():
    env = cohort(id=["a", "b"])
    raises("E-OUTCOME-NOT-NUMBER", lambda: ProportionalPool().apply({"pool": 1, "weight": "grade"}, context(env)))
    raises("E-MONEY-POOL-UNIT", lambda: ProportionalPool().apply({"pool": "1.5", "weight": "1"}, context(env)))


# ---------------------------------------------------------------------------
# two_level_pool


def two_units() -> dict[str, np.ndarray]:
    return cohort(
        id=["a1", "a2", "a3", "b1", "b2"], unit=["A", "A", "A", "B", "B"],
        total=[90.0, 80.0, 70.0, 85.0, 75.0], grade_factor=[1.2, 1.0, 1.0, 1.0, 0.8],
        months_on_post=[12.0, 12.0, 6.0, 12.0, 12.0],
    )


TWO_LEVEL = {"pool": 10000, "unit_weight": "months", "person_weight": "grade_factor * months_on_post / 12"}


def test_two_level_pool_hand_checked():
    # units by person-years: A (12 + 12 + 6) / 12 = 2.5, B 2; 10000 × 2.5 / 4.5 = 5555.56, B 4444.44
    # -> 5555 + 4444, the last yuan to A (.56): A 5556, B 4444
    # A: weights 1.2, 1.0, 0.5 (sum 2.7): 2469.33, 2057.78, 1028.89 -> 2469 + 2057 + 1028 = 5554,
    #    2 left to a3 (.89) and a2 (.78): 2469, 2058, 1029
    # B: weights 1.0, 0.8 (sum 1.8): 2468.89, 1975.11 -> 4443, 1 left to b1: 2469, 1975
    result = TwoLevelPool().apply(TWO_LEVEL, context(two_units()))
    assert list(result.values) == [D(2469), D(2058), D(1029), D(2469), D(1975)]
    assert sum(result.values[:3]) == D(5556) and sum(result.values[3:]) == D(4444)
    assert result.notes[0] == "单位 A 分得 5556（单位权重 2.5 / 合计 4.5）；个人权重 1.2 / 单位合计 2.7"


def test_two_level_pool_unit_names():
    # headcount × mean_total: A 3 × 80 = 240, B 2 × 80 = 160 -> 600 and 400 of 1000
    # then by person weight 1 each: A 200 × 3, B 200 × 2
    params = {"pool": 1000, "unit_weight": "headcount * mean_total", "person_weight": "1"}
    result = TwoLevelPool().apply(params, context(two_units()))
    assert list(result.values) == [D(200)] * 5
    # max_total - min_total: A 90 - 70 = 20, B 85 - 75 = 10 -> 2/3 and 1/3 of 300
    params = {**params, "pool": 300, "unit_weight": "max_total - min_total + sum_weight * 0"}
    values = TwoLevelPool().apply(params, context(two_units())).values
    assert sum(values[:3]) == D(200) and sum(values[3:]) == D(100)


def test_two_level_pool_unit_tie_goes_to_the_unit_of_the_best_member():
    # 101 over two units of equal weight: 50.5 each; b1 is first in ctx.order -> B gets 51
    params = {"pool": 101, "unit_weight": "1", "person_weight": "1"}
    env = cohort(id=["a1", "b1"], unit=["A", "B"])
    assert list(TwoLevelPool().apply(params, context(env, order=[1, 0])).values) == [D(50), D(51)]
    assert list(TwoLevelPool().apply(params, context(env, order=[0, 1])).values) == [D(51), D(50)]


def test_two_level_pool_zero_bonus_and_empty_units():
    env = two_units()
    env["zero_bonus"] = np.array([False, False, True, True, True])
    # a3 gets 0 inside A; every person of B weighs 0, so B cannot pass money on and
    # its unit weight counts as 0: A takes the whole 10000
    # A: 1.2 : 1.0 (sum 2.2): 5454.55, 4545.45 -> 5454 + 4545, 1 left to a1 -> 5455, 4545
    result = TwoLevelPool().apply(TWO_LEVEL, context(env))
    assert list(result.values) == [D(5455), D(4545), D(0), D(0), D(0)]


def test_two_level_pool_group_by_other_column_and_mask():
    env = two_units()
    env["team"] = np.array(["x", "y", "x", "y", "x"], dtype=object)
    # a2 excluded; teams by headcount: x {a1, a3, b2} 3, y {b1} 1 -> 75 and 25 of 100
    params = {"pool": 100, "unit_weight": "headcount", "person_weight": "1", "group_by": "team"}
    values = TwoLevelPool().apply(params, context(env, mask=[1, 0, 1, 1, 1])).values
    assert values[1] is None and values[3] == D(25)
    assert values[0] + values[2] + values[4] == D(75)


def test_two_level_pool_errors():
    raises("E-OUTCOME-GROUP-BY",
           lambda: TwoLevelPool().apply({**TWO_LEVEL, "group_by": "unti"}, context(two_units())))
    error = raises("E-OUTCOME-UNIT-WEIGHT",
                   lambda: TwoLevelPool().apply({**TWO_LEVEL, "unit_weight": "min_total - 72"}, context(two_units())))
    assert error.diagnostics[0].params["units"] == "A"  # A's lowest is 70, B's 75


# ---------------------------------------------------------------------------
# bottom_zero


def ranked() -> dict[str, np.ndarray]:
    # G1: five ranked 1–5 plus x (not graded); G2: three with the last two tied at 2; G3: one alone
    return cohort(
        id=["p1", "p2", "p3", "p4", "p5", "x", "q1", "q2", "q3", "r1"],
        group=["G1"] * 6 + ["G2"] * 3 + ["G3"],
        rank=[1, 2, 3, 4, 5, 0, 1, 2, 2, 1],
        total=[95.0, 90.0, 85.0, 70.0, 55.0, 0.0, 88.0, 60.0, 60.0, 50.0],
    )


MASK = [1, 1, 1, 1, 1, 0, 1, 1, 1, 1]


def bottom(params, env=None, order=None):
    return BottomZero().apply(params, context(env or ranked(), mask=MASK, order=order))


def test_bottom_zero_per_group_with_ties_excluded_by_default():
    result = bottom({})
    # G1: p5 last; G2: q2 and q3 tie for last, 2 > count 1 -> neither; G3: one person, no bottom
    assert list(result.values) == [False, False, False, False, True, None, False, False, False, False]
    assert result.notes[4] == "组内末位（第 5/5 名）"
    assert result.notes[7].startswith("组内并列末位（第 2/3 名，2 人并列")
    assert result.exports["zero_bonus"].tolist() == [False, False, False, False, True] + [False] * 5
    # x is graded here but has no rank (0): it is neither counted nor taken
    everyone = BottomZero().apply({}, context(ranked()))
    assert everyone.values[5] is False and everyone.notes[4] == "组内末位（第 5/5 名）"


def test_bottom_zero_ties_include_and_min_group_size():
    result = bottom({"ties": "include", "min_group_size": 1})
    # G2: both tied take part; G3: a group of one now has a bottom
    assert [i for i, v in enumerate(result.values) if v] == [4, 7, 8, 9]
    result = bottom({"min_group_size": 6})  # G1 has 5 graded: too small
    assert not any(v for v in result.values)


def test_bottom_zero_share_and_rounding():
    # G1 size 5 × 0.4 = 2 -> p4, p5; G2 3 × 0.4 = 1.2 -> floor 1, tied pair excluded
    assert [i for i, v in enumerate(bottom({"share": 0.4}).values) if v] == [3, 4]
    # ceil: G2 -> 2: the tied pair fits exactly
    assert [i for i, v in enumerate(bottom({"share": 0.4, "rounding": "ceil"}).values) if v] == [3, 4, 7, 8]
    # 0.1 × 5 = 0.5 -> floor 0, raised to min_count 1 -> p5; G2 0.3 -> 1 -> tie excluded
    assert [i for i, v in enumerate(bottom({"share": 0.1}).values) if v] == [4]
    # half_up: 0.5 × 5 = 2.5 -> 3 (p3, p4, p5); G2 1.5 -> 2 (q2, q3)
    assert [i for i, v in enumerate(bottom({"share": 0.5, "rounding": "half_up"}).values) if v] == [2, 3, 4, 7, 8]


def test_bottom_zero_when_must_also_hold():
    env = ranked()
    env["total"][4] = 65.0  # p5 is still last but not below 60
    result = bottom({"when": "total < 60"}, env)
    assert not any(v for v in result.values)
    assert result.notes[4] == "组内末位（第 5/5 名），但不满足条件 total < 60，不计零绩效"
    assert bottom({"when": "total < 70"}, env).values[4] is True


def test_bottom_zero_within_all_uses_the_cohort_order():
    # cohort order best first: p1 q1 p2 p3 p4 q2 q3 p5 r1 (x not graded, listed last)
    order = [0, 6, 1, 2, 3, 7, 8, 4, 9, 5]
    result = bottom({"within": "all", "count": 2}, order=order)
    # worst two: r1 (50, 9th) and p5 (55, 8th)
    assert [i for i, v in enumerate(result.values) if v] == [4, 9]
    assert result.notes[9] == "全体末位（第 9/9 名）"
    # count 4 reaches q2 / q3, tied on total 60 and rank 2 in G2: 2 + 2 = 4 fits
    assert [i for i, v in enumerate(bottom({"within": "all", "count": 4}, order=order).values) if v] == [4, 7, 8, 9]
    # count 3: the tie would exceed it -> only r1 and p5
    assert [i for i, v in enumerate(bottom({"within": "all", "count": 3}, order=order).values) if v] == [4, 9]


def test_bottom_zero_keeps_earlier_zero_bonus():
    env = ranked()
    env["zero_bonus"] = np.array([True] + [False] * 9)
    assert bottom({}, env).exports["zero_bonus"][[0, 4]].tolist() == [True, True]


# ---------------------------------------------------------------------------
# warning, flag, rank_list


def test_warning_levels_and_messages():
    env = cohort(id=["a", "b", "c"], total=[90.0, 70.0, 60.0])
    params = {"when": "total < 75", "level": "黄牌", "message": "发预警提示函"}
    result = WarningOutcome().apply(params, context(env, mask=[1, 1, 0]))
    assert list(result.values) == [None, "黄牌", None]  # c is not graded
    assert list(result.notes) == [None, "发预警提示函", None]
    result = WarningOutcome().apply({"when": "total < 75"}, context(env))
    assert list(result.values) == [None, "预警", "预警"]


def test_flag():
    env = cohort(id=["a", "b", "c"], grade=["优秀", "良好", None])
    result = Flag().apply({"when": "grade == '优秀'", "label": "推荐评优"}, context(env, mask=[1, 1, 0]))
    assert list(result.values) == [True, False, None]
    assert list(result.notes) == ["推荐评优", None, None]


def test_rank_list():
    env = cohort(id=["a", "b", "c"], grade=["好", "较好", "好"], total=[95.92, 85.0, 90.5], rank=[1, 3, 2])
    result = RankList().apply({"when": "grade == '好'"}, context(env))
    assert list(result.values) == [True, False, True]
    assert result.notes[0] == "公示：第 1/3 名，总分 95.92，等次 好"
    assert result.notes[2] == "公示：第 2/3 名，总分 90.5，等次 好"
    assert result.notes[1] is None


def test_runtime_expression_failure_is_a_diagnostic():
    env = cohort(id=["a", "b"])
    raises("E-EXPR-TEXT-ARITHMETIC", lambda: Flag().apply({"when": "grade + 1 > 0"}, context(env)))


def test_feedback_with_every_dimension_alike_names_no_strength_or_weakness():
    from dataclasses import replace

    from kaohe.plugins.outcomes_lists import Feedback

    # P1: A 18/20 = 90 %, B 27/30 = 90 % → alike; P2: A 18/20 = 90 %, B 21/30 = 70 % → 长处 A, 短板 B
    env = {"id": np.array(["P1", "P2"]), "score": {"a": np.array([18.0, 18.0]), "b": np.array([27.0, 21.0])}}
    ctx = replace(context(env), indicators={"a": ("工作实绩", 20.0, None), "b": ("能力素质", 30.0, None)})
    result = Feedback().apply({}, ctx)
    assert result.values.tolist() == ["工作实绩", "能力素质"]
    assert result.notes.tolist() == ["反馈：各维度得分率相同（90%），没有突出的长处和短板",
                                     "反馈：长处 工作实绩（得分率 90%）；短板 能力素质（得分率 70%），建议针对性培训"]
