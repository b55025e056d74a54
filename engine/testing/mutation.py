"""Mutation check: which single policy-value changes no test case notices.

For each jurisdiction folder (one with ``tests/``) and each ruleset file its
cases name, every policy number of the resolved ruleset (after ``extends``)
is changed one at a time, up and down: amounts (points, weights, caps,
coefficients, grade factors, pools, shares) by 10 %, whole-number thresholds
(grade ``min``, band edges) and counts by 1. Where siblings must keep their
sum (indicator points and weights, survey group weights, the year roll-up
weights) the difference moves to the nearest sibling of the same classes; a
band edge moves both bands that share it. Numbers written inside expressions
(``when: "rank_pct > 0.8"``, ``min: "92 * coefficient"``) change the same
way, one number at a time, with the rest of the text kept as written: a
number compared with is a threshold, ``years=`` a count, any other number is
read like the key holding the expression; exponents of ``**`` and the digits
of ``round`` are not policy and stay. The changed data is checked like
any ruleset, in memory — a change the checks reject is counted as invalid
and not run — and compiled; the cases naming that file then run against it,
on data loaded once. A mutation is killed when at least one case fails, and
survives when all pass. ``docs/mutation.md`` explains how to read the report.
"""

from __future__ import annotations

import copy
import json
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from kaohe.engine.data.tables import Dataset
from kaohe.engine.errors import Diagnostic, KaoheError
from kaohe.engine.language.compiled import ExpressionTable
from kaohe.engine.language.expressions import Expression, NameSpec
from kaohe.engine.registry import Registry, default_registry
from kaohe.engine.ruleset import defaults
from kaohe.engine.ruleset.inherit import load_resolved
from kaohe.engine.ruleset.load import build_ruleset, check_ruleset, resolve_path
from kaohe.engine.ruleset.loader import Document, Path_, json_path
from kaohe.engine.ruleset.model import Ruleset
from kaohe.engine.ruleset.semantics import OUTCOME_RESERVED, Checker
from kaohe.engine.testing.cases import (
    case_dataset,
    case_ruleset,
    collect_test_files,
    load_cases,
    run_case,
)
from kaohe.engine.testing.expression_numbers import Style, numbers_in

Value = int | float | str  # str: a money amount written as text, e.g. pool: "600000.00"

COUNT_KEYS = frozenset({"count", "min_count", "max_count", "min_group_size", "min_raters", "above", "drop",
                        "own_years", "max_events"})
THRESHOLD_KEYS = frozenset({"min", "from", "to", "full_at", "threshold", "below"})
TEXT_AMOUNTS = frozenset({"pool"})  # parameters that may be written as a decimal string
QUOTA_VALUES: tuple[tuple[str, Style], ...] = (("max_share", "amount"), ("max_count", "count"), ("min_count", "count"))
NOT_POLICY = frozenset({"precision", "unit"})  # digits and money units: presentation, not policy
EXPRESSION_KINDS = {"indicators": "indicator", "deductions": "deduction", "bonuses": "bonus", "vetoes": "veto",
                    "adjustment_caps": "adjustment cap", "grading": "grading", "outcomes": "outcome",
                    "subjects": "subject", "inputs": "input", "periods": "period"}


@dataclass(frozen=True)
class Site:
    """A policy value that can be mutated, and what must move with it."""

    kind: str
    path: Path_
    style: Style
    partner: Path_ | None = None  # keeps a sum: takes the opposite change
    linked: Path_ | None = None  # the same edge written twice (bands): takes the same value


@dataclass(frozen=True)
class InText:
    """What an edit of an expression changes: one number in it."""

    old: int | float
    new: int | float
    start: int
    which: str = ""


@dataclass(frozen=True)
class Edit:
    path: Path_
    old: Value
    new: Value
    number: InText | None = None  # an expression: old and new are the whole texts, this the number changed

    def text(self) -> str:
        if self.number is None:
            return f"{json_path(self.path)}: {_show(self.old)} → {_show(self.new)}"
        which = f", {self.number.which}" if self.number.which else ""
        written = json.dumps(self.old, ensure_ascii=False)
        return f"{json_path(self.path)}: {_show(self.number.old)} → {_show(self.number.new)} (in {written}{which})"

    def to_json(self) -> dict[str, Any]:
        if self.number is None:
            return {"path": json_path(self.path), "old": self.old, "new": self.new}
        return {"path": json_path(self.path), "old": self.number.old, "new": self.number.new,
                "expression": self.old, "mutated_expression": self.new, "offset": self.number.start}


@dataclass(frozen=True)
class Mutation:
    file: str
    kind: str
    edits: tuple[Edit, ...]  # the value changed first, then the values that keep a sum or an edge
    at: str = ""  # where the changed value is written (file:line; a base file for an inherited value)

    def label(self) -> str:
        first, *rest = self.edits
        also = "".join(f" (with {edit.text()})" for edit in rest)
        return f"{self.file}::{first.text()}{also}"

    def to_json(self) -> dict[str, Any]:
        first, *rest = self.edits
        return {"file": self.file, **first.to_json(), "kind": self.kind, "with": [e.to_json() for e in rest],
                "at": self.at, "label": self.label()}


@dataclass
class Report:
    """One jurisdiction folder."""

    folder: str
    files: list[str] = field(default_factory=list)
    cases: int = 0
    generated: int = 0
    killed: int = 0
    survivors: list[Mutation] = field(default_factory=list)
    invalid: list[tuple[Mutation, str]] = field(default_factory=list)  # with the first error code
    baseline_failures: list[str] = field(default_factory=list)  # cases failing before any change: left out
    unloadable: list[str] = field(default_factory=list)  # ruleset files that do not load as they are
    by_kind: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def survived(self) -> int:
        return len(self.survivors)

    @property
    def score(self) -> float | None:
        judged = self.killed + self.survived
        return self.killed / judged if judged else None

    def count(self, mutation: Mutation, result: str) -> None:
        counts = self.by_kind.setdefault(mutation.kind, {"generated": 0, "invalid": 0, "killed": 0, "survived": 0})
        counts["generated"] += 1
        counts[result] += 1


# -- where the policy values are ------------------------------------------------


def sites(data: dict[str, Any]) -> list[Site]:
    """Every mutable policy value of resolved ruleset data, in a fixed order."""
    found: list[Site] = []
    classes = (data.get("subjects") or {}).get("classes")
    for key, spec in (classes or {}).items() if isinstance(classes, dict) else ():
        if isinstance(spec, dict) and _number(spec.get("coefficient")):
            found.append(Site("class coefficient", ("subjects", "classes", key, "coefficient"), "amount"))
    year = (data.get("periods") or {}).get("year")
    if isinstance(year, dict):
        weights: list[Path_] = [("periods", "year", "weight")] if _number(year.get("weight")) else []
        weights += [("periods", "year", "annual", i, "weight") for i, part in enumerate(year.get("annual") or [])
                    if isinstance(part, dict) and _number(part.get("weight"))]
        found += [Site("year roll-up weight", p, "amount", partner=_neighbour(weights, j)) for j, p in enumerate(weights)]
    must_sum = bool(defaults.get(data, "children_must_sum"))
    found += _indicators(data.get("indicators"), ("indicators",), must_sum, must_sum)
    rule_values: tuple[tuple[str, Style], ...] = (
        ("points", "amount"), ("cap", "amount"), ("cap_year", "amount"), ("max_events", "count"))
    for key, kind in (("deductions", "deduction"), ("bonuses", "bonus")):
        for i, rule in enumerate(data.get(key) or []):
            for name, style in rule_values:
                if isinstance(rule, dict) and _number(rule.get(name)):
                    found.append(Site(f"{kind} {name}", (key, i, name), style))
    caps = data.get("adjustment_caps")
    for key, value in caps.items() if isinstance(caps, dict) else ():
        if _number(value):
            found.append(Site("adjustment cap", ("adjustment_caps", key), "amount"))
    found += _grading(data.get("grading"))
    for i, outcome in enumerate(data.get("outcomes") or []):
        if isinstance(outcome, dict):
            found += _params(outcome, ("outcomes", i), "outcome parameter", skip=OUTCOME_RESERVED)
    return found


def _indicators(items: Any, path: Path_, must_sum: bool, default_must: bool) -> list[Site]:
    found: list[Site] = []
    if not isinstance(items, list):
        return found
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            continue
        here = (*path, i)
        for key in ("points", "weight"):
            if _number(item.get(key)):
                summed = must_sum and item.get("cycle") != "year"
                partner = _sibling(items, i, key) if summed else None
                found.append(Site(f"indicator {key}", (*here, key), "amount",
                                  partner=None if partner is None else (*path, partner, key)))
        if isinstance(item.get("rater"), dict):
            found += _params(item["rater"], (*here, "rater"), "rater parameter", skip=("use",))
        found += _indicators(item.get("children"), (*here, "children"),
                             bool(item.get("children_must_sum", default_must)), default_must)
    return found


def _sibling(items: list[Any], i: int, key: str) -> int | None:
    """The nearest sibling (next first, else previous) that counts in the same sums as item ``i``."""
    classes = _classes(items[i])
    fits = [j for j, other in enumerate(items)
            if j != i and isinstance(other, dict) and _number(other.get(key)) and other.get("cycle") != "year"
            and _classes(other) == classes]
    after = [j for j in fits if j > i]
    return after[0] if after else (fits[-1] if fits else None)


def _classes(item: dict[str, Any]) -> frozenset[str] | None:
    applies = item.get("applies_to")
    return frozenset(str(c) for c in applies) if isinstance(applies, list) else None


def _grading(grading: Any) -> list[Site]:
    found: list[Site] = []
    if not isinstance(grading, dict):
        return found
    scales: list[tuple[Path_, Any]] = [(("grading", "grades"), grading.get("grades"))]
    scales += [(("grading", "scales", name), grades) for name, grades in (grading.get("scales") or {}).items()]
    for path, grades in scales:
        for i, grade in enumerate(grades if isinstance(grades, list) else []):
            if not isinstance(grade, dict):
                continue
            if _number(grade.get("min")):
                found.append(Site("grade min", (*path, i, "min"), "threshold"))
            if _number(grade.get("factor")):
                found.append(Site("grade factor", (*path, i, "factor"), "amount"))
            quota = grade.get("quota")
            for key, style in QUOTA_VALUES:
                if isinstance(quota, dict) and _number(quota.get(key)):
                    found.append(Site(f"quota {key}", (*path, i, "quota", key), style))
    return found


def _params(params: dict[str, Any], path: Path_, kind: str, skip: Iterable[str] = ()) -> list[Site]:
    """The numbers among a component's parameters (raters, outcomes), nested ones included."""
    found: list[Site] = []
    for key, value in params.items():
        here = (*path, key)
        if key in skip or key in NOT_POLICY:
            continue
        if key == "groups" and isinstance(value, dict):  # survey groups: the weights sum to 1
            weights: list[Path_] = [(*here, g, "weight") for g, spec in value.items()
                                    if isinstance(spec, dict) and _number(spec.get("weight"))]
            found += [Site(kind, p, "amount", partner=_neighbour(weights, j)) for j, p in enumerate(weights)]
        elif key == "bands" and isinstance(value, list):
            found += _bands(value, here, kind)
        elif isinstance(value, dict):
            found += _params(value, here, kind)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if _number(item):
                    found.append(Site(kind, (*here, i), _style(key)))
                elif isinstance(item, dict):
                    found += _params(item, (*here, i), kind)
        elif _number(value) or (key in TEXT_AMOUNTS and _text_amount(value) is not None):
            found.append(Site(kind, here, _style(key)))
    return found


def _bands(bands: list[Any], path: Path_, kind: str) -> list[Site]:
    """Band points, and each edge once: ``to`` of one band is ``from`` of the next."""
    found: list[Site] = []
    for i, band in enumerate(bands):
        if not isinstance(band, dict):
            continue
        for key in ("points", "rate"):
            if _number(band.get(key)):
                found.append(Site(kind, (*path, i, key), "amount"))
        before = bands[i - 1] if i > 0 and isinstance(bands[i - 1], dict) else {}
        if _number(band.get("from")) and before.get("to") != band["from"]:
            found.append(Site(kind, (*path, i, "from"), "threshold"))
        after = bands[i + 1] if i + 1 < len(bands) and isinstance(bands[i + 1], dict) else {}
        if _number(band.get("to")):
            linked = (*path, i + 1, "from") if after.get("from") == band["to"] else None
            found.append(Site(kind, (*path, i, "to"), "threshold", linked=linked))
    return found


def _neighbour(paths: list[Path_], j: int) -> Path_ | None:
    if j + 1 < len(paths):
        return paths[j + 1]
    return paths[j - 1] if j > 0 else None


def _style(key: str) -> Style:
    if key in COUNT_KEYS:
        return "count"
    return "threshold" if key in THRESHOLD_KEYS else "amount"


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _text_amount(value: Any) -> Decimal | None:
    if not isinstance(value, str):
        return None
    try:
        amount = Decimal(value)
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


# -- numbers inside expressions ------------------------------------------------


class CompileRecorder(ExpressionTable):
    """An expression table that notes where each expression the checks compile is written."""

    def __init__(self, registry: Registry):
        super().__init__(registry.functions())
        self.written: dict[Path_, Any] = {}

    def compile(self, text: Any, names: NameSpec, path: tuple[str | int, ...] | None = None) -> Expression:
        if path is not None:
            self.written.setdefault(tuple(path), text)
        return super().compile(text, names, path)


def expression_sites(data: dict[str, Any], registry: Registry) -> list[tuple[Path_, str]]:
    """Every expression of resolved ruleset data and where it is written, in the order the checks meet them.
    An expression is what the checks compile as one (the components say which of their parameters are);
    a value that is also a plain site (a money amount written as text) is left to that site."""
    recorder = CompileRecorder(registry)
    Checker(Document(file="", data=data), registry, recorder).run()  # each check tolerates odd shapes
    plain = {site.path for site in sites(data)}
    found: list[tuple[Path_, str]] = []
    for written, text in recorder.written.items():
        path = data_path(data, written, text)
        if path is not None and path not in plain and isinstance(text, str):
            found.append((path, text))
    return list(dict.fromkeys(found))


def data_path(data: Any, path: Path_, text: Any) -> Path_ | None:
    """``path`` as a path into ``data`` where ``text`` is written; a component may name a nested
    parameter in one key (``points[0].at``)."""
    spelled: list[str | int] = []
    for part in path:
        if isinstance(part, str) and ("[" in part or "." in part):
            spelled += [int(index) if index else key
                        for key, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", part)]
        else:
            spelled.append(part)
    for candidate in (path, tuple(spelled)):
        try:
            if _at(data, candidate) == text:
                return candidate
        except (KeyError, IndexError, TypeError):
            continue
    return None


def _expression_kind(path: Path_) -> str:
    if "rater" in path:
        return "rater expression"
    return f"{EXPRESSION_KINDS.get(str(path[0]), str(path[0]))} expression"


# -- the mutations -------------------------------------------------------------


def mutations_of(data: dict[str, Any], file: str, document: Document | None = None,
                 registry: Registry | None = None) -> list[Mutation]:
    """Each site changed up, then down, then each number inside each expression (``registry`` says
    which parameters are expressions: by default the installed plugins'); the same change reached twice
    is kept once. With ``document`` (the one ``data`` was read from), each names where its value is written."""
    found: list[Mutation] = []
    seen: set[frozenset[tuple[Path_, str]]] = set()
    for site in sites(data):
        old = _at(data, site.path)
        at = _written_at(document, site.path) if document is not None else ""
        for new in _variants(old, site.style):
            edits = [Edit(site.path, old, _like(old, new))]
            if site.partner is not None:
                other = _at(data, site.partner)
                moved = _decimal(other) - (new - _decimal(old))
                if moved < 0 <= _decimal(other):
                    continue  # the sibling would turn negative
                edits.append(Edit(site.partner, other, _like(other, moved)))
            if site.linked is not None:
                edits.append(Edit(site.linked, _at(data, site.linked), _like(old, new)))
            key = frozenset((e.path, repr(e.new)) for e in edits)
            if key not in seen:
                seen.add(key)
                found.append(Mutation(file, site.kind, tuple(edits), at))
    for path, text in expression_sites(data, registry or default_registry()):
        at = _written_at(document, path) if document is not None else ""
        key_style = _style(str(path[-1]))
        for number in numbers_in(text, key_style):
            for new in _variants(number.value, number.style):
                value = _like_number(number.value, new)
                edit = Edit(path, text, number.replaced(text, value), InText(number.value, value, number.start,
                                                                             number.which))
                key = frozenset({(path, repr(edit.new))})
                if key not in seen:
                    seen.add(key)
                    found.append(Mutation(file, _expression_kind(path), (edit,), at))
    return found


def _written_at(document: Document, path: Path_) -> str:
    line, _ = document.locate(path)
    return f"{document.file_at(path)}:{line}" if line is not None else document.file_at(path)


def _variants(value: Value, style: Style) -> list[Decimal]:
    number = _decimal(value)
    whole = isinstance(value, int)
    if whole and style in ("count", "threshold"):
        step = Decimal(1)
    elif whole:
        step = max(Decimal(1), (abs(number) / 10).to_integral_value(ROUND_HALF_UP))
    else:
        step = abs(number) / 10 if number else Decimal("0.1")
    return [new for new in (number + step, number - step) if not (new < 0 <= number)]


def _decimal(value: Value) -> Decimal:
    return Decimal(value) if isinstance(value, str) else Decimal(str(value))


def _like(old: Value, new: Decimal) -> Value:
    """``new`` written like ``old``: text stays text (same decimals), whole numbers stay whole where they can."""
    if isinstance(old, str):
        return str(new.quantize(Decimal(old), ROUND_HALF_UP)) if new == new.quantize(Decimal(old)) else str(new)
    return _like_number(old, new)


def _like_number(old: int | float, new: Decimal) -> int | float:
    if isinstance(old, int) and new == new.to_integral_value():
        return int(new)
    return float(new)


def _show(value: Value) -> str:
    return json.dumps(value) if isinstance(value, str) else str(value)


def _at(data: Any, path: Path_) -> Any:
    for part in path:
        data = data[part]
    return data


def mutated(data: dict[str, Any], mutation: Mutation) -> dict[str, Any]:
    changed = copy.deepcopy(data)
    for edit in mutation.edits:
        parent = _at(changed, edit.path[:-1])
        parent[edit.path[-1]] = edit.new
    return changed


# -- running the cases ---------------------------------------------------------


@dataclass
class Case:
    test_file: Path
    header: dict[str, Any]
    case: dict[str, Any]
    dataset: Dataset | None = None  # loaded once (None: loading fails, as the case may expect)

    @property
    def name(self) -> str:
        return f"{self.test_file}::{self.case['name']}"

    def passes(self, ruleset: Ruleset, registry: Registry) -> bool:
        try:
            return run_case(self.test_file, self.header, self.case, registry, ruleset, self.dataset).ok
        except Exception:  # noqa: BLE001 — a crash on a changed value fails the case, as under pytest
            return False


@dataclass(frozen=True)
class Jurisdiction:
    folder: Path
    test_files: tuple[Path, ...]


def jurisdictions(paths: Iterable[Path]) -> list[Jurisdiction]:
    """Jurisdiction folders under ``paths``: a folder with ``tests/``, its ``tests/``
    folder or one test file in it, or any folder holding such folders."""
    found: dict[Path, list[Path]] = {}
    for path in paths:
        if not path.exists():
            raise KaoheError(Diagnostic("E-FILE-NOT-FOUND", {"file": str(path)}, file=str(path)))
        if path.is_file():
            folder = path.parent.parent if path.parent.name == "tests" else path.parent
            found.setdefault(folder, []).append(path)
            continue
        if path.name == "tests":
            path = path.parent
        folders = [path] if (path / "tests").is_dir() else sorted(t.parent for t in path.rglob("tests") if t.is_dir())
        for folder in folders:
            found.setdefault(folder, []).extend(collect_test_files([folder / "tests"]))
    return [Jurisdiction(folder, tuple(dict.fromkeys(files))) for folder, files in found.items()]


def check_mutations(places: Iterable[Jurisdiction], registry: Registry | None = None,
                    progress: Callable[[str], None] | None = None) -> list[Report]:
    registry = registry or default_registry()
    return [check_jurisdiction(place, registry, progress) for place in places]


def check_jurisdiction(place: Jurisdiction, registry: Registry,
                       progress: Callable[[str], None] | None = None) -> Report:
    report = Report(str(place.folder))
    by_file: dict[Path, tuple[str, list[Case]]] = {}
    for test_file in place.test_files:
        header, written = load_cases(test_file)
        for case in written:
            display = os.path.normpath(case_ruleset(test_file, header, case))
            by_file.setdefault(Path(display).resolve(), (display, []))[1].append(Case(test_file, header, case))
            report.cases += 1
    for display, cases in sorted(by_file.values(), key=lambda item: item[0]):
        report.files.append(display)
        _check_file(report, display, cases, registry)
        if progress is not None:
            progress(display)
    return report


def _check_file(report: Report, display: str, cases: list[Case], registry: Registry) -> None:
    path = resolve_path(Path(display))
    expressions = ExpressionTable(registry.functions())
    try:
        document = load_resolved(path)
        original = _build(document, document.data, path, registry, expressions)
    except KaoheError:
        original = None
    if not isinstance(original, Ruleset):
        report.unloadable.append(display)
        return
    live = []
    for case in cases:
        try:
            case.dataset = case_dataset(case.test_file, case.case, original, registry)
        except KaoheError:
            case.dataset = None
        if case.passes(original, registry):
            live.append(case)
        else:
            report.baseline_failures.append(case.name)
    for mutation in mutations_of(document.data, display, document, registry):
        report.generated += 1
        mutant = _build(document, mutated(document.data, mutation), path, registry, expressions)
        if not isinstance(mutant, Ruleset):
            report.invalid.append((mutation, mutant))
            report.count(mutation, "invalid")
            continue
        killer = next((i for i, case in enumerate(live) if not case.passes(mutant, registry)), None)
        if killer is None:
            report.survivors.append(mutation)
            report.count(mutation, "survived")
        else:
            report.killed += 1
            report.count(mutation, "killed")
            live.insert(0, live.pop(killer))  # the case that caught this one tends to catch the next


def _build(document: Document, data: dict[str, Any], path: Path, registry: Registry,
           expressions: ExpressionTable) -> Ruleset | str:
    """The compiled ruleset of ``data`` (positions as in ``document``), or the first error code."""
    changed = Document(file=document.file, data=data, positions=document.positions,
                       key_positions=document.key_positions, problems=list(document.problems),
                       files=document.files)
    errors = [p for p in check_ruleset(changed, registry, expressions) if p.severity == "error"]
    if errors:
        return errors[0].code
    return build_ruleset(changed, path, registry, expressions)


# -- the report ----------------------------------------------------------------


def below(reports: Iterable[Report], min_score: float) -> list[Report]:
    """Jurisdictions whose score is below ``min_score`` (those without a score are not judged)."""
    return [r for r in reports if r.score is not None and r.score < min_score]


def _score(score: float | None) -> str:
    return "—" if score is None else f"{score:.3f}"


def _totals(reports: list[Report]) -> dict[str, Any]:
    killed, survived = sum(r.killed for r in reports), sum(r.survived for r in reports)
    return {"generated": sum(r.generated for r in reports), "invalid": sum(len(r.invalid) for r in reports),
            "killed": killed, "survived": survived,
            "score": round(killed / (killed + survived), 4) if killed + survived else None}


def render_text(reports: list[Report]) -> str:
    lines: list[str] = []
    for r in reports:
        lines.append(f"{r.folder}: {len(r.files)} ruleset file(s), {r.cases} case(s)")
        lines.append(f"  mutations {r.generated}, invalid {len(r.invalid)}, killed {r.killed}, "
                     f"survived {r.survived}, score {_score(r.score)}")
        for name in r.unloadable:
            lines.append(f"  not checked (the ruleset does not load): {name}")
        for name in r.baseline_failures:
            lines.append(f"  left out (fails without any change): {name}")
        if r.survivors:
            lines.append("  survived:")
            lines += [f"    {m.label()}" for m in r.survivors]
    totals = _totals(reports)
    lines.append(f"total: mutations {totals['generated']}, invalid {totals['invalid']}, killed {totals['killed']}, "
                 f"survived {totals['survived']}, score {_score(totals['score'])}")
    return "\n".join(lines) + "\n"


def render_json(reports: list[Report]) -> str:
    document = {
        "jurisdictions": [{
            "folder": r.folder, "files": r.files, "cases": r.cases, "generated": r.generated,
            "invalid": len(r.invalid), "killed": r.killed, "survived": r.survived,
            "score": None if r.score is None else round(r.score, 4),
            "survivors": [m.to_json() for m in r.survivors],
            "invalid_mutations": [{**m.to_json(), "error": code} for m, code in r.invalid],
            "by_kind": {kind: r.by_kind[kind] for kind in sorted(r.by_kind)},
            "baseline_failures": r.baseline_failures, "unloadable": r.unloadable,
        } for r in reports],
        "total": _totals(reports),
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"

