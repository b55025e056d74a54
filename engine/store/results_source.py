"""Another ruleset's results as a data table: ``data: {results: {source: results, …}}``.

One method's results feed another (a unit's result → its leadership team, a
section's → its staff). Parameters:

- ``ruleset: ../2025.yaml`` (a file or a jurisdiction folder, relative to this
  ruleset's folder): whose results;
- ``from: evaluate`` (default) evaluates it now on its own data;
  ``from: store`` reads its latest signed-off run (same ruleset id and
  folder) holding ``period`` from the store (``--store`` / ``kaohe.toml``);
- ``period``: which of its periods (default its year, ``"2025"``);
- ``key``: the column of this ruleset's subjects table holding the other
  ruleset's subject id (default ``id``: the same ids);
- ``fields: {this field: total | grade | rank | name}``: the results taken,
  joined to the subjects as fields (declare them in ``subjects.fields``).

The table has one row per subject of this ruleset; a subject whose key finds
no result gets blank fields and a warning (``W-RESULTS-UNMATCHED``).
Evaluating A, which reads B, which reads A, never ends: the chain of rulesets
being evaluated is kept here and a repeat is ``E-RESULTS-CYCLE`` naming it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from kaohe.engine.components import RawTable
from kaohe.engine.data.context import DataContext
from kaohe.engine.errors import KaoheError
from kaohe.engine.evaluation.runner import run
from kaohe.engine.report.results import grade_values, rank_values
from kaohe.engine.report.stream_json import numbers
from kaohe.engine.ruleset.load import load_ruleset, resolve_path
from kaohe.engine.ruleset.project import inside_project, project_path, project_root
from kaohe.engine.store.data_store import recording, store_for
from kaohe.engine.store.readable import TAKEN

SHOWN = 5

_CHAIN: ContextVar[tuple[Path, ...]] = ContextVar("kaohe_results_chain", default=())

Results = dict[str, dict[str, Any]]  # the other ruleset's subject id → {total, grade, rank, name}


def results_table(params: Mapping[str, Any], context: DataContext) -> RawTable:
    fields = taken_fields(params, context)
    other = other_ruleset(params, context)
    key = str(params.get("key") or "id")
    pairs = context.subject_column(key)
    if pairs is None:
        raise KaoheError(context.diagnostic("E-RESULTS-KEY", params, "key", key=key))
    if params.get("from") == "store":
        found, origin = from_store(params, context, other)
    else:
        found, origin = evaluated(params, context, other)
    unmatched = [subject for subject, value in pairs if value not in found]
    if unmatched:
        context.warnings.append(context.diagnostic(
            "W-RESULTS-UNMATCHED", params, "key", key=key, count=len(unmatched), file=origin,
            subjects=", ".join(unmatched[:SHOWN]) + (" …" if len(unmatched) > SHOWN else ""))
            .with_location(severity="warning"))
    rows = [[subject, *(found.get(value, {}).get(fields[f]) for f in fields)] for subject, value in pairs]
    return RawTable(columns=["subject", *fields], rows=rows, origin=f"{origin}#results",
                    row_numbers=list(range(1, len(rows) + 1)), header_line=None)


def taken_fields(params: Mapping[str, Any], context: DataContext) -> dict[str, str]:
    named = params.get("fields")
    wrong = [f for f, s in (named or {}).items() if s not in TAKEN] if isinstance(named, Mapping) else []
    if not isinstance(named, Mapping) or not named or wrong:
        raise KaoheError(context.diagnostic("E-RESULTS-FIELDS", params, "fields", fields=", ".join(wrong) or "—",
                                            taken=", ".join(TAKEN)))
    return {str(f): str(s) for f, s in named.items()}


def other_ruleset(params: Mapping[str, Any], context: DataContext) -> Path:
    """The named ruleset file, which must exist inside the project."""
    base = context.ruleset.base_dir
    named = base / str(params.get("ruleset") or "")
    if not named.exists() or not str(params.get("ruleset") or "").strip():
        raise KaoheError(context.diagnostic("E-RESULTS-RULESET", params, "ruleset",
                                            file=str(params.get("ruleset")), looked=str(named.absolute())))
    if not inside_project(named, project_root(base)):
        raise KaoheError(context.diagnostic("E-PATH-OUTSIDE", params, "ruleset", file=str(params.get("ruleset")),
                                            root=str(project_root(base))))
    return resolve_path(named).resolve()


def period_of(params: Mapping[str, Any], year: int) -> str:
    return str(params.get("period") or year)


def evaluated(params: Mapping[str, Any], context: DataContext, other: Path) -> tuple[Results, str]:
    """The other ruleset evaluated now: its subjects' results in ``period``."""
    root = project_root(context.ruleset.base_dir)
    with evaluating(context, other, params) as chain:
        evaluation = run(other, registry=context.registry)
    period = period_of(params, evaluation.ruleset.year)
    for result in evaluation.periods:
        if result.period.id == period:  # the values its results document states, from the columns
            columns = zip(result.cohort.ids.tolist(), numbers(result.total), grade_values(result),
                          rank_values(result), result.cohort.names.tolist(), strict=True)
            found = {str(i): {"total": total, "grade": grade, "rank": rank, "name": name}
                     for i, total, grade, rank, name in columns}
            return found, str(other)  # the file, so a recorded run lists it among what it read
    raise KaoheError(context.diagnostic("E-RESULTS-PERIOD", params, "period", period=period,
                                        file=" → ".join(project_path(p, root) for p in (*chain, other)),
                                        available=", ".join(p.period.id for p in evaluation.periods)))


@contextmanager
def evaluating(context: DataContext, other: Path, params: Mapping[str, Any]) -> Iterator[tuple[Path, ...]]:
    """Evaluate ``other`` as a link of the chain that started this one; a repeat is a cycle."""
    chain = (*_CHAIN.get(), Path(context.ruleset.file).resolve())
    if other in chain:
        root = project_root(context.ruleset.base_dir)
        shown = " → ".join(project_path(p, root) for p in (*chain[chain.index(other):], other))
        raise KaoheError(context.diagnostic("E-RESULTS-CYCLE", params, "ruleset", file=shown))
    token = _CHAIN.set(chain)
    try:
        yield chain
    finally:
        _CHAIN.reset(token)


def from_store(params: Mapping[str, Any], context: DataContext, other: Path) -> tuple[Results, str]:
    """The other ruleset's latest signed-off run holding ``period``, read from the store."""
    root = project_root(context.ruleset.base_dir)
    ruleset = load_ruleset(other, context.registry)
    period = period_of(params, ruleset.year)
    jurisdiction = project_path(other.parent, root)
    missing = context.diagnostic("E-STORE-HISTORY-NONE", params, "from", file=jurisdiction)
    target = store_for(context.ruleset.base_dir, missing)
    # SQLAlchemy only here: a results table evaluated on the fly (from: evaluate) never imports it
    from kaohe.engine.store.database import opened
    from kaohe.engine.store.linked import latest_signed_off_rows

    with opened(target, create=recording()) as store:
        run_id, rows = latest_signed_off_rows(store, ruleset.id, jurisdiction, period)
    if run_id is None:
        raise KaoheError(context.diagnostic("E-RESULTS-NOT-SIGNED", params, "from", id=ruleset.id,
                                            file=jurisdiction, period=period, url=target.shown))
    return rows, f"{target.shown} run {run_id}"
