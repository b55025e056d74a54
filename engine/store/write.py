"""Recording a run: every row of it in one transaction, or nothing.

This module only inserts. There is deliberately no function that changes a
recorded run's results: a run is evidence of what an evaluation gave. (The
sign-off, ``signoff.py``, sets ``status``, who and when and the hash-chain
columns, nothing else.)
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, insert

from kaohe.engine.evaluation.pipeline import Evaluation
from kaohe.engine.report.render import export_document
from kaohe.engine.store.database import Store, writing
from kaohe.engine.store.record import RunRecord, run_record
from kaohe.engine.store.schema import run_documents, run_files, run_results, run_warnings, runs


def record_evaluation(store: Store, evaluation: Evaluation, document: dict[str, Any],
                      period: str | None) -> int:
    """Record ``evaluation`` (whose results document is ``document``); the new run's id.
    The stored document is the JSON exporter's own output, the bytes ``--format json`` writes."""
    results_json = export_document(document, "json")
    return insert_run(store, run_record(evaluation, document, results_json, period))


def insert_run(store: Store, record: RunRecord) -> int:
    with writing(store) as connection:
        return _insert(connection, record)


def _insert(connection: Connection, record: RunRecord) -> int:
    key = connection.execute(insert(runs).values(**record.run)).inserted_primary_key
    assert key is not None  # an INSERT of one row always has its key
    run_id = int(key[0])
    connection.execute(insert(run_documents).values(run_id=run_id, document=record.document))
    for table, rows in ((run_files, record.files), (run_results, record.results),
                        (run_warnings, record.warnings)):
        if rows:
            connection.execute(insert(table), [{"run_id": run_id, **row} for row in rows])
    return run_id
