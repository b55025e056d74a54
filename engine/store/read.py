"""Reading a store: the runs newest first, one run's summary, its rows and document.

Queries name their columns, so listing runs never loads their documents.
Rows come back in a fixed order (runs by time then id, newest first; a run's
rows in the order of its results document), so output is deterministic.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, func, select
from sqlalchemy.exc import SQLAlchemyError

from kaohe.engine.errors import KaoheError
from kaohe.engine.store.database import Store
from kaohe.engine.store.schema import run_documents, run_files, run_results, run_warnings, runs
from kaohe.engine.store.url import first_line

LISTED = ("id", "recorded_at", "recorded_by", "ruleset_id", "ruleset_year", "period_filter", "status",
          "subjects_count")


@contextmanager
def reading(store: Store) -> Iterator[Connection]:
    try:
        with store.engine.connect() as connection:
            yield connection
    except SQLAlchemyError as exc:
        raise KaoheError(store.target.diagnostic("E-STORE-READ", problem=first_line(exc))) from None


def list_runs(store: Store) -> list[dict[str, Any]]:
    query = select(*(runs.c[name] for name in LISTED)).order_by(runs.c.recorded_at.desc(), runs.c.id.desc())
    with reading(store) as connection:
        return [dict(row._mapping) for row in connection.execute(query)]


def get_run(store: Store, run_id: int) -> dict[str, Any]:
    """The runs row of ``run_id`` with its files and warning count; ``E-STORE-RUN-UNKNOWN`` if none."""
    with reading(store) as connection:
        row = connection.execute(select(runs).where(runs.c.id == run_id)).first()
        if row is None:
            raise KaoheError(store.target.diagnostic("E-STORE-RUN-UNKNOWN", run=run_id))
        files = connection.execute(select(run_files.c.role, run_files.c.path, run_files.c.sha256)
                                   .where(run_files.c.run_id == run_id)
                                   .order_by(run_files.c.role, run_files.c.path))
        warnings = connection.execute(select(func.count()).select_from(run_warnings)
                                      .where(run_warnings.c.run_id == run_id)).scalar_one()
        return {**row._mapping, "files": [dict(f._mapping) for f in files], "warnings": int(warnings)}


def run_rows(store: Store, run_id: int) -> list[dict[str, Any]]:
    """A run's results rows, in its document's order."""
    query = select(run_results).where(run_results.c.run_id == run_id).order_by(run_results.c.seq)
    with reading(store) as connection:
        return [dict(row._mapping) for row in connection.execute(query)]


def run_document(store: Store, run_id: int) -> str:
    """A run's results document, the text ``--format json`` wrote."""
    query = select(run_documents.c.document).where(run_documents.c.run_id == run_id)
    with reading(store) as connection:
        text = connection.execute(query).scalar_one_or_none()
    if text is None:
        raise KaoheError(store.target.diagnostic("E-STORE-RUN-UNKNOWN", run=run_id))
    return str(text)
