"""Built-in outcomes that mark subjects: bottom zero, warnings, flags, lists.

Each reads the graded columns of one period and returns one value per
subject (None for subjects not graded). The helpers at the top are shared
with ``kaohe.plugins.allocators``.
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
from kaohe.engine.evaluation.money import format_number
from kaohe.engine.evaluation.shares import ROUNDINGS, share_count
from kaohe.engine.hookspecs import Registrar, hookimpl
from kaohe.engine.language.expressions import ExpressionError
from kaohe.engine.language.ranking import competition_rank, sorted_ranks
from kaohe.engine.language.truth import truth

# ---------------------------------------------------------------------------
# shared helpers


WHEN_PROPERTY = prop(
    "条件 / Condition",
    "只对满足此表达式的对象生效，如 total < 70 / applies only where this expression holds, e.g. total < 70", type="string",
)


def fail(ctx: OutcomeContext, code: str, **params: Any) -> KaoheError:
    return KaoheError(Diagnostic(code, {"outcome": ctx.outcome, "period": ctx.period, **params}))


def evaluate(ctx: OutcomeContext, text: str) -> np.ndarray:
    """``ctx.evaluate`` with expression failures turned into diagnostics."""
    try:
        return np.asarray(ctx.evaluate(text))
    except ExpressionError as exc:
        raise fail(ctx, exc.code, **exc.params) from None


def condition(ctx: OutcomeContext, text: str | None) -> np.ndarray:
    """Where the optional ``when`` holds (everywhere when there is none)."""
    if text is None:
        return np.ones(ctx.n, dtype=bool)
    return truth(evaluate(ctx, text))


def numbers(ctx: OutcomeContext, text: str, key: str) -> np.ndarray:
    """A numeric column from an expression (text values are refused)."""
    values = evaluate(ctx, text)
    try:
        return values.astype(float)
    except (TypeError, ValueError):
        raise fail(ctx, "E-OUTCOME-NOT-NUMBER", key=key, expr=text) from None


def column(ctx: OutcomeContext, name: str, default: Any) -> np.ndarray:
    values = ctx.env.get(name)
    return np.full(ctx.n, default) if values is None else np.asarray(values)


def unknown_names(params: Mapping[str, Any], key: str, known: Collection[str], code: str) -> list[Problem]:
    """A located problem for each name listed under ``params[key]`` that the ruleset does not declare."""
    listed = params.get(key)
    return [Problem(code, {"name": name, "suggest": did_you_mean(str(name), known)}, (key, i))
            for i, name in enumerate(listed if isinstance(listed, list) else []) if name not in known]


def positions(ctx: OutcomeContext) -> np.ndarray:
    """Each subject's place in ``ctx.order`` (0 = best); unlisted subjects last."""
    place = np.arange(ctx.n, dtype=np.int64) + ctx.n
    order = np.asarray(ctx.order, dtype=np.int64)
    place[order] = np.arange(len(order))
    return place


def listing(ids: np.ndarray, limit: int = 10) -> str:
    """A short list of subject ids for a message."""
    shown = [str(x) for x in ids[:limit].tolist()]
    return "、".join(shown) + ("…" if len(ids) > limit else "")


def labels(values: np.ndarray) -> np.ndarray:
    """Group labels as text (None becomes an empty label)."""
    return np.array(["" if v is None else str(v) for v in values.tolist()], dtype=object)


# ---------------------------------------------------------------------------
# bottom_zero



class BottomZero(Outcome):
    """Zero performance pay for the worst-ranked.

    Ties at the boundary: with ``ties: exclude`` (the default) subjects
    sharing the boundary rank are all left out when taking all of them would
    exceed the count, because picking some of equals would be arbitrary; with
    ``ties: include`` they are all taken, even beyond the count.
    """

    name = "bottom_zero"
    title = "末位零绩效"
    description = "Marks the worst-ranked subjects of each ranking group (or of all) for zero performance pay."
    def reads_across_groups(self, params: Mapping[str, Any]) -> bool:
        return bool(params.get("within", "group") == "all")  # the bottom of each group stays in its group

    params_schema = {
        "type": "object", "additionalProperties": False, "required": [],
        "properties": {
            "count": prop("人数 / Count", "每组取末位几人，默认 1 / how many from the bottom, default 1",
                          minimum=1, type="integer"),
            "share": prop("比例 / Share", "按比例取末位，如 0.1 表示 10%（与 count 二选一） / "
                          "a share of the group, e.g. 0.1 (instead of count)", exclusiveMinimum=0, maximum=1, type="number"),
            "rounding": prop("取整 / Rounding", "比例人数的取整方式，默认 floor / how share × size is "
                             "rounded, default floor", enum=list(ROUNDINGS), type="string"),
            "min_count": prop("最少人数 / Minimum", "按比例时至少取几人，默认 1 / at least this many "
                              "when share is given, default 1", minimum=0, type="integer"),
            "within": prop("范围 / Within", "group：在每个排名组内；all：全体对象中，默认 group / "
                           "per ranking group or across all subjects, default group", enum=["group", "all"], type="string"),
            "when": {**WHEN_PROPERTY, "description": "末位还须满足的条件，如 total < 70 / an extra "
                     "condition the bottom must also meet, e.g. total < 70"},
            "min_group_size": prop("最小组规模 / Minimum group size", "人数少于此值的组不设末位，默认 2 / "
                                   "groups smaller than this have no bottom, default 2", minimum=1, type="integer"),
            "ties": prop("并列处理 / Ties", "末位并列且超出人数时：exclude 均不计（默认），include 全部计入 / "
                         "tied at the boundary beyond the count: exclude none (default) or include all",
                         enum=["exclude", "include"], type="string"),
            "among": {**WHEN_PROPERTY, "description": "只在满足条件的对象中取末位，如 months_on_post == 12（全年在岗的才参与末位评定）；"
                      "人数、比例和名次都按这些对象计 / take the bottom only among subjects meeting this condition, "
                      "e.g. months_on_post == 12; count, share and places are over them"},
        },
    }

    def expressions(self, params: Mapping[str, Any]) -> dict[str, str]:
        return {key: params[key] for key in ("when", "among") if key in params}

    def check(self, params: Mapping[str, Any]) -> list[Problem]:
        if "count" in params and "share" in params:
            return [Problem("E-OUTCOME-COUNT-AND-SHARE", {}, ("share",))]
        return [Problem("E-OUTCOME-SHARE-ONLY", {"key": key}, (key,))
                for key in ("rounding", "min_count") if key in params and "share" not in params]

    def apply(self, params: Mapping[str, Any], ctx: OutcomeContext) -> OutcomeResult:
        within = params.get("within", "group")
        ranks, blocks = self._blocks(ctx, within)
        extra = condition(ctx, params.get("when"))
        among = condition(ctx, params.get("among"))
        taken = np.zeros(ctx.n, dtype=bool)
        notes = np.full(ctx.n, None, dtype=object)
        scope = ("组内" if within == "group" else "全体") + ("（参与末位评定的对象中）" if "among" in params else "")
        ranks = ranks.copy()
        for members in [m[among[m]] for m in blocks]:
            if len(members) < params.get("min_group_size", 2):
                continue
            # places among those taking part, so a selection's last is place size/size
            ranks[members] = competition_rank(np.zeros(len(members), dtype=np.int64), [ranks[members]],
                                              np.ones(len(members), dtype=bool))
            quota = self._quota(params, len(members))
            picked, tied_out = self._pick(ranks[members], quota, params.get("ties", "exclude") == "include")
            size = len(members)
            taken[members[picked]] = extra[members[picked]]
            for i in members[picked].tolist():
                place = f"{scope}末位（第 {int(ranks[i])}/{size} 名）"
                notes[i] = place if extra[i] else f"{place}，但不满足条件 {params['when']}，不计零绩效"
            for i in members[tied_out].tolist():
                notes[i] = (f"{scope}并列末位（第 {int(ranks[i])}/{size} 名，{int(tied_out.sum())} 人并列，"
                            f"超过名额 {quota}），按 ties: exclude 均不计")
        values = where_or_none(ctx.mask, taken)
        earlier = column(ctx, "zero_bonus", False).astype(bool)
        return OutcomeResult(values, notes, {"zero_bonus": earlier | taken})

    @staticmethod
    def _quota(params: Mapping[str, Any], size: int) -> int:
        if "share" not in params:
            return min(int(params.get("count", 1)), size)
        count = share_count(params["share"], size, params.get("rounding", "floor"))
        return min(max(count, int(params.get("min_count", 1))), size)

    @staticmethod
    def _pick(ranks: np.ndarray, quota: int, include_ties: bool) -> tuple[np.ndarray, np.ndarray]:
        """Members taken (largest ranks) and members left out as boundary ties."""
        none = np.zeros(len(ranks), dtype=bool)
        if quota <= 0:
            return none, none
        boundary = np.sort(ranks)[::-1][quota - 1]
        worse, tied = ranks > boundary, ranks == boundary
        if include_ties or worse.sum() + tied.sum() <= quota:
            return worse | tied, none
        return worse, tied

    @staticmethod
    def _blocks(ctx: OutcomeContext, within: str) -> tuple[np.ndarray, list[np.ndarray]]:
        """Ranks (larger = worse) and the member indices of each block."""
        if within == "all":
            return BottomZero._cohort_ranks(ctx), [np.flatnonzero(ctx.mask)]
        ranks = column(ctx, "rank", 0).astype(float)
        graded = np.flatnonzero(ctx.mask & (ranks > 0))  # rank 0: not ranked, never "last"
        group = labels(column(ctx, "group", ""))
        codes = np.unique(group[graded], return_inverse=True)[1] if len(graded) else graded
        return ranks, [graded[codes == c] for c in range(int(codes.max(initial=-1)) + 1)]

    @staticmethod
    def _cohort_ranks(ctx: OutcomeContext) -> np.ndarray:
        """Competition ranks over all graded subjects in ``ctx.order``.

        Neighbours tie when their totals are equal, unless they are in the
        same ranking group and its ranks (which applied the declared
        tie-break keys) already separate them.
        """
        order = np.asarray(ctx.order, dtype=np.int64)
        seq = order[np.asarray(ctx.mask, dtype=bool)[order]]
        total = np.round(column(ctx, "total", np.nan).astype(float)[seq], 9)
        group = labels(column(ctx, "group", ""))[seq]
        rank = column(ctx, "rank", 0).astype(float)[seq]
        tied = (total[1:] == total[:-1]) & ((group[1:] != group[:-1]) | (rank[1:] == rank[:-1]))
        differs = np.r_[True, ~tied] if len(seq) else np.zeros(0, dtype=bool)
        one_group = np.r_[True, np.zeros(max(len(seq) - 1, 0), dtype=bool)] if len(seq) else differs
        ranks = np.zeros(ctx.n)
        ranks[seq] = sorted_ranks(one_group, differs)
        return ranks


# ---------------------------------------------------------------------------
# warning, flag, rank_list


class _Conditional(Outcome):
    """Outcomes that mark subjects where a ``when`` condition holds."""

    def expressions(self, params: Mapping[str, Any]) -> dict[str, str]:
        return {"when": params["when"]}

    def reads_across_groups(self, params: Mapping[str, Any]) -> bool:
        return False  # each subject's own results (its expressions' cohort functions are checked apart)


class WarningOutcome(_Conditional):
    """A warning level (yellow/red card, reminder letter) where a condition holds,
    or where listed indicators score below a rate (naming the lagging ones)."""

    name = "warning"
    title = "预警/红黄牌"
    description = "Gives a warning level (e.g. yellow or red card) to subjects meeting a condition."
    params_schema = {
        "type": "object", "additionalProperties": False,
        "anyOf": [{"required": ["when"]}, {"required": ["indicators", "below"]}],
        "properties": {
            "when": {**WHEN_PROPERTY, "description": "预警条件，如 total < 75 / who is warned, e.g. total < 75"},
            "indicators": prop("盯住的指标 / Indicators", "逐项检查的指标编号；得分率低于 below 的指标"
                               "写入说明 / indicator ids checked one by one; those below the rate are named",
                               items={"type": "string"}, minItems=1, type="array"),
            "below": prop("得分率线 / Rate line", "得分率（得分 ÷ 满分）低于它即预警，如 0.6 / warn "
                          "when an indicator's score rate is below this, e.g. 0.6", minimum=0, maximum=1, type="number"),
            "level": prop("级别 / Level", "预警级别，如 黄牌、红牌，默认 预警 / the warning level, "
                          "e.g. 黄牌 or 红牌, default 预警", minLength=1, type="string"),
            "message": prop("提示语 / Message", "写入说明的提示语，如 发预警提示函 / the text shown "
                            "with the warning, e.g. 发预警提示函", type="string"),
        },
    }

    def expressions(self, params: Mapping[str, Any]) -> dict[str, str]:
        return {"when": params["when"]} if "when" in params else {}

    def check_references(self, params: Mapping[str, Any], indicators: Collection[str],
                         event_fields: Collection[str]) -> list[Problem]:
        return unknown_names(params, "indicators", indicators, "E-OUTCOME-DIMENSION")

    def apply(self, params: Mapping[str, Any], ctx: OutcomeContext) -> OutcomeResult:
        level = params.get("level", "预警")
        hit = ctx.mask & condition(ctx, params.get("when"))
        message = np.full(ctx.n, params.get("message", level), dtype=object)
        if "indicators" in params:
            lagging = self._lagging(params["indicators"], float(params["below"]), ctx)
            hit &= lagging != ""
            message = np.char.add(message.astype(str), lagging.astype(str)).astype(object)
        values = where_or_none(hit, level)
        return OutcomeResult(values, where_or_none(hit, message))

    @staticmethod
    def _lagging(ids: list[str], below: float, ctx: OutcomeContext) -> np.ndarray:
        """Per subject: "：title 62%、title 55%（得分率低于 70%）" for indicators under the line, else ""."""
        unknown = [i for i in ids if i not in ctx.indicators]
        if unknown:
            raise KaoheError(Diagnostic("E-OUTCOME-DIMENSION", {
                "outcome": ctx.outcome, "name": unknown[0], "suggest": did_you_mean(unknown[0], ctx.indicators)}))
        scores = ctx.env["score"]
        rates = np.vstack([np.asarray(scores.get(i, np.full(ctx.n, np.nan)), dtype=float) / ctx.indicators[i][1]
                           for i in ids])
        with np.errstate(invalid="ignore"):
            under = rates < below - 1e-9
        notes = np.full(ctx.n, "", dtype=object)
        for subject in np.flatnonzero(under.any(axis=0)).tolist():
            named = "、".join(f"{ctx.indicators[i][0]} {rates[k, subject]:.0%}" for k, i in enumerate(ids)
                             if under[k, subject])
            notes[subject] = f"：{named}（得分率低于 {below:.0%}）"
        return notes


class Flag(_Conditional):
    """A yes/no mark (commendation, promotion priority, training) where a condition holds."""

    name = "flag"
    title = "标记（评优、晋升、培训等）"
    description = "Marks subjects meeting a condition, e.g. recommended for commendation or training."
    params_schema = {
        "type": "object", "additionalProperties": False, "required": ["when"],
        "properties": {
            "when": {**WHEN_PROPERTY, "description": "标记条件，如 grade == '优秀' / who is marked, "
                     "e.g. grade == '优秀'"},
            "label": prop("标签 / Label", "标记的含义，如 推荐评优，默认 标记 / what the mark means, "
                          "e.g. 推荐评优, default 标记", minLength=1, type="string"),
        },
    }

    def apply(self, params: Mapping[str, Any], ctx: OutcomeContext) -> OutcomeResult:
        hit = ctx.mask & condition(ctx, params["when"])
        values = where_or_none(ctx.mask, hit)
        notes = where_or_none(hit, params.get("label", "标记"))
        return OutcomeResult(values, notes)


# What the printed publicity list says besides its rows (engine/report/handouts.py reads them from the
# results document); none of them changes who is listed.
PUBLICITY_PROPERTIES: dict[str, Any] = {
    "channel": prop("公示方式 / Channel", "在哪里公示，如 内网平台 / where the list is published, e.g. 内网平台",
                    minLength=1, type="string"),
    "days": prop("公示天数 / Days", "公示期的天数，如 5；不写则公示表上留空手填 / length of the publicity period, "
                 "e.g. 5; left blank on the printed list when not given", minimum=1, maximum=90, type="integer"),
    "day_kind": prop("天数口径 / Day kind", "working 工作日（默认）、calendar 自然日 / working days (default) or "
                     "calendar days", enum=["working", "calendar"], type="string"),
    "objections": prop("异议受理 / Objections", "公示期间的异议向谁反映，如 局政治处（电话 …）；不写则留空手填 / "
                       "where objections go during the publicity period; left blank when not given",
                       minLength=1, type="string"),
    "achievements": prop("实绩清单 / Achievements", "列出实绩的结果运用编号（通常是 event_list），其说明写在名单每一行 / "
                         "id of the outcome listing each subject's achievements (usually an event_list), shown on "
                         "each row of the list", minLength=1, type="string"),
}


class RankList(_Conditional):
    """The publicity list (公示): who is listed, with rank, total and grade."""

    name = "rank_list"
    title = "公示名单"
    description = "Lists subjects meeting a condition for publicity, noting their rank, total and grade."
    params_schema = {
        "type": "object", "additionalProperties": False, "required": ["when"],
        "properties": {
            "when": {**WHEN_PROPERTY, "description": "列入名单的条件，如 grade == '好' / who is listed, "
                     "e.g. grade == '好'"},
            "label": prop("名单名称 / Label", "说明中的名单名称，默认 公示 / the list's name in "
                          "notes, default 公示", minLength=1, type="string"),
            **PUBLICITY_PROPERTIES,
        },
    }


    def outcome_references(self, params: Mapping[str, Any]) -> dict[str, str]:
        return {"achievements": params["achievements"]} if isinstance(params.get("achievements"), str) else {}
    def apply(self, params: Mapping[str, Any], ctx: OutcomeContext) -> OutcomeResult:
        hit = ctx.mask & condition(ctx, params["when"])
        label = params.get("label", "公示")
        rank, size = column(ctx, "rank", 0).astype(float), column(ctx, "group_size", 0).astype(float)
        total, grade = column(ctx, "total", np.nan).astype(float), column(ctx, "grade", None)
        notes = np.full(ctx.n, None, dtype=object)
        for i in np.flatnonzero(hit).tolist():
            parts = [f"第 {int(rank[i])}/{int(size[i])} 名"]
            if not np.isnan(total[i]):
                parts.append(f"总分 {format_number(round(float(total[i]), 4))}")
            if grade[i] is not None:
                parts.append(f"等次 {grade[i]}")
            notes[i] = f"{label}：{'，'.join(parts)}"
        return OutcomeResult(where_or_none(ctx.mask, hit), notes)


@hookimpl
def register_outcomes(register: Registrar) -> None:
    for component in (BottomZero, WarningOutcome, Flag, RankList):
        register.outcome(component)
