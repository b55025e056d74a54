"""The events of one period as columns, and expressions over one event.

Rules, item raters and event lists all read the same view: positions in the
events table (in date order, then source order) and the columns every event
expression may name (``event.type``, ``event.date`` … and the declared
``event_fields``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from kaohe.engine.data.tables import Events
from kaohe.engine.ruleset.model import Ruleset


@dataclass
class EventView:
    """Events of one period: positions in the events table and their columns.

    Columns are built once per period and shared by every rule, rater and
    outcome that reads them."""

    index: np.ndarray
    events: Events
    _columns: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    def column(self, name: str) -> np.ndarray:
        found = self._columns.get(name)
        if found is None:
            found = self._columns[name] = self._build(name)
        return found

    def _build(self, name: str) -> np.ndarray:
        events = self.events
        built: np.ndarray
        if name == "date":
            built = np.datetime_as_string(events.date[self.index], unit="D").astype(object)
        elif name == "row":
            built = events.row[self.index].astype(float)
        elif name in ("type", "points", "confirmed"):
            built = np.asarray(getattr(events, name)[self.index])
        elif name in events.fields:
            built = events.fields[name][self.index]
        else:
            built = np.full(len(self.index), np.nan)
        return built

    @property
    def subjects(self) -> np.ndarray:
        """Cohort row of each event."""
        rows: np.ndarray = self.events.subject[self.index]
        return rows


def event_columns(fields: Sequence[str], view: EventView | None) -> dict[str, np.ndarray]:
    """The period's events as named columns, ``subject`` (cohort row) first."""
    if view is None:
        return {"subject": np.zeros(0, dtype=np.int64)}
    return {"subject": view.subjects, **{name: view.column(name) for name in fields}}


def event_evaluator(ruleset: Ruleset, columns: dict[str, np.ndarray]) -> Callable[[str], np.ndarray]:
    """Evaluate event expressions over ``columns``; each text was compiled at load."""
    table, scope = ruleset.expressions, ruleset.scopes.event
    size = len(columns["subject"])

    def evaluate(text: str) -> np.ndarray:
        return table.compile(text, scope).evaluate({"event": columns}, size)

    return evaluate


def as_numbers(values: Any) -> np.ndarray:
    """An event expression's result as float64 (text that is not a number → NaN)."""
    array = np.asarray(values)
    if array.dtype.kind in "fiub":
        return array.astype(float)
    return np.array([_float(v) for v in array.tolist()], dtype=float)


def _float(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return np.nan


def event_access(ruleset: Ruleset, view: EventView | None) -> tuple[dict[str, np.ndarray], Callable[[str], np.ndarray]]:
    """The period's event columns and an evaluator of event expressions over them."""
    columns = event_columns(ruleset.declared.event_columns, view)
    return columns, event_evaluator(ruleset, columns)
