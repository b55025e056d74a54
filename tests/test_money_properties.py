"""Money properties, property-tested (issue 15 item 6): for any pool, weights, unit and order, the parts
sum to the pool, are whole units, never negative, depend on the order only for tied remainders, and the
same input gives the same output. CI runs a bounded number of examples; KAOHE_MONEY_EXAMPLES raises it
(``KAOHE_MONEY_EXAMPLES=10000 python -m pytest tests/test_money_properties.py``)."""

from __future__ import annotations

import os
from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from kaohe.engine.evaluation.money import allocate

EXAMPLES = int(os.environ.get("KAOHE_MONEY_EXAMPLES", "300"))
UNITS = [Decimal("0.01"), Decimal("1"), Decimal("10"), Decimal("100")]


@st.composite
def splits(draw: st.DrawFn) -> tuple[Decimal, list[Decimal], Decimal, list[int]]:
    unit = draw(st.sampled_from(UNITS))
    pool = unit * draw(st.integers(min_value=0, max_value=10**15))
    weights = draw(st.lists(st.one_of(
        st.integers(min_value=0, max_value=10**6).map(Decimal),
        st.decimals(min_value=0, max_value=1000, places=4, allow_nan=False, allow_infinity=False),
    ), min_size=1, max_size=40))
    order = draw(st.permutations(list(range(len(weights)))))
    return pool, weights, unit, order


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True)
@given(splits())
def test_parts_sum_to_the_pool_in_whole_units_never_negative(case) -> None:
    pool, weights, unit, order = case
    parts = allocate(pool, weights, unit, order)
    assert len(parts) == len(weights)
    if sum(weights) == 0:
        assert all(p == 0 for p in parts)  # nothing to split by: the caller reports the pool
        return
    assert sum(parts) == pool
    assert all(p >= 0 and (p / unit) == int(p / unit) for p in parts)
    assert all(isinstance(p, Decimal) for p in parts)
    assert parts == allocate(pool, weights, unit, order)  # deterministic


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True)
@given(splits())
def test_each_part_is_its_exact_quota_rounded_down_or_up(case) -> None:
    """Hamilton: every part is floor or floor + 1 unit of its exact quota, so no weight gains or loses
    more than one unit and a zero weight gets nothing."""
    pool, weights, unit, order = case
    total = sum(weights)
    if total == 0:
        return
    parts = allocate(pool, weights, unit, order)
    for weight, part in zip(weights, parts, strict=True):
        exact = Fraction(pool / unit) * Fraction(weight) / Fraction(total)
        assert int(part / unit) - exact in (Fraction(0) - (exact - int(exact)), 1 - (exact - int(exact)))
        if weight == 0:
            assert part == 0


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True)
@given(splits())
def test_leftover_units_go_to_the_largest_remainders_then_by_order(case) -> None:
    """Independently in fractions: the +1 units go to the largest exact remainders, ties to whoever comes
    first in the declared order; so the order decides only between equal remainders."""
    pool, weights, unit, order = case
    total = sum(weights)
    if total == 0:
        return
    exact = [Fraction(pool / unit) * Fraction(w) / Fraction(total) for w in weights]
    leftover = int(pool / unit) - sum(int(q) for q in exact)
    place = {index: position for position, index in enumerate(order)}
    ranked = sorted(range(len(weights)), key=lambda i: (-(exact[i] - int(exact[i])), place[i]))
    expected = [int(q) for q in exact]
    for i in ranked[:leftover]:
        expected[i] += 1
    assert [int(p / unit) for p in allocate(pool, weights, unit, order)] == expected
