"""The compiled ruleset: frozen, typed, complete — all the stages read.

Built by ``ruleset.load`` from data that already passed the JSON Schema and
the semantic checks, so builders may assume shapes. Defaults are resolved
(``ruleset.defaults``), names in scope are declared (``language.names``) and
every expression is compiled once (``language.compiled``). The raw document
stays on the model for ``diff``, ``fmt`` and ``impact`` only; evaluation and
reports read the fields below (``tests/test_layout.py`` enforces it) and
locate runtime errors through ``locations``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from kaohe.engine.errors import Diagnostic
from kaohe.engine.language.compiled import ExpressionTable
from kaohe.engine.language.expressions import Expression
from kaohe.engine.language.names import Declared, Scopes
from kaohe.engine.ruleset import defaults
from kaohe.engine.ruleset.loader import Document, Path_

# The closed sets of words of the format (tests/test_defaults.py ties each to
# its schema enum).
Rounding = Literal["half_up", "half_even", "down", "up"]
SubjectKind = Literal["unit", "person"]
PeriodKind = Literal["month", "quarter", "year"]
Combine = Literal["mean", "sum", "last"]
Per = Literal["event", "subject", "item"]
RuleKind = Literal["bonus", "deduction"]
QuotaRounding = Literal["floor", "half_up", "ceil"]
IndicatorCycle = Literal["period", "year"]
OutsideEffective = Literal["renormalise", "zero", "prorate"]
Missing = Literal["zero", "exclude", "error"]
How = Literal["mean", "sum", "count", "min", "max", "share"]


@dataclass(frozen=True)
class ComponentSpec:
    use: str
    params: Mapping[str, Any]
    path: Path_


@dataclass(frozen=True)
class Indicator:
    id: str
    title: str
    full_marks: float
    points: float | None
    weight: float | None
    parent: str | None
    children: tuple[Indicator, ...]
    rater: ComponentSpec | None
    applies_to: frozenset[str] | None
    cycle: IndicatorCycle
    missing: Missing
    children_must_sum: bool
    effective: tuple[str | None, str | None] | None
    clause: str
    path: Path_
    outside_effective: OutsideEffective = "renormalise"
    missing_declared: bool = False  # the office said what missing data means (no warning when scored 0)

    @property
    def leaf(self) -> bool:
        return not self.children

    def applies(self, cls: str) -> bool:
        return self.applies_to is None or cls in self.applies_to


@dataclass(frozen=True)
class Rule:
    """A bonus or deduction."""

    id: str
    title: str
    kind: RuleKind
    per: Per
    when: Expression
    points: float | Expression
    cap: float | Expression | None  # a number, or a limit computed per subject
    cap_year: float | Expression | None
    target: str | None
    cycle: IndicatorCycle
    applies_to: frozenset[str] | None
    clause: str
    path: Path_
    max_events: int | None = None
    require: Expression | None = None
    reject_message: str = ""
    effective: tuple[str | None, str | None] | None = None
    key: str | None = None  # event (or item) field: rows numbered and capped per subject and key value
    cap_key: float | Expression | None = None
    cap_month: float | Expression | None = None


@dataclass(frozen=True)
class Veto:
    id: str
    title: str
    per: Per
    when: Expression
    grade: str | None
    max_grade: str | None
    applies_to: frozenset[str] | None
    clause: str
    path: Path_


ASCENDING_KEYS = ("id", "name", "vetoed")  # sort keys whose natural order is ascending (a veto ranks last)

QUOTA_ROUNDING_ZH = {"floor": "向下取整", "ceil": "向上取整", "half_up": "四舍五入"}


@dataclass(frozen=True)
class Quota:
    """A grade's places: ``max_share`` of the group rounded as declared (see
    ``evaluation.shares``), at least ``min_count``, at most ``max_count``.
    Each may be an expression per subject whose value is the group's."""

    max_share: float | Expression | None
    rounding: QuotaRounding
    min_count: int | Expression
    max_count: int | Expression | None = None
    path: Path_ = ()

    def describe(self, size: int, allowed: int, share: float | None = None, most: float | None = None) -> str:
        """``share`` and ``most``: this group's computed values when they are expressions."""
        parts = []
        if self.max_share is not None:
            shown = share if isinstance(self.max_share, Expression) else self.max_share
            parts.append(f"组内 {size} 名 × {shown:g}（{QUOTA_ROUNDING_ZH[self.rounding]}）")
        if self.max_count is not None:
            parts.append(f"至多 {(most if isinstance(self.max_count, Expression) else self.max_count):g} 名")
        return "，".join(parts) + f" = {allowed} 名"


@dataclass(frozen=True)
class AcrossQuota:
    """A grade's places counted across ranking groups (``across_groups``): within the whole
    period (``within: all``) or each value of a subject column whose scope holds several groups.
    Sizes are numbers: one province-wide share, not a value per group."""

    max_share: float | None
    rounding: QuotaRounding
    min_count: int
    max_count: int | None
    within: str
    path: Path_ = ()

    def describe(self, size: int, allowed: int) -> str:
        """How the places were counted, e.g. "全体 25 名 × 0.2（向下取整）= 5 名"."""
        scope = {"all": "全体", "class": "同类别", "unit": "同单位"}.get(self.within, f"同{self.within}")
        parts = [f"{scope} {size} 名" + (f" × {self.max_share:g}（{QUOTA_ROUNDING_ZH[self.rounding]}）"
                                          if self.max_share is not None else "")]
        if self.max_count is not None:
            parts.append(f"至多 {self.max_count} 名")
        return "，".join(parts) + f" = {allowed} 名"


@dataclass(frozen=True)
class Grade:
    name: str
    min: float | Expression | None  # a number, or a line computed over the period (cohort functions)
    factor: float
    quota: Quota | None
    eligible: Expression | None
    clause: str
    across: AcrossQuota | None = None  # places counted across the ranking groups, after ``quota``


@dataclass(frozen=True)
class Grading:
    group_by: str
    tie_break: tuple[tuple[str | Expression, bool], ...]  # (key name or computed key, descending)
    scales: Mapping[str, tuple[Grade, ...]]  # period kind -> grades, "*" for all
    periods: frozenset[str] | None

    def scale(self, kind: str) -> tuple[Grade, ...]:
        return self.scales.get(kind) or self.scales.get("*", ())

    def grades_for(self, kind: str) -> tuple[Grade, ...]:
        if self.periods is not None and kind not in self.periods:
            return ()
        return self.scale(kind)


@dataclass(frozen=True)
class OutcomeSpec:
    id: str
    title: str
    use: str
    params: Mapping[str, Any]
    periods: frozenset[str] | None
    clause: str
    path: Path_


@dataclass(frozen=True)
class SubjectClass:
    id: str
    title: str
    coefficient: float | Expression  # a number, or computed per subject from its fields
    path: Path_ = ()


@dataclass(frozen=True)
class YearRollup:
    combine: Combine
    weight: float
    annual: tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class DerivedInput:
    """An input computed per period from event records (``inputs.*.from_events``)
    or from the items alive in the period (``inputs.*.from_items``)."""

    name: str
    when: Expression
    value: Expression | None
    how: How
    records: Literal["event", "item"] = "event"


@dataclass(frozen=True)
class Locations:
    """Where each part of the ruleset is written, so a stage can report a
    runtime problem at its file, line and column (the raw document's only use
    after loading, besides diff, fmt and impact)."""

    _document: Document = field(repr=False, compare=False)

    def diagnostic(self, code: str, path: Path_, **params: Any) -> Diagnostic:
        return self._document.diagnostic(code, path, **params)

    def place(self, diagnostic: Diagnostic, path: Path_) -> Diagnostic:
        """``diagnostic`` (e.g. a plugin's, raised without a location) placed at ``path``
        unless it already names a file."""
        if diagnostic.file:
            return diagnostic
        where = self._document.diagnostic(diagnostic.code, path)
        return diagnostic.with_location(file=where.file, line=where.line, column=where.column, path=where.path)


@dataclass(frozen=True)
class Ruleset:
    id: str
    title: str
    year: int
    file: str
    base_dir: Path
    digest: str
    kind: SubjectKind
    classes: Mapping[str, SubjectClass]
    subject_fields: tuple[str, ...]
    inputs: Mapping[str, Mapping[str, Any]]
    event_fields: tuple[str, ...]
    cycle: PeriodKind
    monitor: tuple[PeriodKind, ...]
    rollup: YearRollup | None
    indicators: tuple[Indicator, ...]
    all_indicators: tuple[Indicator, ...]  # parents before children, in document order
    by_id: Mapping[str, Indicator]
    rules: tuple[Rule, ...]
    caps: Mapping[str, float | Expression]  # adjustment_caps: a number or a limit per subject
    vetoes: tuple[Veto, ...]
    grading: Grading | None
    outcomes: tuple[OutcomeSpec, ...]
    precision: int
    rounding: Rounding
    round_indicators: bool
    total_points: float
    rescale_to_total: bool  # subtotals rescaled to total_points when the tree adds up to something else
    exclude: Expression | None
    full_month_days: int
    data: Mapping[str, Mapping[str, Any]]
    source: Mapping[str, Any]
    declared: Declared
    scopes: Scopes
    expressions: ExpressionTable = field(repr=False, compare=False)
    derived: tuple[DerivedInput, ...]
    locations: Locations = field(repr=False, compare=False)
    document: Document = field(repr=False, compare=False)  # for diff, fmt and impact only
    source_files: tuple[str, ...] = ()  # this file and every file it extends

    def walk(self) -> tuple[Indicator, ...]:
        """All indicators, parents before children, in document order."""
        return self.all_indicators

    def leaves(self) -> list[Indicator]:
        return [i for i in self.all_indicators if i.leaf]


def walk_tree(roots: tuple[Indicator, ...]) -> tuple[Indicator, ...]:
    """The one walk of the indicator tree: parents before children, in document order."""
    order: list[Indicator] = []
    stack = list(reversed(roots))
    while stack:
        node = stack.pop()
        order.append(node)
        stack.extend(reversed(node.children))
    return tuple(order)


def full_marks(points: Any, weight: Any, parent_full: float) -> float:
    """An indicator's full marks: its points, or its weight (%) of its parent's full marks."""
    return float(points) if points is not None else parent_full * float(weight or 0) / 100.0


def build_indicators(
    items: list[dict[str, Any]], parent_full: float, parent: str | None, path: Path_,
    must_sum_default: bool, parent_applies: frozenset[str] | None = None,
) -> tuple[Indicator, ...]:
    """Indicators with full marks computed from the top down; a child applies
    only to classes its parent applies to (applies_to is inherited)."""
    built = []
    for i, item in enumerate(items):
        here = (*path, i)
        points = item.get("points")
        weight = item.get("weight")
        full = full_marks(points, weight, parent_full)
        rater = item.get("rater")
        effective = item.get("effective")
        applies = frozenset(item["applies_to"]) if "applies_to" in item else None
        if parent_applies is not None:
            applies = parent_applies if applies is None else applies & parent_applies
        built.append(Indicator(
            id=item["id"], title=item["title"], full_marks=full, points=points, weight=weight,
            parent=parent,
            children=build_indicators(
                item.get("children", []), full, item["id"], (*here, "children"), must_sum_default, applies
            ),
            rater=component_spec(rater, (*here, "rater")) if rater else None,
            applies_to=applies,
            cycle=defaults.get(item, "indicators[].cycle"), missing=defaults.get(item, "indicators[].missing"),
            children_must_sum=item.get("children_must_sum", must_sum_default),
            effective=(effective.get("from"), effective.get("to")) if effective else None,
            clause=item.get("clause", ""), path=here,
            outside_effective=defaults.get(item, "indicators[].outside_effective"),
            missing_declared=item.get("missing") is not None,
        ))
    return tuple(built)


def in_force(effective: tuple[str | None, str | None] | None, start: Any, end: Any) -> bool:
    """Whether ``effective`` (ISO dates, either open) overlaps the period start…end."""
    if effective is None:
        return True
    first, last = effective
    return (first is None or first <= end.isoformat()) and (last is None or last >= start.isoformat())


def in_force_share(effective: tuple[str | None, str | None] | None, start: Any, end: Any) -> float:
    """Share of the period's months in force, a month counting when its first
    day is inside ``effective`` (in force from 1 July = 6 of 12 months)."""
    if effective is None:
        return 1.0
    first, last = effective
    months = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append(f"{year:04d}-{month:02d}-01")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    inside = [m for m in months if (first is None or first <= m) and (last is None or m <= last)]
    return len(inside) / len(months)


def component_spec(mapping: Mapping[str, Any], path: Path_, reserved: tuple[str, ...] = ("use",)) -> ComponentSpec:
    params = {k: v for k, v in mapping.items() if k not in reserved}
    return ComponentSpec(use=mapping.get("use") or mapping.get("source", ""), params=params, path=path)


def build_grading(raw: Mapping[str, Any] | None, compile_eligible: Any, compile_key: Any) -> Grading | None:
    if not raw:
        return None
    scales: dict[str, tuple[Grade, ...]] = {}
    if "grades" in raw:
        scales["*"] = _grades(raw["grades"], ("grading", "grades"), compile_eligible)
    for kind, grades in raw.get("scales", {}).items():
        scales[kind] = _grades(grades, ("grading", "scales", kind), compile_eligible)
    tie_break = []
    for i, item in enumerate(defaults.get(raw, "grading.tie_break")):
        key, order = (item, None) if isinstance(item, str) else (item.get("key"), item.get("order"))
        if key is None:  # a computed key: larger first unless declared
            tie_break.append((compile_key(item["expr"], ("grading", "tie_break", i, "expr")), order != "asc"))
            continue
        descending = order == "desc" if order else key not in ASCENDING_KEYS
        tie_break.append((key, descending))
    periods = raw.get("periods")
    return Grading(
        group_by=defaults.get(raw, "grading.group_by"), tie_break=tuple(tie_break), scales=scales,
        periods=frozenset(periods) if periods else None,
    )


def _grades(items: list[dict[str, Any]], path: Path_, compile_eligible: Any) -> tuple[Grade, ...]:
    grades = []
    for i, item in enumerate(items):
        quota = item.get("quota")
        eligible = item.get("eligible")
        grades.append(Grade(
            name=item["grade"], factor=float(defaults.get(item, "grading.grades[].factor")),
            min=compile_eligible(item["min"], (*path, i, "min")) if isinstance(item.get("min"), str) else item.get("min"),
            quota=_quota(quota, (*path, i, "quota"), compile_eligible) if quota else None,
            eligible=compile_eligible(eligible, (*path, i, "eligible")) if eligible else None,
            clause=item.get("clause", ""),
            across=_across(item["across_groups"], (*path, i, "across_groups")) if item.get("across_groups") else None,
        ))
    return tuple(grades)


def _across(raw: dict[str, Any], path: Path_) -> AcrossQuota:
    return AcrossQuota(raw.get("max_share"), defaults.get(raw, "grading.grades[].across_groups.rounding"),
                       int(defaults.get(raw, "grading.grades[].across_groups.min_count")), raw.get("max_count"),
                       defaults.get(raw, "grading.grades[].across_groups.within"), path)


def _quota(raw: dict[str, Any], path: Path_, compile_expression: Any) -> Quota:
    def value(key: str) -> Any:
        written = raw.get(key)
        return compile_expression(written, (*path, key)) if isinstance(written, str) else written

    minimum = value("min_count")
    return Quota(value("max_share"), defaults.get(raw, "grading.grades[].quota.rounding"),
                 minimum if minimum is not None else int(defaults.default("grading.grades[].quota.min_count")),
                 value("max_count"), path)
