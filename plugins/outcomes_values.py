"""Outcomes that compute a value per subject: a formula, and deferred pay.

``formula`` turns a period's result into a number another assessment reads
(e.g. a unit's score feeding its leaders' political-building assessment);
``deferred_pay`` holds back part of an earlier money outcome until a later
assessment (任期考核 + 延期支付), with exact money: deferred + paid now is the
amount to the cent.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import numpy as np

from kaohe.engine.components import MONEY, Allocator, Outcome, OutcomeContext, OutcomeResult, prop
from kaohe.engine.evaluation.money import (
    MoneyError,
    format_money,
    parse_unit,
    quantize_money,
    to_decimal,
)
from kaohe.engine.evaluation.rounding import round_scores
from kaohe.engine.hookspecs import Registrar, hookimpl
from kaohe.plugins.outcomes import WHEN_PROPERTY, condition, fail, numbers


class FormulaOutcome(Outcome):
    """A number per subject from an expression over the period's results."""

    name = "formula"
    title = "计算值（如单位实绩得分计入领导班子考核）"
    description = "Computes a number per subject from an expression over the period's results and earlier outcomes."
    def reads_across_groups(self, params: Mapping[str, Any]) -> bool:
        return False  # each subject's own results

    params_schema = {
        "type": "object", "additionalProperties": False, "required": ["value"],
        "properties": {
            "value": prop("计算式 / Value", "表达式，如 total * 0.6 + score.teamwork / Expression, "
                          "e.g. total * 0.6", minLength=1, type="string"),
            "precision": prop("小数位数 / Precision", "结果保留的小数位数（四舍五入），默认 2 / decimals "
                              "kept (half up), default 2", minimum=0, maximum=6, type="integer"),
            "when": WHEN_PROPERTY,
        },
    }

    def expressions(self, params: Mapping[str, Any]) -> dict[str, str]:
        return {key: params[key] for key in ("value", "when") if key in params}

    def apply(self, params: Mapping[str, Any], ctx: OutcomeContext) -> OutcomeResult:
        values = round_scores(numbers(ctx, params["value"], "value"), int(params.get("precision", 2)))
        chosen = ctx.mask & condition(ctx, params.get("when")) & ~np.isnan(values)
        out = np.full(ctx.n, None, dtype=object)
        out[chosen] = values[chosen].tolist()
        return OutcomeResult(out)


class DeferredPay(Allocator):
    """The deferred part of an earlier money outcome."""

    name = "deferred_pay"
    title = "延期支付（分期兑现）"
    description = "Defers a share of an earlier money outcome until a later assessment; deferred + paid now = amount."
    def reads_across_groups(self, params: Mapping[str, Any]) -> bool:
        return False  # each subject's own results

    params_schema = {
        "type": "object", "additionalProperties": False, "required": ["amount", "share"],
        "properties": {
            "amount": prop("金额 / Amount", "前面某个金额类结果运用的编号（或表达式），如 bonus_pool / "
                           "an earlier money outcome's id (or an expression)", minLength=1, type="string"),
            "share": prop("延期比例 / Deferred share", "延期支付的比例，如 0.3 / share deferred, e.g. 0.3",
                          minimum=0, maximum=1, type="number"),
            "until": prop("兑现条件 / Until", "何时兑现，如 任期考核 / when the deferred part is paid, "
                          "e.g. the tenure assessment", minLength=1, type="string"),
            "unit": prop("金额单位 / Unit", "延期金额取整到的单位，默认 1 元 / money unit "
                         "of the deferred part, default 1 yuan", type=["string", "number"]),
            "when": WHEN_PROPERTY,
        },
    }

    def expressions(self, params: Mapping[str, Any]) -> dict[str, str]:
        return {key: params[key] for key in ("amount", "when") if key in params}

    def apply(self, params: Mapping[str, Any], ctx: OutcomeContext) -> OutcomeResult:
        amounts = numbers(ctx, params["amount"], "amount")
        exact = ctx.env.get(MONEY, {}).get(params["amount"])  # an earlier amount named: its Decimals
        try:
            unit = parse_unit(params.get("unit", "1"))
        except MoneyError as exc:
            raise fail(ctx, exc.code, **exc.params) from None
        share = to_decimal(params["share"])
        until = params.get("until", "以后考核")
        chosen = ctx.mask & condition(ctx, params.get("when")) & ~np.isnan(amounts)
        values = np.full(ctx.n, None, dtype=object)
        notes = np.full(ctx.n, None, dtype=object)
        for i in np.flatnonzero(chosen).tolist():
            amount = exact[i] if exact is not None and isinstance(exact[i], Decimal) else _exact(float(amounts[i]))
            # rounded to the unit, but never more than the amount: paid now is never negative
            deferred = min(quantize_money(amount * share, unit), amount)
            values[i] = deferred
            notes[i] = (f"延期支付 {(share * 100).normalize():f}%：{format_money(deferred)} 元待{until}后兑现，"
                        f"当期发放 {format_money(amount - deferred)} 元（合计 {format_money(amount)} 元）")
        return OutcomeResult(values, notes)



def _exact(value: float) -> Decimal:
    """Money reaches expressions as float; its repr keeps the cents (5000.0 → 5000)."""
    amount = to_decimal(value)
    return amount.quantize(Decimal(1)) if amount == amount.to_integral_value() else amount


@hookimpl
def register_outcomes(register: Registrar) -> None:
    register.outcome(FormulaOutcome)


@hookimpl
def register_allocators(register: Registrar) -> None:
    register.allocator(DeferredPay)
