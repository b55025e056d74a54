"""Frozen dataclasses of a checked ruleset: what the evaluation reads.

Built from data that already passed the JSON Schema, so builders may assume
shapes; semantic problems (sums, references) are found in ``semantics``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from kaohe.engine.language.expressions import Expression
from kaohe.engine.ruleset.loader import Document, Path_


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
    cycle: str
    missing: str
    children_must_sum: bool
    effective: tuple[str | None, str | None] | None
    clause: str
    path: Path_
    outside_effective: str = "renormalise"

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
    kind: str  # "bonus" | "deduction"
    per: str  # "event" | "subject"
    when: Expression
    points: float | Expression
    cap: float | None
    cap_year: float | None
    target: str | None
    cycle: str
    applies_to: frozenset[str] | None
    clause: str
    path: Path_
    max_events: int | None = None
    require: Expression | None = None
    reject_message: str = ""
    effective: tuple[str | None, str | None] | None = None


@dataclass(frozen=True)
class Veto:
    id: str
    title: str
    per: str
    when: Expression
    grade: str | None
    max_grade: str | None
    applies_to: frozenset[str] | None
    clause: str
    path: Path_


QUOTA_ROUNDING_ZH = {"floor": "向下取整", "ceil": "向上取整", "half_up": "四舍五入"}


@dataclass(frozen=True)
class Quota:
    max_share: float | None
    rounding: str
    min_count: int
    max_count: int | None = None

    def places(self, group_size: np.ndarray) -> np.ndarray:
        """Places per group: the share rounded as declared, at least
        ``min_count``, and never more than ``max_count`` (e.g. promotion places)."""
        places = np.full(group_size.shape, np.inf)
        if self.max_share is not None:
            share = np.round(self.max_share * group_size, 9)  # 0.1 × 30 is 3, not 2.9999…
            places = {"floor": np.floor(share), "ceil": np.ceil(share), "half_up": np.floor(share + 0.5)}[self.rounding]
            places = np.maximum(places, self.min_count)
        if self.max_count is not None:
            places = np.minimum(places, self.max_count)
        return np.minimum(places, group_size).astype(np.int64)

    def describe(self, size: int, allowed: int) -> str:
        parts = []
        if self.max_share is not None:
            parts.append(f"组内 {size} 名 × {self.max_share:g}（{QUOTA_ROUNDING_ZH[self.rounding]}）")
        if self.max_count is not None:
            parts.append(f"至多 {self.max_count} 名")
        return "，".join(parts) + f" = {allowed} 名"


@dataclass(frozen=True)
class Grade:
    name: str
    min: float | None
    factor: float
    quota: Quota | None
    eligible: Expression | None
    clause: str


@dataclass(frozen=True)
class Grading:
    group_by: str
    tie_break: tuple[tuple[str, bool], ...]  # (key, descending)
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
    coefficient: float


@dataclass(frozen=True)
class YearRollup:
    combine: str  # mean | sum | last
    weight: float
    annual: tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class Ruleset:
    id: str
    title: str
    year: int
    file: str
    base_dir: Path
    digest: str
    kind: str
    classes: Mapping[str, SubjectClass]
    subject_fields: tuple[str, ...]
    inputs: Mapping[str, Mapping[str, Any]]
    event_fields: tuple[str, ...]
    cycle: str
    monitor: tuple[str, ...]
    rollup: YearRollup | None
    indicators: tuple[Indicator, ...]
    by_id: Mapping[str, Indicator]
    rules: tuple[Rule, ...]
    caps: Mapping[str, float]
    vetoes: tuple[Veto, ...]
    grading: Grading | None
    outcomes: tuple[OutcomeSpec, ...]
    precision: int
    rounding: str
    round_indicators: bool
    total_points: float
    exclude: Expression | None
    full_month_days: int
    data: Mapping[str, Mapping[str, Any]]
    source: Mapping[str, Any]
    document: Document = field(repr=False, compare=False)

    def walk(self) -> list[Indicator]:
        """All indicators, parents before children, in document order."""
        order: list[Indicator] = []

        def visit(node: Indicator) -> None:
            order.append(node)
            for child in node.children:
                visit(child)

        for root in self.indicators:
            visit(root)
        return order

    def leaves(self) -> list[Indicator]:
        return [i for i in self.walk() if i.leaf]


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
        full = float(points) if points is not None else parent_full * float(weight or 0) / 100.0
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
            cycle=item.get("cycle", "period"), missing=item.get("missing", "zero"),
            children_must_sum=item.get("children_must_sum", must_sum_default),
            effective=(effective.get("from"), effective.get("to")) if effective else None,
            clause=item.get("clause", ""), path=here,
            outside_effective=item.get("outside_effective", "renormalise"),
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


def build_grading(raw: Mapping[str, Any] | None, compile_eligible: Any) -> Grading | None:
    if not raw:
        return None
    scales: dict[str, tuple[Grade, ...]] = {}
    if "grades" in raw:
        scales["*"] = _grades(raw["grades"], ("grading", "grades"), compile_eligible)
    for kind, grades in raw.get("scales", {}).items():
        scales[kind] = _grades(grades, ("grading", "scales", kind), compile_eligible)
    tie_break = []
    for item in raw.get("tie_break", ["total", "id"]):
        key, order = (item, None) if isinstance(item, str) else (item["key"], item.get("order"))
        descending = order == "desc" if order else key not in ("id", "name")
        tie_break.append((key, descending))
    periods = raw.get("periods")
    return Grading(
        group_by=raw.get("group_by", "all"), tie_break=tuple(tie_break), scales=scales,
        periods=frozenset(periods) if periods else None,
    )


def _grades(items: list[dict[str, Any]], path: Path_, compile_eligible: Any) -> tuple[Grade, ...]:
    grades = []
    for i, item in enumerate(items):
        quota = item.get("quota")
        eligible = item.get("eligible")
        grades.append(Grade(
            name=item["grade"], min=item.get("min"), factor=float(item.get("factor", 1.0)),
            quota=_quota(quota) if quota else None,
            eligible=compile_eligible(eligible, (*path, i, "eligible")) if eligible else None,
            clause=item.get("clause", ""),
        ))
    return tuple(grades)


def _quota(raw: dict[str, Any]) -> Quota:
    return Quota(raw.get("max_share"), raw.get("rounding", "floor"), raw.get("min_count", 0), raw.get("max_count"))
