"""Bonuses, deductions and vetoes for one period, event by event, in columns.

Every matching event (or subject, for ``per: subject`` rules) becomes one
adjustment row that remembers the event that caused it. Caps are applied in
a declared order — rule order, then event date, then source row — so the
points a cap removes are always the latest ones, and reruns agree. Rules and
vetoes ``per: item`` read the rectification items alive in the period
(``kaohe.engine.evaluation.items``) the way ``per: event`` ones read events,
so numbering, ``key``/``cap_key`` and every cap apply to them unchanged.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from kaohe.engine.evaluation.cohort import Cohort
from kaohe.engine.evaluation.events import EventView, RecordColumns
from kaohe.engine.evaluation.items import ItemView, no_items
from kaohe.engine.evaluation.scoring import TreeScores
from kaohe.engine.language.cohort import COHORT
from kaohe.engine.language.expressions import Expression
from kaohe.engine.language.periodic import HISTORY, PeriodFrame
from kaohe.engine.ruleset.model import Rule, Ruleset, Veto, in_force

SUBJECT_POINTS = "_points"  # a per-subject rule's points, evaluated before its rows were chosen
KEY_GROUPS = "_key_groups"  # (subject, key value) of each matching event, for rules with ``key``


@dataclass
class Adjustments:
    rule: np.ndarray
    subject: np.ndarray
    points: np.ndarray  # signed: bonus > 0, deduction < 0, after caps
    raw: np.ndarray  # unsigned, before caps
    event: np.ndarray  # index into the events table, -1 when not event-driven
    capped: np.ndarray
    bonus: np.ndarray
    deduction: np.ndarray
    rejected: np.ndarray  # why an event did not count (require / max_events), None when it did
    item: np.ndarray | None = None  # index into the items table (per: item rules), -1 otherwise


@dataclass
class CapState:
    """Points already used towards yearly caps, carried from period to period."""

    by_rule: dict[str, np.ndarray] = field(default_factory=dict)
    by_kind: dict[str, np.ndarray] = field(default_factory=dict)


def rule_applies(rule: Rule | Veto, ruleset: Ruleset, period_kind: str) -> bool:
    cycle = getattr(rule, "cycle", "period")
    if ruleset.cycle == "year":
        return True
    if cycle == "year":
        return period_kind == "year"
    if isinstance(rule, Veto):
        return True  # a veto during the year also vetoes the year
    return period_kind != "year"


def _used_names(rule: Rule | Veto) -> set[str]:
    """Every name the rule's own expressions read (when, points, require)."""
    names = set(rule.when.names)
    for part in (getattr(rule, "points", None), getattr(rule, "require", None)):
        if isinstance(part, Expression):
            names |= part.names
    return names


def _record_env(ruleset: Ruleset, cohort: Cohort, scores: TreeScores, rows: np.ndarray,
                used: set[str]) -> dict[str, Any]:
    """The subject-level names a rule uses, gathered for the subjects of ``rows``."""
    base = cohort.subject_env(n for n in ruleset.inputs if n in used)
    env: dict[str, Any] = {name: np.asarray(col)[rows] for name, col in base.items() if name in used}
    if cohort.past_years is not None:  # the years functions read it, subject by matching row
        env[HISTORY] = cohort.past_years.take(rows)
    if "score" in used:
        env["score"] = {k: v[rows] for k, v in scores.scores.items()}
    if "subtotal" in used:
        env["subtotal"] = scores.subtotal[rows]
    return env


def _records(ruleset: Ruleset, per: str, view: EventView,
             items: ItemView | None) -> tuple[EventView | ItemView, tuple[str, ...]]:
    """What a per-event or per-item rule reads: the period's events, or the items alive in it."""
    if per == "item":
        return items or no_items(), ruleset.declared.item_columns
    return view, ruleset.declared.event_columns


def _matches(ruleset: Ruleset, rule: Rule | Veto, cohort: Cohort, scores: TreeScores,
             view: EventView, items: ItemView | None = None) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """Rows (subject, event or item index) where the rule's condition holds, with their env."""
    used = _used_names(rule)
    if rule.per in ("event", "item"):
        records, fields = _records(ruleset, rule.per, view, items)
        subjects = records.subjects
        env = _record_env(ruleset, cohort, scores, subjects, used)
        env[rule.per] = RecordColumns(fields, records.column)  # a column is built only if the rule reads it
        env["n"] = np.zeros(len(subjects))
        events = records.index
    else:
        subjects = np.arange(cohort.n)
        env = _record_env(ruleset, cohort, scores, subjects, used)
        env[COHORT] = cohort.frame()  # per subject: cohort functions see the whole period
        events = np.full(cohort.n, -1)
    chosen = rule.when.evaluate_mask(env, len(subjects))
    points: Any = None
    if isinstance(rule, Rule) and rule.per == "subject" and not isinstance(rule.points, float):
        points = rule.points.evaluate(env, cohort.n)
    dates = getattr(rule, "effective", None)
    if dates is not None and rule.per == "event":  # events before or after the rule's dates do not count
        day = env["event"]["date"]
        chosen &= np.array([(dates[0] is None or d >= dates[0]) and (dates[1] is None or d <= dates[1])
                            for d in day.tolist()], dtype=bool)
    if rule.applies_to is not None:
        applies = np.array([c in rule.applies_to for c in cohort.class_labels], dtype=bool)
        chosen &= applies[cohort.class_index][subjects]
    env = {k: _rows_of(v, chosen) for k, v in env.items() if k != COHORT}
    subjects, events = subjects[chosen], events[chosen]
    if rule.per in ("event", "item"):
        if isinstance(rule, Rule) and rule.key is not None:
            env[KEY_GROUPS] = _key_groups(subjects, records.column(rule.key)[chosen])
        if "n" in used:  # the ordinal needs a sort: only for rules that read it
            env["n"] = _ordinal(env.get(KEY_GROUPS, subjects))
    elif points is not None:  # evaluated over the whole cohort, so they may use cohort functions
        env[SUBJECT_POINTS] = np.asarray(points)[chosen]
    return subjects, events, env


def _rows_of(value: Any, chosen: np.ndarray) -> Any:
    """An env entry (column, record of columns, or the history frame) for the chosen rows."""
    if isinstance(value, RecordColumns):
        return value.take(chosen)
    if isinstance(value, dict):
        return {f: c[chosen] for f, c in value.items()}
    if isinstance(value, PeriodFrame):
        return value.take(np.flatnonzero(chosen))
    return value[chosen]


def _limit(cap: float | Expression, ruleset: Ruleset, cohort: Cohort, scores: TreeScores) -> np.ndarray:
    """A cap per subject: a number, or an expression over each subject's names
    (a limit that cannot be computed is 0: nothing counts)."""
    if not isinstance(cap, Expression):
        return np.full(cohort.n, float(cap))
    env = {**_record_env(ruleset, cohort, scores, np.arange(cohort.n), set(cap.names)), COHORT: cohort.frame()}
    limit: np.ndarray = np.clip(np.nan_to_num(np.asarray(cap.evaluate(env, cohort.n), dtype=float), nan=0.0), 0.0, None)
    return limit


def _key_groups(subjects: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """One integer per (subject, key value): events of one subject and one key share it."""
    if len(subjects) == 0:
        return np.zeros(0, dtype=np.int64)
    _, codes = np.unique(np.asarray(keys).astype(str), return_inverse=True)
    width = int(codes.max()) + 1
    groups: np.ndarray = subjects.astype(np.int64) * width + codes.reshape(len(subjects))
    return groups


def _month_groups(subjects: np.ndarray, dates: np.ndarray) -> np.ndarray:
    """One integer per (subject, calendar month of the event date 'YYYY-MM-DD')."""
    months = np.asarray(dates, dtype="datetime64[D]").astype("datetime64[M]").astype(np.int64) % 12  # columnar
    groups: np.ndarray = subjects.astype(np.int64) * 12 + months
    return groups


def _ordinal(subjects: np.ndarray) -> np.ndarray:
    """1, 2, 3 … for each subject's rows, in row order."""
    if len(subjects) == 0:
        return np.zeros(0)
    order = np.argsort(subjects, kind="stable")
    sorted_subjects = subjects[order]
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_subjects)) + 1]
    position = np.arange(len(subjects)) - np.repeat(starts, np.diff(np.r_[starts, len(subjects)]))
    result = np.empty(len(subjects))
    result[order] = position + 1
    return result


def _rejections(rule: Rule, subjects: np.ndarray, env: dict[str, Any]) -> np.ndarray:
    """Matching events that do not count: failing ``require``, or beyond
    ``max_events`` in date order. ``n`` then numbers only the counted ones."""
    rejected = np.full(len(subjects), None, dtype=object)
    if rule.per == "subject" or (rule.require is None and rule.max_events is None):
        return rejected
    if rule.require is not None:
        passed = rule.require.evaluate_mask(env, len(subjects))
        rejected[~passed] = rule.reject_message or f"不符合“{rule.title}”的必备条件（{rule.require.text}），不予计入"
    counted = np.flatnonzero(rejected == None)  # noqa: E711 (element-wise)
    ordinal = np.zeros(len(subjects))
    ordinal[counted] = _ordinal(np.asarray(env.get(KEY_GROUPS, subjects))[counted])
    env["n"] = ordinal
    if rule.max_events is not None:
        over = counted[ordinal[counted] > rule.max_events]
        rejected[over] = [f"超过每个周期最多 {rule.max_events} 项的上限（第 {int(k)} 项），不予计入"
                          for k in ordinal[over]]
    return rejected


def cap_in_order(subjects: np.ndarray, points: np.ndarray, limit: np.ndarray) -> np.ndarray:
    """Keep each row's points while its subject's running total stays within
    ``limit[subject]``; rows later in order lose what exceeds it."""
    if len(subjects) == 0:
        return points.copy()
    order = np.argsort(subjects, kind="stable")
    s, p = subjects[order], points[order]
    running = np.cumsum(p)
    starts = np.r_[0, np.flatnonzero(np.diff(s)) + 1]
    offset = np.repeat(running[starts] - p[starts], np.diff(np.r_[starts, len(s)]))
    before = running - p - offset
    kept = np.clip(limit[s] - before, 0.0, p)
    result = np.empty_like(points)
    result[order] = kept
    return result


def apply_adjustments(
    ruleset: Ruleset, cohort: Cohort, scores: TreeScores, view: EventView, state: CapState,
    items: ItemView | None = None,
) -> Adjustments:
    parts: dict[str, list[np.ndarray]] = defaultdict(list)
    target_left = {k: np.nan_to_num(v, nan=0.0).copy() for k, v in scores.scores.items()}
    period = cohort.period
    for index, rule in enumerate(ruleset.rules):
        if not rule_applies(rule, ruleset, period.kind) or not in_force(rule.effective, period.start, period.end):
            continue
        subjects, rows, env = _matches(ruleset, rule, cohort, scores, view, items)
        no_row = np.full(len(subjects), -1)
        events, item_rows = (no_row, rows) if rule.per == "item" else (rows, no_row)
        rejected = _rejections(rule, subjects, env)
        if isinstance(rule.points, float):
            raw = np.full(len(subjects), rule.points)
        elif SUBJECT_POINTS in env:
            raw = np.asarray(env[SUBJECT_POINTS], dtype=float)
        else:
            raw = rule.points.evaluate(env, len(subjects))
        raw = np.clip(np.nan_to_num(raw.astype(float), nan=0.0), 0.0, None)
        raw[rejected != None] = 0.0  # noqa: E711 (element-wise)
        kept = raw
        if rule.cap_key is not None and KEY_GROUPS in env:  # level 1: per key (task, item …)
            groups = np.asarray(env[KEY_GROUPS])
            owner = np.zeros(int(groups.max(initial=-1)) + 1, dtype=np.int64)
            owner[groups] = subjects  # each key group belongs to one subject
            kept = cap_in_order(groups, kept, _limit(rule.cap_key, ruleset, cohort, scores)[owner])
        if rule.cap_month is not None and rule.per == "event":  # level 2: per calendar month
            months = _month_groups(subjects, env["event"]["date"])
            kept = cap_in_order(months, kept, np.repeat(_limit(rule.cap_month, ruleset, cohort, scores), 12))
        if rule.cap is not None:  # level 3: per period
            kept = cap_in_order(subjects, kept, _limit(rule.cap, ruleset, cohort, scores))
        if rule.target is not None:  # before the yearly cap, so points not taken do not use it up
            left = target_left.setdefault(rule.target, np.zeros(cohort.n))
            kept = cap_in_order(subjects, kept, left)
            left -= np.bincount(subjects, kept, minlength=cohort.n)
        if rule.cap_year is not None:
            used = state.by_rule.setdefault(rule.id, np.zeros(cohort.n))
            kept = cap_in_order(subjects, kept, np.maximum(_limit(rule.cap_year, ruleset, cohort, scores) - used, 0.0))
            used += np.bincount(subjects, kept, minlength=cohort.n)
        for name, value in (("rule", np.full(len(subjects), index)), ("subject", subjects), ("raw", raw),
                            ("kept", kept), ("event", events), ("kind", np.full(len(subjects), rule.kind == "bonus")),
                            ("rejected", rejected), ("item", item_rows)):
            parts[name].append(value)
    limits = {kind: _limit(cap, ruleset, cohort, scores) for kind, cap in ruleset.caps.items()}
    return _totals(cohort.n, parts, state, limits)


def _totals(n: int, parts: dict[str, list[np.ndarray]], state: CapState,
            limits: dict[str, np.ndarray]) -> Adjustments:
    """Caps over all rules of a kind (``adjustment_caps``), per period then per year; ``limits`` per subject."""
    def joined(name: str, dtype: Any) -> np.ndarray:
        return np.concatenate(parts[name]).astype(dtype) if parts[name] else np.zeros(0, dtype=dtype)

    rule, subject, raw = joined("rule", np.int64), joined("subject", np.int64), joined("raw", float)
    kept, event, is_bonus = joined("kept", float), joined("event", np.int64), joined("kind", bool)
    rejected = joined("rejected", object)
    item = joined("item", np.int64)
    for kind, mask in (("bonus", is_bonus), ("deduction", ~is_bonus)):
        limit = limits.get(kind)
        if limit is not None:
            kept[mask] = cap_in_order(subject[mask], kept[mask], limit)
        yearly = limits.get(f"{kind}_year")
        if yearly is not None:
            used = state.by_kind.setdefault(kind, np.zeros(n))
            kept[mask] = cap_in_order(subject[mask], kept[mask], np.maximum(yearly - used, 0.0))
            used += np.bincount(subject[mask], kept[mask], minlength=n)
    bonus = np.bincount(subject[is_bonus], kept[is_bonus], minlength=n)
    deduction = np.bincount(subject[~is_bonus], kept[~is_bonus], minlength=n)
    return Adjustments(
        rule=rule, subject=subject, points=np.where(is_bonus, kept, -kept), raw=raw, event=event,
        capped=~np.isclose(kept, raw), bonus=bonus, deduction=deduction, rejected=rejected, item=item,
    )


@dataclass
class Vetoes:
    """Triggered vetoes as rows: one per (subject, veto), with the first event."""

    subject: np.ndarray
    veto: np.ndarray  # index into ruleset.vetoes
    event: np.ndarray  # index into the events table, -1 when not event-driven
    n: int

    @property
    def vetoed(self) -> np.ndarray:
        mask = np.zeros(self.n, dtype=bool)
        mask[self.subject] = True
        return mask


def apply_vetoes(ruleset: Ruleset, cohort: Cohort, scores: TreeScores, view: EventView,
                 items: ItemView | None = None) -> Vetoes:
    subjects, vetoes, events = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)]
    for index, veto in enumerate(ruleset.vetoes):
        matched, matched_events, _ = _matches(ruleset, veto, cohort, scores, view, items)
        if veto.per == "item":  # ``event`` indexes the events table: an item is not one
            matched_events = np.full(len(matched), -1)
        subjects.append(matched.astype(np.int64))
        vetoes.append(np.full(len(matched), index, dtype=np.int64))
        events.append(matched_events.astype(np.int64))
    subject, which, event = np.concatenate(subjects), np.concatenate(vetoes), np.concatenate(events)
    # one row per (subject, veto): its first matching event
    first = np.zeros(0, dtype=np.int64)
    if len(subject):
        first = np.sort(np.unique(np.column_stack([subject, which]), axis=0, return_index=True)[1])
    return Vetoes(subject[first], which[first], event[first], cohort.n)
