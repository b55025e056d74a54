"""``kaohe appeal RUN --data CORRECTED``: re-evaluate a signed-off run on corrected data and record it.

An appeal (复核) contests a signed-off result. Before anything is written:
- the run must exist and be signed off (``E-STORE-APPEAL-UNSIGNED``) and
  still match its sign-off digest (``E-STORE-APPEAL-CHANGED``: an appeal
  against records changed by hand would compare with the wrong thing);
- CORRECTED must be a folder (``E-STORE-APPEAL-DATA``);
- every file the run read must be unchanged (``recompute.changed_files``,
  ``E-STORE-APPEAL-FILE``): the ruleset, so the appeal applies the method
  that was signed off, and the data, so "why" compares with what was
  signed off;
- the corrected data must load as any data does (its usual diagnostics)
  and differ from the recorded data (``E-STORE-APPEAL-SAME``).

Then the recorded ruleset is evaluated on the corrected data with the run's
period filter, the new document compared with the signed-off one
(``appeal_changes.py``), and the appeal inserted in one transaction. The
run's own rows are never touched, so ``kaohe store verify`` still passes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, insert

from kaohe.engine import __version__
from kaohe.engine.errors import Diagnostic, KaoheError
from kaohe.engine.evaluation.pipeline import Evaluation
from kaohe.engine.evaluation.runner import run
from kaohe.engine.ruleset.project import project_path
from kaohe.engine.store.appeal_changes import subject_changes
from kaohe.engine.store.appeal_inputs import differences
from kaohe.engine.store.appeal_record import AppealRecord, appeal_digest, stored_changes
from kaohe.engine.store.chain import SIGNED_OFF, RunContent, read_content, run_digest
from kaohe.engine.store.data_store import using
from kaohe.engine.store.database import Store, writing
from kaohe.engine.store.read import reading
from kaohe.engine.store.recompute import file_problems, rerun
from kaohe.engine.store.record import (
    exported_json,
    files_digest,
    input_files,
    recorded_at,
    sha256_hex,
)
from kaohe.engine.store.schema import appeal_changes, appeal_files, appeals


def lodge_appeal(store: Store, run_id: int, corrected: Path, reason: str | None, by: str, root: Path) -> int:
    """Check, re-evaluate and record an appeal against ``run_id``; the new appeal's id."""
    if not corrected.is_dir():
        raise KaoheError(Diagnostic("E-STORE-APPEAL-DATA", {"path": str(corrected)}, file=str(corrected)))
    content = signed_content(store, run_id)
    problems = file_problems(store.target.shown, content, root, prefix="E-STORE-APPEAL")
    if problems:
        raise KaoheError(problems)
    with using(store.target):  # a ruleset reading history from the store reads this store
        before = rerun(content, root)
        after = run(root / content.run["ruleset_path"], corrected, content.run["period_filter"])
    if after.dataset.digest == before.dataset.digest:
        raise KaoheError(Diagnostic("E-STORE-APPEAL-SAME", {"path": str(corrected), "run": run_id},
                                    file=str(corrected)))
    return insert_appeal(store, appeal_record(content, before, after, corrected, reason, by, root))


def signed_content(store: Store, run_id: int) -> RunContent:
    """The run, refused unless it exists, is signed off and still matches its digest."""
    with reading(store) as connection:
        content = read_content(connection, run_id)
    if content is None:
        raise KaoheError(store.target.diagnostic("E-STORE-RUN-UNKNOWN", run=run_id))
    if content.run["status"] != SIGNED_OFF or content.run["digest"] is None:
        raise KaoheError(store.target.diagnostic("E-STORE-APPEAL-UNSIGNED", run=run_id,
                                                 status=content.run["status"]))
    if run_digest(content) != content.run["digest"] or content.document is None:
        raise KaoheError(store.target.diagnostic("E-STORE-APPEAL-CHANGED", run=run_id))
    return content


def appeal_record(content: RunContent, before: Evaluation, after: Evaluation, corrected: Path,
                  reason: str | None, by: str, root: Path) -> AppealRecord:
    results_json = exported_json(after)  # as a run's: the bytes ``--format json`` writes
    assert content.document is not None  # signed_content refused a run without one
    changes = subject_changes(json.loads(content.document), json.loads(results_json),
                              differences(before.dataset, after.dataset))
    files = [{"path": f["path"], "sha256": f["sha256"]} for f in input_files(after, root) if f["role"] == "data"]
    row: dict[str, Any] = {
        "run_id": content.run["id"], "appealed_at": recorded_at(), "appealed_by": by,
        "reason": (reason or "").strip() or None, "run_digest": content.run["digest"],
        "data_path": project_path(corrected, root), "data_digest": files_digest(files),
        "engine_version": __version__, "results_digest": "sha256:" + sha256_hex(results_json),
        "document": results_json.decode("utf-8"), "changes_count": len(changes),
    }
    row["digest"] = appeal_digest(row, files, stored_changes(changes))
    return AppealRecord(row, files, changes)


def insert_appeal(store: Store, record: AppealRecord) -> int:
    """Insert the appeal, its files and changes in one transaction: all of it or nothing."""
    with writing(store) as connection:
        return _insert(connection, record)


def _insert(connection: Connection, record: AppealRecord) -> int:
    key = connection.execute(insert(appeals).values(**record.row)).inserted_primary_key
    assert key is not None  # an INSERT of one row always has its key
    appeal_id = int(key[0])
    for table, rows in ((appeal_files, record.files), (appeal_changes, stored_changes(record.changes))):
        if rows:
            connection.execute(insert(table), [{"appeal_id": appeal_id, **row} for row in rows])
    return appeal_id
