"""The one answer to "is this condition true?" for every column.

Rules (``when``, ``require``), vetoes, ``exclude``, eligibility, outcome and
event-list conditions, derived-input filters and ``share``, ``where``,
``if … else``, ``and``/``or``/``not`` all go through ``truth``, so one column
means the same thing wherever a condition reads it:

=====================  ===========  ==========================================
value                  true?        why
=====================  ===========  ==========================================
missing (NaN, None)    false        a condition about unknown data is not met
0, 0.0                 false
any other number       true
empty text ``''``      false        a blank cell is "nothing there"
是 对 yes true y t 1 √  true         the words the data tables read as yes
否 不 no false n f 0 ×  false        the words the data tables read as no
any other text         true         a non-empty remark, task name, label
=====================  ===========  ==========================================

Words are compared trimmed and case-blind; the table is documented for policy
staff in docs/ruleset-format.md (条件的真假).
"""

from __future__ import annotations

from typing import Any

import numpy as np

YES_WORDS = frozenset({"true", "yes", "y", "t", "是", "对", "1", "√"})
NO_WORDS = frozenset({"false", "no", "n", "f", "否", "不", "0", "×"})


def truth(values: Any) -> np.ndarray:
    """Each value's truth as a bool array of the same shape (see the table above)."""
    array = np.asarray(values)
    kind = array.dtype.kind
    result: np.ndarray
    if kind == "b":
        result = array
    elif kind in "fc":
        result = np.nan_to_num(array, nan=0.0) != 0
    elif kind in "iu":
        result = array != 0
    elif kind == "M":
        result = ~np.isnat(array)
    else:
        result = np.array([value_truth(v) for v in array.ravel().tolist()], dtype=bool).reshape(array.shape)
    return result


def value_truth(value: Any) -> bool:
    """The truth of one value, by the same table."""
    if value is None:
        return False
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | float | np.integer | np.floating):
        return value == value and value != 0  # NaN != NaN
    if isinstance(value, str):
        word = value.strip().lower()
        return bool(word) and word not in NO_WORDS
    return bool(value)


def missing(values: Any) -> np.ndarray:
    """Where a value is missing: NaN, None or blank text (the table's first row)."""
    array = np.asarray(values)
    kind = array.dtype.kind
    result: np.ndarray
    if kind in "fc":
        result = np.isnan(array)
    elif kind in "biu":
        result = np.zeros(array.shape, dtype=bool)
    elif kind == "M":
        result = np.isnat(array)
    else:
        flat = [v is None or (isinstance(v, float) and v != v) or (isinstance(v, str) and not v.strip())
                for v in array.ravel().tolist()]
        result = np.array(flat, dtype=bool).reshape(array.shape)
    return result
