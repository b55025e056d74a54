"""Warnings a data source leaves while it reads (a CSV read as GBK), for the load to hand on.

``DataSource.read`` returns a table, not a list of warnings; a source calls
``note(diagnostic)`` and ``kaohe.engine.data.load.load_dataset``, which opens
``noting()`` around its reads, puts what was noted on ``Dataset.warnings``
next to its own (title rows skipped). Outside a load (a source's own tests)
a note goes nowhere.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from kaohe.engine.errors import Diagnostic

_NOTES: ContextVar[list[Diagnostic] | None] = ContextVar("kaohe_data_notes", default=None)


def note(diagnostic: Diagnostic) -> None:
    """Leave a warning for the load that is reading (none: dropped)."""
    notes = _NOTES.get()
    if notes is not None:
        notes.append(diagnostic)


@contextmanager
def noting() -> Iterator[list[Diagnostic]]:
    """Collect the notes sources leave until the block ends."""
    notes: list[Diagnostic] = []
    token = _NOTES.set(notes)
    try:
        yield notes
    finally:
        _NOTES.reset(token)
