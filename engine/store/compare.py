"""Does what the store holds about a run agree with its own results document?

The results document is stored whole and covered by the run's results digest
(and, once signed off, by the chain digest); the run_results, run_warnings
and runs rows repeat parts of it for queries. A hand edit of a row makes it
disagree with the document, so comparing the two names the very row and
column that was changed: "run 3, subject C207, period 2025Q2: total 88.5 in
the row, 86.5 in the document". A hand edit of the document shows as a
document that no longer matches its results digest.
"""

from __future__ import annotations

import json
from typing import Any

from kaohe.engine.errors import Bilingual, Diagnostic
from kaohe.engine.store.chain import RunContent
from kaohe.engine.store.record import result_rows, sha256_hex, warning_rows

COLUMNS = {
    "seq": Bilingual("顺序", "order"), "period_kind": Bilingual("周期类型", "period kind"),
    "subject_name": Bilingual("名称", "name"), "unit": Bilingual("单位", "unit"),
    "subject_class": Bilingual("类别", "class"), "rank_group": Bilingual("排名组", "rank group"),
    "total": Bilingual("总分", "total"), "rank": Bilingual("名次", "rank"), "grade": Bilingual("等次", "grade"),
    "vetoed": Bilingual("否决", "vetoed"), "excluded": Bilingual("不参评", "excluded"),
    "ruleset_id": Bilingual("方案编号", "ruleset id"), "ruleset_title": Bilingual("方案名称", "ruleset title"),
    "ruleset_year": Bilingual("方案年度", "ruleset year"), "ruleset_path": Bilingual("方案文件", "ruleset file"),
    "ruleset_digest": Bilingual("方案摘要", "ruleset digest"),
    "engine_version": Bilingual("引擎版本", "engine version"),
    "subjects_count": Bilingual("对象数", "subject count"),
}


def shown(value: Any) -> Any:
    """A stored value as a message shows it: empty and yes/no in the message's language."""
    if value is None or value == "":
        return Bilingual("（空）", "(empty)")
    if isinstance(value, bool):
        return Bilingual("是", "yes") if value else Bilingual("否", "no")
    return value


def located(target: str, where: str, code: str, severity: str = "error", **params: Any) -> Diagnostic:
    """A verification finding, located in the store by table and key (``run_results/3/2025Q2/C207/total``)."""
    return Diagnostic(code, params, file=target, path=where, severity=severity)


def document_problems(target: str, content: RunContent) -> list[Diagnostic]:
    """Every disagreement between a run's rows and its document, and a document changed itself."""
    run_id = content.run["id"]
    if content.document is None:
        return [located(target, f"run_documents/{run_id}", "E-STORE-VERIFY-DOCUMENT-MISSING", run=run_id)]
    problems = []
    found = "sha256:" + sha256_hex(content.document.encode("utf-8"))
    if found != content.run["results_digest"]:
        problems.append(located(target, f"run_documents/{run_id}", "E-STORE-VERIFY-DOCUMENT", run=run_id,
                                recorded=content.run["results_digest"], found=found))
    try:
        document = json.loads(content.document)
        expected_rows, expected_warnings = result_rows(document), warning_rows(document)
        meta = document_meta(document, expected_rows)
    except (ValueError, KeyError, TypeError, AttributeError):  # no longer a results document at all
        return problems
    return [*problems, *meta_problems(target, content, meta),
            *row_problems(target, run_id, content.results, expected_rows),
            *warning_problems(target, run_id, content.warnings, expected_warnings)]


def document_meta(document: dict[str, Any], rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The runs columns a results document also states."""
    ruleset = document["ruleset"]
    return {"ruleset_id": ruleset["id"], "ruleset_title": ruleset["title"], "ruleset_year": ruleset["year"],
            "ruleset_path": ruleset["file"], "ruleset_digest": ruleset["digest"],
            "engine_version": document["engine"]["version"],
            "subjects_count": len({r["subject_id"] for r in rows})}


def meta_problems(target: str, content: RunContent, meta: dict[str, Any]) -> list[Diagnostic]:
    run_id = content.run["id"]
    return [located(target, f"runs/{run_id}/{column}", "E-STORE-VERIFY-META", run=run_id,
                    column=COLUMNS[column], row=shown(content.run[column]), document=shown(value))
            for column, value in meta.items() if content.run[column] != value]


def row_problems(target: str, run_id: int, stored: list[dict[str, Any]],
                 expected: list[dict[str, Any]]) -> list[Diagnostic]:
    """Rows changed (each changed column), deleted and added, in document order."""
    have = {(r["period"], r["subject_id"]): r for r in stored}
    want = {(r["period"], r["subject_id"]): r for r in expected}
    problems = []
    for key, row in want.items():
        period, subject = key
        where = f"run_results/{run_id}/{period}/{subject}"
        if key not in have:
            problems.append(located(target, where, "E-STORE-VERIFY-ROW-MISSING", run=run_id,
                                    subject=subject, period=period))
            continue
        problems += [located(target, f"{where}/{column}", "E-STORE-VERIFY-ROW", run=run_id, subject=subject,
                             period=period, column=COLUMNS.get(column, column),
                             row=shown(have[key][column]), document=shown(value))
                     for column, value in row.items() if have[key][column] != value]
    problems += [located(target, f"run_results/{run_id}/{period}/{subject}", "E-STORE-VERIFY-ROW-EXTRA",
                         run=run_id, subject=subject, period=period)
                 for period, subject in have if (period, subject) not in want]
    return problems


def warning_problems(target: str, run_id: int, stored: list[dict[str, Any]],
                     expected: list[dict[str, Any]]) -> list[Diagnostic]:
    """Warnings changed, deleted or added (compared by position)."""
    problems = []
    for seq in range(max(len(stored), len(expected))):
        have = {k: v for k, v in stored[seq].items() if k != "run_id"} if seq < len(stored) else None
        want = expected[seq] if seq < len(expected) else None
        if have != want:
            code = (want or have or {}).get("code", "?")
            problems.append(located(target, f"run_warnings/{run_id}/{seq}", "E-STORE-VERIFY-WARNING",
                                    run=run_id, seq=seq + 1, warning=code))
    return problems
