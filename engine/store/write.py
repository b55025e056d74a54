"""Recording a run: every row of it in one transaction, or nothing.

This module only inserts. There is deliberately no function that changes a
recorded run's results: a run is evidence of what an evaluation gave. (The
sign-off, ``signoff.py``, sets ``status``, who and when and the hash-chain
columns, nothing else.)
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, LargeBinary, Text, cast, insert, literal

from kaohe.engine.evaluation.pipeline import Evaluation
from kaohe.engine.store.database import Store, writing
from kaohe.engine.store.record import RunRecord, exported_json, run_record
from kaohe.engine.store.schema import run_documents, run_files, run_results, run_warnings, runs


def record_evaluation(store: Store, evaluation: Evaluation, period: str | None,
                      results_json: bytes | None = None) -> int:
    """Record ``evaluation``; the new run's id. The rows come from its columns, the stored document
    is ``exported_json(evaluation)`` — ``results_json`` when the caller made it already, to write
    the very bytes it recorded (``evaluate --format json --store``)."""
    if results_json is None:
        results_json = exported_json(evaluation)
    return insert_run(store, run_record(evaluation, results_json, period))


def insert_run(store: Store, record: RunRecord) -> int:
    with writing(store) as connection:
        return _insert(connection, record)


def _insert(connection: Connection, record: RunRecord) -> int:
    key = connection.execute(insert(runs).values(**record.run)).inserted_primary_key
    assert key is not None  # an INSERT of one row always has its key
    run_id = int(key[0])
    document = document_value(connection, record.document)
    connection.execute(insert(run_documents).values(run_id=run_id, document=document))
    for table, rows in ((run_files, record.files), (run_results, record.results),
                        (run_warnings, record.warnings)):
        if rows:
            connection.execute(insert(table), [{"run_id": run_id, **row} for row in rows])
    return run_id


def document_value(connection: Connection, text: bytes) -> Any:
    """The stored document's value for the insert. A results document is large (a city's 10,000
    persons: 144 MB of UTF-8) and a Python str of it twice that (Chinese text), and binding a str
    makes its UTF-8 copy once more; so on SQLite, whose text is UTF-8, the bytes go in as they are,
    cast to text there (the column still holds text, read back as str). Elsewhere, the str."""
    if connection.dialect.name == "sqlite" and _utf8(connection):
        return cast(literal(text, LargeBinary), Text)
    return text.decode("utf-8")


def _utf8(connection: Connection) -> bool:
    """Whether the SQLite file's text is UTF-8 (the default; a file made with ``PRAGMA encoding``
    UTF-16 would read the cast bytes as UTF-16)."""
    return bool(connection.exec_driver_sql("PRAGMA encoding").scalar() == "UTF-8")
