"""The events of one period as columns, and expressions over one event.

Rules, item raters and event lists all read the same view: positions in the
events table (in date order, then source order) and the columns every event
expression may name (``event.type``, ``event.date`` … and the declared
``event_fields``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from kaohe.engine.data.tables import Events
from kaohe.engine.ruleset.model import Ruleset


@dataclass
class EventView:
    """Events of one period: positions in the events table and their columns.

    A column is built when first read, once for the whole events table (``table_columns``, shared
    by every period of an evaluation), and each period takes its rows of it; rules, raters and
    outcomes of the period share the result."""

    index: np.ndarray
    events: Events
    table_columns: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    _columns: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    def column(self, name: str) -> np.ndarray:
        found = self._columns.get(name)
        if found is None:
            whole = self.table_columns.get(name)
            if whole is None:
                whole = self.table_columns[name] = _table_column(self.events, name)
            found = self._columns[name] = whole[self.index]
        return found

    @property
    def subjects(self) -> np.ndarray:
        """Cohort row of each event."""
        rows: np.ndarray = self.events.subject[self.index]
        return rows


class RecordColumns(Mapping[str, np.ndarray]):
    """Named columns of records (events or items), each built when an expression first reads it:
    a rule on ``event.type`` never pays for turning every event's date into text. ``take`` keeps
    the chosen rows of every column, again only of those read."""

    def __init__(self, names: Sequence[str], build: Callable[[str], np.ndarray], rows: np.ndarray | None = None):
        self._names = tuple(dict.fromkeys(names))
        self._build = build
        self._rows = rows
        self._built: dict[str, np.ndarray] = {}

    def __getitem__(self, name: str) -> np.ndarray:
        found = self._built.get(name)
        if found is None:
            if name not in self._names:
                raise KeyError(name)
            column = self._build(name)
            found = self._built[name] = column if self._rows is None else column[self._rows]
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def take(self, rows: np.ndarray) -> RecordColumns:
        """The same columns for ``rows`` (a mask or positions) of these records."""
        chosen = np.flatnonzero(rows) if rows.dtype == bool else rows
        return RecordColumns(self._names, self._build, chosen if self._rows is None else self._rows[chosen])


def _table_column(events: Events, name: str) -> np.ndarray:
    """Column ``name`` of the whole events table as expressions read it."""
    built: np.ndarray
    if name == "date":
        built = np.datetime_as_string(events.date, unit="D").astype(object)
    elif name == "row":
        built = events.row.astype(float)
    elif name in ("type", "points", "confirmed"):
        built = _fixed_width(np.asarray(getattr(events, name)))
    elif name in events.fields:
        built = _fixed_width(np.asarray(events.fields[name]))
    else:
        built = np.full(len(events.date), np.nan)
    return built


def _fixed_width(column: np.ndarray) -> np.ndarray:
    """A text column as numpy fixed-width text: ``event.type == '迟报'`` then compares in C, not
    one Python string at a time (an object column holding anything but text stays as it is)."""
    if column.dtype != object or not len(column) or set(map(type, column.tolist())) != {str}:
        return column
    fixed: np.ndarray = column.astype(str)
    return fixed


def event_columns(fields: Sequence[str], view: EventView | None) -> Mapping[str, np.ndarray]:
    """The period's events as named columns, ``subject`` (cohort row) first, each built when read."""
    if view is None:
        return {"subject": np.zeros(0, dtype=np.int64)}

    def build(name: str) -> np.ndarray:
        return view.subjects if name == "subject" else view.column(name)

    return RecordColumns(("subject", *fields), build)


def event_evaluator(ruleset: Ruleset, columns: Mapping[str, np.ndarray]) -> Callable[[str], np.ndarray]:
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


def event_access(ruleset: Ruleset, view: EventView | None) -> tuple[Mapping[str, np.ndarray], Callable[[str], np.ndarray]]:
    """The period's event columns and an evaluator of event expressions over them."""
    columns = event_columns(ruleset.declared.event_columns, view)
    return columns, event_evaluator(ruleset, columns)
