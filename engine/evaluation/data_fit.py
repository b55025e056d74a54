"""Data that loads but does not fit the ruleset, warned of before anything is scored.

Each warning points at the data file, says what was found and what the ruleset declares, and
never stops the run (the office decides): values for another year's period where this year's
is absent, most likely the year typed wrong (W-DATA-OTHER-PERIOD); subjects whose class the
ruleset does not declare, which then take coefficient 1 and only the indicators for every class
(W-DATA-UNKNOWN-CLASS).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from kaohe.engine.data.periods import months_on_post, parse_period
from kaohe.engine.data.tables import Dataset
from kaohe.engine.errors import Diagnostic, did_you_mean
from kaohe.engine.ruleset.model import Ruleset


def data_warnings(ruleset: Ruleset, dataset: Dataset, planned: list[str]) -> list[Diagnostic]:
    return [*stray_periods(ruleset, dataset, planned), *unknown_classes(ruleset, dataset)]


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
    groups = dataset.values.groups()
    reported: dict[str, set[int]] = {}  # each period: the subjects with any row in it
    for (period, _), found in groups.items():
        reported.setdefault(period, set()).update(dataset.values.subject[found].tolist())
    rows: dict[str, int] = {}
    for (period, _), found in groups.items():
        parsed = parse_period(period)
        if period in known or parsed is None or parsed.kind == "year":
            continue  # read, or never mistaken: a whole year's row
        counterpart = replace(parsed, year=ruleset.year)
        if counterpart.id not in known:
            continue  # a kind of period this ruleset does not assess (a monthly file beside a quarterly one)
        on_post = months_on_post(dataset.subjects.joined, dataset.subjects.left, counterpart,
                                 ruleset.full_month_days) > 0
        subjects = dataset.values.subject[found]
        absent = ~np.isin(subjects, list(reported.get(counterpart.id, ())))
        count = int((on_post[subjects] & absent).sum())
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
