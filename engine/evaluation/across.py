"""Places counted across ranking groups (``across_groups``): a province-wide cap on 优秀.

Each ranking group's own ``quota`` is applied first. The subjects still holding the
grade are then counted within the declared scope (``within``: the whole period, a
class, a unit or a declared column) in the overall ranking order — the tie-break
keys, then id, the order money remainders use — and those beyond the scope's places
move down one grade, where the next grade's rules apply to them as to anyone.

One function decides (``decide``). A single process calls it with the period's
holders; a partitioned run (``kaohe.engine.distributed``) gathers every partition's
holders and scope sizes and calls the same function once for all of them, then
hands each partition its refusals (``deciding``), so both runs place the same people.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

import numpy as np

from kaohe.engine.evaluation.shares import quota_places
from kaohe.engine.ruleset.model import AcrossQuota


@dataclass
class Holders:
    """The subjects holding ``grade`` in ``period`` after their groups' quotas, in id order."""

    period: str
    grade: str
    ids: np.ndarray  # subject ids
    keys: list[tuple[np.ndarray, bool]]  # their ranking keys as computed (column, descending)
    scope: np.ndarray  # each holder's scope label (text)


@dataclass
class Decision:
    refused: np.ndarray  # per holder: beyond the places of its scope
    places: dict[str, int]  # scope label -> places
    sizes: dict[str, int]  # scope label -> subjects ranked in it


Decider = Callable[[AcrossQuota, Holders, dict[str, int]], Decision]


def decide(across: AcrossQuota, holders: Holders, sizes: dict[str, int]) -> Decision:
    """Refuse the holders beyond their scope's places, worst in the overall order first.
    ``sizes``: the subjects ranked in each scope (the base of ``max_share``)."""
    from kaohe.engine.evaluation.grading import sort_keys  # grading imports this module

    labels = sorted(sizes)
    size = np.array([sizes[label] for label in labels], dtype=np.int64)
    share = None if across.max_share is None else np.full(len(labels), float(across.max_share))
    most = None if across.max_count is None else np.full(len(labels), float(across.max_count))
    allowed = quota_places(across.rounding, size, share, np.full(len(labels), float(across.min_count)), most)
    places = dict(zip(labels, allowed.tolist(), strict=True))
    n = len(holders.ids)
    if n == 0:
        return Decision(np.zeros(0, dtype=bool), places, dict(sizes))
    # best first; equal on every key: id order, as holders are given (lexsort is stable)
    order = np.lexsort(list(reversed(sort_keys(holders.keys))))
    scope = holders.scope[order].astype(str)
    by_scope = np.argsort(scope, kind="stable")  # within a scope, still best first
    runs = scope[by_scope]
    starts = np.r_[0, np.flatnonzero(runs[1:] != runs[:-1]) + 1]
    position = np.arange(n) - np.repeat(starts, np.diff(np.r_[starts, n]))
    limit = np.array([places.get(label, 0) for label in runs.tolist()], dtype=np.int64)
    refused = np.zeros(n, dtype=bool)
    refused[order[by_scope[position >= limit]]] = True
    return Decision(refused, places, dict(sizes))


_decider: ContextVar[Decider] = ContextVar("kaohe_across_decider", default=decide)


def current() -> Decider:
    return _decider.get()


@contextmanager
def deciding(decider: Decider) -> Iterator[None]:
    """Use ``decider`` for the across-group places of evaluations run inside the block."""
    token = _decider.set(decider)
    try:
        yield
    finally:
        _decider.reset(token)
