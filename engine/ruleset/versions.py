"""Overlapping versions of one jurisdiction's method.

A jurisdiction folder holds one ruleset per year (``2024.yaml``,
``2025.yaml`` …), often over a shared base. When two of them claim the same
day, which method applies is ambiguous, so ``kaohe validate`` warns. A
ruleset's days are its ``effective`` dates, or its whole ``year`` when it
declares none. A base that other files extend and whose name carries no year
(``base.yaml``) is not a version of its own; ``2024.yaml`` extended by
``2025.yaml`` is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from itertools import combinations
from pathlib import Path
from typing import Any

from kaohe.engine.errors import Diagnostic, KaoheError
from kaohe.engine.ruleset.inherit import load_resolved
from kaohe.engine.ruleset.loader import load_yaml


def overlapping_versions(files: Iterable[Path]) -> list[Diagnostic]:
    by_folder: dict[Path, list[Path]] = {}
    for file in files:
        by_folder.setdefault(file.parent, []).append(file)
    problems: list[Diagnostic] = []
    for folder_files in by_folder.values():
        problems += _folder(folder_files)
    return problems


def _folder(files: list[Path]) -> list[Diagnostic]:
    bases = {base for file in files if (base := _extended(file)) is not None and not re.search(r"\d{4}", base.stem)}
    spans = [(file, span) for file in files
             if file.resolve() not in bases and (span := _span(file)) is not None]
    problems = []
    for (a, (a_from, a_to)), (b, (b_from, b_to)) in combinations(sorted(spans), 2):
        first, last = max(a_from, b_from), min(a_to, b_to)
        if first <= last:
            problems.append(Diagnostic(
                "W-VERSION-OVERLAP",
                {"a": a.name, "b": b.name, "a_span": f"{a_from}–{a_to}", "b_span": f"{b_from}–{b_to}",
                 "first": first, "last": last},
                file=str(b), line=1, column=1, severity="warning",
            ))
    return problems


def _extended(file: Path) -> Path | None:
    try:
        data = load_yaml(file, str(file)).data
    except KaoheError:
        return None
    reference = data.get("extends") if isinstance(data, dict) else None
    return (file.parent / reference).resolve() if isinstance(reference, str) else None


def _span(file: Path) -> tuple[str, str] | None:
    """The days a ruleset claims, as ISO dates (open ends stretch to any day)."""
    try:
        data: Any = load_resolved(file).data
    except KaoheError:
        return None
    if not isinstance(data, dict):
        return None
    effective = data.get("effective")
    if not isinstance(effective, dict):
        effective = {}
    year = data.get("year")
    start = effective.get("from") or (f"{year}-01-01" if isinstance(year, int) else None)
    end = effective.get("to") or (f"{year}-12-31" if isinstance(year, int) else None)
    if start is None and end is None:
        return None
    return str(start or "0001-01-01"), str(end or "9999-12-31")
