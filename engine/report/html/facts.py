"""What the report states, as plain data, gathered once.

Most of it is read from the reported period's subjects (``subjects.py``: the
values the results document holds, read from the evaluation's columns or from
a document's records), so the report says what the results file says. A few
facts the document does not carry (grade places allowed by the quotas, grade
lines, the distance to the next grade, the clause of each rule, the bonus pool)
come from the evaluation, through the same functions ``kaohe explain`` uses; a
report built from a document alone (a plugin's document) leaves them out.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import numpy as np

from kaohe.engine.errors import Diagnostic, KaoheError
from kaohe.engine.evaluation.pipeline import Evaluation, PeriodResult
from kaohe.engine.report.explain import lacking_for_next, lowest_totals
from kaohe.engine.report.handouts import ranking_positions
from kaohe.engine.report.html.subjects import Subjects
from kaohe.engine.report.results import ABSENT


@dataclass(frozen=True)
class GradeLine:
    """One grade of one ranking group: how many got it, how many places its quota allows, its line."""

    grade: str
    count: int
    allowed: int | None
    line: float | None


@dataclass(frozen=True)
class Pool:
    """An allocator's money in the period: the pool declared, what was paid, to how many."""

    outcome: str
    title: str
    pool: str | None
    paid: str
    paid_to: int
    among: int


@dataclass(frozen=True)
class Extras:
    """Facts from the evaluation that the results document does not hold (empty without one)."""

    source: str = ""
    scale: tuple[str, ...] = ()
    allowed: Mapping[str, Mapping[str, int]] = field(default_factory=dict)  # group -> grade -> places
    lines: Mapping[str, Mapping[str, float]] = field(default_factory=dict)  # group -> grade -> line
    gaps: Mapping[str, str] = field(default_factory=dict)  # subject id -> distance to the next grade
    rule_clauses: Mapping[str, str] = field(default_factory=dict)
    veto_titles: Mapping[str, str] = field(default_factory=dict)
    outcome_clauses: Mapping[str, str] = field(default_factory=dict)
    pools: Mapping[str, str] = field(default_factory=dict)  # outcome id -> pool as declared
    classes: Mapping[str, str] = field(default_factory=dict)  # class id -> title


def chosen(periods: Sequence[str], period: str | None, file: str | None) -> int:
    """Which of ``periods`` the report is about: the one asked for, else the last (the year, when
    there is one)."""
    if not periods:
        raise KaoheError(Diagnostic("E-REPORT-NO-PERIOD", {"period": period or "", "known": "—"}, file=file))
    if period is None:
        return len(periods) - 1
    if period in periods:
        return list(periods).index(period)
    raise KaoheError(Diagnostic("E-REPORT-NO-PERIOD", {"period": period, "known": "、".join(periods)}, file=file))


def extras_of(evaluation: Evaluation, period: str | None) -> Extras:
    ruleset = evaluation.ruleset
    result = evaluation.period(period) if period is not None else evaluation.periods[-1]
    scale = ruleset.grading.grades_for(result.period.kind) if ruleset.grading else ()
    return Extras(
        source=str(ruleset.source.get("document", "")),
        scale=tuple(g.name for g in scale),
        allowed=_allowed(result),
        lines=_lines(result),
        gaps=_gaps(evaluation, result),
        rule_clauses={r.id: r.clause for r in ruleset.rules if r.clause},
        veto_titles={v.id: v.title for v in ruleset.vetoes},
        outcome_clauses={o.id: o.clause for o in ruleset.outcomes if o.clause},
        pools={o.id: str(o.params["pool"]) for o in ruleset.outcomes
               if o.id in result.outcomes and result.outcomes[o.id].kind == "allocator" and "pool" in o.params},
        classes={k: c.title for k, c in ruleset.classes.items()},
    )


def _gaps(evaluation: Evaluation, result: PeriodResult) -> dict[str, str]:
    """Each subject's distance to the next grade, worded as ``kaohe explain`` words it."""
    lowest = lowest_totals(result)
    ids = result.cohort.ids.tolist()
    return {str(ids[i]): lacking_for_next(evaluation.ruleset, result, i, lowest) for i in range(result.cohort.n)}


def _first_of_each_group(result: PeriodResult) -> dict[str, int]:
    first: dict[str, int] = {}
    for i, group in enumerate(result.ranking.group.tolist()):
        first.setdefault(str(group), i)
    return first


def _allowed(result: PeriodResult) -> dict[str, dict[str, int]]:
    """Places each quota allows, per group (a quota's places are the same for every member of a group)."""
    if result.grades is None:
        return {}
    return {group: {grade: int(places[i]) for grade, places in result.grades.quota_allowed.items()}
            for group, i in _first_of_each_group(result).items()}


def _lines(result: PeriodResult) -> dict[str, dict[str, float]]:
    if result.grades is None:
        return {}
    out: dict[str, dict[str, float]] = {}
    for group, i in _first_of_each_group(result).items():
        lines = {grade: float(column[i]) for grade, column in result.grades.thresholds.items()
                 if not math.isnan(float(column[i]))}
        out[group] = {g: (int(v) if v.is_integer() else round(v, 6)) for g, v in lines.items()}
    return out


def scale_of(subjects: Subjects, extras: Extras) -> list[str]:
    """The grades from best to worst: the ruleset's scale, else as seen, best mean total first."""
    if extras.scale:
        return list(extras.scale)
    totals: dict[str, list[float]] = {}
    for grade, total in zip(subjects["grade"], subjects["total"], strict=True):
        if grade is not None and total is not None:
            totals.setdefault(grade, []).append(float(total))
    return sorted(totals, key=lambda g: -float(np.mean(totals[g])))


def grade_table(subjects: Subjects, members: Sequence[int], group: str, scale: Sequence[str],
                extras: Extras) -> list[GradeLine]:
    """Each grade of ``scale`` in one ranking group (``members``: its subjects): its count, places and line."""
    allowed = extras.allowed.get(group, {})
    lines = extras.lines.get(group, {})
    grades = subjects["grade"]
    counts = Counter(grades[i] for i in members)
    return [GradeLine(g, counts.get(g, 0), allowed.get(g), lines.get(g)) for g in scale]


def by_group(subjects: Subjects) -> dict[str, list[int]]:
    """The subjects of each ranking group, groups in the order they first appear."""
    members: dict[str, list[int]] = {}
    for i, group in enumerate(subjects["group"]):
        members.setdefault(str(group), []).append(i)
    return members


def display_order(subjects: Subjects) -> list[int]:
    """As the ranking table shows them: ``handouts.ranking_positions``."""
    return ranking_positions(subjects["group"], subjects["rank"], subjects["id"])


def totals_of(subjects: Subjects, members: Sequence[int]) -> list[float]:
    totals = subjects["total"]
    return [float(totals[i]) for i in members if totals[i] is not None]


def pools(document: Mapping[str, Any], subjects: Subjects, extras: Extras) -> list[Pool]:
    out = []
    for outcome in document.get("outcomes", []):
        if outcome.get("kind") != "allocator":
            continue
        values = [_money(v) for v in subjects.outcomes.get(outcome["id"], ()) if v is not ABSENT]
        if not values:
            continue  # not applied in this period
        paid = sum((v for v in values if v is not None), Decimal(0))
        out.append(Pool(outcome["id"], outcome["title"], extras.pools.get(outcome["id"]), _plain_money(paid),
                        sum(1 for v in values if v is not None and v > 0), len(values)))
    return out


def _money(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _plain_money(value: Decimal) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
