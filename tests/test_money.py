"""Exact money: largest-remainder apportionment sums to the pool, to the unit."""

from __future__ import annotations

import random
import sys
from decimal import Decimal, localcontext

import numpy as np
import pytest

from kaohe.engine.errors import Diagnostic
from kaohe.engine.evaluation.money import (
    MoneyError,
    allocate,
    decimal_weights,
    format_number,
    pool_units,
    quantize_money,
    to_decimal,
)

D = Decimal


def test_hundred_over_three_equal_weights_tie_order_decides_the_extra_yuan():
    # 100 / 3 = 33.33… each: floors 33 + 33 + 33 = 99, one yuan left, all remainders equal
    assert allocate(D(100), [1, 1, 1]) == [D(34), D(33), D(33)]  # default: index order
    assert allocate(D(100), [1, 1, 1], order=[2, 0, 1]) == [D(33), D(33), D(34)]
    assert allocate(D(100), [1, 1, 1], order=[1, 2, 0]) == [D(33), D(34), D(33)]


def test_largest_remainder_beats_tie_order():
    # 10 over 1:2:2 (sum 5) -> 2, 4, 4 exactly: nothing left over, order is irrelevant
    assert allocate(D(10), [1, 2, 2], order=[2, 1, 0]) == [D(2), D(4), D(4)]
    # 10 over 1:1:1:3 (sum 6): 1.67, 1.67, 1.67, 5 -> floors 1+1+1+5 = 8, 2 left for
    # the three equal remainders .67: order [3, 2, 1, 0] gives them to indices 2 and 1
    assert allocate(D(10), [1, 1, 1, 3], order=[3, 2, 1, 0]) == [D(1), D(2), D(2), D(5)]


def test_a_million_over_seven_weights_in_cents():
    # weights 1..7, sum 28; in cents 100000000 × k / 28 = k × 3571428.571428…
    # floors: 3571428 (.571), 7142857 (.143), 10714285 (.714), 14285714 (.286),
    #         17857142 (.857), 21428571 (.429), 25000000 (0)  -> sum 99999997, 3 cents left
    # largest remainders: k=5 (.857), k=3 (.714), k=1 (.571) get one cent each
    shares = allocate(D("1000000.00"), [1, 2, 3, 4, 5, 6, 7], D("0.01"))
    assert shares == [
        D("35714.29"), D("71428.57"), D("107142.86"), D("142857.14"),
        D("178571.43"), D("214285.71"), D("250000.00"),
    ]
    assert sum(shares) == D("1000000.00")
    assert all(s.as_tuple().exponent == -2 for s in shares)


def test_one_yuan_over_a_thousand_weights():
    # each exact share is 0.001: every floor is 0, the single yuan goes to the
    # first in the tie order
    shares = allocate(D(1), [1] * 1000)
    assert sum(shares) == D(1)
    assert shares[0] == D(1) and shares.count(D(0)) == 999
    shares = allocate(D(1), [1] * 1000, order=list(range(999, -1, -1)))
    assert shares[999] == D(1) and sum(shares) == D(1)


def test_float_noise_does_not_distort():
    # 0.1 + 0.2 = 0.30000000000000004 is taken as that decimal exactly (repr):
    # 100 × 0.30000000000000004 / 0.60000000000000004 = 50.0000000000000033…,
    # the other 49.99999999999999…; floors 50 + 49, the last yuan to the larger
    # remainder (.99…) -> 50 / 50
    assert allocate(D(100), [0.1 + 0.2, 0.3]) == [D(50), D(50)]
    assert to_decimal(0.1 + 0.2) == D("0.30000000000000004")
    assert to_decimal(np.float64(0.1)) == D("0.1")
    # the plugins round float weights to 12 significant digits, so equal-by-policy
    # weights tie and the declared order, not binary noise, decides
    assert decimal_weights(np.array([0.1 + 0.2, 0.3, 1.1 * 1.2, 0.0])) == [D("0.3"), D("0.3"), D("1.32"), D(0)]
    assert allocate(D(100), decimal_weights(np.array([0.3, 0.1 + 0.2, 0.3])), order=[0, 2, 1]) == [
        D(34), D(33), D(33)]


def test_mixed_weight_types_and_zero_weights():
    # 7 over Decimal 0.5, int 1, float 0.5, 0 (sum 2): 1.75, 3.5, 1.75, 0 -> floors 1, 3, 1, 0
    # = 5, 2 left: remainders .75, .5, .75 -> indices 0 and 2
    assert allocate(D(7), [D("0.5"), 1, 0.5, 0]) == [D(2), D(3), D(2), D(0)]
    assert allocate(D(100), [0, 0, 0]) == [D(0), D(0), D(0)]  # caller reports the pool unallocated
    assert allocate(D(0), [1, 2]) == [D(0), D(0)]
    assert allocate(D(5), []) == []


def test_unit_larger_than_one_and_pool_as_text():
    # 1000 in units of 100 = 10 units over 1:2 -> 3.33, 6.67 -> 3, 6 + 1 to the second
    assert allocate(D("1E+3"), [1, 2], D("1E+2")) == [D(300), D(700)]
    assert str(allocate(D("1E+3"), [1, 2], D("1E+2"))[0]) == "300"
    assert allocate("600", [1, 1], "0.01") == [D("300.00"), D("300.00")]


@pytest.mark.parametrize(
    ("pool", "weights", "unit", "order", "code"),
    [
        (D(100), [1, -1], D(1), None, "E-MONEY-WEIGHT-NEGATIVE"),
        (D(100), [1, float("nan")], D(1), None, "E-MONEY-WEIGHT"),
        (D(100), [1, "abc"], D(1), None, "E-MONEY-WEIGHT"),
        (D("100.5"), [1, 1], D(1), None, "E-MONEY-POOL-UNIT"),
        (D(-100), [1, 1], D(1), None, "E-MONEY-POOL-NEGATIVE"),
        (D(100), [1, 1], D(0), None, "E-MONEY-UNIT"),
        (D(100), [1, 1], 1e308, None, "E-MONEY-UNIT"),  # found by fuzzing: was decimal.InvalidOperation
        (D(100), [1, 1], D(1), [0, 0], "E-MONEY-ORDER"),
        (D("NaN"), [1, 1], D(1), None, "E-MONEY-NOT-NUMBER"),
    ],
)
def test_bad_input_is_a_value_error_with_a_code(pool, weights, unit, order, code):
    with pytest.raises(ValueError) as info:
        allocate(pool, weights, unit, order)
    assert isinstance(info.value, MoneyError) and info.value.code == code
    message = Diagnostic(info.value.code, info.value.params).message("zh")
    assert code not in message  # the catalogue knows the code
    assert str(info.value)  # English text for programmers


def test_negative_weight_message_names_the_weight():
    with pytest.raises(ValueError, match="weight #1 is negative"):
        allocate(D(10), [1, -2])


def test_pool_units():
    assert pool_units(D("600000"), D("0.01")) == 60_000_000
    assert pool_units(600000.5, "0.5") == 1_200_001
    with pytest.raises(MoneyError):
        pool_units("0.015", "0.01")


def test_huge_pool_stays_exact():
    # 10^40 + 1 yuan over 1:1: 5×10^39 each, 1 left for index 0
    pool = D("1" + "0" * 39 + "1")  # 41 digits, more than the default 28-digit context
    shares = allocate(pool, [1, 1])
    assert shares == [D("5" + "0" * 38 + "1"), D("5" + "0" * 39)]
    with localcontext() as ctx:
        ctx.prec = 60
        assert sum(shares) == pool


def test_quantize_money():
    assert quantize_money("2.675", "0.01") == D("2.68")  # half up, from exact decimal text
    assert quantize_money(2.675, "0.01") == D("2.68")  # float via repr, not 2.67499999…
    assert quantize_money(D("12345.5")) == D("12346")
    assert quantize_money(D("-0.5")) == D("-1")  # half away from zero
    assert quantize_money(D("7.3"), D("0.5")) == D("7.5")
    assert quantize_money(D("1.234"), "0.01", rounding="ROUND_FLOOR") == D("1.23")


def test_format_number():
    assert format_number(D("600000")) == "600000"
    assert format_number(D("1.3200")) == "1.32"
    assert format_number(1.5) == "1.5"
    assert format_number(D("0.000")) == "0"


def test_random_cases_sum_exactly_and_stay_within_one_unit():
    rng = random.Random(0)
    for case in range(300):
        n = rng.randint(1, 40)
        unit = rng.choice([D("1"), D("0.01"), D("0.1"), D("5")])
        pool = unit * rng.randint(0, 10**7)
        kind = case % 3
        if kind == 0:
            weights = [rng.randint(0, 50) for _ in range(n)]
        elif kind == 1:
            weights = [rng.random() * 10 for _ in range(n)]
        else:
            weights = [D(rng.randint(0, 10**6)) / 1000 for _ in range(n)]
        order = list(range(n))
        rng.shuffle(order)
        shares = allocate(pool, weights, unit, order)
        assert len(shares) == n
        exact_weights = [to_decimal(w) for w in weights]
        total = sum(exact_weights)
        if total == 0:
            assert all(s == 0 for s in shares)
            continue
        assert sum(shares) == pool, case
        with localcontext() as ctx:
            ctx.prec = 60
            for share, weight in zip(shares, exact_weights, strict=True):
                assert share % unit == 0
                assert abs(share - pool * weight / total) < unit, case


DEFERRED_RULESET = """\
kaohe: 1
id: deferred
title: 延期支付
year: 2025
subjects: {{kind: unit}}
inputs:
  x: {{title: 得分}}
indicators:
  - {{id: x, title: 得分, points: 100, rater: {{use: direct, input: x}}}}
outcomes:
  - {{id: pool, title: 奖金, use: proportional_pool, pool: "{pool}", weight: "1"}}
  - {{id: later, title: 延期, use: deferred_pay, amount: pool, share: {share}, unit: "100"}}
"""


def deferred(tmp_path, pool: str, share: float):
    from kaohe.engine.evaluation.pipeline import evaluate
    from kaohe.engine.evaluation.runner import inline_dataset
    from kaohe.engine.registry import default_registry
    from kaohe.engine.ruleset.load import load_ruleset

    file = tmp_path / "deferred.yaml"
    file.write_text(DEFERRED_RULESET.format(pool=pool, share=share), encoding="utf-8")
    ruleset = load_ruleset(file, default_registry())
    data = {"subjects": [{"id": "U1", "name": "一"}], "values": [{"subject": "U1", "period": "2025", "x": 90}]}
    result = evaluate(ruleset, inline_dataset(ruleset, data, "inline"), default_registry()).period("2025")
    return result.outcomes["later"].values[0], result.outcomes["later"].notes[0]


def test_deferred_pay_never_defers_more_than_the_amount(tmp_path):
    # docs: 250 × 1 = 250 → 300 at a 100-yuan unit exceeds the amount → 250 deferred, 0 paid now
    value, note = deferred(tmp_path, "250", 1)
    assert value == Decimal(250) and "当期发放 0 元" in note
    # 250 × 0.5 = 125 → 100 (half up to the unit), 150 paid now
    value, note = deferred(tmp_path, "250", 0.5)
    assert value == Decimal(100) and "当期发放 150 元" in note


def test_deferred_pay_reads_an_earlier_amount_exactly(tmp_path, monkeypatch):
    # 999,999,999,999,999.99 yuan (the most an expression may hold is 10^15) is no float: read as one it
    # is 999999999999999.875; the pool gives all of it to the one unit, 0 deferred: paid now exact
    monkeypatch.setattr(sys.modules[__name__], "DEFERRED_RULESET",
                        DEFERRED_RULESET.replace('weight: "1"}', 'weight: "1", unit: "0.01"}'))
    value, note = deferred(tmp_path, "999999999999999.99", 0)
    assert value == Decimal(0) and "当期发放 999999999999999.99 元" in note
