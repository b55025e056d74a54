"""The survey rater (民主测评 / 满意度调查): weighted means of rater groups.

Each rating row is one rater's score (or vote) for one subject. Abstentions
(declared ``abstain`` votes) are set aside; optionally each rater's scores are
normalised against all raters (a lenient rater's 95 is worth another's 85);
per subject and rater group the scores are averaged (optionally trimmed, by
count or by share, per group), groups with too few raters are dropped, and
the group means are combined with the declared weights. Everything is
columnar: rows are sorted once into (subject, group) segments and summed with
``np.bincount``; only the few groups, vote labels and segment sizes are
visited in Python.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from kaohe.engine.components import Problem, Rater, RaterContext, RaterResult, RatingRows, prop
from kaohe.engine.errors import Diagnostic, KaoheError, did_you_mean
from kaohe.engine.evaluation.shares import share_count
from kaohe.engine.hookspecs import Registrar, hookimpl
from kaohe.plugins.raters_peer import schema

WEIGHT_TOLERANCE = 1e-9
NORMALISE = ("zscore", "mean")
NO_TRIM, TRIM_COUNT, TRIM_SHARE = 0, 1, 2

TRIM = {
    "type": "object", "additionalProperties": False,
    "oneOf": [{"required": ["drop"]}, {"required": ["share"]}],
    "properties": {
        "above": prop(
            "人数多于 / Above", "评价人多于该人数时才去高去低，如 5；写 drop 时必填，写 share 时默认 0 "
            "/ Trim only when there are more raters than this; required with drop, default 0 with share",
            type="integer", minimum=0,
        ),
        "drop": prop("去掉个数 / Drop", "最高分和最低分各去掉几个，如 1 / How many highest and lowest scores to drop", type="integer", minimum=1),
        "share": prop(
            "去掉比例 / Share", "最高分和最低分各去掉评价人数的这一比例（向下取整），如 0.1 "
            "/ Drop this share of the raters at each end (rounded down), e.g. 0.1",
            type="number", exclusiveMinimum=0, exclusiveMaximum=0.5,
        ),
    },
}
GROUP = {
    "type": "object", "additionalProperties": False, "required": ["weight"],
    "properties": {
        "weight": prop("权重 / Weight", "该组评价人的权重，各组合计为 1 / Weight of this rater group; all groups sum to 1", type="number", minimum=0, maximum=1),
        "title": prop("名称 / Title", "评价人组的中文名称，如 直接领导 / Display name of the group, e.g. 直接领导", type="string"),
        "min_raters": prop(
            "本组最少评价人数 / Minimum raters of this group",
            "本组评价人少于该人数时去掉本组，代替上一级的 min_raters / This group is dropped below this many raters; "
            "replaces the rater's min_raters for this group",
            type="integer", minimum=1,
        ),
        "trim": prop(
            "本组去高去低 / Trim in this group",
            "代替上一级的 trim，写法相同；false 表示本组不去高去低 / Replaces the rater's trim for this group; false: no trimming",
            anyOf=[{"const": False}, TRIM],
        ),
    },
}


class SurveyRater(Rater):
    name = "survey"
    title = "民主测评/满意度调查"
    description = "Combines rater groups' (optionally trimmed) mean scores or votes with declared weights into points."
    def reads_across_groups(self, params: Mapping[str, Any]) -> bool:
        return False  # each subject's own data (expressions' cohort functions are checked apart)

    params_schema = schema(["groups"], {
        "groups": prop(
            "评价人组 / Rater groups", "各评价人组及其权重，如 leader: {weight: 0.4, title: 直接领导} / Rater groups with their weights",
            type="object", minProperties=1, additionalProperties=GROUP,
        ),
        "votes": prop(
            "票值 / Vote values", "投票档次对应的分数，如 {好: 100, 较好: 80, 一般: 60, 较差: 40} / Score of each vote label",
            type="object", minProperties=1, additionalProperties={"type": "number"},
        ),
        "scale": prop(
            "满分分值 / Scale", "评价分数的满分，默认 100；得分 = 指标满分 × 分数 / scale / Top of the rating scale, default 100",
            type="number", exclusiveMinimum=0,
        ),
        "trim": prop(
            "去高去低 / Trim",
            "{above: 5, drop: 1}：某组评价人多于 above 人时，去掉 drop 个最高分和 drop 个最低分；{share: 0.1}：各去掉人数的 10%（向下取整） "
            "/ {above, drop}: when a group has more than `above` raters, drop the `drop` highest and lowest; {share}: drop that share at each end, rounded down",
            **TRIM,
        ),
        "min_raters": prop(
            "最少评价人数 / Minimum raters", "某组评价人少于该人数时去掉该组（按 missing_group 处理），默认 1 / A group with fewer raters is dropped (see missing_group), default 1",
            type="integer", minimum=1,
        ),
        "abstain": prop(
            "弃权票 / Abstentions",
            "表示弃权的投票，如 弃权 或 [弃权, 不了解]：没有分数、投了这种票的评价不计入人数和平均 "
            "/ Vote labels meaning abstention: such a rating without a score is left out of counts and means",
            type=["string", "array"], minLength=1, items={"type": "string", "minLength": 1}, minItems=1, uniqueItems=True,
        ),
        "normalise": prop(
            "按评价人校正 / Normalise per rater",
            "zscore：每位评价人的分数换算为标准分后，按全体评价的平均值和标准差还原；mean：每位评价人的分数平移，使其平均值等于全体评价的平均值 "
            "/ zscore: each rater's scores are standardised and rescaled to the mean and standard deviation of all ratings; "
            "mean: each rater's scores are shifted so that their mean equals the mean of all ratings",
            enum=list(NORMALISE),
        ),
        "missing_group": prop(
            "缺组处理 / Missing group",
            "renormalise：按现有组权重折算（默认）；zero：缺失组计 0 分；missing：整项视为缺失 / renormalise (default), zero, or missing",
            enum=["renormalise", "zero", "missing"],
        ),
    })

    def check(self, params: Mapping[str, Any]) -> list[Problem]:
        problems = []
        groups = params.get("groups") or {}
        total = sum(float(g.get("weight", 0)) for g in groups.values())
        if abs(total - 1.0) > WEIGHT_TOLERANCE:
            problems.append(Problem(
                "E-RATER-SURVEY-WEIGHTS",
                {"total": round(total, 9), "groups": ", ".join(f"{k}={g.get('weight')}" for k, g in groups.items())},
                ("groups",),
            ))
        problems.extend(_trim_problems(params.get("trim"), ("trim",)))
        for name, group in groups.items():
            problems.extend(_trim_problems(group.get("trim"), ("groups", name, "trim")))
        votes = params.get("votes") or {}
        for i, label in enumerate(_abstain_labels(params)):
            if label in votes:
                where = ("abstain", i) if isinstance(params["abstain"], list) else ("abstain",)
                problems.append(Problem("E-RATER-SURVEY-ABSTAIN-VOTE", {"label": label, "score": votes[label]}, where))
        return problems

    def score(self, params: Mapping[str, Any], ctx: RaterContext) -> RaterResult:
        names = list(params["groups"])
        rows = ctx.ratings
        code = _group_codes(rows, names)
        abstain = _abstain_labels(params)
        values, abstained = _row_values(rows, code >= 0, params.get("votes"), ctx.indicator, abstain)
        subject = np.asarray(rows.subject, dtype=np.int64)
        inside = (code >= 0) & (subject >= 0) & (subject < ctx.n)
        keep = inside & ~np.isnan(values)
        values, clipped = values[keep], np.zeros(int(keep.sum()), dtype=bool)
        scale = float(params.get("scale", 100))
        if params.get("normalise"):
            values, clipped = _normalise(
                values, code[keep], np.asarray(rows.rater, dtype=object)[keep], np.asarray(ctx.mask, dtype=bool)[subject[keep]],
                params["normalise"], scale,
            )
        settings = _GroupSettings.of(params, names)
        means, raters, dropped = _group_means(subject[keep], code[keep], values, ctx.n, settings)
        weights = np.array([float(params["groups"][g]["weight"]) for g in names])
        combined = _combine(means, weights, params.get("missing_group", "renormalise"))
        points = ctx.full_marks * combined / scale
        details = {f"mean:{g}": means[:, k] for k, g in enumerate(names)}
        details["raters"] = raters
        if dropped.any():
            details["dropped"] = _dropped_names(dropped, names)
        if abstain:
            details["abstained"] = np.bincount(subject[inside & abstained], minlength=ctx.n).astype(float)
        capped = np.bincount(subject[keep][clipped], minlength=ctx.n) > 0
        return RaterResult(points=points, details=details, capped=capped)


def _trim_problems(trim: Any, where: tuple[str, ...]) -> list[Problem]:
    """Trimming by count needs ``above`` and must leave a rating."""
    if not isinstance(trim, Mapping) or "drop" not in trim:
        return []
    if "above" not in trim:
        return [Problem("E-SCHEMA-REQUIRED", {"key": "above"}, where)]
    if trim["above"] < 2 * trim["drop"]:
        return [Problem("E-RATER-SURVEY-TRIM", {"above": trim["above"], "drop": trim["drop"]}, where)]
    return []


def _abstain_labels(params: Mapping[str, Any]) -> list[str]:
    declared = params.get("abstain")
    if declared is None:
        return []
    return [str(label).strip() for label in ([declared] if isinstance(declared, str) else declared)]


class _GroupSettings:
    """Per group code: minimum raters and how to trim (the group's own
    ``min_raters`` / ``trim``, else the rater's)."""

    def __init__(self, minimum: np.ndarray, mode: np.ndarray, above: np.ndarray, drop: np.ndarray, share: list[float]):
        self.minimum, self.mode, self.above, self.drop, self.share = minimum, mode, above, drop, share

    @classmethod
    def of(cls, params: Mapping[str, Any], names: list[str]) -> _GroupSettings:
        groups = params["groups"]
        minimum = np.array([int(groups[g].get("min_raters", params.get("min_raters", 1))) for g in names], dtype=np.int64)
        trims = [groups[g].get("trim", params.get("trim")) for g in names]
        mode = np.array([NO_TRIM if not t else TRIM_COUNT if "drop" in t else TRIM_SHARE for t in trims], dtype=np.int64)
        above = np.array([int(t.get("above", 0)) if t else 0 for t in trims], dtype=np.int64)
        drop = np.array([int(t.get("drop", 0)) if t else 0 for t in trims], dtype=np.int64)
        share = [float(t.get("share", 0.0)) if t else 0.0 for t in trims]
        return cls(minimum, mode, above, drop, share)

    def drops(self, code: np.ndarray, segment: np.ndarray) -> np.ndarray:
        """How many scores to drop at each end of each row's (subject, group) segment."""
        mode = self.mode[code]
        over = segment > self.above[code]
        drops = np.where(over & (mode == TRIM_COUNT), self.drop[code], 0)
        by_share = over & (mode == TRIM_SHARE)
        if by_share.any():
            # share × raters, rounded down exactly: once per (group, segment size), not per subject
            pairs, inverse = np.unique(np.stack([code[by_share], segment[by_share]]), axis=1, return_inverse=True)
            counts = np.array([share_count(self.share[int(g)], int(size), "floor") for g, size in pairs.T], dtype=np.int64)
            drops[by_share] = counts[inverse.reshape(-1)]
        result: np.ndarray = drops
        return result


def _group_codes(rows: RatingRows, names: list[str]) -> np.ndarray:
    """Index of each row's group in ``names``; -1 for another indicator's groups."""
    group = np.asarray(rows.group, dtype=object)
    code = np.full(len(group), -1, dtype=np.int64)
    for k, name in enumerate(names):
        code[group == name] = k
    return code


def _row_values(
    rows: RatingRows, relevant: np.ndarray, votes: Mapping[str, float] | None, indicator: str, abstain: list[str],
) -> tuple[np.ndarray, np.ndarray]:
    """Numeric score of each row (its score, else its vote translated by
    ``votes``; NaN for an abstention) and which rows are abstentions."""
    values = np.asarray(rows.score, dtype=float).copy()
    abstained = np.zeros(len(values), dtype=bool)
    if not relevant.any():
        return values, abstained
    labels, inverse = _factorise(np.asarray(rows.vote, dtype=object)[relevant])
    votes = votes or {}
    unknown = [label for label in labels if label and label not in votes and label not in abstain]
    if unknown:
        at = np.flatnonzero(relevant)  # each label at its first rating, in the ratings file when there is one
        raise KaoheError([rows.place(_vote_error(label, votes, indicator), int(at[labels.index(label) == inverse][0]))
                          for label in unknown])
    by_label = np.array([float(votes[label]) if label in votes else np.nan for label in labels])[inverse]
    chosen = values[relevant]
    values[relevant] = np.where(np.isnan(chosen), by_label, chosen)
    is_abstention = np.array([label in abstain and label not in votes for label in labels], dtype=bool)[inverse]
    abstained[relevant] = np.isnan(chosen) & is_abstention
    return values, abstained


def _factorise(vote: np.ndarray) -> tuple[list[str], np.ndarray]:
    """Distinct vote labels (stripped; "" for none) and each row's index into them.

    Blank cells arrive as None, NaN or ""; they are blanked with array
    comparisons so that only the few distinct labels are handled in Python.
    """
    vote = vote.copy()
    vote[np.equal(vote, np.array(None, dtype=object)) | (vote != vote)] = ""
    unique, inverse = np.unique(vote.astype(str), return_inverse=True)
    stripped = [str(label).strip() for label in unique]
    distinct = sorted(set(stripped))
    position = np.array([distinct.index(label) for label in stripped], dtype=np.int64)
    return distinct, position[inverse.reshape(-1)]


def _vote_error(label: str, votes: Mapping[str, float], indicator: str) -> Diagnostic:
    if not votes:
        return Diagnostic("E-RATING-NO-VOTES", {"label": label, "indicator": indicator})
    return Diagnostic("E-RATING-VOTE", {
        "label": label, "indicator": indicator, "allowed": "、".join(votes), "suggest": did_you_mean(label, votes),
    })


def _group_means(
    subject: np.ndarray, code: np.ndarray, values: np.ndarray, n: int, settings: _GroupSettings,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(n × groups) trimmed means (NaN where too few raters), raters counted per
    subject, and (n × groups) where a group was dropped for too few raters."""
    groups = len(settings.minimum)
    key = subject * groups + code
    order = np.lexsort((values, key))
    key, values, code = key[order], values[order], code[order]
    size = n * groups
    counts = np.bincount(key, minlength=size)
    position = np.arange(len(key))
    starts = np.maximum.accumulate(np.where(np.r_[True, key[1:] != key[:-1]], position, 0)) if len(key) else position
    within, segment = position - starts, counts[key]
    drop = settings.drops(code, segment)
    used = ~((within < drop) | (within >= segment - drop))
    sums = np.bincount(key[used], weights=values[used], minlength=size)
    kept = np.bincount(key[used], minlength=size)
    minimum = np.tile(settings.minimum, n)
    enough = (counts >= minimum) & (kept > 0)
    means = np.where(enough, sums / np.maximum(kept, 1), np.nan).reshape(n, groups)
    raters = counts.reshape(n, groups).sum(axis=1).astype(float)
    dropped = ((counts > 0) & (counts < minimum)).reshape(n, groups)
    return means, raters, dropped


def _normalise(
    values: np.ndarray, code: np.ndarray, rater: np.ndarray, counted: np.ndarray, method: str, scale: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Each rater's scores against all ratings, kept on the scale [0, scale].

    A rater is a (group, rater) pair, as anonymous numbers may repeat across
    groups. The statistics use the rows of subjects taking part (``counted``);
    ``zscore`` maps a rater's score x to M + S·(x − m)/s (m, s: the rater's mean
    and population standard deviation; M, S: those of all counted ratings; a
    rater whose scores are all equal gives M), ``mean`` to x − m + M. Returns
    the new values and which of them the scale clipped.
    """
    if not counted.any():
        return values, np.zeros(len(values), dtype=bool)
    names = np.asarray(rater, dtype=object).copy()
    names[np.equal(names, np.array(None, dtype=object))] = ""
    _, label = np.unique(names.astype(str), return_inverse=True)
    _, who = np.unique(code * (int(label.max()) + 1) + label.reshape(-1), return_inverse=True)
    who = who.reshape(-1)
    people = int(who.max()) + 1
    count = np.bincount(who[counted], minlength=people)
    mean = np.bincount(who[counted], weights=values[counted], minlength=people) / np.maximum(count, 1)
    overall = float(values[counted].mean())
    deviation = values - mean[who]
    if method == "zscore":
        spread = np.sqrt(np.bincount(who[counted], weights=deviation[counted] ** 2, minlength=people) / np.maximum(count, 1))
        overall_spread = float(values[counted].std())
        with np.errstate(divide="ignore", invalid="ignore"):
            z = np.where(spread[who] > 0, deviation / spread[who], 0.0)
        moved = overall + overall_spread * z
    else:
        moved = deviation + overall
    moved = np.where(count[who] > 0, moved, values)  # a rater of no counted subject stays as rated
    kept = np.clip(moved, 0.0, scale)
    return kept, kept != moved


def _dropped_names(dropped: np.ndarray, names: list[str]) -> np.ndarray:
    """Per subject, the groups dropped for too few raters ("leader、peer"); None where none."""
    text = np.full(dropped.shape[0], "", dtype=object)
    for k, name in enumerate(names):
        joined = np.where(text == "", name, text + "、" + name)
        text = np.where(dropped[:, k], joined, text)
    result: np.ndarray = np.where(text == "", np.array(None, dtype=object), text)
    return result


def _combine(means: np.ndarray, weights: np.ndarray, policy: str) -> np.ndarray:
    """Weighted score per subject; a subject with no group at all is missing."""
    present = ~np.isnan(means)
    weighted = np.where(present, means, 0.0) @ weights
    any_group = present.any(axis=1)
    if policy == "zero":
        return np.where(any_group, weighted, np.nan)
    if policy == "missing":
        return np.where(present.all(axis=1), weighted, np.nan)
    share = present.astype(float) @ weights
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(any_group & (share > 0), weighted / share, np.nan)


@hookimpl
def register_raters(register: Registrar) -> None:
    register.rater(SurveyRater)
