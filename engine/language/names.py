"""The names each kind of expression may use, derived from what a ruleset declares.

Kept in one place so validation (compile at load) and evaluation (the
columns actually provided) cannot drift apart; ``docs/ruleset-format.md``
lists the same names for policy staff. The checker builds ``Declared`` from
the raw document (tolerating bad shapes, which the schema reports); the
compiled model keeps the same ``Declared`` and its ``Scopes``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from kaohe.engine.language.expressions import HISTORY_NAMES, PERIOD_NAMES, SCOPE_FIELDS, NameSpec

# ``class`` is a Python keyword, so expressions write the class as ``cls`` (and ``class`` is no name
# to offer: an expression writing it cannot be read, wording.class_word says so)
SUBJECT_NAMES = ("id", "name", "unit", "cls", "months_on_post", "coefficient")
EVENT_FIELDS = ("type", "date", "points", "confirmed", "row")
# an item's own columns, then what its life means at the end of the period being evaluated
ITEM_FIELDS = ("id", "opened", "deadline", "closed", "owner", "row")
ITEM_STATE = ("open", "overdue", "closed_in_period", "overdue_days", "overdue_days_in_period",
              "overdue_days_before", "status")
RESULT_NAMES = ("total", "subtotal", "rank", "group_size", "rank_pct", "vetoed", "group")
OUTCOME_NAMES = (*RESULT_NAMES, "grade", "grade_factor", "zero_bonus")


@dataclass(frozen=True)
class Declared:
    """What a ruleset declares that expressions may name."""

    subject_fields: tuple[str, ...] = ()
    inputs: tuple[str, ...] = ()
    indicator_ids: frozenset[str] = frozenset()
    event_fields: tuple[str, ...] = ()
    outcome_ids: tuple[str, ...] = ()
    history_fields: tuple[str, ...] = ()
    item_fields: tuple[str, ...] = ()
    history_titles: tuple[str, ...] = ()  # each history field's title (its name when it has none), for explain

    @classmethod
    def of(cls, raw: Mapping[str, Any]) -> Declared:
        """From a raw ruleset mapping that may not have passed the schema."""
        subjects = raw.get("subjects")
        fields = subjects.get("fields") if isinstance(subjects, Mapping) else None
        return cls(
            subject_fields=_keys(fields), inputs=_keys(raw.get("inputs")),
            indicator_ids=frozenset(_indicator_ids(raw.get("indicators"))), event_fields=_keys(raw.get("event_fields")),
            outcome_ids=tuple(str(o["id"]) for o in _list(raw.get("outcomes")) if isinstance(o, Mapping) and "id" in o),
            history_fields=_keys(raw.get("history_fields")), item_fields=_keys(raw.get("item_fields")),
            history_titles=_titles(raw.get("history_fields")),
        )

    @property
    def event_columns(self) -> tuple[str, ...]:
        """Every field of ``event``: the fixed ones, then the declared ones."""
        return (*EVENT_FIELDS, *self.event_fields)

    @property
    def item_columns(self) -> tuple[str, ...]:
        """Every field of ``item``: its own columns, its state in the period, the declared ones."""
        return (*ITEM_FIELDS, *ITEM_STATE, *self.item_fields)


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _keys(mapping: Any) -> tuple[str, ...]:
    return tuple(str(k) for k in mapping) if isinstance(mapping, Mapping) else ()


def _titles(mapping: Any) -> tuple[str, ...]:
    if not isinstance(mapping, Mapping):
        return ()
    return tuple(str(spec.get("title") or name) if isinstance(spec, Mapping) else str(name)
                 for name, spec in mapping.items())


def _indicator_ids(items: Any) -> Iterable[str]:
    for item in items if isinstance(items, list) else []:
        if isinstance(item, Mapping) and "id" in item:
            yield str(item["id"])
            yield from _indicator_ids(item.get("children"))


def _plain(names: Iterable[str]) -> dict[str, frozenset[str] | None]:
    return {name: None for name in names}


def subject_names(declared: Declared) -> NameSpec:
    """``subjects.exclude``: subject columns and declared fields; with
    ``history_fields`` declared, the years functions' first argument may name
    them (every scope builds on this one, so history is usable everywhere)."""
    names: dict[str, frozenset[str] | None] = _plain([*SUBJECT_NAMES, *declared.subject_fields])
    names[SCOPE_FIELDS] = frozenset(declared.subject_fields)
    if declared.history_fields:
        names[HISTORY_NAMES] = frozenset(declared.history_fields)
    return names


def coefficient_names(declared: Declared) -> NameSpec:
    """A class coefficient computed per subject: subject columns but the coefficient itself."""
    return {k: v for k, v in subject_names(declared).items() if k != "coefficient"}


def indicator_names(declared: Declared) -> NameSpec:
    """Formulas and band expressions: subject columns and declared inputs."""
    return {**subject_names(declared), **_plain(declared.inputs)}


def rule_names(declared: Declared, per: str) -> NameSpec:
    """Bonus, deduction and veto conditions. ``n`` is the ordinal (1, 2, …) of
    a matching event for its subject within the period, so repeats can
    cost more (``2 if n > 1 else 1``)."""
    names: dict[str, frozenset[str] | None] = {
        **indicator_names(declared), "score": declared.indicator_ids, "subtotal": None,
    }
    if per == "event":
        names["event"] = frozenset(declared.event_columns)
        names["n"] = None
    elif per == "item":  # one row per item alive in the period, numbered like events
        names["item"] = frozenset(declared.item_columns)
        names["n"] = None
    return names


def event_names(declared: Declared) -> NameSpec:
    """Expressions over one event alone (event lists, item raters, derived inputs)."""
    return {"event": frozenset(declared.event_columns)}


def item_names(declared: Declared) -> NameSpec:
    """Expressions over one item alone (item lists, inputs ``from_items``)."""
    return {"item": frozenset(declared.item_columns)}


def sub_period_names(declared: Declared) -> dict[str, frozenset[str] | None]:
    """Inside a period function (``periods_count(grade == '好')``) the first
    argument is evaluated in each sub-period after its outcomes, so it may also
    name the grade and every outcome. Kept under ``PERIOD_NAMES`` (which no
    expression can write) as the names added to the outer scope there."""
    return {PERIOD_NAMES: frozenset([*OUTCOME_NAMES, *declared.outcome_ids])}


def ranking_names(declared: Declared) -> NameSpec:
    """Computed ranking keys (``tie_break: [{expr: ...}]``): what is known before ranking."""
    return {**indicator_names(declared), "score": declared.indicator_ids, **_plain(("subtotal", "total", "vetoed"))}


def grading_names(declared: Declared) -> NameSpec:
    """Eligibility conditions (e.g. ``rank_pct <= 0.5``)."""
    return {**indicator_names(declared), "score": declared.indicator_ids, **_plain(RESULT_NAMES),
            **sub_period_names(declared)}


def outcome_names(declared: Declared, earlier: Iterable[str]) -> NameSpec:
    """Outcome expressions; earlier outcomes' ids name their values."""
    return {
        **indicator_names(declared), "score": declared.indicator_ids, **_plain(OUTCOME_NAMES),
        **_plain(earlier), **sub_period_names(declared),
    }


@dataclass(frozen=True)
class Scopes:
    """The name scopes of one compiled ruleset, built once."""

    subject: NameSpec
    coefficient: NameSpec
    indicator: NameSpec
    event: NameSpec
    item: NameSpec
    grading: NameSpec
    ranking: NameSpec
    rule_event: NameSpec
    rule_subject: NameSpec
    rule_item: NameSpec
    outcomes: tuple[NameSpec, ...]  # one per outcome, each seeing the earlier ones

    @classmethod
    def of(cls, declared: Declared, outcome_ids: Iterable[str]) -> Scopes:
        ids = list(outcome_ids)
        return cls(
            subject=subject_names(declared), coefficient=coefficient_names(declared),
            indicator=indicator_names(declared), event=event_names(declared), item=item_names(declared),
            grading=grading_names(declared), ranking=ranking_names(declared), rule_event=rule_names(declared, "event"),
            rule_subject=rule_names(declared, "subject"), rule_item=rule_names(declared, "item"),
            outcomes=tuple(outcome_names(declared, ids[:i]) for i in range(len(ids))),
        )

    def rule(self, per: str) -> NameSpec:
        return {"event": self.rule_event, "item": self.rule_item}.get(per, self.rule_subject)
