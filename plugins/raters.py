"""Built-in raters: direct points, attainment rate, bands and steps, formulas.

The peer raters (ratio to the best, rank tables, percentile benchmarks) live
in ``kaohe.plugins.raters_peer`` and are registered from here too; the survey rater
registers itself from ``kaohe.plugins.survey``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from kaohe.engine.components import Problem, Rater, RaterContext, RaterResult, prop
from kaohe.engine.evaluation.rates import rate_against
from kaohe.engine.hookspecs import Registrar, hookimpl
from kaohe.plugins.raters_peer import (
    EXPR,
    INPUT,
    ONE_OF_INPUT_EXPR,
    PEER_RATERS,
    POLARITY,
    RATE_CAP,
    RATE_FLOOR,
    clip,
    column,
    evaluate,
    expr_map,
    floor_above_cap,
    input_list,
    input_or_expr,
    schema,
)

STEP_DECIMALS = 9  # 0.9 - 0.8 is 0.0999…98: round before counting started steps

CAP_POINTS = prop(
    "得分上限 / Cap", "得分封顶值，默认为指标满分 / Highest points, default the indicator's full marks", type="number",
)
FLOOR_POINTS = prop("得分下限 / Floor", "得分保底值，默认 0 / Lowest points, default 0", type="number")


class DirectRater(Rater):
    name = "direct"
    title = "直接打分"
    description = "Points given by an assessor, read from an input and kept between a floor and a cap."
    params_schema = schema(["input"], {"input": INPUT, "cap": CAP_POINTS, "floor": FLOOR_POINTS})

    def inputs(self, params: Mapping[str, Any]) -> list[str]:
        return input_list(params)

    def check(self, params: Mapping[str, Any]) -> list[Problem]:
        return floor_above_cap(params)

    def score(self, params: Mapping[str, Any], ctx: RaterContext) -> RaterResult:
        values = column(ctx, params["input"])
        points, capped = clip(values, float(params.get("floor", 0.0)), float(params.get("cap", ctx.full_marks)))
        return RaterResult(points=points, capped=capped)


class AttainmentRater(Rater):
    name = "attainment"
    title = "目标达成率"
    description = "Points are full marks times actual over target (target over actual when lower is better), clipped to a floor and a cap."
    params_schema = schema(["actual", "target"], {
        "actual": prop("实际值 / Actual", "实际完成值的数据项 / Input holding the actual value", type="string", minLength=1),
        "target": prop(
            "目标值 / Target", "目标值：数据项名称或固定数字 / Target: an input name or a fixed number",
            type=["string", "number"], minLength=1,
        ),
        "polarity": POLARITY,
        "cap": RATE_CAP,
        "floor": RATE_FLOOR,
        "threshold": prop(
            "达标门槛 / Threshold", "达成率低于该值得 0 分（低于门槛不得分） / A rate below this scores 0",
            type="number", minimum=0,
        ),
    })

    def inputs(self, params: Mapping[str, Any]) -> list[str]:
        names = [params["actual"]] if isinstance(params.get("actual"), str) else []
        return names + ([params["target"]] if isinstance(params.get("target"), str) else [])

    def check(self, params: Mapping[str, Any]) -> list[Problem]:
        return floor_above_cap(params)

    def score(self, params: Mapping[str, Any], ctx: RaterContext) -> RaterResult:
        actual = column(ctx, params["actual"])
        target = params["target"]
        target = column(ctx, target) if isinstance(target, str) else np.full(ctx.n, float(target))
        cap, floor = float(params.get("cap", 1.0)), float(params.get("floor", 0.0))
        rate = rate_against(actual, target, params.get("polarity", "higher") == "lower", cap)
        clipped, capped = clip(rate, floor, cap)
        if "threshold" in params:
            with np.errstate(invalid="ignore"):
                clipped = np.where(rate < float(params["threshold"]), 0.0, clipped)
        details = {"actual": actual, "target": target, "rate": rate}
        return RaterResult(points=ctx.full_marks * clipped, details=details, capped=capped)


BAND = {
    "type": "object", "additionalProperties": False,
    "oneOf": [{"required": ["points"]}, {"required": ["rate"]}],
    "properties": {
        "from": prop("下限（含） / From (inclusive)", "取值 ≥ 该值时落入本档；第一档可省略 / Band applies from this value on; may be omitted on the first band", type="number"),
        "to": prop("上限（不含） / To (exclusive)", "取值 < 该值时落入本档；最后一档可省略 / Band applies below this value; may be omitted on the last band", type="number"),
        "points": prop("得分 / Points", "落入本档的得分 / Points for a value in this band", type="number"),
        "rate": prop("得分率 / Rate", "落入本档得满分的比例，如 0.8 / Share of full marks for this band, e.g. 0.8", type="number"),
    },
}
STEPS = {
    "type": "object", "additionalProperties": False, "required": ["full_at", "every", "minus"],
    "properties": {
        "full_at": prop("满分线 / Full marks at", "取值 ≥ 该值得满分，如 0.9 / A value at or above this gets full marks, e.g. 0.9", type="number"),
        "every": prop("每档幅度 / Every", "每低于满分线这么多（不足一档按一档）扣一次 / Each started step of this size below full_at loses points", type="number", exclusiveMinimum=0),
        "minus": prop("每档扣分 / Minus", "每档扣的分数，扣完为止 / Points lost per step, never below 0", type="number", minimum=0),
    },
}


class BandsRater(Rater):
    name = "bands"
    title = "分档计分"
    description = "Maps a value to points through bands (from ≤ value < to), or through steps below a full-marks line."
    params_schema = schema([], {
        "input": INPUT,
        "expr": EXPR,
        "bands": prop(
            "分档 / Bands", "从低到高、首尾相接的分档，每档写 points 或 rate / Contiguous bands listed low to high, each with points or rate",
            type="array", minItems=1, items=BAND,
        ),
        "steps": prop(
            "逐档扣分 / Steps", "满分线以下每低一档扣若干分，如 {full_at: 0.9, every: 0.1, minus: 5} / Lose points per step below a full-marks line",
            **STEPS,
        ),
        "outside": prop(
            "不在任何一档时得分 / Points outside all bands", "取值不落入任何一档时的得分，默认 0 / Points when no band matches, default 0",
            type="number",
        ),
    }, allOf=[ONE_OF_INPUT_EXPR, {"oneOf": [{"required": ["bands"]}, {"required": ["steps"]}]}])

    def inputs(self, params: Mapping[str, Any]) -> list[str]:
        return input_list(params)

    def expressions(self, params: Mapping[str, Any]) -> dict[str, str]:
        return expr_map(params)

    def check(self, params: Mapping[str, Any]) -> list[Problem]:
        bands = params.get("bands") or []
        problems = []
        for i, band in enumerate(bands):
            start, end = band.get("from"), band.get("to")
            if start is not None and end is not None and start >= end:
                problems.append(Problem("E-BANDS-EMPTY", {"start": start, "end": end}, ("bands", i, "to")))
            if i == 0:
                continue
            prev_to = bands[i - 1].get("to")
            low = -math.inf if start is None else start
            high = math.inf if prev_to is None else prev_to
            if low != high:
                code = "E-BANDS-GAP" if low > high else "E-BANDS-OVERLAP"
                where = ("bands", i, "from") if start is not None else ("bands", i)
                problems.append(Problem(code, {"prev_to": _show(prev_to, "+∞"), "start": _show(start, "−∞")}, where))
        return problems

    def score(self, params: Mapping[str, Any], ctx: RaterContext) -> RaterResult:
        values = input_or_expr(params, ctx)
        if params.get("steps"):
            return self._steps(params["steps"], values, ctx)
        points = np.full(ctx.n, float(params.get("outside", 0.0)))
        band = np.full(ctx.n, np.nan)
        # reversed so that, were bands to overlap, the first listed wins
        for i, spec in reversed(list(enumerate(params["bands"]))):
            low, high = spec.get("from", -math.inf), spec.get("to", math.inf)
            inside = (values >= low) & (values < high)
            value = spec["points"] if "points" in spec else spec["rate"] * ctx.full_marks
            points = np.where(inside, float(value), points)
            band = np.where(inside, i + 1.0, band)
        points = np.where(np.isnan(values), np.nan, points)
        return RaterResult(points=points, details={"value": values, "band": band}, capped=np.zeros(ctx.n, dtype=bool))

    @staticmethod
    def _steps(steps: Mapping[str, Any], values: np.ndarray, ctx: RaterContext) -> RaterResult:
        shortfall = (float(steps["full_at"]) - values) / float(steps["every"])
        count = np.maximum(np.ceil(np.round(shortfall, STEP_DECIMALS)), 0.0)
        raw = ctx.full_marks - count * float(steps["minus"])
        points, capped = clip(raw, 0.0, math.inf)
        return RaterResult(points=points, details={"value": values, "steps": count}, capped=capped)


class FormulaRater(Rater):
    name = "formula"
    title = "公式计分"
    description = "Points are a formula over the inputs, kept between a floor and a cap."
    params_schema = schema(["expr"], {
        "expr": prop(
            "计分公式 / Formula", "按数据项计算得分的表达式，如 min(actual / target, 1.2) * 20 / Expression giving the points, e.g. min(actual / target, 1.2) * 20",
            type="string", minLength=1,
        ),
        "cap": CAP_POINTS,
        "floor": FLOOR_POINTS,
    })

    def expressions(self, params: Mapping[str, Any]) -> dict[str, str]:
        return expr_map(params)

    def check(self, params: Mapping[str, Any]) -> list[Problem]:
        return floor_above_cap(params)

    def score(self, params: Mapping[str, Any], ctx: RaterContext) -> RaterResult:
        values = evaluate(ctx, params["expr"])
        points, capped = clip(values, float(params.get("floor", 0.0)), float(params.get("cap", ctx.full_marks)))
        return RaterResult(points=points, details={"value": values}, capped=capped)


def _show(value: Any, infinite: str) -> Any:
    return infinite if value is None else value


BUILTIN_RATERS = (DirectRater, AttainmentRater, BandsRater, FormulaRater, *PEER_RATERS)


@hookimpl
def register_raters(register: Registrar) -> None:
    for rater in BUILTIN_RATERS:
        register.rater(rater)
