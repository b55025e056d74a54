"""The survey rater (民主测评 / 满意度调查): weighted means of rater groups.

Each rating row is one rater's score (or vote) for one subject. Per subject
and rater group the scores are averaged (optionally trimmed), groups with too
few raters count as missing, and the group means are combined with the
declared weights. Everything is columnar: rows are sorted once into
(subject, group) segments and summed with ``np.bincount``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from kaohe.engine.components import Problem, Rater, RaterContext, RaterResult, RatingRows, prop
from kaohe.engine.errors import Diagnostic, KaoheError, did_you_mean
from kaohe.engine.hookspecs import Registrar, hookimpl
from kaohe.plugins.raters_peer import schema

WEIGHT_TOLERANCE = 1e-9

GROUP = {
    "type": "object", "additionalProperties": False, "required": ["weight"],
    "properties": {
        "weight": prop("权重 / Weight", "该组评价人的权重，各组合计为 1 / Weight of this rater group; all groups sum to 1", type="number", minimum=0, maximum=1),
        "title": prop("名称 / Title", "评价人组的中文名称，如 直接领导 / Display name of the group, e.g. 直接领导", type="string"),
    },
}


class SurveyRater(Rater):
    name = "survey"
    title = "民主测评/满意度调查"
    description = "Combines rater groups' (optionally trimmed) mean scores or votes with declared weights into points."
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
            "去高去低 / Trim", "某组评价人多于 above 人时，去掉 drop 个最高分和 drop 个最低分 / When a group has more than `above` raters, drop the `drop` highest and lowest",
            type="object", additionalProperties=False, required=["above", "drop"],
            properties={
                "above": prop("人数多于 / Above", "评价人多于该人数时才去高去低，如 5 / Trim only when there are more raters than this", type="integer", minimum=0),
                "drop": prop("去掉个数 / Drop", "最高分和最低分各去掉几个，如 1 / How many highest and lowest scores to drop", type="integer", minimum=1),
            },
        ),
        "min_raters": prop(
            "最少评价人数 / Minimum raters", "某组评价人少于该人数时视为该组缺失，默认 1 / A group with fewer raters counts as missing, default 1",
            type="integer", minimum=1,
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
        trim = params.get("trim")
        if trim and trim["above"] < 2 * trim["drop"]:
            problems.append(Problem("E-RATER-SURVEY-TRIM", {"above": trim["above"], "drop": trim["drop"]}, ("trim",)))
        return problems

    def score(self, params: Mapping[str, Any], ctx: RaterContext) -> RaterResult:
        names = list(params["groups"])
        rows = ctx.ratings
        code = _group_codes(rows, names)
        values = _row_values(rows, code >= 0, params.get("votes"), ctx.indicator)
        subject = np.asarray(rows.subject, dtype=np.int64)
        keep = (code >= 0) & ~np.isnan(values) & (subject >= 0) & (subject < ctx.n)
        means, raters = _group_means(subject[keep], code[keep], values[keep], ctx.n, len(names), params)
        weights = np.array([float(params["groups"][g]["weight"]) for g in names])
        combined = _combine(means, weights, params.get("missing_group", "renormalise"))
        points = ctx.full_marks * combined / float(params.get("scale", 100))
        details = {f"mean:{g}": means[:, k] for k, g in enumerate(names)}
        details["raters"] = raters
        return RaterResult(points=points, details=details, capped=np.zeros(ctx.n, dtype=bool))


def _group_codes(rows: RatingRows, names: list[str]) -> np.ndarray:
    """Index of each row's group in ``names``; -1 for another indicator's groups."""
    group = np.asarray(rows.group, dtype=object)
    code = np.full(len(group), -1, dtype=np.int64)
    for k, name in enumerate(names):
        code[group == name] = k
    return code


def _row_values(rows: RatingRows, relevant: np.ndarray, votes: Mapping[str, float] | None, indicator: str) -> np.ndarray:
    """Numeric score of each row: its score, else its vote translated by ``votes``."""
    values = np.asarray(rows.score, dtype=float).copy()
    if not relevant.any():
        return values
    labels, inverse = _factorise(np.asarray(rows.vote, dtype=object)[relevant])
    votes = votes or {}
    unknown = [label for label in labels if label and label not in votes]
    if unknown:
        raise KaoheError([_vote_error(label, votes, indicator) for label in unknown])
    by_label = np.array([float(votes[label]) if label else np.nan for label in labels])[inverse]
    chosen = values[relevant]
    values[relevant] = np.where(np.isnan(chosen), by_label, chosen)
    return values


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
    subject: np.ndarray, code: np.ndarray, values: np.ndarray, n: int, groups: int, params: Mapping[str, Any],
) -> tuple[np.ndarray, np.ndarray]:
    """(n × groups) trimmed means (NaN where too few raters) and raters counted per subject."""
    key = subject * groups + code
    order = np.lexsort((values, key))
    key, values = key[order], values[order]
    size = n * groups
    counts = np.bincount(key, minlength=size)
    position = np.arange(len(key))
    starts = np.maximum.accumulate(np.where(np.r_[True, key[1:] != key[:-1]], position, 0)) if len(key) else position
    within, segment = position - starts, counts[key]
    used = np.ones(len(key), dtype=bool)
    trim = params.get("trim")
    if trim:
        drop = int(trim["drop"])
        used = ~((segment > int(trim["above"])) & ((within < drop) | (within >= segment - drop)))
    sums = np.bincount(key[used], weights=values[used], minlength=size)
    kept = np.bincount(key[used], minlength=size)
    enough = (counts >= int(params.get("min_raters", 1))) & (kept > 0)
    means = np.where(enough, sums / np.maximum(kept, 1), np.nan).reshape(n, groups)
    raters = counts.reshape(n, groups).sum(axis=1).astype(float)
    return means, raters


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
