"""Built-in allocators: bonus pools split exactly to the money unit.

Both use largest-remainder apportionment (``kaohe.engine.evaluation.money``) with the
cohort's declared order (best first) deciding equal remainders, so the
amounts always add up to the pool and never depend on float noise.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import numpy as np

from kaohe.engine.components import Allocator, OutcomeContext, OutcomeResult, Problem, prop
from kaohe.engine.errors import did_you_mean
from kaohe.engine.evaluation.money import (
    MoneyError,
    amounts,
    apportion,
    decimal_weights,
    format_money,
    format_number,
    integer_weights,
    parse_unit,
    pool_units,
    to_decimal,
    units_to_money,
)
from kaohe.engine.hookspecs import Registrar, hookimpl
from kaohe.engine.language.expressions import Expression, ExpressionError, compile_expression
from kaohe.plugins.outcomes import (
    WHEN_PROPERTY,
    column,
    condition,
    fail,
    labels,
    listing,
    numbers,
    positions,
    )

AMOUNT = r"^[0-9]+(\.[0-9]+)?$"

POOL_PROPERTY = prop("奖金池 / Pool", "待分配总额（元），如 600000 或 \"600000.00\" / "
                     "the amount to share out, in yuan", minimum=0, pattern=AMOUNT, type=["number", "string"])
UNIT_PROPERTY = prop("金额单位 / Money unit", "分到的金额是它的整数倍，\"1\" 为元"
                     "（默认），\"0.01\" 为分 / every amount is a multiple of it: \"1\" yuan (default) or "
                     "\"0.01\"", exclusiveMinimum=0, pattern=AMOUNT, type=["number", "string"])

UNIT_NAMES = (
    "headcount", "months", "person_years", "person_months", "mean_total", "max_total", "min_total",
    "sum_weight", "mean_coefficient", "mean_grade_factor",
)
"""Names a unit-level weight may use: per unit, over its persons taking part.
``months`` and ``person_years`` are Σ months_on_post / 12; ``person_months``
is Σ months_on_post."""


def pool_problems(params: Mapping[str, Any]) -> list[Problem]:
    """A pool that cannot be paid out in whole units (schema checked the rest)."""
    try:
        unit = parse_unit(params.get("unit", "1"))
    except MoneyError as exc:
        return [Problem(exc.code, exc.params, ("unit",))]
    try:
        pool_units(params["pool"], unit)
    except MoneyError as exc:
        return [Problem(exc.code, exc.params, ("pool",))]
    return []


def money_params(ctx: OutcomeContext, params: Mapping[str, Any]) -> tuple[Decimal, Decimal, int]:
    """Pool, unit and the pool as a count of units."""
    try:
        unit = parse_unit(params.get("unit", "1"))
        return to_decimal(params["pool"]), unit, pool_units(params["pool"], unit)
    except MoneyError as exc:
        raise fail(ctx, exc.code, **exc.params) from None


def person_weights(ctx: OutcomeContext, text: str, key: str, take: np.ndarray) -> np.ndarray:
    """Weights of persons taking part: missing counts as 0, negative or infinite
    is an error naming the subjects, zero-bonus subjects get 0."""
    weights = np.where(take, numbers(ctx, text, key), 0.0)
    weights = np.nan_to_num(weights, nan=0.0, posinf=np.inf, neginf=-np.inf)
    ids = column(ctx, "id", None)
    for code, bad in (("E-OUTCOME-INFINITE-WEIGHT", np.isinf(weights)), ("E-OUTCOME-NEGATIVE-WEIGHT", weights < 0)):
        if bad.any():
            raise fail(ctx, code, ids=listing(ids[bad]), weights=listing(weights[bad]), expr=text)
    return np.where(column(ctx, "zero_bonus", False).astype(bool), 0.0, weights)


def objects(items: list[Any]) -> np.ndarray:
    """A list as a 1-d object array, items kept as they are."""
    array = np.empty(len(items), dtype=object)
    array[:] = items
    return array


def weight_texts(weights: list[Decimal]) -> list[str]:
    """Weights for notes, each distinct value formatted once."""
    texts = {weight: format_number(weight) for weight in set(weights)}
    return [texts[weight] for weight in weights]


def zero_note(pool: Decimal) -> str:
    return f"全部权重为 0，奖金池 {format_money(pool)} 未分配"


class ProportionalPool(Allocator):
    """One pool shared in proportion to a weight expression."""

    name = "proportional_pool"
    title = "奖金池按权重分配"
    description = "Shares a bonus pool among subjects in proportion to a weight, exact to the money unit."
    params_schema = {
        "type": "object", "additionalProperties": False, "required": ["pool", "weight"],
        "properties": {
            "pool": POOL_PROPERTY,
            "weight": prop("权重 / Weight", "每人的分配权重表达式，如 coefficient * grade_factor / "
                           "each subject's weight, e.g. coefficient * grade_factor", type="string"),
            "unit": UNIT_PROPERTY,
            "when": {**WHEN_PROPERTY, "description": "参与分配的对象，如 grade != '不合格' / who takes "
                     "part, e.g. grade != '不合格'"},
        },
    }

    def expressions(self, params: Mapping[str, Any]) -> dict[str, str]:
        return {key: params[key] for key in ("weight", "when") if key in params}

    def check(self, params: Mapping[str, Any]) -> list[Problem]:
        return pool_problems(params)

    def apply(self, params: Mapping[str, Any], ctx: OutcomeContext) -> OutcomeResult:
        pool, unit, units = money_params(ctx, params)
        take = ctx.mask & condition(ctx, params.get("when"))
        weights = person_weights(ctx, params["weight"], "weight", take)
        members = np.flatnonzero(take)
        exact = decimal_weights(weights[members])
        shares = apportion(units, integer_weights(exact), positions(ctx)[members])
        total = sum(exact, Decimal(0))
        values = np.full(ctx.n, None, dtype=object)
        notes = np.full(ctx.n, None, dtype=object)
        values[members] = objects(amounts(shares, unit))
        if total == 0:
            notes[members] = zero_note(pool)
            return OutcomeResult(values, notes)
        head = f"/ 合计 {format_number(total)} × 奖金池 {format_money(pool)}"
        zero = column(ctx, "zero_bonus", False).astype(bool)[members].tolist()
        notes[members] = objects([("零绩效，" if z else "") + f"权重 {text} {head}"
                                  for z, text in zip(zero, weight_texts(exact), strict=True)])
        return OutcomeResult(values, notes)


@functools.lru_cache(maxsize=256)
def unit_expression(text: str) -> Expression:
    """The unit-level weight compiled against the unit names (cached per text)."""
    return compile_expression(text, dict.fromkeys(UNIT_NAMES))


class TwoLevelPool(Allocator):
    """First between units by a unit weight, then within each unit by a person weight."""

    name = "two_level_pool"
    title = "两级分配（先单位后个人）"
    description = "Splits a pool between units by a unit-level weight, then within each unit by a person weight."
    params_schema = {
        "type": "object", "additionalProperties": False, "required": ["pool", "unit_weight", "person_weight"],
        "properties": {
            "pool": POOL_PROPERTY,
            "unit_weight": prop("单位权重 / Unit weight", "单位层面的表达式，可用 " + "、".join(UNIT_NAMES)
                                + "，如 headcount * mean_total / a unit-level expression over these names, "
                                "e.g. headcount * mean_total", type="string"),
            "person_weight": prop("个人权重 / Person weight", "单位内每人的权重表达式，如 grade_factor * "
                                  "months_on_post / 12 / each person's weight within the unit", type="string"),
            "group_by": prop("单位列 / Unit column", "标明所属单位的列，默认 unit / the column naming "
                             "each person's unit, default unit", minLength=1, type="string"),
            "unit": UNIT_PROPERTY,
            "when": {**WHEN_PROPERTY, "description": "参与分配的人员，如 grade != '不称职' / who takes "
                     "part, e.g. grade != '不称职'"},
        },
    }

    def expressions(self, params: Mapping[str, Any]) -> dict[str, str]:
        return {key: params[key] for key in ("person_weight", "when") if key in params}

    def check(self, params: Mapping[str, Any]) -> list[Problem]:
        problems = pool_problems(params)
        try:
            unit_expression(params["unit_weight"])
        except ExpressionError as exc:
            problems.append(Problem(exc.code, exc.params, ("unit_weight",)))
        return problems

    def apply(self, params: Mapping[str, Any], ctx: OutcomeContext) -> OutcomeResult:
        pool, unit, units = money_params(ctx, params)
        take = ctx.mask & condition(ctx, params.get("when"))
        weights = person_weights(ctx, params["person_weight"], "person_weight", take)
        members = np.flatnonzero(take)
        names, codes = self._units(ctx, params.get("group_by", "unit"), members)
        place = positions(ctx)[members]
        unit_weights = self._unit_weights(ctx, params["unit_weight"], codes, weights[members], members, names)
        best = np.full(len(names), np.iinfo(np.int64).max)
        np.minimum.at(best, codes, place)  # units in the order of their best member
        exact_units = decimal_weights(unit_weights)
        unit_total = sum(exact_units, Decimal(0))
        unit_shares = apportion(units, integer_weights(exact_units), best)
        by_unit = np.argsort(codes, kind="stable")
        bounds = np.concatenate([[0], np.cumsum(np.bincount(codes, minlength=len(names)))])
        person_shares = np.zeros(len(members), dtype=object)
        person_notes = np.full(len(members), zero_note(pool), dtype=object)
        for u, name in enumerate(names):
            inside = by_unit[bounds[u]:bounds[u + 1]]
            exact = decimal_weights(weights[members[inside]])
            person_shares[inside] = objects(apportion(unit_shares[u], integer_weights(exact), place[inside]))
            if unit_total == 0:
                continue
            head = (f"单位 {name} 分得 {format_money(units_to_money(unit_shares[u], unit))}（单位权重 "
                    f"{format_number(exact_units[u])} / 合计 {format_number(unit_total)}）；个人权重 ")
            tail = f" / 单位合计 {format_number(sum(exact, Decimal(0)))}"
            person_notes[inside] = objects([head + text + tail for text in weight_texts(exact)])
        values = np.full(ctx.n, None, dtype=object)
        notes = np.full(ctx.n, None, dtype=object)
        values[members] = objects(amounts(person_shares.tolist(), unit))
        notes[members] = person_notes
        return OutcomeResult(values, notes)

    @staticmethod
    def _units(ctx: OutcomeContext, group_by: str, members: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Unit labels of the persons taking part and each person's unit code."""
        if group_by not in ctx.env:
            available = sorted(k for k in ctx.env if not k.startswith("_"))  # not the frames stages add
            raise fail(ctx, "E-OUTCOME-GROUP-BY", column=group_by, available=", ".join(available),
                       suggest=did_you_mean(group_by, available))
        text = labels(np.asarray(ctx.env[group_by]))[members]
        if not len(members):
            return np.zeros(0, dtype=object), np.zeros(0, dtype=np.int64)
        names, codes = np.unique(text.astype(str), return_inverse=True)
        return names, codes.astype(np.int64)

    @staticmethod
    def _unit_weights(ctx: OutcomeContext, text: str, codes: np.ndarray, weights: np.ndarray,
                      members: np.ndarray, names: np.ndarray) -> np.ndarray:
        """The unit weight per unit; a unit whose persons all weigh 0 gets 0,
        since it could not pass any money on."""
        count = len(names)
        env = unit_env(ctx, codes, weights, members, count)
        try:
            expression = unit_expression(text)
            result = np.asarray(expression.evaluate(env, count)).astype(float)
        except ExpressionError as exc:
            raise fail(ctx, exc.code, **exc.params) from None
        except (TypeError, ValueError):
            raise fail(ctx, "E-OUTCOME-NOT-NUMBER", key="unit_weight", expr=text) from None
        result = np.nan_to_num(result, nan=0.0, posinf=np.inf, neginf=-np.inf)
        bad = (result < 0) | np.isinf(result)
        if bad.any():
            raise fail(ctx, "E-OUTCOME-UNIT-WEIGHT", units=listing(names[bad]), weights=listing(result[bad]),
                       expr=text)
        return np.where(env["sum_weight"] > 0, result, 0.0)


def unit_env(ctx: OutcomeContext, codes: np.ndarray, weights: np.ndarray, members: np.ndarray,
             count: int) -> dict[str, np.ndarray]:
    """The unit-level columns, one value per unit, over the persons taking part."""
    def total_of(name: str, default: float) -> np.ndarray:
        return np.bincount(codes, column(ctx, name, default).astype(float)[members], minlength=count)

    headcount = np.bincount(codes, minlength=count).astype(float)
    scores = column(ctx, "total", np.nan).astype(float)[members]
    highest, lowest = np.full(count, -np.inf), np.full(count, np.inf)
    np.maximum.at(highest, codes, scores)
    np.minimum.at(lowest, codes, scores)
    months = total_of("months_on_post", 12.0)
    with np.errstate(all="ignore"):
        return {
            "headcount": headcount, "months": months / 12, "person_years": months / 12,
            "person_months": months, "mean_total": total_of("total", np.nan) / headcount,
            "max_total": highest, "min_total": lowest,
            "sum_weight": np.bincount(codes, weights, minlength=count),
            "mean_coefficient": total_of("coefficient", 1.0) / headcount,
            "mean_grade_factor": total_of("grade_factor", 1.0) / headcount,
        }


@hookimpl
def register_allocators(register: Registrar) -> None:
    for component in (ProportionalPool, TwoLevelPool):
        register.allocator(component)
