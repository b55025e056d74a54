"""Semantic diff of two resolved rulesets: by stable ids, not by text.

Answers "what changed in the method?": indicators added, removed,
re-titled, moved in the tree; points and weights (with the effective points
of the total, so "weight 10 → 15 within 经济发展类 (40)" also reads "4 → 6
points of the total"); raters; bonuses, deductions and their caps; vetoes;
grades, bands and quotas; coefficients; outcomes; periods; clauses and
effective dates. Each change is data (``Change``); renderers in
``kaohe.engine.years.diff_render`` turn them into text, Markdown or JSON.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from kaohe.engine.ruleset.model import Indicator, Ruleset

SECTIONS = {
    "meta": ("基本信息", "metadata"), "classes": ("类别与系数", "classes"),
    "indicators": ("指标", "indicators"), "deductions": ("扣分规则", "deductions"),
    "bonuses": ("加分规则", "bonuses"), "vetoes": ("一票否决", "vetoes"), "grading": ("等次", "grading"),
    "outcomes": ("结果运用", "outcomes"), "periods": ("考核周期", "periods"), "caps": ("加减分总封顶", "caps"),
}


@dataclass(frozen=True)
class Change:
    section: str
    change: str  # added | removed | changed | moved | retitled
    id: str
    title: str = ""
    field: str = ""
    old: Any = None
    new: Any = None
    detail: Mapping[str, Any] = dataclasses.field(default_factory=dict)


def diff_rulesets(old: Ruleset, new: Ruleset) -> list[Change]:
    a, b = old.document.data, new.document.data
    changes: list[Change] = []
    changes += _meta(a, b)
    changes += _keyed("classes", a.get("subjects", {}).get("classes") or {},
                      b.get("subjects", {}).get("classes") or {})
    changes += _indicators(old, new)
    for section in ("deductions", "bonuses", "vetoes", "outcomes"):
        changes += _keyed(section, _by_id(a.get(section)), _by_id(b.get(section)))
    changes += _grading(a.get("grading") or {}, b.get("grading") or {})
    changes += _fields("periods", "periods", "", a.get("periods") or {}, b.get("periods") or {})
    changes += _fields("caps", "adjustment_caps", "", a.get("adjustment_caps") or {}, b.get("adjustment_caps") or {})
    changes += _fields("meta", "ruleset", b.get("title", ""), _rest(a), _rest(b))
    return changes


HANDLED = ("kaohe", "id", "title", "year", "effective", "source", "precision", "total_points", "description",
           "indicators", "deductions", "bonuses", "vetoes", "outcomes", "grading", "periods", "adjustment_caps")


def _rest(data: Mapping[str, Any]) -> dict[str, Any]:
    """Everything else (subjects, inputs, event_fields, data …), compared field by field."""
    rest = {k: v for k, v in data.items() if k not in HANDLED}
    subjects = dict(rest.get("subjects") or {})
    subjects.pop("classes", None)  # compared as their own section
    if subjects:
        rest["subjects"] = subjects
    else:
        rest.pop("subjects", None)
    return rest


def _by_id(items: Any) -> dict[str, dict[str, Any]]:
    return {str(item["id"]): item for item in items or [] if isinstance(item, dict) and "id" in item}


def _meta(a: Mapping[str, Any], b: Mapping[str, Any]) -> list[Change]:
    keys = ("title", "year", "effective", "source", "precision", "total_points", "description")
    old = {k: a.get(k) for k in keys if k in a}
    new = {k: b.get(k) for k in keys if k in b}
    return _fields("meta", "ruleset", b.get("title", ""), old, new)


def _fields(section: str, ident: str, title: str, old: Any, new: Any, prefix: str = "",
            skip: tuple[str, ...] = ()) -> list[Change]:
    """Field-level changes between two mappings, recursing into nested mappings."""
    changes: list[Change] = []
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        for key in [*old, *(k for k in new if k not in old)]:
            if key in skip:
                continue
            path = f"{prefix}.{key}" if prefix else str(key)
            if key not in new:
                changes.append(Change(section, "changed", ident, title, path, old[key], None))
            elif key not in old:
                changes.append(Change(section, "changed", ident, title, path, None, new[key]))
            else:
                changes += _fields(section, ident, title, old[key], new[key], path)
    elif not _same(old, new):
        changes.append(Change(section, "changed", ident, title, prefix, old, new))
    return changes


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, int | float) and isinstance(b, int | float) and not isinstance(a, bool):
        return math.isclose(a, b, rel_tol=0, abs_tol=1e-12)
    return bool(a == b)


def _keyed(section: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    changes: list[Change] = []
    for key, item in old.items():
        if key not in new:
            changes.append(Change(section, "removed", key, _title(item), old=item))
    for key, item in new.items():
        if key not in old:
            changes.append(Change(section, "added", key, _title(item), new=item))
        else:
            changes += _fields(section, key, _title(item), old[key], item, skip=("id",))
    return changes


def _title(item: Any) -> str:
    return str(item.get("title", "")) if isinstance(item, Mapping) else ""


# -- indicators --------------------------------------------------------------


def _indicators(old: Ruleset, new: Ruleset) -> Iterator[Change]:
    a, b = old.by_id, new.by_id
    raw_a, raw_b = _raw_indicators(old), _raw_indicators(new)
    for ident in _ordered(old):
        if ident not in b:
            yield Change("indicators", "removed", ident, a[ident].title, old=_summary(a[ident]))
    for ident in _ordered(new):
        node = b[ident]
        if ident not in a:
            yield Change("indicators", "added", ident, node.title, new=_summary(node))
            continue
        before = a[ident]
        if before.title != node.title:
            yield Change("indicators", "retitled", ident, node.title, "title", before.title, node.title)
        if before.parent != node.parent:
            yield Change("indicators", "moved", ident, node.title, "parent", before.parent, node.parent,
                         {"old_parent_title": _parent_title(old, before), "new_parent_title": _parent_title(new, node)})
        yield from _size(old, new, before, node)
        skip = ("id", "title", "children", "points", "weight")
        yield from _fields("indicators", ident, node.title, raw_a[ident], raw_b[ident], skip=skip)


def _size(old: Ruleset, new: Ruleset, before: Indicator, after: Indicator) -> Iterator[Change]:
    kind = "weight" if after.weight is not None else "points"
    was = before.weight if kind == "weight" else before.points
    now = after.weight if kind == "weight" else after.points
    same_kind = (before.weight is not None) == (after.weight is not None)
    if same_kind and _same(was, now) and _same(before.full_marks, after.full_marks):
        return
    detail = {
        "old_total_points": before.full_marks, "new_total_points": after.full_marks,
        "parent_title": _parent_title(new, after),
        "parent_points": new.by_id[after.parent].full_marks if after.parent else new.total_points,
    }
    field_name = kind if same_kind else "points/weight"
    old_value = was if same_kind else (before.weight if before.weight is not None else before.points)
    if not same_kind:  # the renderer says which each side was: 权重 10 → 分值 10
        detail["old_kind"] = "weight" if before.weight is not None else "points"
    yield Change("indicators", "changed", after.id, after.title, field_name, old_value, now, detail)


def _parent_title(ruleset: Ruleset, node: Indicator) -> str:
    return ruleset.by_id[node.parent].title if node.parent else "总分"


def _ordered(ruleset: Ruleset) -> list[str]:
    return [node.id for node in ruleset.walk()]


def _summary(node: Indicator) -> dict[str, Any]:
    return {"title": node.title, "points": node.full_marks, "parent": node.parent,
            "rater": node.rater.use if node.rater else None}


def _raw_indicators(ruleset: Ruleset) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}

    def visit(items: list[dict[str, Any]]) -> None:
        for item in items:
            found[str(item["id"])] = item
            visit(item.get("children") or [])

    visit(ruleset.document.data.get("indicators") or [])
    return found


# -- grading -----------------------------------------------------------------


def _grading(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    changes = _fields("grading", "grading", "", {k: v for k, v in old.items() if k not in ("grades", "scales")},
                      {k: v for k, v in new.items() if k not in ("grades", "scales")})
    for scale in sorted(set(_scales(old)) | set(_scales(new))):
        a, b = _scales(old).get(scale, {}), _scales(new).get(scale, {})
        for change in _keyed("grading", a, b):
            label = change.id if scale == "*" else f"{scale}:{change.id}"
            changes.append(Change("grading", change.change, label, change.id, change.field, change.old, change.new))
    return changes


def _scales(grading: Mapping[str, Any]) -> dict[str, dict[str, dict[str, Any]]]:
    scales = {"*": grading.get("grades")} if "grades" in grading else {}
    scales.update(grading.get("scales") or {})
    return {kind: {str(g["grade"]): g for g in grades or []} for kind, grades in scales.items()}
