"""The names each kind of expression may use, derived from the ruleset.

Kept in one place so validation (compile at load) and evaluation (the
columns actually provided) cannot drift apart; ``docs/ruleset-format.md``
lists the same names for policy staff.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from kaohe.engine.language.expressions import NameSpec

SUBJECT_NAMES = ("id", "name", "unit", "class", "months_on_post", "coefficient")
EVENT_FIELDS = ("type", "date", "points", "confirmed", "row")
RESULT_NAMES = ("total", "subtotal", "rank", "group_size", "rank_pct", "vetoed", "group")
OUTCOME_NAMES = (*RESULT_NAMES, "grade", "grade_factor", "zero_bonus")


def _plain(names: Iterable[str]) -> dict[str, frozenset[str] | None]:
    return {name: None for name in names}


def subject_names(raw: Mapping[str, Any]) -> dict[str, frozenset[str] | None]:
    fields = raw.get("subjects", {}).get("fields", {}) or {}
    return _plain([*SUBJECT_NAMES, *fields])


def indicator_names(raw: Mapping[str, Any]) -> NameSpec:
    """Formulas and band expressions: subject columns and declared inputs."""
    return {**subject_names(raw), **_plain(raw.get("inputs", {}) or {})}


def score_record(raw: Mapping[str, Any]) -> frozenset[str]:
    ids: list[str] = []

    def visit(items: list[dict[str, Any]]) -> None:
        for item in items or []:
            if isinstance(item, dict) and "id" in item:
                ids.append(str(item["id"]))
                visit(item.get("children", []))

    visit(raw.get("indicators", []))
    return frozenset(ids)


def rule_names(raw: Mapping[str, Any], per: str) -> NameSpec:
    """Bonus, deduction and veto conditions. ``n`` is the ordinal (1, 2, …) of
    a matching event for its subject within the period, so repeats can
    cost more (``2 if n > 1 else 1``)."""
    names: dict[str, frozenset[str] | None] = {
        **indicator_names(raw), "score": score_record(raw), "subtotal": None,
    }
    if per == "event":
        fields = raw.get("event_fields", {}) or {}
        names["event"] = frozenset([*EVENT_FIELDS, *fields])
        names["n"] = None
    return names


def event_names(raw: Mapping[str, Any]) -> NameSpec:
    """Expressions over one event alone (event lists, item raters)."""
    return {"event": rule_names(raw, "event")["event"]}


def grading_names(raw: Mapping[str, Any]) -> NameSpec:
    """Eligibility conditions (e.g. ``rank_pct <= 0.5``)."""
    return {**indicator_names(raw), "score": score_record(raw), **_plain(RESULT_NAMES)}


def outcome_names(raw: Mapping[str, Any], earlier: Iterable[str]) -> NameSpec:
    """Outcome expressions; earlier outcomes' ids name their values."""
    return {
        **indicator_names(raw), "score": score_record(raw), **_plain(OUTCOME_NAMES),
        **_plain(earlier),
    }
