"""Inputs computed from event records (12345 tickets, grid events …).

Systems that capture records automatically — a hotline's tickets with their
response hours, a grid system's events with handled or not — export one row
per record, not one number per subject. Declared as an input with
``from_events``, such records (rows of the events table) become an input
column per period: the mean response hours, the share handled, a count.
Computed per period from that period's events, columnar (``bincount``).
``from_items`` aggregates the same way over the rectification items alive in
the period (open, overdue, closed in it: ``kaohe.engine.evaluation.items``).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from kaohe.engine.evaluation.cohort import Cohort
from kaohe.engine.evaluation.events import EventView, as_numbers, event_access
from kaohe.engine.evaluation.items import ItemView, item_columns
from kaohe.engine.language.expressions import Expression
from kaohe.engine.language.truth import missing, truth
from kaohe.engine.ruleset.model import DerivedInput, Ruleset


def derive_inputs(ruleset: Ruleset, cohort: Cohort, view: EventView | None, items: ItemView | None = None) -> None:
    """Fill the cohort's input cache with the derived inputs of its period:
    ``from_events`` over the period's events, ``from_items`` over the items alive in it."""
    if not ruleset.derived:
        return
    records = {"event": event_access(ruleset, view)[0], "item": item_columns(ruleset, items)}
    for spec in ruleset.derived:
        columns = records[spec.records]
        subjects = np.asarray(columns["subject"])

        def evaluate(expression: Expression, name: str = spec.records, size: int = len(subjects)) -> np.ndarray:
            return expression.evaluate({name: records[name]}, size)

        cohort._inputs[spec.name] = aggregate(spec, evaluate, subjects, cohort.n)


def aggregate(spec: DerivedInput, evaluate: Callable[[Expression], np.ndarray], subjects: np.ndarray,
              n: int) -> np.ndarray:
    chosen = truth(evaluate(spec.when))
    how = spec.how
    if how == "count":
        return np.bincount(subjects[chosen], minlength=n).astype(float)
    owners = subjects[chosen]
    if spec.value is None:
        values = np.ones(int(chosen.sum()))
    elif how == "share":  # share of records whose value is true; a record without it is left out
        raw = np.asarray(evaluate(spec.value))[chosen]
        values = np.where(missing(raw), np.nan, truth(raw).astype(float))
    else:
        values = as_numbers(evaluate(spec.value))[chosen]
    present = ~np.isnan(values)  # a record without the measure is left out, not counted as 0
    owners, values = owners[present], values[present]
    counts = np.bincount(owners, minlength=n)
    if how == "sum":
        return np.bincount(owners, weights=values, minlength=n)
    if how in ("min", "max"):
        out = np.full(n, np.inf if how == "min" else -np.inf)
        (np.minimum if how == "min" else np.maximum).at(out, owners, values)
        return np.where(counts > 0, out, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, np.bincount(owners, weights=values, minlength=n) / np.maximum(counts, 1), np.nan)
