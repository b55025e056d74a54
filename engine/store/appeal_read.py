"""Reading appeals back: the appeals of a run (or of the store), and each one's report.

A report is rebuilt from what the store holds, never recomputed: the
appeals row and its files, the changes rows in order, and the impact summary
of the contested run's document against the appeal's document (both stored
whole). So ``kaohe store appeals`` prints the very report ``kaohe appeal``
printed when it was lodged.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, select

from kaohe.engine.errors import KaoheError
from kaohe.engine.store.appeal_changes import summaries
from kaohe.engine.store.database import Store
from kaohe.engine.store.read import reading
from kaohe.engine.store.schema import appeal_changes, appeal_files, appeals, run_documents, runs

LISTED = ("id", "run_id", "appealed_at", "appealed_by", "reason", "data_path", "changes_count", "digest")
ROW = ("total", "rank", "grade")


def list_appeals(store: Store, run_id: int | None = None) -> list[dict[str, Any]]:
    """The appeals (of ``run_id`` only, if given), oldest first; an unknown run is located."""
    query = select(*(appeals.c[name] for name in LISTED)).order_by(appeals.c.id)
    with reading(store) as connection:
        if run_id is not None:
            known_run(connection, store, run_id)
            query = query.where(appeals.c.run_id == run_id)
        return [dict(row._mapping) for row in connection.execute(query)]


def known_run(connection: Connection, store: Store, run_id: int) -> None:
    if connection.execute(select(runs.c.id).where(runs.c.id == run_id)).first() is None:
        raise KaoheError(store.target.diagnostic("E-STORE-RUN-UNKNOWN", run=run_id))


def appeal_reports(store: Store, run_id: int | None = None) -> list[dict[str, Any]]:
    """The full report of every appeal (of ``run_id`` only, if given), oldest first."""
    return [appeal_report(store, row["id"]) for row in list_appeals(store, run_id)]


def appeal_report(store: Store, appeal_id: int) -> dict[str, Any]:
    """One appeal as its report: the appeal, its files, its changes and the impact summary."""
    with reading(store) as connection:
        row = dict(connection.execute(select(appeals).where(appeals.c.id == appeal_id)).one()._mapping)
        files = connection.execute(select(appeal_files.c.path, appeal_files.c.sha256)
                                   .where(appeal_files.c.appeal_id == appeal_id).order_by(appeal_files.c.path))
        changes = connection.execute(select(appeal_changes).where(appeal_changes.c.appeal_id == appeal_id)
                                     .order_by(appeal_changes.c.seq))
        contested = connection.execute(select(run_documents.c.document)
                                       .where(run_documents.c.run_id == row["run_id"])).scalar_one_or_none()
        file_rows = [dict(f._mapping) for f in files]
        change_rows = [change_view(dict(c._mapping)) for c in changes]
    document = row.pop("document")
    summary = summaries(json.loads(contested), json.loads(document)) if contested is not None else {}
    return {**row, "files": file_rows, "changes": change_rows, "summary": summary}


def change_view(row: dict[str, Any]) -> dict[str, Any]:
    """A stored change as the report shows it: old and new side by side, the why as data."""
    return {"period": row["period"], "subject": row["subject_id"], "name": row["subject_name"],
            **{column: {"old": row[f"old_{column}"], "new": row[f"new_{column}"]} for column in ROW},
            "money": json.loads(row["money"]), "why": json.loads(row["inputs"])}
