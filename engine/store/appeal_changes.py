"""What an appeal changed: the signed-off results document against the one from the corrected data.

One change per subject and period whose total, rank, grade or any money
outcome (an allocator's amount, as in the impact report) differs, with old
and new values as the store's rows write them (totals as the document's
text), and the "why": the differing input values of that subject
(``appeal_inputs.py``) that bear on the period (a quarter: its own values;
a year: its own and its sub-periods'; subject fields: every period).

The summary per period (subjects compared, grade changes counted, Spearman
rank correlation, largest movers) is the impact report's own
(``engine/years/impact.py``), on the two documents: an appeal is the impact
of one data correction under one method.
"""

from __future__ import annotations

from typing import Any

from kaohe.engine.store.appeal_inputs import Difference
from kaohe.engine.store.record import result_rows
from kaohe.engine.years.impact import document_outcome, period_report

COMPARED = ("total", "rank", "grade")


def money_of(document: dict[str, Any]) -> dict[tuple[str, str], dict[str, str]]:
    """(period, subject id) → {allocator outcome id: amount text}."""
    money_ids = [o["id"] for o in document.get("outcomes", []) if o.get("kind") == "allocator"]
    found: dict[tuple[str, str], dict[str, str]] = {}
    for period in document["periods"]:
        for subject in period["subjects"]:
            outcomes = subject.get("outcomes") or {}
            found[period["period"], str(subject["id"])] = {
                oid: str(outcomes[oid]["value"]) for oid in money_ids
                if oid in outcomes and outcomes[oid].get("value") is not None}
    return found


def subject_changes(old: dict[str, Any], new: dict[str, Any],
                    why: dict[str, list[Difference]]) -> list[dict[str, Any]]:
    """The appeal_changes rows (without appeal_id), in the new document's order."""
    before = {(r["period"], r["subject_id"]): r for r in result_rows(old)}
    after = {(r["period"], r["subject_id"]): r for r in result_rows(new)}
    kinds = {p["period"]: p["kind"] for document in (old, new) for p in document["periods"]}
    money_before, money_after = money_of(old), money_of(new)
    changes: list[dict[str, Any]] = []
    for key in [*after, *(k for k in before if k not in after)]:
        period, subject = key
        was, now = before.get(key, {}), after.get(key, {})
        money = money_changes(money_before.get(key, {}), money_after.get(key, {}))
        if money or any(was.get(column) != now.get(column) for column in COMPARED):
            changes.append({
                "seq": len(changes), "period": period, "subject_id": subject,
                "subject_name": now.get("subject_name", was.get("subject_name")),
                **{f"old_{c}": was.get(c) for c in COMPARED}, **{f"new_{c}": now.get(c) for c in COMPARED},
                "money": money, "inputs": bearing(why.get(subject, []), period, kinds.get(period)),
            })
    return changes


def money_changes(old: dict[str, str], new: dict[str, str]) -> dict[str, dict[str, str | None]]:
    return {oid: {"old": old.get(oid), "new": new.get(oid)}
            for oid in sorted(set(old) | set(new)) if old.get(oid) != new.get(oid)}


def bearing(found: list[Difference], period: str, kind: str | None) -> list[Difference]:
    """The differences that can have moved ``period``'s result (see the module docstring)."""
    def bears(difference: Difference) -> bool:
        where = difference["period"]
        return where is None or where == period or (kind == "year" and str(where).startswith(period))

    return [d for d in found if bears(d)]


def summaries(old: dict[str, Any], new: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The impact report's summary per period present in both documents (rank moves of any size)."""
    before, after = document_outcome(old), document_outcome(new)
    return {period: period_report(period, before, after, [], threshold=1)["summary"]
            for period in after.records if period in before.records}
