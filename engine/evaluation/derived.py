"""Inputs computed from event records (12345 tickets, grid events …).

Systems that capture records automatically — a hotline's tickets with their
response hours, a grid system's events with handled or not — export one row
per record, not one number per subject. Declared as an input with
``from_events``, such records (rows of the events table) become an input
column per period: the mean response hours, the share handled, a count.
Computed per period from that period's events, columnar (``bincount``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from kaohe.engine.evaluation.cohort import Cohort
from kaohe.engine.evaluation.events import (
    EventView,
    as_numbers,
    as_truth,
    event_columns,
    event_evaluator,
)

HOW = ("mean", "sum", "count", "min", "max", "share")


def derived_inputs(raw: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """Inputs declared with ``from_events``: ``{name: spec}``."""
    inputs = raw.get("inputs") or {}
    return {name: spec["from_events"] for name, spec in inputs.items()
            if isinstance(spec, dict) and isinstance(spec.get("from_events"), dict)}


def derive_inputs(raw: Mapping[str, Any], cohort: Cohort, view: EventView | None, functions: Any) -> None:
    """Fill the cohort's input cache with the derived inputs of its period."""
    specs = derived_inputs(raw)
    if not specs:
        return
    columns = event_columns(raw, view)
    evaluate = event_evaluator(raw, columns, functions)
    subjects = np.asarray(columns["subject"])
    for name, spec in specs.items():
        cohort._inputs[name] = aggregate(spec, evaluate, subjects, cohort.n)


def aggregate(spec: Mapping[str, Any], evaluate: Any, subjects: np.ndarray, n: int) -> np.ndarray:
    chosen = as_truth(evaluate(spec["when"]))
    how = spec.get("how", "mean")
    if how == "count":
        return np.bincount(subjects[chosen], minlength=n).astype(float)
    values = as_numbers(evaluate(spec["value"]))[chosen] if "value" in spec else np.ones(int(chosen.sum()))
    owners = subjects[chosen]
    if how == "share":
        values = (~np.isnan(values) & (values != 0)).astype(float)
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
