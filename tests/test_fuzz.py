"""A bounded, seeded fuzz run of the command line (engine/testing/fuzz.py): broken rulesets never give an
internal error, an unlocated message or a hang. `python benchmarks/fuzz.py --trials 2000` runs more."""

from __future__ import annotations

from pathlib import Path

from kaohe.cli import main as cli
from kaohe.engine.testing.fuzz import fuzz, mutate

ROOT = Path(__file__).resolve().parent.parent
RULESETS = sorted(p for p in (ROOT / "rulesets").glob("*/20*.yaml") if (p.parent / "data").is_dir())


def test_mutations_are_seeded() -> None:
    import random

    data = {"a": [1, {"b": 2}], "c": "x"}
    assert mutate(data, random.Random(3)) == mutate(data, random.Random(3))
    assert data == {"a": [1, {"b": 2}], "c": "x"}  # the original is untouched


def test_broken_rulesets_and_data_give_located_diagnostics_only() -> None:
    report = fuzz(cli, RULESETS, trials=60, seed=1000, seconds=10.0, data=True)  # half the trials break data
    assert [f"{t.seed} {t.outcome} {t.path} {t.change}: {t.detail}" for t in report.findings()] == []
    assert report.counts()["ok"] == 60
