"""Item lists as indicators: task lists, OKR key results, post responsibility lists.

The items are events of the subject in the period (e.g. rows of type 任务
with declared fields such as weight, target and done). Keeping the list in
the data means a mid-year task or a re-weighted key result changes the
score without touching the ruleset, and the same rows drive accountability
lists (``event_list``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from kaohe.engine.components import Problem, Rater, RaterContext, RaterResult, prop
from kaohe.engine.errors import Diagnostic, KaoheError
from kaohe.engine.evaluation.events import as_numbers
from kaohe.engine.hookspecs import Registrar, hookimpl
from kaohe.engine.language.truth import truth
from kaohe.plugins.raters_peer import rate_cap_looks_like_points, schema

EMPTY_RATES = {"missing": np.nan, "zero": 0.0, "full": 1.0}


class EventItemsRater(Rater):
    """Weighted achievement of the subject's items in the period."""

    name = "event_items"
    title = "清单计分（任务清单、关键结果）"
    description = "Scores the weighted mean achievement rate of the subject's listed items (events) in the period."
    def reads_across_groups(self, params: Mapping[str, Any]) -> bool:
        return False  # each subject's own data (expressions' cohort functions are checked apart)

    params_schema = schema(["when", "rate"], {
        "when": prop("哪些事件是清单项 / Items", "事件表达式，如 event.type == '任务' / which events are the items",
                     type="string", minLength=1),
        "rate": prop("完成率 / Rate", "每项的完成率（0–1）的事件表达式，如 min(event.done / event.target, 1) "
                     "/ each item's achievement rate (0–1)", type="string", minLength=1),
        "weight": prop("权重 / Weight", "每项的权重（事件表达式），默认 1 / each item's weight, default 1",
                       type=["string", "number"]),
        "cap": prop("完成率上限 / Rate cap", "每项完成率的上限，默认 1 / highest rate per item, default 1",
                    type="number", exclusiveMinimum=0),
        "empty": prop("没有清单项时 / When empty", "missing（按缺失数据处理，默认）、zero（0 分）、full（满分）"
                      " / a subject without items: missing (default), zero or full marks",
                      enum=list(EMPTY_RATES)),
    })

    def check(self, params: Mapping[str, Any]) -> list[Problem]:
        return rate_cap_looks_like_points(params)

    def event_expressions(self, params: Mapping[str, Any]) -> dict[str, str]:
        texts = {"when": params["when"], "rate": params["rate"]}
        if isinstance(params.get("weight"), str):
            texts["weight"] = params["weight"]
        return texts

    def score(self, params: Mapping[str, Any], ctx: RaterContext) -> RaterResult:
        assert ctx.events is not None and ctx.evaluate_event is not None
        chosen = np.flatnonzero(truth(ctx.evaluate_event(params["when"])))
        subjects = np.asarray(ctx.events["subject"])[chosen]
        rates = np.nan_to_num(as_numbers(ctx.evaluate_event(params["rate"]))[chosen])  # no rate = not achieved
        cap = float(params.get("cap", 1.0))
        clipped = np.clip(rates, 0.0, cap)
        weights = self._weights(params, ctx, chosen)
        items = np.bincount(subjects, minlength=ctx.n).astype(float)
        weight_sum = np.bincount(subjects, weights=weights, minlength=ctx.n)
        achieved = np.bincount(subjects, weights=weights * clipped, minlength=ctx.n)
        with np.errstate(invalid="ignore", divide="ignore"):
            rate = np.where(weight_sum > 0, achieved / weight_sum, EMPTY_RATES[params.get("empty", "missing")])
        capped = np.bincount(subjects, weights=(clipped != rates).astype(float), minlength=ctx.n) > 0
        return RaterResult(
            points=rate * ctx.full_marks, capped=capped,
            details={"items": items, "weight_sum": weight_sum, "rate": rate},
        )

    def _weights(self, params: Mapping[str, Any], ctx: RaterContext, chosen: np.ndarray) -> np.ndarray:
        weight = params.get("weight", 1)
        if not isinstance(weight, str):
            return np.full(len(chosen), float(weight))
        assert ctx.evaluate_event is not None and ctx.events is not None
        weights = as_numbers(ctx.evaluate_event(weight))[chosen]
        bad = np.flatnonzero(np.isnan(weights) | (weights < 0))
        if len(bad):
            row = int(np.asarray(ctx.events["row"])[chosen][bad[0]])
            raise KaoheError(ctx.place_event(Diagnostic("E-RATER-ITEM-WEIGHT", {
                "indicator": ctx.indicator, "period": ctx.period, "row": row, "value": _shown(weights[bad[0]]),
                "count": len(bad),
            }), row))
        checked: np.ndarray = weights
        return checked


def _shown(value: float) -> str:
    return "空" if np.isnan(value) else f"{value:g}"


@hookimpl
def register_raters(register: Registrar) -> None:
    register.rater(EventItemsRater)
