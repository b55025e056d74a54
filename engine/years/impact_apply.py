"""Apply one item of a diff to a ruleset's data: the steps of impact attribution.

A step copies NEW's version of one item into the working data — an
indicator (wherever it sits in the tree; moved if its parent changed), a
bonus or deduction rule, a veto, an outcome, a class, one grade of a scale,
or the fields of a section (periods, caps, grading keys, metadata) — so the
working data walks from OLD to NEW one item at a time.
"""

from __future__ import annotations

import copy
from typing import Any

from kaohe.engine.years.diff import Change

LISTED = {"deductions", "bonuses", "vetoes", "outcomes"}
SECTION_ROOT = {"periods": ("periods",), "caps": ("adjustment_caps",), "meta": ()}
TIMELESS = {"title", "year", "effective", "source", "description"}


def step_key(change: Change) -> tuple[str, str] | None:
    """The item a change belongs to; None for changes that cannot move a score (titles, dates)."""
    if change.section == "meta" and change.field.split(".")[0] in TIMELESS:
        return None
    if change.section in ("meta", "periods", "caps"):
        return change.section, change.field.split(".")[0] or change.section
    return change.section, change.id


def apply_step(working: dict[str, Any], new: dict[str, Any], section: str, ident: str,
               changes: list[Change]) -> None:
    if section == "indicators":
        _indicator(working, new, ident)
    elif section in LISTED:
        _listed(working.setdefault(section, []), new.get(section) or [], ident)
    elif section == "classes":
        _keyed(working.setdefault("subjects", {}).setdefault("classes", {}),
               (new.get("subjects") or {}).get("classes") or {}, ident)
    elif section == "grading":
        _grading(working, new, ident)
    else:
        root = SECTION_ROOT.get(section, ())
        for change in changes:
            _set(working, new, (*root, *change.field.split(".")))


# -- indicators --------------------------------------------------------------


def _indicator(working: dict[str, Any], new: dict[str, Any], ident: str) -> None:
    target = _find(new.get("indicators") or [], ident)
    here = _find(working.get("indicators") or [], ident)
    if target is None:  # removed
        if here is not None:
            here[0].remove(here[1])
        return
    node, new_parent = target[1], target[2]
    if here is None:  # added, with whatever children it has in NEW
        siblings = _children_of(working, new_parent)
        siblings.insert(min(target[0].index(node), len(siblings)), copy.deepcopy(node))
        return
    siblings, item, parent = here
    for key in [k for k in item if k not in ("children",) and k not in node]:
        del item[key]
    item.update({k: copy.deepcopy(v) for k, v in node.items() if k != "children"})
    if parent != new_parent:  # moved
        siblings.remove(item)
        _children_of(working, new_parent).append(item)


def _find(items: list[dict[str, Any]], ident: str,
          parent: str | None = None) -> tuple[list[dict[str, Any]], dict[str, Any], str | None] | None:
    for item in items:
        if str(item.get("id")) == ident:
            return items, item, parent
        found = _find(item.get("children") or [], ident, str(item.get("id")))
        if found is not None:
            return found
    return None


def _children_of(working: dict[str, Any], parent: str | None) -> list[dict[str, Any]]:
    if parent is None:
        return _list_at(working, "indicators")
    found = _find(working.get("indicators") or [], parent)
    if found is None:  # the parent is added later in the order: park the node at the top
        return _list_at(working, "indicators")
    return _list_at(found[1], "children")


def _list_at(mapping: dict[str, Any], key: str) -> list[dict[str, Any]]:
    """``mapping[key]``, a list of mappings, created empty when absent."""
    items: list[dict[str, Any]] = mapping.setdefault(key, [])
    return items


# -- lists, mappings, grades ---------------------------------------------------


def _listed(items: list[dict[str, Any]], new_items: list[dict[str, Any]], ident: str, key: str = "id") -> None:
    """Replace, add or delete the entry whose ``key`` is ``ident``, as in NEW (same position when added)."""
    index = next((i for i, item in enumerate(items) if str(item.get(key)) == ident), None)
    replacement = next((item for item in new_items if str(item.get(key)) == ident), None)
    if replacement is None:
        if index is not None:
            del items[index]
    elif index is None:
        items.insert(min(new_items.index(replacement), len(items)), copy.deepcopy(replacement))
    else:
        items[index] = copy.deepcopy(replacement)


def _keyed(mapping: dict[str, Any], new_mapping: dict[str, Any], ident: str) -> None:
    if ident in new_mapping:
        mapping[ident] = copy.deepcopy(new_mapping[ident])
    else:
        mapping.pop(ident, None)


def _grading(working: dict[str, Any], new: dict[str, Any], ident: str) -> None:
    grading, target = working.setdefault("grading", {}), new.get("grading") or {}
    if ident == "grading":  # group_by, tie_break …
        for key in [k for k in grading if k not in ("grades", "scales") and k not in target]:
            del grading[key]
        grading.update({k: copy.deepcopy(v) for k, v in target.items() if k not in ("grades", "scales")})
        return
    scale, _, grade = ident.rpartition(":")
    if scale:
        grades = grading.setdefault("scales", {}).setdefault(scale, [])
        new_grades = (target.get("scales") or {}).get(scale) or []
    else:
        grades, new_grades = grading.setdefault("grades", []), target.get("grades") or []
    _listed(grades, new_grades, grade, key="grade")


def _set(working: dict[str, Any], new: dict[str, Any], path: tuple[str, ...]) -> None:
    """Copy NEW's value at ``path`` into the working data (absent in NEW: delete it)."""
    source: Any = new
    for key in path:
        source = source.get(key) if isinstance(source, dict) else None
    target = working
    for key in path[:-1]:
        target = target.setdefault(key, {})
    if source is None:
        target.pop(path[-1], None)
    else:
        target[path[-1]] = copy.deepcopy(source)
