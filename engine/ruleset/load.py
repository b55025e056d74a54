"""Load a ruleset: read, check in three passes, build the model.

``load_ruleset`` either returns a ``Ruleset`` or raises ``KaoheError`` with
every problem found, best first. ``validate_paths`` does the same for many
files and folders without stopping at the first bad file.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from kaohe.engine.errors import Diagnostic, KaoheError, sort_diagnostics
from kaohe.engine.language import names
from kaohe.engine.language.expressions import compile_expression
from kaohe.engine.registry import Registry, default_registry
from kaohe.engine.ruleset.inherit import load_resolved
from kaohe.engine.ruleset.loader import Document, Path_, current_ruleset, iter_ruleset_files
from kaohe.engine.ruleset.model import (
    OutcomeSpec,
    Rule,
    Ruleset,
    SubjectClass,
    Veto,
    YearRollup,
    build_grading,
    build_indicators,
)
from kaohe.engine.ruleset.schema import check_document, load_schema
from kaohe.engine.ruleset.semantics import OUTCOME_RESERVED, Checker
from kaohe.engine.ruleset.versions import overlapping_versions


def resolve_path(path: Path) -> Path:
    """A ruleset file, or a jurisdiction folder's current ruleset."""
    if path.is_dir():
        return current_ruleset(path)
    if not path.exists():
        raise KaoheError(Diagnostic("E-FILE-NOT-FOUND", {"file": str(path)}, file=str(path)))
    return path


def check_ruleset(document: Document, registry: Registry) -> list[Diagnostic]:
    """All problems of one loaded document, best first."""
    if not isinstance(document.data, dict):
        return [Diagnostic("E-YAML-NOT-MAPPING", {}, file=document.file, line=1, column=1)]
    version = document.data.get("kaohe")
    if version is not None and version != 1:
        return [document.diagnostic("E-VERSION", ("kaohe",), actual=version)]
    problems = list(document.problems)
    problems += check_document(document, load_schema("ruleset.schema.json"))
    problems += Checker(document, registry).run()
    return sort_diagnostics(problems)


def load_ruleset(path: Path | str, registry: Registry | None = None) -> Ruleset:
    registry = registry or default_registry()
    file = resolve_path(Path(path))
    document = load_resolved(file)
    problems = check_ruleset(document, registry)
    if any(p.severity == "error" for p in problems):
        raise KaoheError(problems)
    return build_ruleset(document, file, registry)


def validate_paths(paths: Iterable[Path], registry: Registry | None = None) -> tuple[int, list[Diagnostic]]:
    """Check every ruleset under ``paths``; return (files checked, problems)."""
    registry = registry or default_registry()
    problems: list[Diagnostic] = []
    checked: list[Path] = []
    for root in paths:
        if not root.exists():
            problems.append(Diagnostic("E-FILE-NOT-FOUND", {"file": str(root)}, file=str(root)))
            continue
        for file in iter_ruleset_files(root):
            checked.append(file)
            try:
                problems += check_ruleset(load_resolved(file), registry)
            except KaoheError as exc:
                problems += exc.diagnostics
    problems += overlapping_versions(checked)
    return len(checked), sort_diagnostics(problems)


def digest_of(data: Any) -> str:
    canonical = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def build_ruleset(document: Document, file: Path, registry: Registry) -> Ruleset:
    raw: dict[str, Any] = document.data
    functions = registry.functions()

    def compiled(text: Any, scope: Any, path: Path_ = ()) -> Any:
        return compile_expression(text, scope, functions)

    subjects = raw["subjects"]
    classes = {
        key: SubjectClass(key, value["title"], float(value.get("coefficient", 1.0)))
        for key, value in (subjects.get("classes") or {}).items()
    }
    total = float(raw.get("total_points", 100))
    indicators = build_indicators(raw["indicators"], total, None, ("indicators",), raw.get("children_must_sum", True))
    by_id = {}
    stack = list(indicators)
    while stack:
        node = stack.pop()
        by_id[node.id] = node
        stack.extend(node.children)
    precision = raw.get("precision") or {}
    year = (raw.get("periods") or {}).get("year")
    rollup = None
    if year is not None:
        rollup = YearRollup(
            year.get("from_periods", "mean"), float(year.get("weight", 1.0)),
            tuple((a["indicator"], float(a["weight"])) for a in year.get("annual", [])),
        )
    exclude = subjects.get("exclude")
    return Ruleset(
        id=raw["id"], title=raw["title"], year=int(raw["year"]), file=str(file), base_dir=file.parent,
        digest=digest_of(raw), kind=subjects["kind"], classes=classes,
        subject_fields=tuple(subjects.get("fields") or {}), inputs=raw.get("inputs") or {},
        event_fields=tuple(raw.get("event_fields") or {}), cycle=(raw.get("periods") or {}).get("cycle", "year"),
        monitor=tuple((raw.get("periods") or {}).get("monitor", [])), rollup=rollup, indicators=indicators, by_id=by_id, rules=_rules(raw, compiled),
        caps=raw.get("adjustment_caps") or {}, vetoes=_vetoes(raw, compiled),
        grading=build_grading(raw.get("grading"), lambda text, path: compiled(text, names.grading_names(raw))),
        outcomes=_outcomes(raw), precision=int(precision.get("score", 2)),
        rounding=precision.get("rounding", "half_up"), round_indicators=bool(precision.get("round_indicators", False)),
        total_points=total, exclude=compiled(exclude, names.subject_names(raw)) if exclude else None,
        full_month_days=int(subjects.get("full_month_days", 11)), data=raw.get("data") or {},
        source=raw.get("source") or {}, document=document,
    )


def _rules(raw: dict[str, Any], compiled: Any) -> tuple[Rule, ...]:
    rules = []
    for kind, key in (("deduction", "deductions"), ("bonus", "bonuses")):
        for i, item in enumerate(raw.get(key) or []):
            per = item.get("per", "event")
            scope = names.rule_names(raw, per)
            points = item["points"]
            rules.append(Rule(
                id=item["id"], title=item["title"], kind=kind, per=per, when=compiled(item["when"], scope),
                points=compiled(points, scope) if isinstance(points, str) else float(points),
                cap=item.get("cap"), cap_year=item.get("cap_year"), target=item.get("target"),
                cycle=item.get("cycle", "period"),
                applies_to=frozenset(item["applies_to"]) if "applies_to" in item else None,
                clause=item.get("clause", ""), path=(key, i), max_events=item.get("max_events"),
                require=compiled(item["require"], scope) if "require" in item else None,
                reject_message=item.get("reject_message", ""), effective=_dates(item.get("effective")),
            ))
    return tuple(rules)


def _dates(effective: Any) -> tuple[str | None, str | None] | None:
    return (effective.get("from"), effective.get("to")) if isinstance(effective, dict) else None


def _vetoes(raw: dict[str, Any], compiled: Any) -> tuple[Veto, ...]:
    return tuple(
        Veto(
            id=item["id"], title=item["title"], per=item.get("per", "event"),
            when=compiled(item["when"], names.rule_names(raw, item.get("per", "event"))),
            grade=item.get("grade"), max_grade=item.get("max_grade"),
            applies_to=frozenset(item["applies_to"]) if "applies_to" in item else None,
            clause=item.get("clause", ""), path=("vetoes", i),
        )
        for i, item in enumerate(raw.get("vetoes") or [])
    )


def _outcomes(raw: dict[str, Any]) -> tuple[OutcomeSpec, ...]:
    return tuple(
        OutcomeSpec(
            id=item["id"], title=item["title"], use=item["use"],
            params={k: v for k, v in item.items() if k not in OUTCOME_RESERVED},
            periods=frozenset(item["periods"]) if "periods" in item else None,
            clause=item.get("clause", ""), path=("outcomes", i),
        )
        for i, item in enumerate(raw.get("outcomes") or [])
    )
