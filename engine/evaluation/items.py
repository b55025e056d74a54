"""Rectification items in one period: which are alive, open, overdue or closed.

An item is *in* a period when it was opened by the period's last day and was
not closed before its first day (opened ≤ end and (no closing day or closed
≥ start)): an item opened in Q1 and closed in Q3 is in Q1, Q2 and Q3 and
gone from Q4. Every per-item rule, ``from_items`` input and item list of the
period reads these items, as columns built once per period
(``ItemView.column``), like the period's events (``events.EventView``).

With S the period's first day, E its last, D the deadline and C the closing
day (none while open), a day t is overdue when D < t ≤ C (the closing day is
late when it falls after the deadline; the deadline itself never is) and
t ≤ E. Hence, in whole days:

- ``open``: not closed by E (C is none or C > E);
- ``closed_in_period``: S ≤ C ≤ E (the 销号 of the period);
- ``overdue_days`` = max(0, min(C, E) − D): days overdue up to E;
- ``overdue_days_before`` = max(0, min(C, S − 1) − D): up to the previous
  period's end, so ``overdue_days_in_period`` = the difference counts each
  overdue day in exactly one period;
- ``overdue``: open at E and past its deadline (E > D);
- ``status``: 已销号 (closed by E), 逾期 (overdue) or 未到期 (open, not yet due).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from kaohe.engine.data.periods import Period
from kaohe.engine.data.tables import Items
from kaohe.engine.language.names import ITEM_STATE
from kaohe.engine.ruleset.model import Ruleset

DAY = np.timedelta64(1, "D")


@dataclass
class ItemView:
    """Items alive in one period: positions in the items table and their columns."""

    index: np.ndarray
    items: Items
    start: np.datetime64
    end: np.datetime64
    _columns: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    @property
    def subjects(self) -> np.ndarray:
        """Cohort row of each item."""
        rows: np.ndarray = self.items.subject[self.index]
        return rows

    def column(self, name: str) -> np.ndarray:
        found = self._columns.get(name)
        if found is None:
            found = self._columns[name] = self._build(name)
        return found

    def _build(self, name: str) -> np.ndarray:
        items, index = self.items, self.index
        built: np.ndarray
        days = {"opened": items.opened, "deadline": items.deadline, "closed": items.closed}.get(name)
        if days is not None:  # 'YYYY-MM-DD' like event.date; a blank closing day (open) is ''
            built = np.where(np.isnat(days[index]), "", np.datetime_as_string(days[index], unit="D")).astype(object)
        elif name == "row":
            built = items.row[index].astype(float)
        elif name in ("id", "owner"):
            built = (items.id if name == "id" else items.owner)[index]
        elif name in items.fields:
            built = items.fields[name][index]
        elif name in ITEM_STATE:  # the state columns come together: compute them once
            self._columns.update(_state(items.deadline[index], items.closed[index], self.start, self.end))
            built = self._columns[name]
        else:
            built = np.full(len(index), np.nan)
        return built


def _days_late(until: np.ndarray, deadline: np.ndarray) -> np.ndarray:
    late: np.ndarray = np.maximum((until - deadline) / DAY, 0.0)
    return late


def _state(deadline: np.ndarray, closed: np.ndarray, start: np.datetime64, end: np.datetime64) -> dict[str, np.ndarray]:
    """Each item's state at the period's end (formulas in the module docstring)."""
    shut = ~np.isnat(closed)
    open_ = ~shut | (closed > end)
    upto_end = np.where(shut, np.minimum(closed, end), end)
    upto_before = np.where(shut, np.minimum(closed, start - DAY), start - DAY)
    days, before = _days_late(upto_end, deadline), _days_late(upto_before, deadline)
    overdue = open_ & (end > deadline)
    status = np.where(~open_, "已销号", np.where(overdue, "逾期", "未到期")).astype(object)
    return {"open": open_, "overdue": overdue, "closed_in_period": shut & (closed >= start) & (closed <= end),
            "overdue_days": days, "overdue_days_before": before, "overdue_days_in_period": days - before,
            "status": status}


def items_in(items: Items, period: Period) -> ItemView:
    """The items alive in ``period``, in opening order, then source order."""
    start, end = np.datetime64(period.start, "D"), np.datetime64(period.end, "D")
    alive = (items.opened <= end) & (np.isnat(items.closed) | (items.closed >= start)) & (items.subject >= 0)
    index = np.flatnonzero(alive)
    order = np.lexsort((items.row[index], items.opened[index])) if len(index) else index
    return ItemView(index[order], items, start, end)


def no_items() -> ItemView:
    """The view of a period without items (a caller that read no items table)."""
    nat = np.datetime64("NaT", "D")
    return ItemView(np.zeros(0, dtype=np.int64), Items.empty(), nat, nat)


def item_columns(ruleset: Ruleset, view: ItemView | None) -> dict[str, np.ndarray]:
    """The period's items as named columns, ``subject`` (cohort row) first."""
    if view is None:
        return {"subject": np.zeros(0, dtype=np.int64)}
    return {"subject": view.subjects, **{name: view.column(name) for name in ruleset.declared.item_columns}}


def item_access(ruleset: Ruleset, view: ItemView | None) -> tuple[dict[str, np.ndarray], Callable[[str], np.ndarray]]:
    """The period's item columns and an evaluator of item expressions over them (compiled at load)."""
    columns = item_columns(ruleset, view)
    table, scope, size = ruleset.expressions, ruleset.scopes.item, len(columns["subject"])

    def evaluate(text: str) -> np.ndarray:
        return table.compile(text, scope).evaluate({"item": columns}, size)

    return columns, evaluate
