"""Outcomes that produce lists for people: feedback talks and item lists.

``feedback`` names each subject's strongest and weakest dimension (for the
one-to-one feedback talk and for training needs); ``event_list`` lists the
period's events of a kind per subject (a close-out list of supervised
problems with owner, measure and deadline; the achievements shown in a
publicity list). With ``of: items`` it lists the rectification items alive in
the period instead (open, overdue, or closed in it: a 销号 list), each
carried from period to period until it is closed.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import numpy as np

from kaohe.engine.components import (
    Outcome,
    OutcomeContext,
    OutcomeResult,
    Problem,
    prop,
    where_or_none,
)
from kaohe.engine.errors import Diagnostic, KaoheError, did_you_mean
from kaohe.engine.hookspecs import Registrar, hookimpl
from kaohe.plugins.outcomes import condition, unknown_names

ITEM_FIELDS = ["id", "owner", "deadline", "status"]  # what an item list shows unless told

class Feedback(Outcome):
    """Strongest and weakest dimension of each subject, by share of full marks."""

    name = "feedback"
    title = "反馈谈话与培训需求"
    description = "Names each subject's strongest and weakest dimension (score as a share of full marks)."
    def reads_across_groups(self, params: Mapping[str, Any]) -> bool:
        return False  # each subject's own results

    params_schema = {
        "type": "object", "additionalProperties": False,
        "properties": {
            "dimensions": prop("比较的维度 / Dimensions", "参与比较的指标编号，默认全部一级指标 / indicator ids "
                               "compared, default: the top-level indicators", items={"type": "string"}, minItems=2,
                               uniqueItems=True, type="array"),
            "label": prop("说明 / Label", "说明前缀，如 反馈谈话 / prefix of the note", minLength=1, type="string"),
            # what the printed feedback sheet says besides the scores (engine/report/handouts.py)
            "talk_by": prop("谈话人 / Talk by", "谁进行反馈谈话，如 部门负责人 / who holds the feedback talk, "
                            "e.g. 部门负责人", minLength=1, type="string"),
            "topics": prop("谈话内容 / Topics", "谈话必谈的内容，印在谈话记录表上 / what the talk covers, printed on "
                           "the sheet", items={"type": "string", "minLength": 1}, minItems=1, type="array"),
            "training": prop("培训安排 / Training", "针对短板的培训安排，印在谈话记录表上 / the training arranged for "
                             "the weakness, printed on the sheet", minLength=1, type="string"),
        },
    }

    def check_references(self, params: Mapping[str, Any], indicators: Collection[str],
                         event_fields: Collection[str]) -> list[Problem]:
        return unknown_names(params, "dimensions", indicators, "E-OUTCOME-DIMENSION")

    def apply(self, params: Mapping[str, Any], ctx: OutcomeContext) -> OutcomeResult:
        dimensions = params.get("dimensions") or [k for k, v in ctx.indicators.items() if v[2] is None]
        unknown = [d for d in dimensions if d not in ctx.indicators]
        if unknown:
            raise KaoheError(Diagnostic("E-OUTCOME-DIMENSION", {
                "outcome": ctx.outcome, "name": unknown[0], "suggest": did_you_mean(unknown[0], ctx.indicators)}))
        scores = ctx.env["score"]
        rates = np.vstack([
            np.asarray(scores.get(d, np.full(ctx.n, np.nan)), dtype=float) / ctx.indicators[d][1] for d in dimensions
        ]) if dimensions else np.zeros((0, ctx.n))
        present = ~np.isnan(rates)
        usable = ctx.mask & (present.sum(axis=0) >= 2)
        weakest = np.argmin(np.where(present, rates, np.inf), axis=0)
        strongest = np.argmax(np.where(present, rates, -np.inf), axis=0)
        titles = [ctx.indicators[d][0] for d in dimensions]
        values = np.full(ctx.n, None, dtype=object)
        notes = np.full(ctx.n, None, dtype=object)
        label = params.get("label", "反馈")
        for i in np.flatnonzero(usable).tolist():
            low, high = weakest[i], strongest[i]
            values[i] = titles[low]
            if rates[high, i] == rates[low, i]:  # every dimension alike: naming one both strength and weakness misleads
                notes[i] = f"{label}：各维度得分率相同（{rates[low, i]:.0%}），没有突出的长处和短板"
                continue
            notes[i] = (f"{label}：长处 {titles[high]}（得分率 {rates[high, i]:.0%}）；"
                        f"短板 {titles[low]}（得分率 {rates[low, i]:.0%}），建议针对性培训")
        return OutcomeResult(values, notes)


class EventList(Outcome):
    """Each subject's events of the period that meet a condition, as a list."""

    name = "event_list"
    title = "事项清单（销号清单、实绩公示等）"
    description = "Lists, per subject, the period's events meeting a condition, showing chosen fields."
    def reads_across_groups(self, params: Mapping[str, Any]) -> bool:
        return False  # each subject's own results

    params_schema = {
        "type": "object", "additionalProperties": False, "required": ["when"],
        "properties": {
            "when": prop("列入条件 / When", "哪些事件列入清单，如 event.type == '督办问题' and "
                         "event.closed == '否' / which events are listed", minLength=1, type="string"),
            "fields": prop("显示字段 / Fields", "每项显示的事件字段，默认 type、date / event fields "
                           "shown for each item", items={"type": "string"}, minItems=1, type="array"),
            "label": prop("清单名称 / Label", "说明中的清单名称 / name of the list in notes", minLength=1, type="string"),
            "only": prop("哪些对象 / Only", "只为满足此条件的对象列清单（对象表达式），如 grade == '好' / list only for "
                         "subjects meeting this condition, e.g. grade == '好'", minLength=1, type="string"),
            "of": prop("列什么 / Of", "events（默认）：本周期的事件，when 写 event.*；items：本周期在册的整改督办事项"
                       "（跨周期结转），when 写 item.*，如 item.overdue、item.closed_in_period / events (default): the "
                       "period's events, when over event.*; items: the rectification items alive in the period "
                       "(carried across periods), when over item.*", enum=["events", "items"], type="string"),
        },
    }

    def records(self, params: Mapping[str, Any]) -> str:
        return "item" if params.get("of") == "items" else "event"

    def expressions(self, params: Mapping[str, Any]) -> dict[str, str]:
        return {"only": params["only"]} if "only" in params else {}

    def event_expressions(self, params: Mapping[str, Any]) -> dict[str, str]:
        return {"when": params["when"]}

    def check_references(self, params: Mapping[str, Any], indicators: Collection[str],
                         event_fields: Collection[str]) -> list[Problem]:
        return unknown_names(params, "fields", event_fields, "E-OUTCOME-FIELD")

    def apply(self, params: Mapping[str, Any], ctx: OutcomeContext) -> OutcomeResult:
        events = ctx.events or {"subject": np.zeros(0, dtype=np.int64)}
        fields = params.get("fields") or (ITEM_FIELDS if self.records(params) == "item" else ["type", "date"])
        unknown = [f for f in fields if f not in events]
        if unknown:
            raise KaoheError(Diagnostic("E-OUTCOME-FIELD", {
                "outcome": ctx.outcome, "name": unknown[0], "suggest": did_you_mean(unknown[0], events)}))
        chosen = np.flatnonzero(ctx.evaluate_event(params["when"])) if ctx.evaluate_event else np.zeros(0, int)
        if "only" in params:
            listed = ctx.mask & condition(ctx, params["only"])
            chosen = chosen[listed[np.asarray(events["subject"])[chosen]]]
        subjects = np.asarray(events["subject"])[chosen]
        counts = np.bincount(subjects, minlength=ctx.n)
        shown = ctx.mask & condition(ctx, params["only"]) if "only" in params else ctx.mask
        values = where_or_none(shown, counts)
        items: dict[int, list[str]] = {}
        for row, subject in zip(chosen.tolist(), subjects.tolist(), strict=True):
            shown = "，".join(_text(events[f][row]) for f in fields)
            items.setdefault(subject, []).append(shown)
        notes = np.full(ctx.n, None, dtype=object)
        label = params.get("label", "清单")
        for subject, lines in items.items():
            notes[subject] = f"{label}（{len(lines)} 项）：" + "；".join(f"{k}. {t}" for k, t in enumerate(lines, 1))
        return OutcomeResult(values, notes)


def _text(value: Any) -> str:
    if isinstance(value, float):
        return "" if np.isnan(value) else f"{value:g}"
    if isinstance(value, bool | np.bool_):
        return "是" if value else "否"
    return str(value)


@hookimpl
def register_outcomes(register: Registrar) -> None:
    register.outcome(Feedback)
    register.outcome(EventList)
