"""The events of one period as columns, and expressions over one event.

Rules, item raters and event lists all read the same view: positions in the
events table (in date order, then source order) and the columns every event
expression may name (``event.type``, ``event.date`` … and the declared
``event_fields``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from kaohe.engine.language.expressions import compile_expression
from kaohe.engine.language.names import event_names

FIXED_FIELDS = ("type", "date", "points", "confirmed", "row")


@dataclass
class EventView:
    """Events of one period: positions in the events table and their columns."""

    index: np.ndarray
    events: Any

    def column(self, name: str) -> np.ndarray:
        events = self.events
        if name == "date":
            return np.datetime_as_string(events.date[self.index], unit="D").astype(object)
        if name == "row":
            return events.row[self.index].astype(float)
        if name in ("type", "points", "confirmed"):
            return getattr(events, name)[self.index]
        column = events.fields.get(name)
        if column is None:
            return np.full(len(self.index), np.nan)
        return column[self.index]


def field_names(raw: Mapping[str, Any]) -> list[str]:
    return [*FIXED_FIELDS, *(raw.get("event_fields") or {})]


def event_columns(raw: Mapping[str, Any], view: EventView | None) -> dict[str, np.ndarray]:
    """The period's events as named columns, ``subject`` (cohort row) first."""
    if view is None:
        return {"subject": np.zeros(0, dtype=np.int64)}
    columns = {name: view.column(name) for name in field_names(raw)}
    return {"subject": view.events.subject[view.index], **columns}


def event_evaluator(raw: Mapping[str, Any], columns: dict[str, np.ndarray],
                    functions: Mapping[str, Any]) -> Callable[[str], np.ndarray]:
    """Evaluate event expressions (each compiled once) over ``columns``."""
    scope = event_names(raw)
    cache: dict[str, Any] = {}

    def evaluate(text: str) -> np.ndarray:
        if text not in cache:
            cache[text] = compile_expression(text, scope, functions)
        return cache[text].evaluate({"event": columns}, len(columns["subject"]))

    return evaluate


def as_numbers(values: Any) -> np.ndarray:
    """An event expression's result as float64 (text that is not a number → NaN)."""
    array = np.asarray(values)
    if array.dtype.kind in "fiub":
        return array.astype(float)
    return np.array([_float(v) for v in array.tolist()], dtype=float)


def as_truth(values: Any) -> np.ndarray:
    """An event condition's result as bools; missing counts as false."""
    array = np.asarray(values)
    if array.dtype.kind == "b":
        return array
    numbers = as_numbers(array)
    return ~np.isnan(numbers) & (numbers != 0)


def _float(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return np.nan
