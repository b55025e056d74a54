"""The office's handouts from a results document, as plain data: the publicity list (公示名单)
and the feedback-talk sheets (反馈谈话记录表).

Both are read from the results document only (``schemas/results.schema.json``), so the
workbook, the HTML/PDF report and anything else render the same lists. Nothing here formats
for a medium (no openpyxl, no HTML): renderers take the dataclasses and lay them out.

- ``publicity_lists(document, period)``: one ``Publicity`` per ``rank_list`` outcome that ran in
  the period (``publicity_list`` gives the first, or ``None``); rows in ranking order, with the
  achievements of another outcome (``achievements:``) when the ruleset names one, and the
  publicity period, channel and the place objections go exactly as the ruleset declares them
  (left blank to fill in by hand when it does not).
- ``feedback_sheets(document, period)``: one ``FeedbackSheet`` per subject a ``feedback`` outcome
  concerns in the period: total, rank, grade and its reason, every compared dimension against its
  full marks, the strength (长处) and weakness (短板) the outcome chose, the training need, and
  blanks for the talk record and the signatures.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from kaohe.engine.errors import Diagnostic, KaoheError, did_you_mean

# Which outcome parameters reach the results document (outcomes[].handout), per component:
# the handouts need them and the document is all a renderer sees.
HANDOUT_KEYS: Mapping[str, tuple[str, ...]] = {
    "rank_list": ("channel", "days", "day_kind", "objections", "achievements"),
    "feedback": ("dimensions", "talk_by", "topics", "training"),
}
DAY_KINDS = {"working": "个工作日", "calendar": "天"}
SIGNATURES = ("被谈话人签字", "谈话人签字", "谈话日期")
BLANK_DATE = "　　年　　月　　日"
_LIST_PREFIX = re.compile(r"^[^：]*（\d+ 项）：")  # event_list notes start "label（n 项）："
_QUARTERS = "一二三四"


def handout_settings(use: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """``{"handout": {...}}`` for an outcome entry of the results document: the parameters of
    ``use`` the handouts read, as declared (nothing when it declares none)."""
    keys = HANDOUT_KEYS.get(use, ())
    chosen = {k: _plain(params[k]) for k in keys if k in params}
    return {"handout": chosen} if chosen else {}


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, list | tuple) else value


# ---------------------------------------------------------------------------
# The data


@dataclass(frozen=True)
class PublicityRow:
    """One line of the publicity list."""

    rank: int | None
    group_size: int
    id: str
    name: str
    unit: str
    class_title: str
    total: float | None
    grade: str | None
    achievements: str | None  # the named outcome's list for this subject, without its "label（n 项）：" head
    group: str = "全体"  # the ranking group the rank is within (a class title, a unit …; 全体 for all)


@dataclass(frozen=True)
class Publicity:
    """A publicity list (公示名单) of one period, as the ruleset declares it."""

    outcome: str  # the rank_list outcome's id
    title: str  # the outcome's title, e.g. 实绩公示（评为“好”）
    ruleset_title: str
    period: str  # e.g. 2025Q2
    period_title: str  # e.g. 2025年第二季度
    subject_kind: str  # unit or person
    precision: int  # decimals of the totals
    channel: str | None  # where it is published, e.g. 内网平台
    days: int | None  # the publicity period in days, None when the ruleset does not say
    day_kind: str  # working or calendar
    objections: str | None  # where objections go, None when the ruleset does not say
    achievements_title: str | None  # title of the outcome giving each row's achievements
    rows: tuple[PublicityRow, ...]

    def notice(self) -> tuple[str, ...]:
        """The lines under the list: publicity period, channel, where objections go; what the
        ruleset leaves open is a blank to fill in by hand."""
        span = f"公示期：{BLANK_DATE}至{BLANK_DATE}"
        if self.days is not None:
            span += f"（{self.days} {DAY_KINDS[self.day_kind]}）"
        lines = [span]
        if self.channel:
            lines.append(f"公示方式：{self.channel}")
        where = self.objections or "＿＿＿＿＿＿＿＿"
        lines.append(f"公示期间如有异议，请向{where}反映。")
        return tuple(lines)


@dataclass(frozen=True)
class ScoreLine:
    """One compared dimension of a subject: score against full marks."""

    id: str
    title: str
    score: float | None
    full: float
    rate: float | None  # score ÷ full (0.95 = 95%), None when not scored


@dataclass(frozen=True)
class FeedbackSheet:
    """The feedback-talk sheet (反馈谈话记录表) of one subject in one period."""

    outcome: str
    title: str  # the feedback outcome's title, e.g. 季度反馈谈话
    ruleset_title: str
    period: str
    period_title: str
    precision: int
    id: str
    name: str
    unit: str
    class_title: str
    total: float | None
    rank: int | None
    group_size: int
    grade: str | None
    grade_reason: str
    scores: tuple[ScoreLine, ...]  # every compared dimension, in the ruleset's order
    strengths: tuple[ScoreLine, ...]  # 长处: the dimension with the highest rate (the outcome's choice)
    weaknesses: tuple[ScoreLine, ...]  # 短板: the one with the lowest rate
    training_need: str | None  # the outcome's value: the weakest dimension's title
    training: str | None  # the training the ruleset arranges for it, e.g. “小切口”专业培训
    talk_by: str | None  # who holds the talk, e.g. 部门负责人
    topics: tuple[str, ...]  # what the talk covers, as the ruleset lists it
    note: str | None  # the outcome's note, as in the results document
    signatures: tuple[str, ...] = SIGNATURES  # blanks: the talk record is written by hand
    group: str = "全体"  # the ranking group the rank is within


# ---------------------------------------------------------------------------
# Reading the document


def publicity_lists(document: Mapping[str, Any], period: str) -> list[Publicity]:
    """Every publicity list (``rank_list`` outcome) that ran in ``period``, in the ruleset's order."""
    record = _period(document, period)
    return [_publicity(document, record, meta) for meta in _outcomes(document, "rank_list")
            if _ran(record, meta["id"])]


def publicity_list(document: Mapping[str, Any], period: str) -> Publicity | None:
    """The period's first publicity list, or ``None`` when no ``rank_list`` ran in it."""
    lists = publicity_lists(document, period)
    return lists[0] if lists else None


def feedback_sheets(document: Mapping[str, Any], period: str) -> list[FeedbackSheet]:
    """One sheet per subject a ``feedback`` outcome concerns in ``period`` (unit by unit, then in
    ranking order); several feedback outcomes in one period give their sheets one after the other."""
    record = _period(document, period)
    sheets: list[FeedbackSheet] = []
    for meta in _outcomes(document, "feedback"):
        if _ran(record, meta["id"]):
            sheets.extend(_feedback(document, record, meta))
    return sheets


def class_titles(document: Mapping[str, Any]) -> dict[str, str]:
    """Class id -> title (a document from before class titles were recorded gives none)."""
    return {c["id"]: c["title"] for c in document.get("classes") or ()}


def group_title(group: str, classes: Mapping[str, str]) -> str:
    """A ranking group as people read it: 全体 for everyone, a class by its title, else as named."""
    return "全体" if group == "all" else classes.get(group, group)


def precision(document: Mapping[str, Any]) -> int:
    """Decimals of the totals (``precision.score``; 2 for a document that does not record it)."""
    value = document["ruleset"].get("precision")
    return value if isinstance(value, int) else 2


def period_title(period: str) -> str:
    """2025 → 2025年度, 2025Q2 → 2025年第二季度, 2025-03 → 2025年3月."""
    if match := re.fullmatch(r"(\d{4})Q([1-4])", period):
        return f"{match[1]}年第{_QUARTERS[int(match[2]) - 1]}季度"
    if match := re.fullmatch(r"(\d{4})-(\d{2})", period):
        return f"{match[1]}年{int(match[2])}月"
    if re.fullmatch(r"\d{4}", period):
        return f"{period}年度"
    return period


def ranking_order(subjects: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Subjects by ranking group (first appearance), rank (unranked last), then id."""
    order = ranking_positions([s["group"] for s in subjects], [s["rank"] for s in subjects],
                              [s["id"] for s in subjects])
    return [subjects[i] for i in order]


def ranking_positions(groups: Sequence[Any], ranks: Sequence[int | None], ids: Sequence[Any]) -> list[int]:
    """The order every listing of a period's subjects shows them in, as positions: by ranking group
    (first appearance), rank (unranked last), then id."""
    first: dict[Any, int] = {}
    for g in groups:
        first.setdefault(g, len(first))
    n = len(ids)
    if n > 1 and all(type(i) is str for i in ids) and "\0" not in "".join(ids) \
            and all(type(r) is int or r is None for r in ranks):
        # the same order by numpy's stable sort (its strings compare by code point, as Python's;
        # it would cut a trailing NUL, hence none)
        unranked = np.fromiter((r is None for r in ranks), dtype=bool, count=n)
        rank = np.fromiter((r or 0 for r in ranks), dtype=np.int64, count=n)
        group = np.fromiter((first[g] for g in groups), dtype=np.int64, count=n)
        return np.lexsort((np.array(ids), rank, unranked, group)).tolist()  # type: ignore[no-any-return]
    return sorted(range(n), key=lambda i: (first[groups[i]], ranks[i] is None, ranks[i] or 0, ids[i]))


def _period(document: Mapping[str, Any], period: str) -> Mapping[str, Any]:
    for record in document["periods"]:
        if record["period"] == period:
            return record  # type: ignore[no-any-return]  # a JSON mapping
    known = [p["period"] for p in document["periods"]]
    raise KaoheError(Diagnostic("E-HANDOUT-PERIOD", {"period": period, "known": "、".join(known) or "—",
                                                     "suggest": did_you_mean(period, known)}))


def _outcomes(document: Mapping[str, Any], use: str) -> list[Mapping[str, Any]]:
    return [o for o in document["outcomes"] if o["use"] == use]


def _ran(record: Mapping[str, Any], outcome: str) -> bool:
    return any(outcome in s["outcomes"] for s in record["subjects"])


def _value(subject: Mapping[str, Any], outcome: str) -> Any:
    return (subject["outcomes"].get(outcome) or {}).get("value")


def _note(subject: Mapping[str, Any], outcome: str) -> Any:
    return (subject["outcomes"].get(outcome) or {}).get("note")


def _publicity(document: Mapping[str, Any], record: Mapping[str, Any], meta: Mapping[str, Any]) -> Publicity:
    settings = meta.get("handout") or {}
    achievements = settings.get("achievements")
    titles = {o["id"]: o["title"] for o in document["outcomes"]}
    if achievements is not None and achievements not in titles:
        raise KaoheError(Diagnostic("E-HANDOUT-ACHIEVEMENTS", {
            "outcome": meta["id"], "name": achievements, "suggest": did_you_mean(achievements, titles)},
            file=document["ruleset"]["file"]))
    classes = class_titles(document)
    rows = tuple(
        PublicityRow(rank=s["rank"], group_size=s["group_size"], id=s["id"], name=s["name"], unit=s["unit"],
                     class_title=classes.get(s["class"], s["class"]), total=s["total"], grade=s["grade"],
                     achievements=_achievements(s, achievements), group=group_title(s["group"], classes))
        for s in ranking_order(record["subjects"]) if _value(s, meta["id"]) is True)
    return Publicity(
        outcome=meta["id"], title=meta["title"], ruleset_title=document["ruleset"]["title"],
        period=record["period"], period_title=period_title(record["period"]),
        subject_kind=document["ruleset"].get("subject_kind", "unit"), precision=precision(document),
        channel=settings.get("channel"), days=settings.get("days"), day_kind=settings.get("day_kind", "working"),
        objections=settings.get("objections"),
        achievements_title=titles.get(achievements) if achievements else None, rows=rows)


def _achievements(subject: Mapping[str, Any], outcome: str | None) -> str | None:
    if outcome is None:
        return None
    note = _note(subject, outcome)
    return _LIST_PREFIX.sub("", note) if isinstance(note, str) else None


def _feedback(document: Mapping[str, Any], record: Mapping[str, Any],
              meta: Mapping[str, Any]) -> list[FeedbackSheet]:
    settings = meta.get("handout") or {}
    indicators = {i["id"]: i for i in document["indicators"]}
    dimensions = settings.get("dimensions") or [i["id"] for i in document["indicators"] if i["parent"] is None]
    classes = class_titles(document)
    sheets = []
    for s in _by_unit(ranking_order(record["subjects"])):
        value = _value(s, meta["id"])
        if value is None:
            continue  # the outcome does not concern this subject (excluded, or fewer than two scored dimensions)
        lines = tuple(_score_line(s, indicators[d]) for d in dimensions if d in indicators)
        scored = [line for line in lines if line.rate is not None]
        # the same choice as the outcome: the first highest and the first lowest rate
        strongest = max(scored, key=lambda line: line.rate or 0.0) if scored else None
        weakest = min(scored, key=lambda line: line.rate or 0.0) if scored else None
        sheets.append(FeedbackSheet(
            outcome=meta["id"], title=meta["title"], ruleset_title=document["ruleset"]["title"],
            period=record["period"], period_title=period_title(record["period"]), precision=precision(document),
            id=s["id"], name=s["name"], unit=s["unit"], class_title=classes.get(s["class"], s["class"]),
            total=s["total"], rank=s["rank"], group_size=s["group_size"], grade=s["grade"],
            grade_reason=s["grade_reason"]["text"], scores=lines,
            strengths=(strongest,) if strongest else (), weaknesses=(weakest,) if weakest else (),
            training_need=value if isinstance(value, str) else None, training=settings.get("training"),
            talk_by=settings.get("talk_by"), topics=tuple(settings.get("topics") or ()),
            note=_note(s, meta["id"]), group=group_title(s["group"], classes)))
    return sheets


def _by_unit(subjects: list[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    units: dict[str, int] = {}
    for s in subjects:
        units.setdefault(s["unit"], len(units))
    return sorted(subjects, key=lambda s: units[s["unit"]])  # stable: ranking order within a unit


def _score_line(subject: Mapping[str, Any], indicator: Mapping[str, Any]) -> ScoreLine:
    score = (subject["indicators"].get(indicator["id"]) or {}).get("score")
    full = float(indicator["full_marks"])
    rate = score / full if score is not None and full > 0 else None
    return ScoreLine(id=indicator["id"], title=indicator["title"], score=score, full=full, rate=rate)
