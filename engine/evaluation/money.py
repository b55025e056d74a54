"""Exact money: largest-remainder (Hamilton) apportionment in Decimal.

A pool is split in proportion to weights so that every share is a multiple
of the money unit (1 yuan, 0.01 yuan …) and the shares add up to the pool
exactly. Each share is first the exact quotient pool × w / Σw floored to the
unit; the units left over go one each to the largest remainders, ties
decided by a declared order. Weights become exact rationals (Decimal, then
integer numerators over one common denominator) so the floors and remainders
are computed in integer arithmetic and never rounded, however large the pool
or however many weights.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal, Inexact, localcontext
from numbers import Integral, Real
from typing import Any

import numpy as np

PRECISION = 50


class MoneyError(ValueError):
    """Bad input to an allocation; ``code`` and ``params`` name a message in
    ``kaohe.engine.messages.outcomes`` so callers can turn it into a Diagnostic."""

    def __init__(self, code: str, params: dict[str, Any], text: str):
        self.code = code
        self.params = params
        super().__init__(text)


def to_decimal(value: Any) -> Decimal:
    """An exact Decimal: ints and Decimals as they are, floats by their
    shortest repr (so 0.1 is 0.1, not 0.1000000000000000055…)."""
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, bool | Integral):
        result = Decimal(int(value))
    elif isinstance(value, Real):
        result = Decimal(repr(float(value)))
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except ArithmeticError:
            raise MoneyError("E-MONEY-NOT-NUMBER", {"value": value}, f"{value!r} is not a number") from None
    else:
        raise MoneyError("E-MONEY-NOT-NUMBER", {"value": value}, f"{value!r} is not a number")
    if not result.is_finite():
        raise MoneyError("E-MONEY-NOT-NUMBER", {"value": value}, f"{value!r} is not a finite number")
    return result


MAX_UNIT = Decimal(10) ** 12  # a money unit above a trillion yuan is a typing slip


def parse_unit(unit: Any) -> Decimal:
    """The money unit as a positive Decimal with exponent <= 0 (100, not 1E+2)."""
    result = to_decimal(unit)
    if result <= 0:
        raise MoneyError("E-MONEY-UNIT", {"unit": unit}, f"money unit must be positive, got {unit}")
    if result > MAX_UNIT:  # 1e308 would need 309 digits to write out as whole yuan
        raise MoneyError("E-MONEY-UNIT", {"unit": unit}, f"money unit must be at most {MAX_UNIT}, got {unit}")
    if result.as_tuple().exponent > 0:  # type: ignore[operator]
        with localcontext() as ctx:
            ctx.prec = PRECISION
            result = result.quantize(Decimal(1))
    return result


def pool_units(pool: Any, unit: Any = Decimal("1")) -> int:
    """How many money units make the pool; refuses negative pools and pools
    that are not a whole number of units."""
    amount, step = to_decimal(pool), parse_unit(unit)
    if amount < 0:
        raise MoneyError("E-MONEY-POOL-NEGATIVE", {"pool": pool}, f"pool must not be negative, got {pool}")
    a_num, a_den = amount.as_integer_ratio()
    u_num, u_den = step.as_integer_ratio()
    units, rest = divmod(a_num * u_den, a_den * u_num)
    if rest:
        # the largest power of ten that the pool is a whole number of: 100000.005 → 0.001
        fitting = format(Decimal(1).scaleb(min(amount.normalize().as_tuple().exponent, 0)), "f")  # type: ignore[arg-type]
        raise MoneyError(
            "E-MONEY-POOL-UNIT", {"pool": pool, "unit": unit, "fitting": fitting},
            f"pool {pool} is not a whole number of units of {unit}",
        )
    return units


def units_to_money(units: int, unit: Decimal) -> Decimal:
    """``units`` × ``unit`` exactly (Inexact is trapped, never rounded)."""
    return amounts([units], unit)[0]


def amounts(counts: Sequence[int], unit: Decimal) -> list[Decimal]:
    """Each count of units as money, exactly (one context for the lot)."""
    largest = max((abs(c) for c in counts), default=0)
    with localcontext() as ctx:
        ctx.prec = max(PRECISION, len(str(largest)) + len(unit.as_tuple().digits) + 1)
        ctx.traps[Inexact] = True
        return [unit * c for c in counts]


def quantize_money(value: Any, unit: Any = Decimal("1"), rounding: str = ROUND_HALF_UP) -> Decimal:
    """``value`` rounded to a multiple of ``unit`` (half up by default)."""
    amount, step = to_decimal(value), parse_unit(unit)
    with localcontext() as ctx:
        ctx.prec = PRECISION + len(amount.as_tuple().digits)
        count = (amount / step).to_integral_value(rounding=rounding)
    return units_to_money(int(count), step)


def integer_weights(weights: Sequence[Any]) -> list[int]:
    """Weights as integer numerators over one common denominator (exact).

    Raises MoneyError for a negative or non-finite weight, naming its index.
    """
    ratios = []
    known: dict[Any, tuple[int, int]] = {}  # weights repeat a lot (a few grade factors)
    for index, weight in enumerate(weights):
        cacheable = isinstance(weight, Decimal) and weight.is_finite()
        ratio = known.get(weight) if cacheable else None
        if ratio is None:
            ratio = _ratio(index, weight)
            if cacheable:
                known[weight] = ratio
        ratios.append(ratio)
    common = math.lcm(*{den for _, den in ratios}) if ratios else 1
    return [num * (common // den) for num, den in ratios]


def _ratio(index: int, weight: Any) -> tuple[int, int]:
    try:
        value = to_decimal(weight)
    except MoneyError as exc:
        raise MoneyError("E-MONEY-WEIGHT", {"index": index, "weight": weight},
                         f"weight #{index} ({weight!r}) is not a finite number") from exc
    if value < 0:
        raise MoneyError("E-MONEY-WEIGHT-NEGATIVE", {"index": index, "weight": weight},
                         f"weight #{index} is negative ({weight}); weights must be >= 0")
    return value.as_integer_ratio()


def _positions(order: Sequence[int] | None, n: int) -> np.ndarray:
    """position[i] = place of index i in ``order`` (earlier wins a tie)."""
    if order is None:
        return np.arange(n)
    order_array = np.asarray(order, dtype=np.int64).reshape(-1)
    if len(order_array) != n or not np.array_equal(np.sort(order_array), np.arange(n)):
        raise MoneyError("E-MONEY-ORDER", {"n": n}, f"order must be a permutation of 0..{n - 1}")
    positions = np.empty(n, dtype=np.int64)
    positions[order_array] = np.arange(n)
    return positions


def apportion(units: int, weights: Sequence[int], positions: np.ndarray) -> list[int]:
    """Hamilton apportionment of ``units`` over non-negative integer weights."""
    n = len(weights)
    total = sum(weights)
    if total == 0 or units == 0:
        return [0] * n
    # object arrays keep Python's unbounded ints: pool × weight may exceed int64
    products = np.array(weights, dtype=object) * units
    floors = products // total
    remainders = products - floors * total
    leftover = units - int(floors.sum())
    if leftover:
        by_position = np.argsort(positions, kind="stable")
        # stable sort with reverse=True keeps the declared order among equal remainders
        winners = sorted(by_position.tolist(), key=remainders.__getitem__, reverse=True)[:leftover]
        floors[winners] += 1
    return [int(x) for x in floors]


def allocate(
    pool: Decimal,
    weights: Sequence[Any],
    unit: Decimal = Decimal("1"),
    order: Sequence[int] | None = None,
) -> list[Decimal]:
    """Split ``pool`` in proportion to ``weights`` in multiples of ``unit``.

    Shares sum exactly to ``pool``. Leftover units go to the largest
    remainders; equal remainders are decided by ``order`` (a permutation of
    indices, earlier wins; default index order). Weights may be Decimal, int
    or float (floats via ``Decimal(repr(x))``). All-zero weights give all
    zeros: the caller must report the pool as unallocated. Raises
    ``MoneyError`` (a ValueError) for a negative or non-finite weight, a
    negative pool, a non-positive unit, or a pool that is not a whole number
    of units.
    """
    step = parse_unit(unit)
    units = pool_units(pool, step)
    numerators = integer_weights(list(weights))
    shares = apportion(units, numerators, _positions(order, len(numerators)))
    return amounts(shares, step)


def decimal_weights(values: np.ndarray, digits: int = 12) -> list[Decimal]:
    """Float weights from expressions as Decimals of ``digits`` significant
    digits: float64 noise beyond that (1.1 × 1.2 = 1.3200000000000003) is an
    artefact of binary arithmetic, and keeping it would let noise, not the
    declared order, decide who wins a tied remainder. NaN is not allowed."""
    floats = np.asarray(values, dtype=float).reshape(-1)
    distinct, inverse = np.unique(floats, return_inverse=True)
    exact = [Decimal(format(x, f".{digits}g")) if x else Decimal(0) for x in distinct.tolist()]
    return [exact[i] for i in inverse.tolist()]


def format_money(value: Decimal) -> str:
    """Plain positional text without exponent (600000, 0.5, 12.30)."""
    return f"{value:f}"


def format_number(value: Any) -> str:
    """A weight or ratio for notes: exact, without trailing zeros or exponent."""
    number = to_decimal(value) if not isinstance(value, Decimal) else value
    if number == 0:
        return "0"
    with localcontext() as ctx:
        ctx.prec = PRECISION
        text = f"{number.normalize():f}"
    return text


__all__ = [
    "MoneyError", "ROUND_FLOOR", "ROUND_HALF_UP", "allocate", "amounts", "apportion", "decimal_weights",
    "format_money", "format_number", "integer_weights", "parse_unit", "pool_units",
    "quantize_money", "to_decimal", "units_to_money",
]
