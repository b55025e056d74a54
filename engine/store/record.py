"""What a recorded run is: its identity (digests, who, when) and its rows, as plain data.

Built from an evaluation's columns and its JSON results document's bytes (the
JSON exporter's output); the document is never built as Python data. Nothing
here touches a database (``write.py`` does). Every row value is the one the
document states (read from the same columns by the same functions the document
uses, ``report/results.py``), so ``kaohe store verify`` finds the rows and the
stored document in agreement; the same run recorded twice differs only in its
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
import math
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from kaohe.engine import __version__
from kaohe.engine.errors import Diagnostic, KaoheError
from kaohe.engine.evaluation.pipeline import Evaluation, PeriodResult
from kaohe.engine.report.render import export
from kaohe.engine.report.results import grade_values, rank_values, veto_lists, warning_record
from kaohe.engine.report.stream_json import Field
from kaohe.engine.ruleset.project import project_path, project_root

RECORDED = "recorded"


@dataclass(frozen=True)
class RunRecord:
    run: dict[str, Any]  # the runs row, without its id
    document: bytes  # the JSON text as UTF-8, as the exporter wrote it (stored as text)
    files: list[dict[str, Any]] = field(default_factory=list)
    results: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def exported_json(evaluation: Evaluation) -> bytes:
    """The evaluation's results document as the JSON exporter streams it. The stored document is
    by definition the bytes ``--format json`` writes, so it is made by that exporter, never encoded
    here (recorded, recomputed and appealed alike)."""
    return export(evaluation, "json")


def run_record(evaluation: Evaluation, results_json: bytes, period: str | None) -> RunRecord:
    """The record of one evaluation; ``results_json`` is ``exported_json(evaluation)``."""
    ruleset = evaluation.ruleset
    root = project_root(ruleset.base_dir)
    files = input_files(evaluation, root)
    results = column_result_rows(evaluation)
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
    return RunRecord(run, results_json, files, results, column_warning_rows(evaluation, root))


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


def column_result_rows(evaluation: Evaluation) -> list[dict[str, Any]]:
    """One row per subject and period, in the document's order, from the evaluation's columns:
    ``result_rows`` of its results document, without the document."""
    rows: list[dict[str, Any]] = []
    for result in evaluation.periods:
        for values in zip(*_subject_columns(evaluation, result), strict=True):
            rows.append({"seq": len(rows), "period": result.period.id, "period_kind": result.period.kind,
                         **dict(zip(_ROW_COLUMNS, values, strict=True))})
    return rows


_ROW_COLUMNS = ("subject_id", "subject_name", "unit", "subject_class", "rank_group", "total", "rank", "grade",
                "vetoed", "excluded")


def _subject_columns(evaluation: Evaluation, result: PeriodResult) -> list[list[Any]]:
    """The period's ``_ROW_COLUMNS``, each the document's value (``results.record_shape``: the record's
    ``id``, ``name``, ``unit``, ``class``, ``group``, ``total``, ``rank``, ``grade``, ``vetoes``,
    ``excluded``) as ``result_rows`` reads it."""
    cohort, ranking = result.cohort, result.ranking
    return [
        [str(i) for i in cohort.ids.tolist()], cohort.names.tolist(), cohort.units.tolist(),
        cohort.classes.tolist(), [str(g) for g in ranking.group.tolist()],
        [number_text(v) for v in Field(array=result.total).values],  # the document's numbers
        rank_values(result), grade_values(result),
        [bool(found) for found in veto_lists(evaluation.ruleset, result)],
        np.asarray(cohort.excluded, dtype=bool).tolist(),
    ]


def column_warning_rows(evaluation: Evaluation, root: Path) -> list[dict[str, Any]]:
    """``warning_rows`` of the evaluation's results document, each warning's record made as the
    document makes it (``results.warning_record``), without the document."""
    return _warning_rows((result.period.id, warning_record(w, result, root))
                         for result in evaluation.periods for w in result.warnings)


def result_rows(document: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per subject and period of a results document (the stored one, read back), in its order."""
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
    if type(value) is int or (type(value) is float and math.isfinite(value)):
        return repr(value)  # what json.dumps writes for these (int and float reprs), without its call
    return json.dumps(value)


def warning_rows(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The warnings of a results document (the stored one, read back), in its order."""
    return _warning_rows((period["period"], w) for period in document["periods"] for w in period["warnings"])


def _warning_rows(warnings: Iterable[tuple[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    """A row for each (period, warning record of the document)."""
    return [{"seq": seq, "period": period, "code": w["code"], "file": w.get("file"), "line_no": w.get("line"),
             "column_no": w.get("column"), "json_path": w.get("path"), "message_zh": w["message"]["zh"],
             "message_en": w["message"]["en"], "subjects": json.dumps(w.get("subjects") or [], ensure_ascii=False)}
            for seq, (period, w) in enumerate(warnings)]


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
