"""``kaohe validate RULESET --data DIR|FILE``: check data against a ruleset without scoring.

The ruleset is checked first (data cannot be checked against a ruleset with
errors); then every table is read and typed as an evaluation would read it,
which reports every bad cell of every table at once, located by file, sheet,
row and column; then the pre-scoring check that each input a leaf reads is in
the data (``absent.check_inputs_present``). Nothing is scored. Warnings (a
title row skipped, a CSV read as GBK) come back with the problems.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from kaohe.engine.errors import Diagnostic, KaoheError, sort_diagnostics
from kaohe.engine.evaluation.absent import check_inputs_present
from kaohe.engine.evaluation.runner import load_data
from kaohe.engine.registry import Registry, default_registry
from kaohe.engine.ruleset.load import load_ruleset, resolve_path, validate_paths


@dataclass
class DataCheck:
    files: int  # ruleset files checked
    problems: list[Diagnostic] = field(default_factory=list)  # errors and warnings, sorted
    tables: dict[str, str] = field(default_factory=dict)  # table -> where it was read from (when read)

    @property
    def ok(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)


def check_data(ruleset_path: Path, data: Path, registry: Registry | None = None) -> DataCheck:
    registry = registry or default_registry()
    try:
        file = resolve_path(ruleset_path)
    except KaoheError as exc:
        return DataCheck(0, exc.diagnostics)
    count, problems = validate_paths([file], registry)
    result = DataCheck(count, problems)
    if not result.ok:
        return result
    try:
        ruleset = load_ruleset(file, registry)
        dataset = load_data(ruleset, data, registry)
    except KaoheError as exc:
        result.problems = sort_diagnostics([*problems, *exc.diagnostics])
        return result
    found = list(dataset.warnings)
    try:
        check_inputs_present(ruleset, dataset, registry)
    except KaoheError as exc:
        found += exc.diagnostics
    result.problems = sort_diagnostics([*problems, *found])
    result.tables = dict(dataset.origins)
    return result
