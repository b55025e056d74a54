"""Bounded, seeded fuzz runs of the command line (engine/testing/fuzz.py): broken rulesets and data and
known expression attacks never give an internal error, an unlocated message, a message mixing languages,
broken JSON, an escape or a hang. `python benchmarks/fuzz.py --trials 2000` (and `--data`, `--attack`)
runs more."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from kaohe.cli import main as cli
from kaohe.engine.errors import Bilingual, Diagnostic
from kaohe.engine.testing.attacks import ATTACKS, schema_slots, slots
from kaohe.engine.testing.fuzz import attack, attack_pairs, fuzz, mutate
from kaohe.engine.testing.languages import mismatch

ROOT = Path(__file__).resolve().parent.parent
RULESETS = sorted(p for p in (ROOT / "rulesets").glob("**/20*.yaml")
                  if (p.parent / "data").is_dir() and "tests" not in p.parts)
SCHEMA = json.loads((ROOT / "schemas" / "ruleset.schema.json").read_text(encoding="utf-8"))


def test_mutations_are_seeded() -> None:
    data = {"a": [1, {"b": 2}], "c": "x"}
    assert mutate(data, random.Random(3)) == mutate(data, random.Random(3))
    assert data == {"a": [1, {"b": 2}], "c": "x"}  # the original is untouched


def test_broken_rulesets_and_data_give_located_diagnostics_only() -> None:
    report = fuzz(cli, RULESETS, trials=60, seed=1000, seconds=10.0, data=True)  # half the trials break data
    assert [f"{t.seed} {t.outcome} {t.path} {t.change}: {t.detail}" for t in report.findings()] == []
    assert report.counts()["ok"] == 60


def test_expression_attacks_in_every_kind_of_slot_are_refused_cleanly() -> None:
    total = len(slots(RULESETS, SCHEMA)) * len(ATTACKS)
    report = attack(cli, RULESETS, SCHEMA, only=range(7, total, 45), seconds=10.0)  # every slot, varied attacks
    assert [f"{t.seed} {t.outcome} {t.path} {t.change}: {t.detail}" for t in report.findings()] == []
    assert len(report.trials) >= 60


@pytest.mark.parametrize(("kind", "text"), [
    ("$.outcomes[*].amount", "0 ** -1"),  # an infinite amount reached the money code: E-INTERNAL
    ("$.subjects.classes.{}.coefficient", "0 ** -1"),  # an infinite coefficient was taken
    ("$.indicators[*].rater.when", "'unterminated"),  # Python's English wording in a Chinese message
    ("$.vetoes[*].when", "total ＞ 1"),
])
def test_findings_of_the_full_attack_run_stay_fixed(kind: str, text: str) -> None:
    pairs = attack_pairs(RULESETS, SCHEMA)
    index = next(i for i, (slot, attack_text) in enumerate(pairs) if slot.kind == kind and attack_text == text)
    (trial,) = attack(cli, RULESETS, SCHEMA, only=[index], seconds=10.0).trials
    assert trial.outcome == "ok", trial


def test_slots_cover_the_places_checks_compile_and_the_schema_declares() -> None:
    kinds = {slot.kind for slot in slots(RULESETS, SCHEMA)}
    assert {"$.vetoes[*].when", "$.indicators[*].rater.expr", "$.outcomes[*].when",  # compiled by the checks
            "$.adjustment_caps.bonus", "$.deductions[*].cap_year",  # declared by the schema, written nowhere
            "$.grading.scales.year[*].quota.max_share", "$.inputs.{}.from_events.when"} <= kinds
    assert ("subjects", "classes", "{}", "coefficient") in schema_slots(SCHEMA)


def test_language_check_flags_engine_words_in_the_other_language() -> None:
    english_in_zh = Diagnostic("E-EXPR-RUNTIME", {"expr": "a / b", "problem": "division by zero"})
    assert "English into Chinese" in (mismatch(english_in_zh, "a / b") or "")
    chinese_in_en = Diagnostic("E-EXPR-RUNTIME", {"expr": "a / b", "problem": "除数为 0"})
    assert "Chinese into English" in (mismatch(chinese_in_en, "a / b") or "")
    worded = Diagnostic("E-EXPR-RUNTIME", {"expr": "a / b", "problem": Bilingual("除数为 0", "division by zero")})
    assert mismatch(worded, "a / b") is None
    quoting_the_user = Diagnostic("E-EXPR-RUNTIME", {"expr": "a / b", "problem": "党建 score"})
    assert mismatch(quoting_the_user, "党建 score in the ruleset") is None
