"""Work done once per distinct value, not once per row.

Many per-subject values depend only on a few columns with few distinct values
(a quota's places on the share and the group's size; a grade reason's text on
the total, the grade and the line). ``distinct_rows`` finds each distinct
combination once, in numpy, so the work that cannot be vectorised (a Decimal
rounding, a sentence) runs per combination and is spread back by index.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np

T = TypeVar("T")


def codes(values: Any) -> tuple[np.ndarray, int]:
    """Each value's place among the distinct values (NaN one of its own), and how many there are;
    the values must compare with each other (numbers, or texts without None)."""
    distinct, where = np.unique(np.asarray(values), return_inverse=True)
    return where.reshape(-1).astype(np.int64), len(distinct)


def distinct_rows(*columns: Any) -> tuple[np.ndarray, np.ndarray]:
    """The first row of each distinct combination of ``columns`` (equal-length arrays), and the
    combination each row has (an index into the first)."""
    key = np.zeros(len(columns[0]) if columns else 0, dtype=np.int64)
    room = 1
    for column in columns:
        code, count = codes(column)
        if room * max(count, 1) >= 2**62:  # the mixed-radix key would overflow: renumber it first
            key, room = codes(key)
        key, room = key * max(count, 1) + code, room * max(count, 1)
    _, first, where = np.unique(key, return_index=True, return_inverse=True)
    return first, where.reshape(-1)


def per_distinct(compute: Callable[[int], T], *columns: Any) -> list[T]:
    """``compute(i)`` for every row ``i``, called once per distinct combination of ``columns`` (the
    columns ``compute`` depends on) with its first row."""
    first, where = distinct_rows(*columns)
    made = np.empty(len(first), dtype=object)
    for k, i in enumerate(first.tolist()):  # one by one: a value that is a list stays one value
        made[k] = compute(i)
    spread: list[T] = made[where].tolist()
    return spread
