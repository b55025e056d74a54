"""Impact re-runs only the later stages where a step touches only them (engine/years/impact.py,
``pipeline.evaluate_from``): the results are those of a full evaluation, and fewer full
evaluations are made. The expected documents are full evaluations of the same ruleset, not
hand numbers: what is tested is that the shortcut changes nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kaohe.engine.evaluation import pipeline
from kaohe.engine.evaluation.pipeline import evaluate, evaluate_from
from kaohe.engine.evaluation.runner import load_data
from kaohe.engine.registry import default_registry
from kaohe.engine.report.results import build_document
from kaohe.engine.ruleset.load import load_ruleset
from kaohe.engine.years import impact as impact_module
from kaohe.engine.years.impact import impact, later_stage, reads_earlier_periods

EXAMPLE = Path(__file__).resolve().parent.parent / "rulesets" / "example"


@pytest.fixture()
def example(tmp_path: Path) -> Path:
    shutil.copytree(EXAMPLE / "data", tmp_path / "data")
    return tmp_path


def variant(folder: Path, name: str, old: str, new: str) -> Path:
    text = (EXAMPLE / "2025.yaml").read_text(encoding="utf-8")
    assert old in text
    file = folder / name
    file.write_text(text.replace(old, new), encoding="utf-8")
    return file


CHANGES = {
    "outcomes": ("    pool: 600000\n", "    pool: 650000\n"),
    "grading": ("{grade: 好, min: 90, quota: {max_share: 0.4, rounding: floor}}",
                "{grade: 好, min: 88, quota: {max_share: 0.3, rounding: floor}}"),
}


@pytest.mark.parametrize("stage", sorted(CHANGES))
def test_re_running_from_a_stage_gives_the_full_evaluation(example: Path, stage: str) -> None:
    registry = default_registry()
    before = load_ruleset(variant(example, "old.yaml", "", ""), registry)
    after = load_ruleset(variant(example, "new.yaml", *CHANGES[stage]), registry)
    assert later_stage(before, after, {stage}) == stage
    dataset = load_data(after, None, registry)
    full = build_document(evaluate(after, dataset, registry))
    kept = build_document(evaluate_from(evaluate(before, dataset, registry), after, stage, registry))
    assert kept == full
    assert full != build_document(evaluate(before, dataset, registry))  # the change did change something


def test_impact_makes_no_full_evaluation_for_an_outcome_step(example: Path, monkeypatch) -> None:
    registry = default_registry()
    old = load_ruleset(variant(example, "old.yaml", "", ""), registry)
    new = load_ruleset(variant(example, "new.yaml", *CHANGES["outcomes"]), registry)
    calls = []
    monkeypatch.setattr(impact_module, "evaluate", lambda *a, **k: calls.append(1) or pipeline.evaluate(*a, **k))
    report = impact(old, new, example / "data", registry=registry)
    assert report["reproduces_new"] is True
    assert len(calls) == 2  # OLD and NEW; the step itself re-ran the outcomes alone
    bonus = report["periods"]["2025"]["bonus_changes"]
    assert bonus and all(b["outcome"] == "bonus_pool" for b in bonus)


def test_a_step_is_evaluated_whole_when_scoring_reads_earlier_periods() -> None:
    document = {"indicators": [{"id": "a", "rater": {"use": "formula", "expr": "periods_count(grade == '好')"}}],
                "outcomes": [{"id": "b", "when": "periods_count(total < 60) >= 2"}]}
    assert reads_earlier_periods(document, {"grading", "outcomes"})
    assert not reads_earlier_periods({"outcomes": document["outcomes"]}, {"grading", "outcomes"})


def test_a_step_that_touches_scoring_is_not_a_later_stage(example: Path) -> None:
    registry = default_registry()
    before = load_ruleset(variant(example, "old.yaml", "", ""), registry)
    after = load_ruleset(variant(example, "new.yaml", "group_by: class", "group_by: all"), registry)
    assert later_stage(before, after, {"grading"}) is None  # the ranking groups are also the peer groups
    assert later_stage(before, before, {"indicators", "grading"}) is None
