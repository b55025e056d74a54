"""The one competition ranking (1, 1, 3) every stage and plugin uses.

Grading ranks subjects within their groups by the declared keys; peer raters
rank a leaf's values within peer groups; bottom-rank outcomes rank across
the cohort; the expression function ``rank()`` ranks within a declared scope. All of them sort once (``np.lexsort``) and turn the sorted
sequence into ranks with ``sorted_ranks``: equal neighbours share the rank of
the first of them, and a new group starts again at 1.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def sorted_ranks(new_group: np.ndarray, differs: np.ndarray) -> np.ndarray:
    """Ranks of an already sorted sequence.

    ``new_group[i]``: item i starts a group; ``differs[i]``: item i differs
    from the one before (always true where a group starts)."""
    n = len(new_group)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    position = np.arange(n)
    group_start = np.maximum.accumulate(np.where(new_group, position, 0))
    first_equal = np.maximum.accumulate(np.where(differs | new_group, position, 0))
    return (first_equal - group_start + 1).astype(np.int64)


def competition_rank(codes: np.ndarray, keys: Sequence[np.ndarray], pool: np.ndarray) -> np.ndarray:
    """Rank within each group ``codes`` by ascending numeric ``keys`` (primary
    first), for the members of ``pool``; 0 outside it. Items equal on every
    key share a rank."""
    n = len(codes)
    ranks = np.zeros(n, dtype=np.int64)
    index = np.flatnonzero(pool)
    if len(index) == 0:
        return ranks
    columns = [np.asarray(codes)[index], *(np.asarray(k, dtype=float)[index] for k in keys)]
    order = np.lexsort(columns[::-1])  # lexsort's last key is the primary one
    stacked = np.column_stack(columns)[order]
    new_group = np.r_[True, stacked[1:, 0] != stacked[:-1, 0]]
    differs = np.r_[True, (stacked[1:] != stacked[:-1]).any(axis=1)]
    ranks[index[order]] = sorted_ranks(new_group, differs)
    return ranks
