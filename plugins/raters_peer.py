"""Peer raters: scores relative to the other subjects of the same peer group
(ratio to the best, rank tables, percentile benchmarks), plus the small
helpers every built-in rater shares.

Cohort statistics (best, rank, quantile) only use subjects where
``ctx.mask`` is True and the value is not NaN, and are computed separately
within each peer group (``ctx.groups``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import numpy as np

from kaohe.engine.components import Problem, Rater, RaterContext, RaterResult, prop
from kaohe.engine.errors import Diagnostic, KaoheError
from kaohe.engine.evaluation.rates import rate_against
from kaohe.engine.language.expressions import ExpressionError
from kaohe.engine.language.ranking import competition_rank

QUANTILE_METHODS = [
    "inverted_cdf", "averaged_inverted_cdf", "closest_observation", "interpolated_inverted_cdf",
    "hazen", "weibull", "linear", "median_unbiased", "normal_unbiased",
    "lower", "higher", "midpoint", "nearest",
]
RANK_DECIMALS = 9  # values equal up to float noise share a rank


# ---------------------------------------------------------------------------
# shared helpers


INPUT = prop(
    "数据项 / Input", "要读取的数据项名称，须在 inputs 中声明 / Name of a declared input to read",
    type="string", minLength=1,
)
EXPR = prop(
    "表达式 / Expression",
    "按数据项计算取值的表达式，如 tax_growth * difficulty / Expression over declared inputs, e.g. tax_growth * difficulty",
    type="string", minLength=1,
)
POLARITY = prop(
    "方向 / Polarity", "higher：越高越好（默认）；lower：越低越好 / higher: bigger is better (default); lower: smaller is better",
    enum=["higher", "lower"],
)
RATE_CAP = prop(
    "比率上限 / Rate cap", "比率封顶值，默认 1.0；1.2 表示最多得满分的 120% / Highest rate, default 1.0; 1.2 allows 120% of full marks",
    type="number", minimum=0,
)
RATE_FLOOR = prop(
    "比率下限 / Rate floor", "比率保底值，默认 0 / Lowest rate, default 0", type="number", minimum=0,
)
ONE_OF_INPUT_EXPR = {"oneOf": [{"required": ["input"]}, {"required": ["expr"]}]}


def schema(required: list[str], properties: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"type": "object", "additionalProperties": False, "required": required, "properties": properties, **extra}


def column(ctx: RaterContext, name: str) -> np.ndarray:
    return np.asarray(ctx.values(name), dtype=float)


def evaluate(ctx: RaterContext, text: str) -> np.ndarray:
    """Evaluate a declared expression; a runtime refusal becomes a diagnostic."""
    try:
        result = ctx.evaluate(text)
    except ExpressionError as exc:
        raise KaoheError(Diagnostic(exc.code, {**exc.params, "indicator": ctx.indicator})) from exc
    return np.asarray(result, dtype=float).reshape(ctx.n)


def input_or_expr(params: Mapping[str, Any], ctx: RaterContext) -> np.ndarray:
    if params.get("expr") is not None:
        return evaluate(ctx, params["expr"])
    return column(ctx, params["input"])


NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def name_or_expression(value: Any) -> tuple[str | None, str | None]:
    """A rater parameter written as text: a bare name is a declared input
    (checked like ``input``), anything else an expression over the inputs."""
    if not isinstance(value, str):
        return None, None
    return (value, None) if NAME.match(value) else (None, value)


def value_column(ctx: RaterContext, value: Any) -> np.ndarray:
    """An input, an expression or a fixed number, as a column."""
    name, text = name_or_expression(value)
    if name is not None:
        return column(ctx, name)
    if text is not None:
        return evaluate(ctx, text)
    return np.full(ctx.n, float(value))


def input_list(params: Mapping[str, Any]) -> list[str]:
    return [params["input"]] if isinstance(params.get("input"), str) else []


def expr_map(params: Mapping[str, Any]) -> dict[str, str]:
    return {"expr": params["expr"]} if isinstance(params.get("expr"), str) else {}


def clip(values: np.ndarray, low: float, high: float) -> tuple[np.ndarray, np.ndarray]:
    """``values`` clipped to [low, high] and where clipping changed them (NaN stays NaN)."""
    with np.errstate(invalid="ignore"):
        clipped = np.clip(values, low, high)
        if low <= high:  # outside the bounds is exactly where clipping changes a value (NaN is neither)
            changed = (values < low) | (values > high)
        else:
            changed = ~np.isnan(values) & (clipped != values)
    return clipped, changed


PLAUSIBLE_RATE_CAP = 3.0  # 300 % of full marks: a larger rate cap was almost surely written in points


def rate_cap_looks_like_points(params: Mapping[str, Any]) -> list[Problem]:
    """A rate cap of 20 on a 20-point indicator means 2000 %: the points were meant."""
    cap = params.get("cap")
    if isinstance(cap, int | float) and not isinstance(cap, bool) and cap > PLAUSIBLE_RATE_CAP:
        return [Problem("W-RATE-CAP-POINTS", {"cap": cap, "percent": f"{cap * 100:g}"}, ("cap",))]
    return []


def floor_above_cap(params: Mapping[str, Any]) -> list[Problem]:
    floor, cap = params.get("floor"), params.get("cap")
    if isinstance(floor, int | float) and isinstance(cap, int | float) and floor > cap:
        return [Problem("E-RATER-FLOOR-ABOVE-CAP", {"floor": floor, "cap": cap}, ("floor",))]
    return []


# ---------------------------------------------------------------------------
# peer-group statistics (columnar)


def peers(values: np.ndarray, ctx: RaterContext) -> tuple[np.ndarray, np.ndarray, int]:
    """(pool, dense group code per subject, number of groups): the pool is
    the subjects that take part in cohort comparisons."""
    pool = np.asarray(ctx.mask, dtype=bool) & ~np.isnan(values)
    codes, dense = np.unique(np.asarray(ctx.groups), return_inverse=True)
    return pool, dense.reshape(ctx.n), len(codes)


def group_best(values: np.ndarray, ctx: RaterContext, lowest: bool) -> np.ndarray:
    """Each subject's best peer value (max, or min when ``lowest``); NaN if none."""
    pool, dense, count = peers(values, ctx)
    best = np.full(count, np.nan)
    (np.fmin if lowest else np.fmax).at(best, dense[pool], values[pool])
    per_subject: np.ndarray = best[dense]
    return per_subject


def group_rank(values: np.ndarray, ctx: RaterContext, descending: bool) -> np.ndarray:
    """Competition rank (1, 1, 3) within each peer group; NaN where the value is missing. A subject
    left out of the comparisons (excluded) but with a value is scored as usual, so it gets the rank
    it would stand at among its peers, taking no place from them: 1 + the peers strictly better."""
    pool, dense, _ = peers(values, ctx)
    rounded = np.round(np.where(np.isnan(values), 0.0, values), RANK_DECIMALS)
    key = -rounded if descending else rounded
    ranks = competition_rank(dense, [key], pool).astype(float)
    outside = ~pool & ~np.isnan(values)
    for code in np.unique(dense[outside]).tolist():
        peers_keys = np.sort(key[pool & (dense == code)])
        here = outside & (dense == code)
        ranks[here] = 1 + np.searchsorted(peers_keys, key[here], side="left")
    return np.where(pool | outside, ranks, np.nan)


def group_quantile(values: np.ndarray, ctx: RaterContext, q: float, method: str) -> np.ndarray:
    """Each subject's peer-group quantile. np.quantile has no grouped form, so
    this loops over the (few) peer groups, not over subjects."""
    pool, dense, count = peers(values, ctx)
    index = np.flatnonzero(pool)
    order = np.argsort(dense[index], kind="stable")
    codes, pooled = dense[index][order], values[index][order]
    result = np.full(count, np.nan)
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])[: len(codes)]
    for start, end in zip(starts, np.r_[starts[1:], len(codes)][: len(starts)], strict=True):
        result[codes[start]] = np.quantile(pooled[start:end], q, method=method)  # type: ignore[call-overload]  # method is checked against the schema's enum
    per_subject: np.ndarray = result[dense]
    return per_subject


# ---------------------------------------------------------------------------
# raters


class RatioToBestRater(Rater):
    name = "ratio_to_best"
    title = "与最优值比"
    description = "Points are full marks times the value over the best value among peers (or best over value when lower is better)."
    def reads_across_groups(self, params: Mapping[str, Any]) -> bool:
        return False  # compares within ctx.groups (expressions' cohort functions are checked apart)

    params_schema = schema([], {
        "input": INPUT,
        "expr": EXPR,
        "polarity": POLARITY,
    }, **ONE_OF_INPUT_EXPR)

    def inputs(self, params: Mapping[str, Any]) -> list[str]:
        return input_list(params)

    def expressions(self, params: Mapping[str, Any]) -> dict[str, str]:
        return expr_map(params)

    def score(self, params: Mapping[str, Any], ctx: RaterContext) -> RaterResult:
        values = input_or_expr(params, ctx)
        lower = params.get("polarity", "higher") == "lower"
        best = group_best(values, ctx, lowest=lower)
        with np.errstate(divide="ignore", invalid="ignore"):
            if lower:
                ratio = np.where(values == 0, 1.0, best / values)
            else:
                ratio = np.where(best > 0, values / best, 0.0)
        ratio = np.where(np.isnan(values) | np.isnan(best), np.nan, ratio)
        # a negative value (e.g. falling tax) earns nothing rather than minus points
        ratio, capped = clip(ratio, 0.0, 1.0)
        return RaterResult(points=ctx.full_marks * ratio, details={"best": best}, capped=capped)


class RankTableRater(Rater):
    name = "rank_table"
    title = "名次赋分"
    description = "Ranks peers by a value and gives the points listed for each rank; equal values share the better rank."
    def reads_across_groups(self, params: Mapping[str, Any]) -> bool:
        return False  # compares within ctx.groups (expressions' cohort functions are checked apart)

    params_schema = schema(["points"], {
        "input": INPUT,
        "expr": EXPR,
        "order": prop(
            "排序 / Order", "desc：越大名次越前（默认）；asc：越小名次越前 / desc: bigger ranks first (default); asc: smaller ranks first",
            enum=["desc", "asc"],
        ),
        "points": prop(
            "各名次分值 / Points by rank", "第 1 名、第 2 名……依次得分，如 [60, 57, 54] / Points for rank 1, 2, … e.g. [60, 57, 54]",
            type="array", items={"type": "number"}, minItems=1,
        ),
        "rest": prop(
            "其余名次得分 / Points for other ranks", "名次超出列表时的得分，默认 0 / Points for ranks beyond the list, default 0",
            type="number",
        ),
    }, **ONE_OF_INPUT_EXPR)

    def inputs(self, params: Mapping[str, Any]) -> list[str]:
        return input_list(params)

    def expressions(self, params: Mapping[str, Any]) -> dict[str, str]:
        return expr_map(params)

    def score(self, params: Mapping[str, Any], ctx: RaterContext) -> RaterResult:
        values = input_or_expr(params, ctx)
        ranks = group_rank(values, ctx, descending=params.get("order", "desc") == "desc")
        table = np.asarray(params["points"], dtype=float)
        listed = ~np.isnan(ranks) & (ranks <= len(table))
        index = np.where(listed, np.nan_to_num(ranks, nan=1.0) - 1, 0).astype(np.int64)
        points = np.where(listed, table[index], float(params.get("rest", 0)))
        points = np.where(np.isnan(ranks), np.nan, points)
        return RaterResult(points=points, details={"rank": ranks}, capped=np.zeros(ctx.n, dtype=bool))


class PercentileRater(Rater):
    name = "percentile"
    title = "分位值对标"
    description = "Compares each value with a quantile of its peers (optionally the harder of that and the own multi-year average) and scores the rate."
    def reads_across_groups(self, params: Mapping[str, Any]) -> bool:
        return False  # compares within ctx.groups (expressions' cohort functions are checked apart)

    params_schema = schema(["input"], {
        "input": INPUT,
        "quantile": prop(
            "分位 / Quantile", "对标的分位，默认 0.75（75 分位） / Peer quantile to benchmark against, default 0.75",
            type="number", minimum=0, maximum=1,
        ),
        "method": prop(
            "分位计算方法 / Quantile method", "numpy 的分位算法，默认 linear / numpy quantile method, default linear",
            enum=QUANTILE_METHODS,
        ),
        "polarity": POLARITY,
        "cap": RATE_CAP,
        "floor": RATE_FLOOR,
        "challenge": prop(
            "挑战目标 / Challenge target",
            "取同类分位值与本单位近几年平均值中更难的一个作为目标 / Target is the harder of the peer quantile and the own average of recent years",
            type="object", additionalProperties=False, required=["own_years"],
            properties={"own_years": prop(
                "近几年 / Own years", "取本单位近几年（有数据的年份）的平均值，1–3（往年值最多读 3 年） / Number of recent years with data to average, 1–3 (history holds three years)",
                type="integer", minimum=1, maximum=3,
            )},
        ),
    })

    def inputs(self, params: Mapping[str, Any]) -> list[str]:
        return input_list(params)

    def check(self, params: Mapping[str, Any]) -> list[Problem]:
        return floor_above_cap(params) + rate_cap_looks_like_points(params)

    def score(self, params: Mapping[str, Any], ctx: RaterContext) -> RaterResult:
        values = column(ctx, params["input"])
        lower = params.get("polarity", "higher") == "lower"
        benchmark = group_quantile(
            values, ctx, float(params.get("quantile", 0.75)), params.get("method", "linear"),
        )
        own = self._own_average(params, ctx)
        harder = np.fmin if lower else np.fmax
        target = harder(benchmark, own)
        own_wins = ~np.isnan(own) & (np.isnan(benchmark) | (target != benchmark))
        cap, floor = float(params.get("cap", 1.0)), float(params.get("floor", 0.0))
        rate = rate_against(values, target, lower, cap)
        clipped, capped = clip(rate, floor, cap)
        details = {
            "benchmark": benchmark, "own_average": own, "target": target, "rate": rate,
            "target_source": np.where(own_wins, "own", "peer").astype(object),
        }
        return RaterResult(points=ctx.full_marks * clipped, details=details, capped=capped)

    @staticmethod
    def _own_average(params: Mapping[str, Any], ctx: RaterContext) -> np.ndarray:
        """Mean of the most recent ``own_years`` non-missing values of the subject's history."""
        challenge = params.get("challenge")
        if not challenge or ctx.history is None:
            return np.full(ctx.n, np.nan)
        history = np.asarray(ctx.history(params["input"]), dtype=float).reshape(ctx.n, -1)
        present = ~np.isnan(history)
        chosen = present & (np.cumsum(present, axis=1) <= int(challenge["own_years"]))
        total = np.where(chosen, history, 0.0).sum(axis=1)
        count = chosen.sum(axis=1)
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


PEER_RATERS = (RatioToBestRater, RankTableRater, PercentileRater)
