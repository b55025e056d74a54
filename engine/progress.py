"""Progress of a long run, told to whoever listens (the command line's bar on a terminal).

The engine names its steps (reading the ruleset, reading the data, each period,
writing the results) through ``step``; by default nobody listens and a step
costs one context-variable look-up. ``kaohe evaluate`` on a terminal installs
a listener (``listening``) that draws a bar on standard error once a run has
taken more than about a second; tests install one that records the steps.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Protocol


class Listener(Protocol):
    def step(self, zh: str, en: str, done: int | None = None, total: int | None = None) -> None:
        """A step begins: its words in each language and, in a counted stage, how far along it is."""


_LISTENER: ContextVar[Listener | None] = ContextVar("kaohe_progress", default=None)


def step(zh: str, en: str, done: int | None = None, total: int | None = None) -> None:
    listener = _LISTENER.get()
    if listener is not None:
        listener.step(zh, en, done, total)


@contextmanager
def listening(listener: Listener) -> Iterator[Listener]:
    token = _LISTENER.set(listener)
    try:
        yield listener
    finally:
        _LISTENER.reset(token)


def silence() -> None:
    """No one listens from here on (a forked helper process, whose parent tells the progress)."""
    _LISTENER.set(None)
