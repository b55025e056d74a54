"""``extends``: a ruleset inherits a base ruleset, then overrides, adds and removes.

The child is merged onto the resolved base:
- mappings merge key by key, the child's value winning;
- lists of items with ``id`` (indicators, deductions, bonuses, vetoes,
  outcomes, grades are matched by ``grade``) merge by id: an item with a
  known id overrides that item in place — for indicators wherever it sits in
  the tree — and new items are appended;
- ``remove: [id, …]`` drops inherited items by id, anywhere;
- any other value (a list of classes, a scalar) is replaced.
A partial item (no ``title``) whose id matches nothing is a misspelt
override, not a new item, and is reported with "did you mean".

The merged ``Document`` remembers, for every node, the file and position it
came from, so diagnostics and ``kaohe show --provenance`` name the base file
for an inherited value and the child file for an overridden one.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Iterator
from pathlib import Path
from typing import Any

from kaohe.engine.errors import KaoheError, did_you_mean
from kaohe.engine.ruleset.loader import Document, Path_, load_yaml
from kaohe.engine.ruleset.project import inside_project, project_root

KEYS = ("id", "grade")  # what identifies an item in a list


def load_resolved(path: Path, chain: tuple[Path, ...] = (), display: str | None = None) -> Document:
    """Load ``path`` and, through ``extends``, every base it builds on.

    Files are named as the user wrote them: the base of ``rulesets/x/2025.yaml``
    extending ``base.yaml`` is shown as ``rulesets/x/base.yaml``."""
    display = display or str(path)
    document = load_yaml(path, display)
    here = path.resolve()
    data = document.data
    if not isinstance(data, dict) or "extends" not in data:
        return document
    reference = data["extends"]
    if not isinstance(reference, str):
        return document  # the schema pass reports the type
    base_path = (path.parent / reference).resolve()
    base_display = os.path.normpath(os.path.join(os.path.dirname(display), reference))
    if base_path in (*chain, here):
        names = " → ".join(str(p.name) for p in (*chain, here, base_path))
        raise KaoheError(document.diagnostic("E-EXTENDS-CYCLE", ("extends",), chain=names))
    root = project_root((chain[0] if chain else here).parent)  # the project of the ruleset named first
    if not inside_project(base_path, root):
        raise KaoheError(document.diagnostic("E-PATH-OUTSIDE", ("extends",), file=reference, root=str(root)))
    if not base_path.is_file():
        raise KaoheError(document.diagnostic("E-EXTENDS-NOT-FOUND", ("extends",), file=reference))
    base = load_resolved(base_path, (*chain, here), base_display)
    return Merger(base, document).merge()


class Merger:
    def __init__(self, base: Document, child: Document):
        self.base = base
        self.child = child
        self.out = Document(child.file, None)
        self.out.problems = [*base.problems, *child.problems]

    def merge(self) -> Document:
        self.base = self.removed(self.child.data.get("remove"))
        child = {k: v for k, v in self.child.data.items() if k not in ("extends", "remove")}
        self.out.data = self.mapping(self.base.data, (), child, (), ())
        return self.out

    # -- copying ---------------------------------------------------------------

    def copy(self, source: Document, src: Path_, dst: Path_, value: Any) -> Any:
        """Place ``value`` (found at ``src`` in ``source``) at ``dst``, with its provenance."""
        for table, target in ((source.positions, self.out.positions), (source.key_positions, self.out.key_positions)):
            for path, position in table.items():
                if path[: len(src)] == src:
                    target[dst + path[len(src):]] = position
        self.out.files[dst] = source.file_at(src)
        for path, file in source.files.items():
            if path[: len(src)] == src and len(path) > len(src):
                self.out.files[dst + path[len(src):]] = file
        return value

    def here(self, source: Document, src: Path_, dst: Path_) -> None:
        """Record the node itself (not its subtree) as written in ``source``."""
        for table, target in ((source.positions, self.out.positions), (source.key_positions, self.out.key_positions)):
            if src in table:
                target[dst] = table[src]
        self.out.files[dst] = source.file_at(src)

    # -- merging -------------------------------------------------------------

    def value(self, base: Any, bpath: Path_, child: Any, cpath: Path_, dst: Path_) -> Any:
        if isinstance(base, dict) and isinstance(child, dict):
            return self.mapping(base, bpath, child, cpath, dst)
        if _items(base) and _items(child):
            return self.items(base, bpath, child, cpath, dst)
        return self.copy(self.child, cpath, dst, child)

    def mapping(self, base: dict[str, Any], bpath: Path_, child: dict[str, Any], cpath: Path_,
                dst: Path_) -> dict[str, Any]:
        self.here(self.child, cpath, dst)
        merged: dict[str, Any] = {}
        for key, value in base.items():
            if key in child:
                merged[key] = self.value(value, (*bpath, key), child[key], (*cpath, key), (*dst, key))
            else:
                merged[key] = self.copy(self.base, (*bpath, key), (*dst, key), value)
        for key, value in child.items():
            if key not in base:
                merged[key] = self.copy(self.child, (*cpath, key), (*dst, key), value)
        return merged

    def items(self, base: list[Any], bpath: Path_, child: list[Any], cpath: Path_, dst: Path_) -> list[Any]:
        self.here(self.child, cpath, dst)
        by_id = {_key(item): i for i, item in enumerate(base)}
        nested = dict(_nested_ids(base, bpath))
        overrides: dict[int, list[tuple[int, dict[str, Any]]]] = {}
        deep: dict[Path_, tuple[Path_, dict[str, Any]]] = {}
        added: list[tuple[int, dict[str, Any]]] = []
        for j, item in enumerate(child):
            ident = _key(item)
            if ident in by_id:
                overrides.setdefault(by_id[ident], []).append((j, item))
            elif ident in nested:
                deep[nested[ident]] = ((*cpath, j), item)
            elif "title" not in item and "grade" not in item:
                known = [*by_id, *nested]
                self.problem("E-EXTENDS-UNKNOWN-ID", (*cpath, j, "id"), id=ident, suggest=did_you_mean(str(ident), known))
            else:
                added.append((j, item))
        merged: list[Any] = []
        for i, item in enumerate(base):
            target = (*dst, len(merged))
            if i in overrides:
                result = item
                source_path = (*bpath, i)
                for j, override in overrides[i]:
                    result = self.value(result, source_path, override, (*cpath, j), target)
                merged.append(self.apply_deep(result, target, deep, (*bpath, i)))
            else:
                copied = self.copy(self.base, (*bpath, i), target, item)
                merged.append(self.apply_deep(copied, target, deep, (*bpath, i)))
        for j, item in added:
            merged.append(self.copy(self.child, (*cpath, j), (*dst, len(merged)), item))
        return merged

    def apply_deep(self, item: Any, dst: Path_, deep: dict[Path_, tuple[Path_, dict[str, Any]]],
                   bpath: Path_) -> Any:
        """Overrides aimed at an indicator nested somewhere below ``item``."""
        if not isinstance(item, dict) or not isinstance(item.get("children"), list) or not deep:
            return item
        children = []
        for k, node in enumerate(item["children"]):
            node_path = (*bpath, "children", k)
            target = (*dst, "children", k)
            if node_path in deep:
                source_path, override = deep[node_path]
                node = self.value(node, node_path, override, source_path, target)
            children.append(self.apply_deep(node, target, deep, node_path))
        return {**item, "children": children}

    # -- remove --------------------------------------------------------------

    def removed(self, ids: Any) -> Document:
        """The base without the items the child removes (positions re-indexed)."""
        if not isinstance(ids, list) or not ids:
            return self.base
        for j, ident in enumerate(ids):
            if not isinstance(ident, str | int) or isinstance(ident, bool):  # an id or a dotted key path only
                self.problem("E-EXTENDS-REMOVE-UNKNOWN", ("remove", j), id=str(ident), suggest="")
        ids = [i for i in ids if isinstance(i, str | int) and not isinstance(i, bool)]
        present = {_key(item) for item in _walk_items(self.base.data)}
        paths = {tuple(str(i).split(".")) for i in ids if "." in str(i)}  # mapping keys: grading.scales.quarter
        for j, ident in enumerate(ids):
            found = _has_path(self.base.data, tuple(str(ident).split("."))) if "." in str(ident) else ident in present
            if not found:
                known = sorted(str(p) for p in present if p is not None)
                self.problem("E-EXTENDS-REMOVE-UNKNOWN", ("remove", j), id=ident, suggest=did_you_mean(str(ident), known))
        keeper = Merger(self.base, self.base)
        keeper.out = Document(self.base.file, None)
        keeper.out.problems = list(self.base.problems)
        keeper.out.data = keeper.filtered(self.base.data, (), (), set(ids), paths)
        return keeper.out

    def filtered(self, value: Any, src: Path_, dst: Path_, doomed: set[Any],
                 paths: Collection[tuple[str, ...]] = ()) -> Any:
        self.here(self.base, src, dst)
        if isinstance(value, dict):
            return {k: self.filtered(v, (*src, k), (*dst, k), doomed, paths) for k, v in value.items()
                    if (*src, k) not in paths}
        if isinstance(value, list):
            kept: list[Any] = []
            for i, item in enumerate(value):
                if _key(item) not in doomed:
                    kept.append(self.filtered(item, (*src, i), (*dst, len(kept)), doomed, paths))
            return kept
        return self.copy(self.base, src, dst, value)

    def problem(self, code: str, path: Path_, **params: Any) -> None:
        self.out.problems.append(self.child.diagnostic(code, path, **params))


def _has_path(data: Any, keys: tuple[str, ...]) -> bool:
    """Whether ``data`` has the mapping keys ``keys`` one inside the other."""
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            return False
        data = data[key]
    return True


def _key(item: Any) -> Any:
    """The item's id (or grade name); None for a value that cannot be one (the schema pass reports it)."""
    if isinstance(item, dict):
        for key in KEYS:
            if key in item:
                value = item[key]
                return value if isinstance(value, str | int) and not isinstance(value, bool) else None
    return None


def _items(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(_key(v) is not None for v in value)


def _nested_ids(items: list[Any], path: Path_) -> Iterator[tuple[Any, Path_]]:
    """Ids below the top level of an indicator list, with their base paths."""
    for i, item in enumerate(items):
        children = item.get("children") if isinstance(item, dict) else None
        if isinstance(children, list):
            for k, child in enumerate(children):
                yield _key(child), (*path, i, "children", k)
            yield from _nested_ids(children, (*path, i, "children"))


def _walk_items(value: Any) -> Iterator[Any]:
    if isinstance(value, dict):
        for child in value.values():
            yield from _walk_items(child)
    elif isinstance(value, list):
        for item in value:
            if _key(item) is not None:
                yield item
            yield from _walk_items(item)


__all__ = ["load_resolved"]
