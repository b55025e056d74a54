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
from typing import Any, Literal

from kaohe.engine.errors import Diagnostic, KaoheError, sort_diagnostics
from kaohe.engine.language.compiled import ExpressionTable
from kaohe.engine.language.expressions import Expression, NameSpec
from kaohe.engine.language.names import Declared, Scopes
from kaohe.engine.registry import Registry, default_registry
from kaohe.engine.ruleset import defaults
from kaohe.engine.ruleset.inherit import load_resolved
from kaohe.engine.ruleset.loader import Document, current_ruleset, iter_ruleset_files
from kaohe.engine.ruleset.model import (
    DerivedInput,
    Locations,
    OutcomeSpec,
    Rule,
    RuleKind,
    Ruleset,
    SubjectClass,
    Veto,
    YearRollup,
    build_grading,
    build_indicators,
    walk_tree,
)
from kaohe.engine.ruleset.schema import check_document, load_schema
from kaohe.engine.ruleset.semantics import OUTCOME_RESERVED, Checker
from kaohe.engine.ruleset.slips import refine
from kaohe.engine.ruleset.versions import overlapping_versions


def resolve_path(path: Path) -> Path:
    """A ruleset file, or a jurisdiction folder's current ruleset."""
    if path.is_dir():
        return current_ruleset(path)
    if not path.exists():
        raise KaoheError(Diagnostic("E-FILE-NOT-FOUND", {"file": str(path)}, file=str(path)))
    return path


def check_ruleset(document: Document, registry: Registry,
                  expressions: ExpressionTable | None = None) -> list[Diagnostic]:
    """All problems of one loaded document, best first. Expressions compiled
    while checking are kept in ``expressions`` for the builder."""
    if not isinstance(document.data, dict):
        return [Diagnostic("E-YAML-NOT-MAPPING", {}, file=document.file, line=1, column=1)]
    version = document.data.get("kaohe")
    if version is not None and version != 1:
        return refine(document, [document.diagnostic("E-VERSION", ("kaohe",), actual=version)])
    problems = list(document.problems)
    problems += check_document(document, load_schema("ruleset.schema.json"))
    problems += Checker(document, registry, expressions).run()
    return sort_diagnostics(refine(document, problems))  # a problem a keyboard slip caused names the slip


def load_ruleset(path: Path | str, registry: Registry | None = None) -> Ruleset:
    """Read, resolve ``extends``, check and compile; raise ``KaoheError`` with every problem."""
    registry = registry or default_registry()
    file = resolve_path(Path(path))
    document = load_resolved(file)
    expressions = ExpressionTable(registry.functions())
    problems = check_ruleset(document, registry, expressions)
    if any(p.severity == "error" for p in problems):
        raise KaoheError(problems)
    return build_ruleset(document, file, registry, expressions)


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
            if any(file.resolve() == seen.resolve() for seen in checked):
                continue  # named twice (a folder and a file in it): check and count it once
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


def build_ruleset(document: Document, file: Path, registry: Registry,
                  expressions: ExpressionTable | None = None) -> Ruleset:
    """The compiled model of a checked document."""
    raw: dict[str, Any] = document.data
    expressions = expressions if expressions is not None else ExpressionTable(registry.functions())
    subjects = raw["subjects"]
    periods = raw.get("periods") or {}
    precision = raw.get("precision") or {}
    total = float(defaults.get(raw, "total_points"))
    indicators = build_indicators(raw["indicators"], total, None, ("indicators",),
                                  defaults.get(raw, "children_must_sum"))
    every = walk_tree(indicators)
    outcomes = _outcomes(raw)
    declared = Declared.of(raw)
    scopes = Scopes.of(declared, [o.id for o in outcomes])
    exclude = subjects.get("exclude")
    return Ruleset(
        id=raw["id"], title=raw["title"], year=int(raw["year"]), file=str(file), base_dir=file.parent,
        digest=digest_of(raw), kind=subjects["kind"], classes=_classes(subjects, expressions, scopes),
        subject_fields=declared.subject_fields, inputs=raw.get("inputs") or {},
        event_fields=declared.event_fields, cycle=defaults.get(periods, "periods.cycle"),
        monitor=tuple(periods.get("monitor", [])), rollup=_rollup(periods.get("year")),
        indicators=indicators, all_indicators=every, by_id={node.id: node for node in every},
        rules=_rules(raw, expressions, scopes), caps={key: expressions.compile(value, scopes.rule_subject) if isinstance(value, str) else value
              for key, value in (raw.get("adjustment_caps") or {}).items()},
        vetoes=_vetoes(raw, expressions, scopes),
        grading=build_grading(raw.get("grading"), lambda text, path: expressions.compile(text, scopes.grading),
                              lambda text, path: expressions.compile(text, scopes.ranking, path)),
        outcomes=outcomes, precision=int(defaults.get(precision, "precision.score")),
        rounding=defaults.get(precision, "precision.rounding"),
        round_indicators=bool(defaults.get(precision, "precision.round_indicators")),
        total_points=total, rescale_to_total=bool(defaults.get(raw, "rescale_to_total")), exclude=expressions.compile(exclude, scopes.subject) if exclude else None,
        full_month_days=int(defaults.get(subjects, "subjects.full_month_days")), data=raw.get("data") or {},
        source=raw.get("source") or {}, declared=declared, scopes=scopes, expressions=expressions,
        derived=_derived(raw, expressions, scopes), locations=Locations(document), document=document,
        source_files=tuple(dict.fromkeys([str(file), *document.files.values()])),
    )


def _classes(subjects: dict[str, Any], expressions: ExpressionTable, scopes: Scopes) -> dict[str, SubjectClass]:
    def coefficient(value: dict[str, Any]) -> float | Expression:
        written = defaults.get(value, "subjects.classes.*.coefficient")
        return expressions.compile(written, scopes.coefficient) if isinstance(written, str) else float(written)

    return {key: SubjectClass(key, value["title"], coefficient(value), ("subjects", "classes", key, "coefficient"))
            for key, value in (subjects.get("classes") or {}).items()}


def _rollup(year: dict[str, Any] | None) -> YearRollup | None:
    if year is None:
        return None
    return YearRollup(
        defaults.get(year, "periods.year.from_periods"), float(defaults.get(year, "periods.year.weight")),
        tuple((a["indicator"], float(a["weight"])) for a in year.get("annual", [])),
    )


def _rules(raw: dict[str, Any], expressions: ExpressionTable, scopes: Scopes) -> tuple[Rule, ...]:
    def limit(item: dict[str, Any], key: str) -> float | Expression | None:
        """A cap: a number, or an expression over each subject's names."""
        value = item.get(key)
        return expressions.compile(value, scopes.rule_subject) if isinstance(value, str) else value

    rules = []
    kinds: tuple[tuple[RuleKind, str], ...] = (("deduction", "deductions"), ("bonus", "bonuses"))
    for kind, key in kinds:
        for i, item in enumerate(raw.get(key) or []):
            per = defaults.get(item, f"{key}[].per")
            scope = scopes.rule(per)
            points = item["points"]
            rules.append(Rule(
                id=item["id"], title=item["title"], kind=kind, per=per, when=expressions.compile(item["when"], scope),
                points=expressions.compile(points, scope) if isinstance(points, str) else float(points),
                cap=limit(item, "cap"), cap_year=limit(item, "cap_year"), target=item.get("target"),
                cycle=defaults.get(item, f"{key}[].cycle"),
                applies_to=frozenset(item["applies_to"]) if "applies_to" in item else None,
                clause=item.get("clause", ""), path=(key, i), max_events=item.get("max_events"),
                require=expressions.compile(item["require"], scope) if "require" in item else None,
                reject_message=item.get("reject_message", ""), effective=_dates(item.get("effective")),
                key=item.get("key"), cap_key=limit(item, "cap_key"), cap_month=limit(item, "cap_month"),
            ))
    return tuple(rules)


def _dates(effective: Any) -> tuple[str | None, str | None] | None:
    return (effective.get("from"), effective.get("to")) if isinstance(effective, dict) else None


def _vetoes(raw: dict[str, Any], expressions: ExpressionTable, scopes: Scopes) -> tuple[Veto, ...]:
    vetoes = []
    for i, item in enumerate(raw.get("vetoes") or []):
        per = defaults.get(item, "vetoes[].per")
        vetoes.append(Veto(
            id=item["id"], title=item["title"], per=per, when=expressions.compile(item["when"], scopes.rule(per)),
            grade=item.get("grade"), max_grade=item.get("max_grade"),
            applies_to=frozenset(item["applies_to"]) if "applies_to" in item else None,
            clause=item.get("clause", ""), path=("vetoes", i),
        ))
    return tuple(vetoes)


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


def _derived(raw: dict[str, Any], expressions: ExpressionTable, scopes: Scopes) -> tuple[DerivedInput, ...]:
    found = []
    for name, spec in (raw.get("inputs") or {}).items():
        sources: tuple[tuple[str, Literal["event", "item"], NameSpec], ...] = (
            ("from_events", "event", scopes.event), ("from_items", "item", scopes.item))
        for key, records, scope in sources:
            source = spec.get(key) if isinstance(spec, dict) else None
            if not isinstance(source, dict):
                continue
            value = source.get("value")
            found.append(DerivedInput(
                name=name, when=expressions.compile(source["when"], scope),
                value=expressions.compile(value, scope) if value is not None else None,
                how=defaults.get(source, f"inputs.*.{key}.how"), records=records,
            ))
    return tuple(found)
