"""Inputs a leaf indicator reads that the data never supplies.

A column left out of a department's sheet, or a values file for the wrong
year, would otherwise score every subject 0 on the indicators reading it.
When the indicator has not declared what missing data means, that is an
error before anything is scored; with ``missing:`` written, the office has
decided and each subject's missing value follows it. A test case's inline
rows are a fixture holding only the inputs the case is about, so there an
absent input follows the missing policy (and warns, W-MISSING-DEFAULT-ZERO).
Rows for another year's period where this year's is absent are warned of too
(W-DATA-OTHER-PERIOD): the year typed wrong leaves a subject without its value.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from kaohe.engine.data.periods import months_on_post, parse_period
from kaohe.engine.data.tables import Dataset
from kaohe.engine.errors import Diagnostic, KaoheError
from kaohe.engine.registry import Registry
from kaohe.engine.ruleset.model import Indicator, Ruleset


def check_inputs_present(ruleset: Ruleset, dataset: Dataset, registry: Registry) -> None:
    if dataset.fixture:
        return
    supplied = set(dataset.values.inputs())  # from the (period, input) index the reader built: no sort of names
    supplied |= {spec.name for spec in ruleset.derived}
    problems = [
        _absent(ruleset, dataset, indicator, name)
        for indicator in ruleset.walk() if indicator.rater is not None and not indicator.missing_declared
        for name in leaf_inputs(ruleset, registry, indicator) if name not in supplied
    ]
    if problems:
        raise KaoheError(problems)


def leaf_inputs(ruleset: Ruleset, registry: Registry, indicator: Indicator) -> list[str]:
    """Declared value inputs a leaf's rater reads, by name or in its expressions, in order."""
    assert indicator.rater is not None
    rater = registry.rater(indicator.rater.use)
    params = indicator.rater.params
    names = list(rater.inputs(params))
    for text in rater.expressions(params).values():
        names += ruleset.expressions.compile(text, ruleset.scopes.indicator).names
    return [n for n in dict.fromkeys(names) if n in ruleset.inputs]


def _absent(ruleset: Ruleset, dataset: Dataset, indicator: Indicator, name: str) -> Diagnostic:
    assert indicator.rater is not None
    return ruleset.locations.diagnostic(
        "E-DATA-INPUT-ABSENT", indicator.rater.path, input=name, indicator=indicator.id,
        table=dataset.origins.get("values", "values"),
    )


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
        "available": ", ".join(planned)}, file=dataset.origins.get("values"), severity="warning")
