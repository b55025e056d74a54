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

from kaohe.engine.data.tables import Events, TextCodes
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
    _codes: dict[str, TextCodes | None] = field(default_factory=dict, repr=False)
    _subjects: np.ndarray | None = field(default=None, repr=False)
    _block: tuple[int, int] | None = field(default=None, repr=False)
    _block_known: bool = field(default=False, repr=False)

    def in_order_block(self) -> tuple[int, int] | None:
        """(a, b) when these events are ``events.in_order()[a:b]``, as a period's usually are (a
        period is a range of dates): their columns are then slices of the dataset's columns in
        date order, not gathered row by row. None otherwise."""
        if not self._block_known:
            self._block_known = True
            size = len(self.index)
            if size and len(self.events.date) == len(self.events.subject):
                order = self.events.in_order()
                start = int(self.events.order_rank()[self.index[0]])
                if start + size <= len(order) and np.array_equal(order[start:start + size], self.index):
                    self._block = (start, start + size)
        return self._block

    def column(self, name: str) -> np.ndarray:
        found = self._columns.get(name)
        if found is None:
            whole = self.table_columns.get(name)
            if whole is None:
                whole = self.table_columns[name] = _table_column(self.events, name)
            found = self._columns[name] = whole[self.index]
        return found

    def text_codes(self, name: str) -> TextCodes | None:
        """Integer codes of a text column for this period's events (None when not plain text)."""
        if name not in self._codes:
            block = self.in_order_block()
            if name in ("date", "row", "subject"):
                self._codes[name] = None
            elif block is not None:
                in_order = self.events.codes_in_order(name)
                self._codes[name] = None if in_order is None else TextCodes(
                    in_order.labels, in_order.lookup, in_order.codes[block[0]:block[1]])
            else:
                whole = self.events.text_codes(name)
                self._codes[name] = None if whole is None else whole.take(self.index)
        return self._codes[name]

    @property
    def subjects(self) -> np.ndarray:
        """Cohort row of each event (read-only: shared by everything that reads the period)."""
        if self._subjects is None:
            block = self.in_order_block()
            if block is not None:
                self._subjects = self.events.subjects_in_order()[block[0]:block[1]]
            else:
                self._subjects = self.events.subject[self.index]
                self._subjects.flags.writeable = False
        return self._subjects


class RecordColumns(Mapping[str, np.ndarray]):
    """Named columns of records (events or items), each built when an expression first reads it:
    a rule on ``event.type`` never pays for turning every event's date into text. ``take`` keeps
    the chosen rows of every column, again only of those read."""

    def __init__(self, names: Sequence[str], build: Callable[[str], np.ndarray], rows: np.ndarray | None = None,
                 codes: Callable[[str], TextCodes | None] | None = None):
        self._names = tuple(dict.fromkeys(names))
        self._build = build
        self._rows = rows
        self._codes = codes
        self._built: dict[str, np.ndarray] = {}
        self._built_codes: dict[str, TextCodes | None] = {}

    def text_codes(self, name: str) -> TextCodes | None:
        """Integer codes of a text column (None when it is not plain text or has no codes), so
        ``event.type == '迟报'`` compares integers; ``kaohe.engine.language.expressions`` asks."""
        if self._codes is None or name not in self._names:
            return None
        if name not in self._built_codes:
            whole = self._codes(name)
            self._built_codes[name] = whole if whole is None or self._rows is None else whole.take(self._rows)
        return self._built_codes[name]

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
        return RecordColumns(self._names, self._build, chosen if self._rows is None else self._rows[chosen],
                             self._codes)


def _table_column(events: Events, name: str) -> np.ndarray:
    """Column ``name`` of the whole events table as expressions read it."""
    built: np.ndarray
    if name == "date":
        built = np.datetime_as_string(events.date, unit="D").astype(object)
    elif name == "row":
        built = events.row.astype(float)
    elif name in ("type", "points", "confirmed") or name in events.fields:
        built = _fixed_width(events, name)
    else:
        built = np.full(len(events.date), np.nan)
    return built


def _fixed_width(events: Events, name: str) -> np.ndarray:
    """A text column as numpy fixed-width text: ``event.type == '迟报'`` then compares in C, not
    one Python string at a time (an object column holding anything but text stays as it is).
    Built from the column's codes, which the dataset keeps."""
    codes = events.text_codes(name)
    column = getattr(events, name) if name in ("type", "points", "confirmed") else events.fields[name]
    return np.asarray(column) if codes is None else codes.fixed_width()


def event_columns(fields: Sequence[str], view: EventView | None) -> Mapping[str, np.ndarray]:
    """The period's events as named columns, ``subject`` (cohort row) first, each built when read."""
    if view is None:
        return {"subject": np.zeros(0, dtype=np.int64)}

    def build(name: str) -> np.ndarray:
        return view.subjects if name == "subject" else view.column(name)

    return RecordColumns(("subject", *fields), build, codes=view.text_codes)


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
