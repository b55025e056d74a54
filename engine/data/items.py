"""The items table: rectification (整改) and supervision (督办) items with a life.

An item is opened on a day, is due by its deadline and is closed (销号) on a
day, or not yet; unlike an event it is not placed in one period but lives
across periods until it is closed. This module reads and checks the table;
``kaohe.engine.evaluation.items`` places the items in each period.

Checks, each located at the cell to blame: the fixed date columns must be
dates (``E-DATA-BAD-DATE``), an item cannot be due or closed before it was
opened (``E-DATA-ITEM-DEADLINE``, ``E-DATA-ITEM-CLOSED``), and item ids are
unique across the whole table (``E-DATA-ITEM-DUPLICATE``): an item carried
into a later period is the same row, never a copy.
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np

from kaohe.engine.data.sheet import Sheet, duplicates
from kaohe.engine.data.tables import Items, Subjects, label_codes

ITEM_COLUMNS = ("id", "subject", "opened", "deadline", "closed", "owner")


def build_items(sheet: Sheet, subjects: Subjects | None, item_fields: Collection[str] | None) -> Items:
    """Typed items; ``item_fields`` (None: any) are the free columns a ruleset declares."""
    others = [c for c in sheet.positions if c not in ITEM_COLUMNS]
    if item_fields is not None:
        others = sheet.only([*ITEM_COLUMNS, *item_fields], others)
    if not sheet.require("id", "subject", "opened", "deadline"):
        return Items.empty()
    ids, subject = sheet.text("id", required=True), sheet.subject(subjects)
    opened, deadline = sheet.date("opened", required=True), sheet.date("deadline", required=True)
    closed = sheet.date("closed")
    _check_order(sheet, opened, deadline, "deadline", "E-DATA-ITEM-DEADLINE")
    _check_order(sheet, opened, closed, "closed", "E-DATA-ITEM-CLOSED")
    _check_unique(sheet, ids)
    return Items(id=ids, subject=subject, opened=opened, deadline=deadline, closed=closed,
                 owner=sheet.text("owner"), fields=sheet.extras(others), row=sheet.rows, origin=sheet.origin)


def _check_order(sheet: Sheet, opened: np.ndarray, later: np.ndarray, column: str, code: str) -> None:
    """``later`` (deadline or closing day) before the opening day; NaT compares false, so blanks pass."""
    for i in np.flatnonzero(later < opened).tolist():  # a loop over the bad rows only
        sheet.at(code, i, column, id=sheet.column("id")[i], opened=str(opened[i]), **{column: str(later[i])})


def _check_unique(sheet: Sheet, ids: np.ndarray) -> None:
    for later, first in duplicates([label_codes(ids)[1]]):
        if ids[later]:
            sheet.at("E-DATA-ITEM-DUPLICATE", later, "id", id=ids[later], first=int(sheet.rows[first]))
