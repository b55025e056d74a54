"""Which results store the data sources read: the one ``evaluate`` records into.

``history: {source: store}`` and ``results: {source: results, from: store}``
read a store the ruleset never names: an office's store is a setting of the
office (``--store``, else ``store`` in the project's ``kaohe.toml``), not a
rule. The command line sets ``--store`` here for the length of a command
(``using``); without it the project's ``kaohe.toml`` is read, exactly as
``kaohe evaluate --store`` resolves it. No store at all is a located error at
the ruleset line that asked for one (``E-STORE-HISTORY-NONE``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from kaohe.engine.errors import Diagnostic, KaoheError
from kaohe.engine.store.config import chosen_store
from kaohe.engine.store.url import StoreTarget

_GIVEN: ContextVar[StoreTarget | None] = ContextVar("kaohe_data_store", default=None)


@contextmanager
def using(target: StoreTarget | None) -> Iterator[None]:
    """Let data sources read ``target`` (``--store``) while the block runs."""
    token = _GIVEN.set(target)
    try:
        yield
    finally:
        _GIVEN.reset(token)


def store_for(ruleset_dir: Path, missing: Diagnostic) -> StoreTarget:
    """The store to read for a ruleset in ``ruleset_dir``; ``missing`` (located) when none is named."""
    given = _GIVEN.get()
    target = given if given is not None else chosen_store(None, ruleset_dir)
    if target is None:
        raise KaoheError(missing)
    return target


def recording() -> bool:
    """Whether the store read is the one this command records into (it may then be created now:
    the first evaluation of an office finds an empty store, not a missing one)."""
    return _GIVEN.get() is not None
