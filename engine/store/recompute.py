"""``kaohe store verify --recompute``: re-evaluate a run from its recorded files and compare.

The run recorded every file it read (run_files: path relative to the project
root, sha256). First each is checked: a file that changed or is gone is named,
and the run is not re-evaluated, since the difference would only repeat it.
Then the recorded ruleset is evaluated again (same period filter; with the
recorded data folder when the run read its data through ``--data``) and the
new results document (the JSON exporter's bytes, as recorded) is compared with
the stored one byte for byte; where they differ, the subjects and columns that
differ are named. Bytes that differ while both texts hold the same JSON data
are a run recorded before a change of the JSON layout (a subject a line, say):
the same results, told by ``W-STORE-VERIFY-LAYOUT``, not a difference.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from kaohe.engine import __version__
from kaohe.engine.errors import Bilingual, Diagnostic, KaoheError
from kaohe.engine.evaluation.pipeline import Evaluation
from kaohe.engine.evaluation.runner import run
from kaohe.engine.ruleset.project import project_root
from kaohe.engine.store.chain import RunContent
from kaohe.engine.store.compare import COLUMNS, located, shown
from kaohe.engine.store.record import exported_json, input_files, result_rows

LISTED = 20  # differing rows named one by one; the rest are counted


def recompute_problems(target: str, content: RunContent, root: Path) -> list[Diagnostic]:
    run_id = content.run["id"]
    problems = engine_note(target, content)
    changed = file_problems(target, content, root)
    if changed:
        return [*problems, *changed]
    try:
        evaluation = rerun(content, root)
        now = exported_json(evaluation)
    except KaoheError as exc:
        problem = Bilingual(exc.format("zh"), exc.format("en"))
        return [*problems, located(target, f"runs/{run_id}", "E-STORE-VERIFY-RERUN-FAILED", run=run_id,
                                   problem=problem)]
    stored = (content.document or "").encode("utf-8")
    if now == stored:
        return problems
    if same_data(now, stored):
        return [*problems, located(target, f"run_documents/{run_id}", "W-STORE-VERIFY-LAYOUT",
                                   severity="warning", run=run_id)]
    return [*problems, *document_difference(target, run_id, now, stored)]


def same_data(now: bytes, stored: bytes) -> bool:
    """Whether two JSON texts hold the same data (laid out differently)."""
    try:
        return bool(json.loads(now) == json.loads(stored))
    except ValueError:  # the stored text is no JSON: a difference, named by the byte comparison
        return False


def engine_note(target: str, content: RunContent) -> list[Diagnostic]:
    recorded = content.run["engine_version"]
    if recorded == __version__:
        return []
    return [located(target, f"runs/{content.run['id']}/engine_version", "W-STORE-VERIFY-ENGINE",
                    severity="warning", run=content.run["id"], recorded=recorded, now=__version__)]


def changed_files(files: list[dict[str, Any]], root: Path) -> list[tuple[dict[str, Any], str | None]]:
    """Each recorded file (run_files row) that is gone (None) or whose sha256 differs now (the new one).
    Shared with appeals, which re-evaluate the recorded ruleset too (``appeal.py``)."""
    changed: list[tuple[dict[str, Any], str | None]] = []
    for entry in files:
        path = root / entry["path"]
        now = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None
        if now != entry["sha256"]:
            changed.append((entry, now))
    return changed


def file_problems(target: str, content: RunContent, root: Path, prefix: str = "E-STORE-VERIFY") -> list[Diagnostic]:
    """Each recorded file that is gone or whose sha256 differs now, as ``{prefix}-FILE-MISSING`` /
    ``{prefix}-FILE`` (verify's codes, or an appeal's)."""
    run_id = content.run["id"]
    problems = []
    for entry, now in changed_files(content.files, root):
        where = f"run_files/{run_id}/{entry['role']}/{entry['path']}"
        if now is None:
            problems.append(located(target, where, f"{prefix}-FILE-MISSING", run=run_id,
                                    path=entry["path"], root=str(root)))
        else:
            problems.append(located(target, where, f"{prefix}-FILE", run=run_id, path=entry["path"],
                                    recorded=entry["sha256"], found=now))
    return problems


def rerun(content: RunContent, root: Path) -> Evaluation:
    """The recorded ruleset evaluated again. A run that read its data through ``--data``
    recorded files outside the ruleset's own data: that folder is used again."""
    ruleset = root / content.run["ruleset_path"]
    period = content.run["period_filter"]
    evaluation = run(ruleset, None, period)
    recorded = data_paths(content.files)
    if data_paths(input_files(evaluation, project_root(evaluation.ruleset.base_dir))) == recorded:
        return evaluation
    folders = {Path(p).parent for p in recorded}
    if len(folders) != 1:
        return evaluation  # the byte comparison will show the difference
    return run(ruleset, root / folders.pop(), period)


def data_paths(files: list[dict[str, Any]]) -> list[str]:
    return sorted(f["path"] for f in files if f["role"] == "data")


def document_difference(target: str, run_id: int, now: bytes, stored: bytes) -> list[Diagnostic]:
    """Where the recomputed document differs: its first line, then the differing rows."""
    line = first_differing_line(now, stored)
    rows = differing_rows(target, run_id, now, stored)
    more = len(rows) - LISTED
    detail = (Bilingual(f"，另有 {more} 处未逐一列出", f"; {more} more not listed") if more > 0
              else Bilingual("", ""))
    return [located(target, f"run_documents/{run_id}", "E-STORE-VERIFY-RECOMPUTE", run=run_id, line=line,
                    detail=detail), *rows[:LISTED]]


def first_differing_line(a: bytes, b: bytes) -> int:
    for number, (x, y) in enumerate(zip(a.splitlines(), b.splitlines(), strict=False), start=1):
        if x != y:
            return number
    return min(a.count(b"\n"), b.count(b"\n")) + 1


def differing_rows(target: str, run_id: int, now: bytes, stored: bytes) -> list[Diagnostic]:
    try:
        new_rows, old_rows = result_rows(json.loads(now)), result_rows(json.loads(stored))
    except (ValueError, KeyError, TypeError, AttributeError):  # the stored one is no results document
        return []
    old = {(r["period"], r["subject_id"]): r for r in old_rows}
    problems = []
    for row in new_rows:
        before = old.get((row["period"], row["subject_id"]), {})
        problems += [located(target, f"run_documents/{run_id}/{row['period']}/{row['subject_id']}/{column}",
                             "E-STORE-VERIFY-RECOMPUTED-ROW", run=run_id, subject=row["subject_id"],
                             period=row["period"], column=COLUMNS.get(column, column), now=shown(value),
                             stored=shown(before.get(column)))
                     for column, value in row.items() if column != "seq" and before.get(column) != value]
    return problems
