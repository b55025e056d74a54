"""Data that loads but does not fit the ruleset, warned of before anything is scored.

Each warning points at the data file, says what was found and what the ruleset declares, and
never stops the run (the office decides): values for another year's period where this year's
is absent, most likely the year typed wrong (W-DATA-OTHER-PERIOD); subjects whose class the
ruleset does not declare, which then take coefficient 1 and only the indicators for every class
(W-DATA-UNKNOWN-CLASS); event types a rule would match but for spaces, full-width characters or
case, which no rule then counts (W-DATA-EVENT-TYPE).
"""

from __future__ import annotations

import ast
from dataclasses import replace

import numpy as np

from kaohe.engine.data.numbers import normal_text
from kaohe.engine.data.periods import months_on_post, parse_period
from kaohe.engine.data.tables import Dataset
from kaohe.engine.errors import Diagnostic, did_you_mean
from kaohe.engine.ruleset.model import Ruleset


def data_warnings(ruleset: Ruleset, dataset: Dataset, planned: list[str]) -> list[Diagnostic]:
    return [*stray_periods(ruleset, dataset, planned), *unknown_classes(ruleset, dataset),
            *near_event_types(ruleset, dataset)]


def near_event_types(ruleset: Ruleset, dataset: Dataset) -> list[Diagnostic]:
    """Event types in the data that the rules' conditions would match but for spaces, full-width
    characters or case (红 牌 for 红牌): no rule counts them, silently, unless said."""
    written = mentioned_event_types(ruleset)
    if not written or not len(dataset.events):
        return []
    folded = {_folded(t): t for t in sorted(written)}
    coded = dataset.events.text_codes("type")  # the distinct types, coded once for the dataset (rules use it)
    if coded is None:
        return []
    found = []
    for label in sorted(set(coded.labels) - written):
        meant = folded.get(_folded(label))
        if meant is None:
            continue
        rows = np.flatnonzero(coded.codes == coded.lookup[label])
        found.append(Diagnostic("W-DATA-EVENT-TYPE", {
            "table": dataset.events.origin or dataset.origins.get("events", "events"), "label": label,
            "meant": meant, "count": len(rows)}, file=dataset.events.origin or dataset.origins.get("events"),
            line=int(dataset.events.row[rows[0]]), path="type", severity="warning"))
    return found


def mentioned_event_types(ruleset: Ruleset) -> set[str]:
    """The texts the ruleset's expressions compare ``event.type`` with (== '红牌', in ('红牌', '黄牌'))."""
    found: set[str] = set()
    for expression in ruleset.expressions.compiled():
        if "event.type" not in expression.text:
            continue
        for node in ast.walk(expression.node):
            if isinstance(node, ast.Compare) and any(_is_event_type(n) for n in (node.left, *node.comparators)):
                for side in (node.left, *node.comparators):
                    items = side.elts if isinstance(side, ast.Tuple | ast.List) else [side]
                    found |= {i.value for i in items if isinstance(i, ast.Constant) and isinstance(i.value, str)}
    return found


def _is_event_type(node: ast.AST) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr == "type" and isinstance(node.value, ast.Name)
            and node.value.id == "event")


def _folded(text: str) -> str:
    return normal_text(text).casefold()


def unknown_classes(ruleset: Ruleset, dataset: Dataset) -> list[Diagnostic]:
    """Subjects whose class is none the ruleset declares (a title 一线部门 for frontline, Frontline):
    coefficient 1 and no class's indicators, silently, unless said."""
    if not ruleset.classes:
        return []
    labels, codes = dataset.subjects.class_codes()
    declared = list(ruleset.classes)
    by_title = {c.title: c.id for c in ruleset.classes.values()}
    found = []
    for code, label in enumerate(labels):
        if label in ruleset.classes or label in ("", "None", "nan"):
            continue
        holding = np.flatnonzero(codes == code)
        ids = dataset.subjects.ids[holding].tolist()
        lines = dataset.subjects.lines
        shown = "、".join(str(i) for i in ids[:STRAY_SHOWN]) + (f" 等 {len(ids)} 个" if len(ids) > STRAY_SHOWN else "")
        guess = by_title.get(label) or did_you_mean(label, declared) or did_you_mean(label.lower(), declared)
        found.append(Diagnostic("W-DATA-UNKNOWN-CLASS", {
            "table": dataset.origins.get("subjects", "subjects"), "label": label, "subjects": shown,
            "declared": ", ".join(f"{c.id}（{c.title}）" for c in ruleset.classes.values()),
            "suggest": guess or ""}, file=dataset.origins.get("subjects"), severity="warning",
            line=int(lines[holding[0]]) if lines is not None else None,  # the first subject with the class
            column=dataset.subjects.columns.get("class"), path="class"))
    return found


STRAY_SHOWN = 5  # periods named in the warning; the count covers them all


def stray_periods(ruleset: Ruleset, dataset: Dataset, planned: list[str]) -> list[Diagnostic]:
    """A warning for values rows the run never reads that look like the year typed wrong: rows of
    2025Q4 in a 2026 ruleset's data for a subject on post in 2026Q4 with no 2026Q4 row at all (its
    2026Q4 values are then missing: 0 under ``missing: zero``). Other years' rows beside this year's
    are a data file shared between years' rulesets, a leaver has rightly no row, and whole earlier
    years are read as history: none of these is stray."""
    known = set(planned)
    counterparts = {}  # another year's period -> this year's same period, for the periods the data holds
    for period in dataset.values.periods():
        parsed = parse_period(period)
        if period in known or parsed is None or parsed.kind == "year":
            continue  # read, or never mistaken: a whole year's row
        same = replace(parsed, year=ruleset.year)
        if same.id in known:  # else a kind of period this ruleset does not assess (months beside quarters)
            counterparts[period] = same
    if not counterparts:
        return []  # the usual case: every row is of this year's periods
    groups = dataset.values.groups()
    n = dataset.values.n_subjects
    reported = {p.id: np.zeros(n, dtype=bool) for p in counterparts.values()}  # subjects with any row there
    for (period, _), found in groups.items():
        if period in reported:
            reported[period][dataset.values.subject[found]] = True
    subjects_table = dataset.subjects
    lacking = {same.id: (months_on_post(subjects_table.joined, subjects_table.left, same, ruleset.full_month_days) > 0)
               & ~reported[same.id] for same in counterparts.values()}  # on post there, with no row there
    rows: dict[str, int] = {}
    for (period, _), found in groups.items():
        if period not in counterparts:
            continue
        count = int(lacking[counterparts[period].id][dataset.values.subject[found]].sum())
        if count:
            rows[period] = rows.get(period, 0) + count
    return [_stray_warning(dataset, rows, planned)] if rows else []


def _stray_warning(dataset: Dataset, rows: dict[str, int], planned: list[str]) -> Diagnostic:
    periods = sorted(rows)
    more = len(periods) - STRAY_SHOWN
    shown = "、".join(f"{p}（{rows[p]} 个）" for p in periods[:STRAY_SHOWN])
    shown_en = ", ".join(f"{p} ({rows[p]} values)" for p in periods[:STRAY_SHOWN])
    return Diagnostic("W-DATA-OTHER-PERIOD", {
        "table": dataset.origins.get("values", "values"), "count": sum(rows.values()),
        "periods": shown + (f" 等 {len(periods)} 个周期" if more > 0 else ""),
        "periods_en": shown_en + (f" and {more} more" if more > 0 else ""),
        "available": ", ".join(planned)}, file=dataset.origins.get("values"), severity="warning",
        line=dataset.values.period_lines.get(periods[0]))  # the first line of the first such period
