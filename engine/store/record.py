"""What a recorded run is: its identity (digests, who, when) and its rows, as plain data.

Built from an evaluation and its results document; nothing here touches a
database (``write.py`` does). Every value comes from the document or from
the files the run read, so the same run recorded twice differs only in its
time and author.

- ruleset digest: the resolved ruleset's canonical JSON hash (``Ruleset.digest``,
  the one the results document carries);
- data digest: sha256 over "path sha256" lines, one per data file read,
  sorted by path (relative to the project root), so it names the very files
  whereas the document's data digest covers their typed contents;
- results digest: sha256 of the JSON results document's bytes;
- who: ``KAOHE_USER``, else the login name; when: now in UTC, or
  ``SOURCE_DATE_EPOCH`` for reproducible runs.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kaohe.engine import __version__
from kaohe.engine.errors import Diagnostic, KaoheError
from kaohe.engine.evaluation.pipeline import Evaluation
from kaohe.engine.ruleset.project import project_path, project_root

RECORDED = "recorded"


@dataclass(frozen=True)
class RunRecord:
    run: dict[str, Any]  # the runs row, without its id
    document: str
    files: list[dict[str, Any]] = field(default_factory=list)
    results: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def run_record(evaluation: Evaluation, document: dict[str, Any], results_json: bytes,
               period: str | None) -> RunRecord:
    """The record of one evaluation; ``results_json`` is ``document`` as the JSON exporter wrote it."""
    ruleset = evaluation.ruleset
    root = project_root(ruleset.base_dir)
    files = input_files(evaluation, root)
    results = result_rows(document)
    run = {
        "recorded_at": recorded_at(), "recorded_by": recorded_by(),
        "ruleset_id": ruleset.id, "ruleset_title": ruleset.title, "ruleset_year": ruleset.year,
        "jurisdiction": project_path(ruleset.base_dir, root),
        "ruleset_path": project_path(ruleset.file, root), "ruleset_digest": ruleset.digest,
        "data_digest": files_digest([f for f in files if f["role"] == "data"]),
        "engine_version": __version__, "results_digest": "sha256:" + sha256_hex(results_json),
        "period_filter": period, "subjects_count": len({r["subject_id"] for r in results}),
        "status": RECORDED, "previous_digest": None, "digest": None,
    }
    return RunRecord(run, results_json.decode("utf-8"), files, results, warning_rows(document))


def input_files(evaluation: Evaluation, root: Path) -> list[dict[str, Any]]:
    """The ruleset files (it and what it extends) and data files read, each with its sha256."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    origins = [origin.partition("#")[0] for origin in evaluation.dataset.origins.values()]
    for role, paths in (("ruleset", evaluation.ruleset.source_files), ("data", origins)):
        for path in paths:
            name = project_path(path, root)
            if path and (role, name) not in found and Path(path).is_file():  # not a store (history: {source: store})
                found[role, name] = {"role": role, "path": name, "sha256": sha256_hex(Path(path).read_bytes())}
    return sorted(found.values(), key=lambda f: (f["role"], f["path"]))


def files_digest(files: list[dict[str, Any]]) -> str:
    lines = "".join(f"{f['path']} {f['sha256']}\n" for f in sorted(files, key=lambda f: f["path"]))
    return "sha256:" + sha256_hex(lines.encode("utf-8"))


def result_rows(document: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per subject and period, in the document's order."""
    rows: list[dict[str, Any]] = []
    for period in document["periods"]:
        for subject in period["subjects"]:
            rows.append({
                "seq": len(rows), "period": period["period"], "period_kind": period["kind"],
                "subject_id": str(subject["id"]), "subject_name": subject.get("name"),
                "unit": subject.get("unit"), "subject_class": subject.get("class"),
                "rank_group": subject.get("group"), "total": number_text(subject.get("total")),
                "rank": subject.get("rank"), "grade": subject.get("grade"),
                "vetoed": bool(subject.get("vetoes")), "excluded": bool(subject.get("excluded")),
            })
    return rows


def number_text(value: Any) -> str | None:
    """A document number as the document writes it (``92.35``, ``90``): exact, dialect-proof."""
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value)


def warning_rows(document: dict[str, Any]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for period in document["periods"]:
        for w in period["warnings"]:
            rows.append({
                "seq": len(rows), "period": period["period"], "code": w["code"], "file": w.get("file"),
                "line_no": w.get("line"), "column_no": w.get("column"), "json_path": w.get("path"),
                "message_zh": w["message"]["zh"], "message_en": w["message"]["en"],
                "subjects": json.dumps(w.get("subjects") or [], ensure_ascii=False),
            })
    return rows


def recorded_by() -> str:
    named = os.environ.get("KAOHE_USER", "").strip()
    if named:
        return named
    try:
        return getpass.getuser()
    except (OSError, KeyError, ImportError):  # no login name (some containers): still record the run
        return "unknown"


def recorded_at() -> str:
    """Now in UTC as ``YYYY-MM-DDTHH:MM:SSZ``; ``SOURCE_DATE_EPOCH`` fixes it (reproducible-builds.org)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            moment = dt.datetime.fromtimestamp(int(epoch), dt.UTC)
        except (ValueError, OverflowError, OSError):
            raise KaoheError(Diagnostic("E-STORE-EPOCH", {"value": epoch[:40]})) from None
    else:
        moment = dt.datetime.now(dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
