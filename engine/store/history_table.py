"""The history table read from the store: ``data: {history: {source: store, …}}``.

Builds the rows the years functions read (``subject, year`` and the declared
``history_fields``) from this jurisdiction's signed-off year results
(``history.py``), under today's subject ids (``renames.py``). Parameters:

- ``years: N``: the N years before the ruleset's year are needed; without it,
  every year from the first signed-off one up to the year before;
- ``fields: {history field: grade | total | rank}``: which result each
  declared history field is; a field named ``grade``, ``total`` or ``rank``
  needs no entry;
- ``renamed: data/renamed.csv`` (``old_id,new_id``) and ``merged: better | worse``.

A needed year without a signed-off run is a gap (what ``missing`` says of a
year without a result) and a warning naming the years (``W-STORE-HISTORY-GAP``);
subjects no longer in the subjects table are left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kaohe.engine.components import RawTable
from kaohe.engine.data.context import DataContext
from kaohe.engine.data.load import read_table
from kaohe.engine.errors import KaoheError
from kaohe.engine.ruleset.project import project_path, project_root
from kaohe.engine.store.data_store import recording, store_for
from kaohe.engine.store.database import opened
from kaohe.engine.store.history import YearResult, signed_off_years, year_results
from kaohe.engine.store.readable import STORED
from kaohe.engine.store.renames import Renames, apply_renames, read_renames


def history_table(params: Mapping[str, Any], context: DataContext) -> RawTable:
    ruleset = context.ruleset
    fields = field_sources(params, context)
    renames = renames_of(params, context)
    missing = context.diagnostic("E-STORE-HISTORY-NONE", params, "source", file=jurisdiction(context))
    target = store_for(ruleset.base_dir, missing)
    with opened(target, create=recording()) as store:
        chosen = signed_off_years(store, jurisdiction(context), ruleset.year)
        results = apply_renames(year_results(store, chosen), renames, params.get("merged"))
    needed = needed_years(params, ruleset.year, chosen)
    context.history_since = needed[0] if needed else None
    gaps = [y for y in needed if y not in chosen]
    if gaps:
        context.warnings.append(context.diagnostic(
            "W-STORE-HISTORY-GAP", params, "years", years=", ".join(map(str, gaps)),
            file=jurisdiction(context), url=target.shown).with_location(severity="warning"))
    return rows_table(results, fields, current_ids(context), f"{target.shown}#history")


def jurisdiction(context: DataContext) -> str:
    """The ruleset's folder relative to the project root: the ``runs.jurisdiction`` its runs carry."""
    return project_path(context.ruleset.base_dir, project_root(context.ruleset.base_dir))


def needed_years(params: Mapping[str, Any], year: int, chosen: Mapping[int, int]) -> list[int]:
    count = params.get("years")
    if isinstance(count, int) and count > 0:
        return list(range(year - count, year))
    first = min([*chosen, year - 1])
    return list(range(first, year))


def field_sources(params: Mapping[str, Any], context: DataContext) -> dict[str, str]:
    """Declared history field → the stored result it is; one the store does not hold is refused."""
    declared = context.ruleset.declared.history_fields
    named = params.get("fields") or {}
    sources = {f: str(named.get(f, f)) for f in declared}
    wrong = [f for f, s in sources.items() if s not in STORED]
    if wrong or not declared:
        raise KaoheError(context.diagnostic("E-STORE-HISTORY-FIELD", params, "fields",
                                            fields=", ".join(wrong) or "—", stored=", ".join(STORED)))
    return sources


def renames_of(params: Mapping[str, Any], context: DataContext) -> Renames:
    path = params.get("renamed")
    if not isinstance(path, str):
        return Renames({})
    renames = read_renames(read_table("history", {"source": "csv", "path": path}, context.ruleset.base_dir,
                                      context.registry))
    merges = renames.merges()
    if merges and params.get("merged") is None:
        new, olds = next(iter(merges.items()))
        raise KaoheError(context.diagnostic("E-STORE-HISTORY-MERGED", params, "renamed", new=new,
                                            old=", ".join(olds)))
    return renames


def current_ids(context: DataContext) -> set[str]:
    return {subject for subject, _ in context.subject_column("id") or []}


def rows_table(results: list[YearResult], fields: Mapping[str, str], known: set[str], origin: str) -> RawTable:
    names = list(fields)
    rows = [[r.subject, r.year, *(getattr(r, fields[f]) for f in names)]
            for r in results if r.subject in known]
    return RawTable(columns=["subject", "year", *names], rows=rows, origin=origin,
                    row_numbers=list(range(1, len(rows) + 1)), header_line=None)
