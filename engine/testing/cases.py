"""Ruleset test cases: YAML files of small inline data and hand-checked results.

Used by ``kaohe test`` and collected by pytest (see ``engine/pytest_plugin.py``),
so a jurisdiction's cases run in CI beside the unit tests.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from kaohe.engine.data.numbers import period_id
from kaohe.engine.data.tables import Dataset
from kaohe.engine.errors import KaoheError, did_you_mean
from kaohe.engine.evaluation.pipeline import evaluate, planned_periods
from kaohe.engine.evaluation.runner import inline_dataset, load_data
from kaohe.engine.registry import Registry, default_registry
from kaohe.engine.report.results import build_document
from kaohe.engine.ruleset.load import load_ruleset
from kaohe.engine.ruleset.loader import load_yaml
from kaohe.engine.ruleset.model import Ruleset
from kaohe.engine.ruleset.schema import check_document, load_schema

DEFAULT_TOLERANCE = 0.005
KNOWN_SHOWN = 20  # ids listed after "known:" when an expectation names an unknown one
ID_KINDS = {"indicators": "indicator", "details": "indicator", "adjustments": "rule", "outcomes": "outcome"}


class Said(str):
    """One case failure: the English text (what pytest shows and tests compare), with its Chinese."""

    zh: str

    def __new__(cls, en: str, zh: str) -> Said:
        said = super().__new__(cls, en)
        said.zh = zh
        return said

    def pick(self, lang: str) -> str:
        return self.zh if lang == "zh" else str(self)

    def under(self, label: str) -> Said:
        """The failure said of ``label`` (``P1.indicators: …``)."""
        return Said(f"{label}: {self}", f"{label}：{self.zh}")


KIND_WORDS = {"subject": "对象", "indicator": "指标", "rule": "规则", "outcome": "结果运用", "period": "周期",
              "detail": "评分细节"}


@dataclass
class CaseOutcome:
    name: str
    failures: list[Said] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


def is_test_file(path: Path) -> bool:
    if path.suffix not in (".yaml", ".yml") or "tests" not in path.parts:
        return False
    head = path.read_text(encoding="utf-8-sig")[:4000]
    return "\ncases:" in head or head.startswith("cases:")


def collect_test_files(paths: Iterable[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            found.extend(p for p in sorted(path.rglob("*.y*ml")) if is_test_file(p))
        else:
            raise KaoheError(load_error(path))
    return found


def load_error(path: Path) -> Any:
    from kaohe.engine.errors import Diagnostic

    return Diagnostic("E-FILE-NOT-FOUND", {"file": str(path)}, file=str(path))


def load_cases(file: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    document = load_yaml(file)
    problems = document.problems + check_document(document, load_schema("test.schema.json"))
    if problems:
        raise KaoheError(problems)
    return document.data, document.data["cases"]


def run_file(file: Path, registry: Registry | None = None) -> Iterator[CaseOutcome]:
    """Run every case of ``file`` with ``registry`` (default: the installed plugins)."""
    header, cases = load_cases(file)
    for case in cases:
        yield run_case(file, header, case, registry)


def run_case(file: Path, header: dict[str, Any], case: dict[str, Any],
             registry: Registry | None = None, ruleset: Ruleset | None = None,
             dataset: Dataset | None = None) -> CaseOutcome:
    """Run one case. ``ruleset`` and ``dataset``, when given, are used instead of
    loading the case's ruleset and data (the mutation check evaluates changed
    rulesets on data loaded once)."""
    outcome = CaseOutcome(case["name"])
    tolerance = case.get("tolerance", header.get("tolerance", DEFAULT_TOLERANCE))
    registry = registry or default_registry()
    period = period_id(str(case["period"])) if "period" in case else None  # 2025q1 as the data reads it
    try:
        ruleset = ruleset or load_ruleset(case_ruleset(file, header, case), registry)
        known_periods = [p.id for p in planned_periods(ruleset)]
        if period is not None and period not in known_periods and "expect_error" not in case:
            outcome.failures.append(no_such("period", period, known_periods))
            return outcome
        dataset = dataset or case_dataset(file, case, ruleset, registry)
        # the year is the last period: evaluated whole, its periods stay in the document (carried_adjustments)
        evaluation = evaluate(ruleset, dataset, registry, only=None if period == str(ruleset.year) else period)
    except KaoheError as exc:
        codes = [d.code for d in exc.diagnostics]
        if case.get("expect_error") in codes:
            return outcome
        outcome.failures.append(Said("unexpected error: " + exc.format("en"), "意外的错误：" + exc.format("zh")))
        return outcome
    if "expect_error" in case:
        outcome.failures.append(Said(f"expected error {case['expect_error']}, but evaluation succeeded",
                                     f"预期报错 {case['expect_error']}，但计算成功了"))
        return outcome
    period = period or evaluation.periods[-1].period.id
    document = build_document(evaluation)
    records = next(p for p in document["periods"] if p["period"] == period)["subjects"]
    by_id = {r["id"]: r for r in records}
    known = Known(indicators=[i["id"] for i in document["indicators"]],
                  outcomes=[o["id"] for o in document["outcomes"]],
                  rules=[r.id for r in ruleset.rules])
    carried = carried_adjustments(ruleset, document, period)
    for subject, expected in (case.get("expect") or {}).items():
        if subject not in by_id:
            outcome.failures.append(no_such("subject", subject, list(by_id)))
            continue
        outcome.failures += compare_subject(subject, by_id[subject], expected, tolerance, known,
                                            carried.get(subject, {}))
    outcome.failures += compare_summary(records, case.get("expect_summary") or {}, known)
    return outcome


def case_ruleset(file: Path, header: dict[str, Any], case: dict[str, Any]) -> Path:
    """The ruleset file a case names (its own ``ruleset``, else the file's)."""
    name: str = case.get("ruleset", header["ruleset"])
    return file.parent / name


def case_dataset(file: Path, case: dict[str, Any], ruleset: Ruleset, registry: Registry) -> Dataset:
    """A case's data: its ``data_dir`` folder or its inline tables."""
    if "data_dir" in case:
        return load_data(ruleset, (file.parent / case["data_dir"]).resolve(), registry)
    return inline_dataset(ruleset, case["data"], f"{file}::{case['name']}")


@dataclass
class Known:
    """The ids an expectation may name: those of the results (and the ruleset's rules)."""

    indicators: list[str] = field(default_factory=list)
    outcomes: list[str] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)


def no_such(kind: str, ident: Any, known: list[str]) -> Said:
    """The failure for an expectation naming an unknown id: ``expected subject X,
    no such subject; known: …``, with the closest spelling when one is close."""
    guess = did_you_mean(str(ident), known)
    shown = ", ".join(str(k) for k in known[:KNOWN_SHOWN])
    more = (f", … ({len(known)} in all)", f"……（共 {len(known)} 个）") if len(known) > KNOWN_SHOWN else ("", "")
    word = KIND_WORDS.get(kind, kind)
    return Said(f"expected {kind} {ident}, no such {kind}{f' (did you mean {guess}?)' if guess else ''}; "
                f"known: {shown + more[0] or '—'}",
                f"预期的{word} {ident} 不存在{f'（是否想写 {guess}？）' if guess else ''}；已有：{shown + more[1] or '—'}")


def carried_adjustments(ruleset: Ruleset, document: dict[str, Any], period: str) -> dict[str, dict[str, float]]:
    """For the year rolled up from its periods: each subject's points per rule its periods carry, combined as
    the year combines them (``from_periods`` over the periods that assessed it, × ``weight``), the way its
    bonus and deduction totals are; so ``adjustments: {red_card: -2}`` reads the year as it reads a quarter."""
    rollup = ruleset.rollup
    if rollup is None or ruleset.cycle == "year" or period != str(ruleset.year):
        return {}
    per_period: dict[str, list[dict[str, float]]] = {}  # subject -> its rule sums in each period assessed
    for record in document["periods"]:
        if record["kind"] != ruleset.cycle:
            continue
        for subject in record["subjects"]:
            if not subject["excluded"]:
                per_period.setdefault(subject["id"], []).append(_rule_sums(subject["adjustments"]))
    carried: dict[str, dict[str, float]] = {}
    for subject, sums in per_period.items():
        rules = {rule for one in sums for rule in one}
        if rollup.combine == "last":
            carried[subject] = {rule: rollup.weight * sums[-1].get(rule, 0.0) for rule in rules}
        else:
            divisor = 1 if rollup.combine == "sum" else len(sums)
            carried[subject] = {rule: rollup.weight * sum(one.get(rule, 0.0) for one in sums) / divisor
                                for rule in rules}
    return carried


def _rule_sums(rows: list[dict[str, Any]]) -> dict[str, float]:
    sums: dict[str, float] = {}
    for item in rows:
        sums[item["rule"]] = sums.get(item["rule"], 0.0) + item["points"]
    return sums


def compare_subject(subject: str, actual: dict[str, Any], expected: dict[str, Any], tolerance: float,
                    known: Known | None = None, carried: dict[str, float] | None = None) -> list[Said]:
    """Failures of one subject's expectations; with ``known``, an expectation on an
    indicator, rule or outcome id that is not among them is a failure too."""
    failures: list[Said] = []
    for key, want in expected.items():
        if known is not None and key in ID_KINDS and isinstance(want, dict):
            choices: list[str] = getattr(known, ID_KINDS[key] + "s")
            unknown = [ident for ident in want if ident not in choices]
            failures += [no_such(ID_KINDS[key], ident, choices).under(f"{subject}.{key}") for ident in unknown]
            want = {k: v for k, v in want.items() if k not in unknown}
        if key == "indicators":
            for ind, value in want.items():
                got = actual["indicators"].get(ind, {}).get("score")
                failures += _check(f"{subject}.indicators.{ind}", got, value, tolerance)
        elif key == "details":
            for ind, details in want.items():
                got = actual["indicators"].get(ind, {}).get("detail", {})
                for name, value in details.items():
                    if name not in got:  # a misspelt detail name (or a rater with no such detail), not a None
                        failures.append(no_such("detail", name, list(got)).under(f"{subject}.details.{ind}"))
                        continue
                    failures += _check(f"{subject}.details.{ind}.{name}", got.get(name), value, tolerance)
        elif key == "adjustments":
            sums = _rule_sums(actual["adjustments"])
            for rule, points in (carried or {}).items():  # the year's share of its periods' points
                sums[rule] = sums.get(rule, 0.0) + points
            for rule, value in want.items():
                failures += _check(f"{subject}.adjustments.{rule}", sums.get(rule, 0.0), value, tolerance)
        elif key == "outcomes":
            for oid, value in want.items():
                got = actual["outcomes"].get(oid, {}).get("value")
                failures += _check(f"{subject}.outcomes.{oid}", got, value, tolerance)
        elif key == "vetoes" and isinstance(want, list):  # which vetoes struck, in any order
            failures += _check(f"{subject}.vetoes", sorted(actual.get("vetoes") or []), sorted(want), tolerance)
        elif key == "grade_reason":
            failures += _check(f"{subject}.grade_reason", actual["grade_reason"]["code"], want, tolerance)
        else:
            failures += _check(f"{subject}.{key}", actual.get(key), want, tolerance)
    return failures


def compare_summary(records: list[dict[str, Any]], expected: dict[str, Any],
                    known: Known | None = None) -> list[Said]:
    failures: list[Said] = []
    for key in ("outcome_sums", "outcome_counts"):
        if known is not None and expected.get(key):
            unknown = [oid for oid in expected[key] if oid not in known.outcomes]
            failures += [no_such("outcome", oid, known.outcomes).under(key) for oid in unknown]
            expected = {**expected, key: {k: v for k, v in expected[key].items() if k not in unknown}}
    ranked = [r for r in records if r["rank"] is not None and (expected.get("group") in (None, r["group"]))]
    ranked.sort(key=lambda r: (r["rank"], r["id"]))
    if "top" in expected:
        top = [r["id"] for r in ranked[: len(expected["top"])]]
        if top != expected["top"]:
            failures.append(_differs("top", expected["top"], top, str))
    for grade, count in (expected.get("grade_counts") or {}).items():
        got = sum(1 for r in records if r["grade"] == grade)
        if got != count:
            failures.append(_differs(f"grade_counts.{grade}", count, got, str))
    for oid, total in (expected.get("outcome_sums") or {}).items():
        values = [v for r in records if (v := r["outcomes"].get(oid, {}).get("value")) is not None]
        amounts = [a for v in values if (a := _amount(v)) is not None]
        if len(amounts) < len(values):
            shown = ", ".join(sorted({str(v) for v in values})[:5])
            failures.append(Said(f"outcome_sums.{oid}: outcome {oid} is no amount of money (its values: {shown}); "
                                 "outcome_sums adds up money outcomes such as a bonus pool's shares",
                                 f"outcome_sums.{oid}：结果运用 {oid} 不是金额（取值：{shown}）；"
                                 "outcome_sums 只合计金额类的结果运用，如奖金池的分配"))
            continue
        amount = sum(amounts, Decimal(0))
        if amount != Decimal(total):
            failures.append(_differs(f"outcome_sums.{oid}", total, amount, str))
    for oid, count in (expected.get("outcome_counts") or {}).items():
        got = sum(1 for r in records if r["outcomes"].get(oid, {}).get("value") not in (None, False))
        if got != count:
            failures.append(_differs(f"outcome_counts.{oid}", count, got, str))
    return failures


def _amount(value: Any) -> Decimal | None:
    """A money outcome's value (a decimal string, as results write money) as a Decimal, else None."""
    if not isinstance(value, str):
        return None
    try:
        return Decimal(value)
    except InvalidOperation:
        return None


YES_NO = {"是": True, "否": False}  # a flag's 是/否, as its results show it


def _differs(label: str, want: Any, got: Any, shown: Any = repr) -> Said:
    return Said(f"{label}: expected {shown(want)}, got {shown(got)}", f"{label}：预期 {shown(want)}，实际 {shown(got)}")


def _check(label: str, got: Any, want: Any, tolerance: float) -> list[Said]:
    if isinstance(got, str) and isinstance(want, str | int | float) and not isinstance(want, bool):
        try:
            if Decimal(got) == Decimal(str(want)):
                return []
        except InvalidOperation:
            pass
    if isinstance(got, bool) and isinstance(want, str) and YES_NO.get(want) is got:
        return []
    if isinstance(want, float | int) and not isinstance(want, bool) and isinstance(got, float | int):
        if math.isclose(float(got), float(want), abs_tol=tolerance):
            return []
    elif got == want:
        return []
    return [_differs(label, want, got)]
