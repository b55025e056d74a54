"""Previous years' results as the frame the years functions read.

The history table holds one row per subject and earlier year (grade,
total, flags … as declared in ``history_fields``). The frame has one
environment per calendar year from the first year in the table up to the
year before the ruleset's, oldest first, so a year missing for everyone is
still a gap that breaks a streak. A subject without a row for a year, or
whose row leaves every field blank, was not assessed that year. A source that
was asked for a window of years (``History.since``) starts the frame there.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from kaohe.engine.data.tables import History
from kaohe.engine.language.periodic import PeriodFrame
from kaohe.engine.language.truth import missing


def history_frame(history: History, fields: tuple[str, ...], year: int, n: int) -> PeriodFrame | None:
    """The frame of the years before ``year``; None when no history fields are declared."""
    if not fields:
        return None
    earlier = history.year < year
    first = [int(history.year[earlier].min())] if earlier.any() else []
    if history.since is not None and history.since < year:
        first.append(history.since)  # the window a source was asked for: its missing first years are gaps
    years = range(min(first), year) if first else range(0)
    environments: list[dict[str, Any]] = []
    assessed: list[np.ndarray] = []
    for y in years:
        rows = np.flatnonzero(history.year == y)
        env = {name: _column(history.fields.get(name), rows, history.subject[rows], n) for name in fields}
        filled = np.zeros(n, dtype=bool)
        for name in fields:
            filled |= ~missing(env[name])
        environments.append(env)
        assessed.append(filled)
    return PeriodFrame(n, "year", {"year": environments}, {"year": assessed})


def _column(values: np.ndarray | None, rows: np.ndarray, subjects: np.ndarray, n: int) -> np.ndarray:
    """One field for every subject in one year: the row's value, missing where there is no row."""
    numeric = values is None or values.dtype.kind == "f"
    out: np.ndarray = np.full(n, np.nan) if numeric else np.full(n, "", dtype=object)
    if values is not None:
        out[subjects] = values[rows]
    return out
