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
    item: np.ndarray | None = None  # index into the items table (per: item rules), -1 otherwise; None: no such rule


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
        # a column is built only if the rule reads it; text compares by the records' codes when they have them
        env[rule.per] = RecordColumns(fields, records.column, codes=getattr(records, "text_codes", None))
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
    positions = np.flatnonzero(chosen)  # once: every column below takes the same rows
    per_record = rule.per in ("event", "item")
    env = {k: _rows_of(v, positions) for k, v in env.items() if k != COHORT and not (per_record and k == "n")}
    subjects, events = subjects[positions], events[positions]
    if per_record:
        env["n"] = np.zeros(len(positions))  # the ordinal, numbered below for rules that read it
        if isinstance(rule, Rule) and rule.key is not None:
            env[KEY_GROUPS] = _key_groups(subjects, records.column(rule.key)[positions])
        if "n" in used:  # the ordinal needs a sort: only for rules that read it
            env["n"] = _ordinal(env.get(KEY_GROUPS, subjects))
    elif points is not None:  # evaluated over the whole cohort, so they may use cohort functions
        env[SUBJECT_POINTS] = np.asarray(points)[positions]
    return subjects, events, env


def _rows_of(value: Any, positions: np.ndarray) -> Any:
    """An env entry (column, record of columns, or the history frame) for the chosen rows."""
    if isinstance(value, RecordColumns | PeriodFrame):
        return value.take(positions)
    if isinstance(value, dict):
        return {f: c[positions] for f, c in value.items()}
    return value[positions]


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
    order = stable_order(subjects)
    sorted_subjects = subjects[order]
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_subjects)) + 1]
    position = np.arange(len(subjects)) - np.repeat(starts, np.diff(np.r_[starts, len(subjects)]))
    result = np.empty(len(subjects))
    result[order] = position + 1
    return result


def stable_order(groups: np.ndarray) -> np.ndarray:
    """``np.argsort(groups, kind="stable")`` for non-negative integer groups, faster: numpy sorts
    16-bit keys by radix, and (group, row) keys are distinct, so any sort of them is stable."""
    size = int(groups.max(initial=-1)) + 1
    if len(groups) and groups.min() < 0:
        return np.argsort(groups, kind="stable")
    if size <= 2**16:
        return np.argsort(groups.astype(np.uint16), kind="stable")
    if size * len(groups) < 2**62:
        keyed = groups.astype(np.int64) * len(groups) + np.arange(len(groups))
        return np.argsort(keyed)
    return np.argsort(groups, kind="stable")


def _rejections(rule: Rule, subjects: np.ndarray, env: dict[str, Any]) -> np.ndarray | None:
    """Matching events that do not count: failing ``require``, or beyond
    ``max_events`` in date order. ``n`` then numbers only the counted ones.
    None when the rule has neither (every row counts)."""
    if rule.per == "subject" or (rule.require is None and rule.max_events is None):
        return None  # every matching row counts
    rejected = np.full(len(subjects), None, dtype=object)
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
    ``limit[subject]``; rows later in order lose what exceeds it. The running total
    adds the subject's rows one after another in row order (as ``np.bincount`` does).
    Returns ``points`` itself when every subject's rows fit (callers never change it in place)."""
    return capped_with_totals(subjects, points, limit)[0]


def capped_with_totals(subjects: np.ndarray, points: np.ndarray, limit: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``cap_in_order`` and each subject's kept points, summed in row order: what
    ``np.bincount(subjects, kept, minlength=len(limit))`` gives, without a second pass over every row."""
    if len(subjects) == 0:
        return points, np.zeros(len(limit))
    if subjects.min() < 0:  # not a cohort row (never from loaded data): every row in order, as indexed
        rows = np.arange(len(subjects))
        totals = None
    else:  # a subject whose points all fit keeps them all: only the others need their rows in order
        totals = np.bincount(subjects, points, minlength=len(limit))
        over = totals > limit
        rows = np.flatnonzero(over[subjects])
        if len(rows) == 0:
            return points, totals
    result = points.copy()
    subset, p = subjects[rows], points[rows]
    if totals is not None:
        # the capped subjects numbered 0, 1, … in id order: the same order, in fewer bits to sort by
        dense = np.cumsum(over, dtype=np.int64) - 1
        order = stable_order(dense[subset])
    else:
        order = stable_order(subset)
    s, p = subset[order], p[order]
    starts = np.r_[0, np.flatnonzero(s[1:] != s[:-1]) + 1]  # where each subject's rows begin
    before, allowed = _earlier_in_group(starts, p), limit[s]
    # a row whose running total stays within the limit keeps its points (exactly, not limit − before)
    kept = np.where(before + p <= allowed, p, np.clip(allowed - before, 0.0, p))
    result[rows[order]] = kept
    if totals is None:
        return result, np.bincount(subjects, result, minlength=len(limit))
    # the capped subjects' rows, by subject and in row order: their sums as bincount adds them
    capped = s[starts]
    totals[capped] = np.bincount(s, kept, minlength=len(totals))[capped]
    return result, totals


LONG_GROUP = 32  # rows; a longer group is summed on its own


def _earlier_in_group(starts: np.ndarray, points: np.ndarray) -> np.ndarray:
    """For rows sorted by group, each group beginning at ``starts``: the sum of the points of the
    group's earlier rows, added one after another in row order, so a subject's caps depend on its
    own rows only (a running total over all subjects would carry rounding from the others). Short
    groups advance together, position by position; long ones are summed one by one."""
    lengths = np.diff(np.r_[starts, len(points)])
    before = np.zeros(len(points))
    for k in range(1, min(int(lengths.max()), LONG_GROUP)):
        at = starts[lengths > k] + k  # the k-th row of each group that has one
        before[at] = before[at - 1] + points[at - 1]
    for start, length in zip(starts[lengths > LONG_GROUP].tolist(), lengths[lengths > LONG_GROUP].tolist(), strict=True):
        before[start + 1:start + length] = np.cumsum(points[start:start + length - 1])
    return before


@dataclass
class _Part:
    """One rule's adjustment rows, before the caps over all rules of a kind."""

    rule: int
    bonus: bool
    subjects: np.ndarray
    raw: np.ndarray
    kept: np.ndarray
    events: np.ndarray | None  # None: -1 on every row (per: item rules)
    items: np.ndarray | None  # None: -1 on every row (all but per: item rules)
    rejected: np.ndarray | None  # None: every row counted
    totals: np.ndarray | None = None  # each subject's kept points (np.bincount of kept), when known


def apply_adjustments(
    ruleset: Ruleset, cohort: Cohort, scores: TreeScores, view: EventView, state: CapState,
    items: ItemView | None = None,
) -> Adjustments:
    parts: list[_Part] = []
    target_left: dict[str, np.ndarray] = {}  # built for the targets rules name, when first named
    period = cohort.period
    for index, rule in enumerate(ruleset.rules):
        if not rule_applies(rule, ruleset, period.kind) or not in_force(rule.effective, period.start, period.end):
            continue
        subjects, rows, env = _matches(ruleset, rule, cohort, scores, view, items)
        rejected = _rejections(rule, subjects, env)
        raw = _raw_points(rule, env, len(subjects))
        if rejected is not None:
            raw[rejected != None] = 0.0  # noqa: E711 (element-wise)
        kept, totals = raw, None  # totals: each subject's kept points, once a per-subject cap summed them
        if rule.cap_key is not None and KEY_GROUPS in env:  # level 1: per key (task, item …)
            groups = np.asarray(env[KEY_GROUPS])
            owner = np.zeros(int(groups.max(initial=-1)) + 1, dtype=np.int64)
            owner[groups] = subjects  # each key group belongs to one subject
            kept = cap_in_order(groups, kept, _limit(rule.cap_key, ruleset, cohort, scores)[owner])
        if rule.cap_month is not None and rule.per == "event":  # level 2: per calendar month
            months = _month_groups(subjects, env["event"]["date"])
            kept = cap_in_order(months, kept, np.repeat(_limit(rule.cap_month, ruleset, cohort, scores), 12))
        if rule.cap is not None:  # level 3: per period
            kept, totals = capped_with_totals(subjects, kept, _limit(rule.cap, ruleset, cohort, scores))
        if rule.target is not None:  # before the yearly cap, so points not taken do not use it up
            if rule.target not in target_left:
                score = scores.scores.get(rule.target)
                target_left[rule.target] = np.zeros(cohort.n) if score is None else np.nan_to_num(score, nan=0.0)
            left = target_left[rule.target]
            kept, totals = capped_with_totals(subjects, kept, left)
            left -= totals
        if rule.cap_year is not None:
            used = state.by_rule.setdefault(rule.id, np.zeros(cohort.n))
            limit = np.maximum(_limit(rule.cap_year, ruleset, cohort, scores) - used, 0.0)
            kept, totals = capped_with_totals(subjects, kept, limit)
            used += totals
        per_item = rule.per == "item"
        parts.append(_Part(index, rule.kind == "bonus", subjects, raw, kept, None if per_item else rows,
                           rows if per_item else None, rejected, totals))
    limits = {kind: _limit(cap, ruleset, cohort, scores) for kind, cap in ruleset.caps.items()}
    return _totals(cohort.n, parts, state, limits)


def _raw_points(rule: Rule, env: dict[str, Any], n: int) -> np.ndarray:
    """Each row's points before caps: not below 0, missing as 0."""
    if isinstance(rule.points, float):  # one number for every row: cleaned once
        return np.full(n, float(np.clip(np.nan_to_num(rule.points, nan=0.0), 0.0, None)))
    if SUBJECT_POINTS in env:
        raw = np.array(env[SUBJECT_POINTS], dtype=float)
    else:
        raw = np.array(rule.points.evaluate(env, n), dtype=float)  # a copy: cleaned in place
    np.nan_to_num(raw, copy=False, nan=0.0)
    clean: np.ndarray = np.clip(raw, 0.0, None, out=raw)
    return clean


def _joined(arrays: list[np.ndarray], dtype: Any) -> np.ndarray:
    return np.concatenate(arrays).astype(dtype, copy=False) if arrays else np.zeros(0, dtype=dtype)


def _filled(sizes: list[int], arrays: list[np.ndarray | None], fill: Any, dtype: Any) -> np.ndarray:
    """The rules' columns one after another; a rule without one (None) fills its rows with ``fill``."""
    # numpy creates an object array filled with None: no second pass to write it
    out = np.empty(sum(sizes), dtype=object) if fill is None else np.full(sum(sizes), fill, dtype=dtype)
    start = 0
    for size, array in zip(sizes, arrays, strict=True):
        if array is not None:
            out[start:start + size] = array
        start += size
    return out


def _totals(n: int, parts: list[_Part], state: CapState, limits: dict[str, np.ndarray]) -> Adjustments:
    """Caps over all rules of a kind (``adjustment_caps``), per period then per year; ``limits`` per subject."""
    sizes = [len(part.subjects) for part in parts]
    counts = np.array(sizes, dtype=np.int64)
    rule = np.repeat(np.array([part.rule for part in parts], dtype=np.int64), counts)
    is_bonus = np.repeat(np.array([part.bonus for part in parts], dtype=bool), counts)
    subject = _joined([part.subjects for part in parts], np.int64)
    raw, kept = _joined([part.raw for part in parts], float), _joined([part.kept for part in parts], float)
    events = [part.events for part in parts]
    known = [rows for rows in events if rows is not None]
    event = _joined(known, np.int64) if len(known) == len(events) else _filled(sizes, events, -1, np.int64)
    items = [part.items for part in parts]
    item = None if all(rows is None for rows in items) else _filled(sizes, items, -1, np.int64)
    rejected = _filled(sizes, [part.rejected for part in parts], None, object)
    by_kind: dict[bool, tuple[np.ndarray, np.ndarray]] = {}  # (subject, kept) of each kind's rows
    sums: dict[bool, np.ndarray] = {}  # bonus (True) and deduction per subject
    for kind, mask in (("bonus", is_bonus), ("deduction", ~is_bonus)):
        limit, yearly = limits.get(kind), limits.get(f"{kind}_year")
        if limit is None and yearly is None:  # the kind's rows as the rules left them, in the same order
            chosen = [part for part in parts if part.bonus == (kind == "bonus")]
            if len(chosen) == 1 and chosen[0].totals is not None:  # summed already, as bincount would
                sums[kind == "bonus"] = chosen[0].totals
                continue
            by_kind[kind == "bonus"] = ((chosen[0].subjects, chosen[0].kept) if len(chosen) == 1 else
                                        (_joined([p.subjects for p in chosen], np.int64),
                                         _joined([p.kept for p in chosen], float)))
            continue
        if limit is not None:
            kept[mask] = cap_in_order(subject[mask], kept[mask], limit)
        if yearly is not None:
            used = state.by_kind.setdefault(kind, np.zeros(n))
            kept[mask] = cap_in_order(subject[mask], kept[mask], np.maximum(yearly - used, 0.0))
            used += np.bincount(subject[mask], kept[mask], minlength=n)
        by_kind[kind == "bonus"] = (subject[mask], kept[mask])
    for bonus_kind, (rows_subject, rows_kept) in by_kind.items():
        sums[bonus_kind] = np.bincount(rows_subject, rows_kept, minlength=n)
    bonus, deduction = sums[True], sums[False]
    points = kept.copy()
    np.negative(kept, out=points, where=~is_bonus)
    capped = kept != raw  # and not merely by rounding: compared closely only where they differ
    differ = np.flatnonzero(capped)
    capped[differ] = ~np.isclose(kept[differ], raw[differ])
    return Adjustments(
        rule=rule, subject=subject, points=points, raw=raw, event=event,
        capped=capped, bonus=bonus, deduction=deduction, rejected=rejected, item=item,
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
