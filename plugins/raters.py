"""Built-in raters: direct points, attainment rate, bands and steps, piecewise-linear
scales, formulas.

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
from kaohe.engine.errors import Diagnostic, KaoheError
from kaohe.engine.evaluation.rates import rate_against
from kaohe.engine.hookspecs import Registrar, hookimpl
from kaohe.engine.language.expressions import ExpressionError
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
    name_or_expression,
    rate_cap_looks_like_points,
    schema,
    value_column,
)

STEP_DECIMALS = 9  # 0.9 - 0.8 is 0.0999…98: round before counting started steps

CAP_POINTS = prop(
    "得分上限 / Cap", "得分封顶值，默认为指标满分 / Highest points, default the indicator's full marks", type="number",
)
FLOOR_POINTS = prop("得分下限 / Floor", "得分保底值，默认 0 / Lowest points, default 0", type="number")
FORMULA_RETURNS: dict[str, float | None] = {"points": None, "rate": 1.0}  # the unit's default cap (None: full marks)


class DirectRater(Rater):
    name = "direct"
    title = "直接打分"
    description = "Points given by an assessor, read from an input and kept between a floor and a cap."
    def reads_across_groups(self, params: Mapping[str, Any]) -> bool:
        return False  # each subject's own data (expressions' cohort functions are checked apart)

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
    def reads_across_groups(self, params: Mapping[str, Any]) -> bool:
        return False  # each subject's own data (expressions' cohort functions are checked apart)

    params_schema = schema(["actual", "target"], {
        "actual": prop("实际值 / Actual", "实际完成值：数据项名称，或数据项的表达式（如 revenue - cost）"
                       " / the actual value: an input name, or an expression over the inputs (e.g. revenue - cost)",
                       type="string", minLength=1),
        "target": prop(
            "目标值 / Target", "目标值：数据项名称、固定数字，或表达式（如 last_year * 1.08、mean(actual_x, 'class')）"
            " / target: an input name, a fixed number, or an expression (e.g. last_year * 1.08)",
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
        names = [name_or_expression(params.get(key))[0] for key in ("actual", "target")]
        return [n for n in names if n is not None]

    def expressions(self, params: Mapping[str, Any]) -> dict[str, str]:
        texts = {key: name_or_expression(params.get(key))[1] for key in ("actual", "target")}
        return {key: text for key, text in texts.items() if text is not None}

    def check(self, params: Mapping[str, Any]) -> list[Problem]:
        return floor_above_cap(params) + rate_cap_looks_like_points(params)

    def score(self, params: Mapping[str, Any], ctx: RaterContext) -> RaterResult:
        actual, target = value_column(ctx, params["actual"]), value_column(ctx, params["target"])
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
    def reads_across_groups(self, params: Mapping[str, Any]) -> bool:
        return False  # each subject's own data (expressions' cohort functions are checked apart)

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


AT_DECIMALS = 9  # breakpoints equal up to float noise count as equal (a jump), not as out of order
BREAKPOINT = {
    "type": "object", "additionalProperties": False, "required": ["at"],
    "oneOf": [{"required": ["rate"]}, {"required": ["points"]}],
    "properties": {
        "at": prop(
            "分段点 / At",
            "该点的取值：数字，或按对象计算的表达式（数据项如 target，或同组统计如 percentile(x, 0.25)） "
            "/ Where the point lies: a number, or an expression per subject (an input such as target, or a cohort statistic such as percentile(x, 0.25))",
            type=["number", "string"], minLength=1,
        ),
        "rate": prop("得分率 / Rate", "取值等于 at 时的得分率（满分的比例），如 0.8 / Share of full marks at this point, e.g. 0.8", type="number"),
        "points": prop("得分 / Points", "取值等于 at 时的得分（代替 rate） / Points at this point (instead of rate)", type="number"),
    },
}


class PiecewiseRater(Rater):
    """Linear between declared breakpoints; flat (or extended) beyond the ends.

    The breakpoints' ``at`` may be numbers or expressions (a target, a cohort
    quantile), so each subject has its own row of breakpoints: they are
    evaluated once per breakpoint as columns, and every subject's segment is
    found at once by counting the breakpoints at or below its value.
    """

    name = "piecewise"
    title = "分段线性计分"
    description = "Interpolates the score linearly between declared breakpoints (rate or points at a value); flat or extrapolated beyond the ends."
    def reads_across_groups(self, params: Mapping[str, Any]) -> bool:
        return False  # each subject's own data (expressions' cohort functions are checked apart)

    params_schema = schema(["points"], {
        "input": INPUT,
        "expr": EXPR,
        "points": prop(
            "分段点 / Breakpoints",
            "按 at 从小到大排列的分段点，每点写 rate 或 points，如 [{at: 0.6, rate: 0}, {at: 1, rate: 1}]；"
            "同一 at 写两点表示在该处跳变 / Breakpoints in increasing order of at, each with rate or points; "
            "two points at the same at make a jump there",
            type="array", minItems=2, items=BREAKPOINT,
        ),
        "extrapolate": prop(
            "两端外推 / Extrapolate",
            "false（默认）：低于第一个点、高于最后一个点时得分不再变化；true：沿两端线段延长 "
            "/ false (default): beyond the first or last point the score stays at that point's; true: the end segments are extended",
            type="boolean",
        ),
    }, **ONE_OF_INPUT_EXPR)

    def inputs(self, params: Mapping[str, Any]) -> list[str]:
        return input_list(params)

    def expressions(self, params: Mapping[str, Any]) -> dict[str, str]:
        texts = expr_map(params)
        for i, point in enumerate(params.get("points") or []):
            if isinstance(point, Mapping) and isinstance(point.get("at"), str):
                texts[f"points[{i}].at"] = point["at"]
        return texts

    def check(self, params: Mapping[str, Any]) -> list[Problem]:
        """Numeric breakpoints must not decrease, and one value holds at most two
        points (a jump); expression breakpoints are checked per subject at run time."""
        problems = []
        previous: tuple[int, float] | None = None
        seen: dict[float, int] = {}
        for i, point in enumerate(params.get("points") or []):
            at = point.get("at") if isinstance(point, Mapping) else None
            if isinstance(at, bool) or not isinstance(at, int | float):
                continue
            if previous is not None and at < previous[1]:
                problems.append(Problem("E-RATER-PIECEWISE-ORDER", {
                    "index": i + 1, "at": at, "previous_index": previous[0] + 1, "previous": previous[1],
                }, ("points", i, "at")))
                continue
            seen[at] = seen.get(at, 0) + 1
            if seen[at] == 3:
                problems.append(Problem("E-RATER-PIECEWISE-JUMP", {"index": i + 1, "at": at}, ("points", i, "at")))
            previous = (i, at)
        return problems

    def score(self, params: Mapping[str, Any], ctx: RaterContext) -> RaterResult:
        values = input_or_expr(params, ctx)
        spec = list(params["points"])
        at = np.column_stack([
            evaluate(ctx, p["at"]) if isinstance(p["at"], str) else np.full(ctx.n, float(p["at"])) for p in spec
        ]).reshape(ctx.n, len(spec))
        self._check_order(at, spec, ctx)
        level = np.array([float(p["points"]) if "points" in p else float(p["rate"]) * ctx.full_marks for p in spec])
        extrapolate = bool(params.get("extrapolate", False))
        # float noise between breakpoints meant to be equal (0.1 * 3 and 0.3) is rounded away
        grid = np.maximum.accumulate(np.round(at, AT_DECIMALS), axis=1)
        points, outside = interpolate(values, grid, level, extrapolate)
        with np.errstate(divide="ignore", invalid="ignore"):
            rate = points / ctx.full_marks if ctx.full_marks else np.full(ctx.n, np.nan)
        details = {"value": values, "rate": rate}
        details.update({f"at:{i + 1}": at[:, i] for i, p in enumerate(spec) if isinstance(p["at"], str)})
        # held flat beyond the end points: the score met a floor or a cap
        capped = outside if not extrapolate else np.zeros(ctx.n, dtype=bool)
        return RaterResult(points=points, details=details, capped=capped)

    @staticmethod
    def _check_order(at: np.ndarray, spec: list[Any], ctx: RaterContext) -> None:
        """Per subject the breakpoints must not decrease (equal ones are a jump)."""
        rounded = np.round(at, AT_DECIMALS)
        complete = np.asarray(ctx.mask, dtype=bool) & ~np.isnan(at).any(axis=1)
        falls = complete[:, None] & (np.diff(rounded, axis=1) < 0)
        bad = np.flatnonzero(falls.any(axis=1))
        if not len(bad):
            return
        row = int(bad[0])
        i = int(np.argmax(falls[row])) + 1  # the first breakpoint below its predecessor
        raise KaoheError(Diagnostic("E-RATER-PIECEWISE-SUBJECT-ORDER", {
            "indicator": ctx.indicator, "period": ctx.period, "subject": _subject_name(ctx, row),
            "index": i + 1, "at": _shown(spec[i]["at"]), "value": f"{at[row, i]:g}",
            "previous_index": i, "previous": _shown(spec[i - 1]["at"]), "previous_value": f"{at[row, i - 1]:g}",
            "count": len(bad),
        }))


def interpolate(values: np.ndarray, at: np.ndarray, level: np.ndarray, extrapolate: bool) -> tuple[np.ndarray, np.ndarray]:
    """Points of each value on the broken line through (``at[s, j]``, ``level[j]``)
    and whether the value lies outside the first and last breakpoints.

    ``at`` (subjects × breakpoints) does not decrease along a row. A value's
    segment starts at the last breakpoint at or below it, so at a jump (two
    equal breakpoints) the value itself takes the later point's level; which
    side of a breakpoint a value lies on is decided to ``AT_DECIMALS`` places.
    Missing values or breakpoints give NaN.
    """
    n, k = at.shape
    valid = ~np.isnan(values) & ~np.isnan(at).any(axis=1)
    v = np.where(valid, values, 0.0)
    side = np.round(v, AT_DECIMALS)
    grid = np.where(valid[:, None], at, 0.0)
    start = np.clip((grid <= side[:, None]).sum(axis=1) - 1, 0, k - 2)
    rows = np.arange(n)
    low, high = grid[rows, start], grid[rows, start + 1]
    width = high - low
    with np.errstate(divide="ignore", invalid="ignore"):
        # a zero-width end segment (a jump at the first or last point) is flat beyond it
        t = np.where(width > 0, (v - low) / np.where(width > 0, width, 1.0), np.where(side >= high, 1.0, 0.0))
    if not extrapolate:
        t = np.clip(t, 0.0, 1.0)
    points = level[start] + t * (level[start + 1] - level[start])
    outside = valid & ((side < grid[:, 0]) | (side > grid[:, -1]))
    return np.where(valid, points, np.nan), outside


def _subject_name(ctx: RaterContext, row: int) -> str:
    """The subject's id for a message (its row number where ids are not available)."""
    try:
        ids = np.asarray(ctx.evaluate("id"), dtype=object).reshape(ctx.n)
    except (ExpressionError, ValueError):
        return f"#{row + 1}"
    return str(ids[row])


def _shown(at: Any) -> str:
    return at if isinstance(at, str) else f"{at:g}"


class FormulaRater(Rater):
    name = "formula"
    title = "公式计分"
    description = "Points (or a share of full marks, with returns: rate) are a formula over the inputs, kept between a floor and a cap."
    def reads_across_groups(self, params: Mapping[str, Any]) -> bool:
        return False  # each subject's own data (expressions' cohort functions are checked apart)

    params_schema = schema(["expr"], {
        "expr": prop(
            "计分公式 / Formula", "按数据项计算得分的表达式，如 min(actual / target, 1.2) * 20 / Expression giving the points, e.g. min(actual / target, 1.2) * 20",
            type="string", minLength=1,
        ),
        "returns": prop(
            "公式结果 / Returns",
            "points：公式算出的是得分（默认）；rate：公式算出的是得分率，得分 = 指标满分 × 得分率 "
            "/ points: the formula gives points (default); rate: it gives a share of full marks, multiplied by the indicator's full marks",
            enum=list(FORMULA_RETURNS),
        ),
        "cap": prop(
            "上限 / Cap", "与公式结果同一单位的上限：得分时默认为指标满分，得分率时默认 1 "
            "/ Highest value, in the formula's unit: default full marks (points) or 1 (rate)", type="number",
        ),
        "floor": prop(
            "下限 / Floor", "与公式结果同一单位的下限，默认 0 / Lowest value, in the formula's unit, default 0", type="number",
        ),
    })

    def expressions(self, params: Mapping[str, Any]) -> dict[str, str]:
        return expr_map(params)

    def check(self, params: Mapping[str, Any]) -> list[Problem]:
        rate = params.get("returns") == "rate"
        return floor_above_cap(params) + (rate_cap_looks_like_points(params) if rate else [])

    def score(self, params: Mapping[str, Any], ctx: RaterContext) -> RaterResult:
        values = evaluate(ctx, params["expr"])
        scale = FORMULA_RETURNS[params.get("returns", "points")]
        cap = float(params.get("cap", ctx.full_marks if scale is None else scale))
        kept, capped = clip(values, float(params.get("floor", 0.0)), cap)
        points = kept if scale is None else ctx.full_marks * kept
        return RaterResult(points=points, details={"value": values}, capped=capped)


def _show(value: Any, infinite: str) -> Any:
    return infinite if value is None else value


BUILTIN_RATERS = (DirectRater, AttainmentRater, BandsRater, PiecewiseRater, FormulaRater, *PEER_RATERS)


@hookimpl
def register_raters(register: Registrar) -> None:
    for rater in BUILTIN_RATERS:
        register.rater(rater)
