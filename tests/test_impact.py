"""kaohe diff --impact: grade, rank and bonus changes on the same data, attributed
to the rule changes applied one at a time (tests/impact: one bonus change that
moves a total but no grade, one band change that moves one subject's grade)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from kaohe.cli import main
from kaohe.engine.ruleset.load import load_ruleset
from kaohe.engine.years.impact import _spearman, impact

HERE = Path(__file__).parent / "impact"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def report() -> dict:
    return impact(load_ruleset(HERE / "old.yaml"), load_ruleset(HERE / "new.yaml"), HERE / "data")


def test_only_the_band_change_moves_a_grade(report: dict):
    year = report["periods"]["2025"]
    # U2 87: 良好 under 优秀 ≥ 90, 优秀 under ≥ 85; the bonus change (点赞 1 → 2) moves only U3 (71 → 72)
    assert [(g["id"], g["from"], g["to"]) for g in year["grade_changes"]] == [("U2", "良好", "优秀")]
    assert [s["step"] for s in year["grade_changes"][0]["because"]] == ["grading 优秀"]
    assert year["summary"]["grade_changes"] == [{"from": "良好", "to": "优秀", "count": 1}]
    mover = year["summary"]["largest_movers"]
    assert mover == [{"id": "U3", "total_old": 71, "total_new": 72, "delta": 1,
                      "because": [{"step": "bonuses praise", "delta": 1, "grade": ["合格", "合格"]}]}]
    assert [s["label"] for s in report["steps"]] == ["bonuses praise", "grading 优秀"]
    assert report["reproduces_new"] is True


def test_bonus_changes_are_exact(report: dict):
    # old weights 1.5, 1.2, 1, 1 (sum 4.7): 319.15, 255.32, 212.77, 212.77 → floors 998, the two .77 get 1 each
    # new weights 1.5, 1.5, 1, 1 (sum 5): 300, 300, 200, 200
    changes = {(b["id"], b["old"], b["new"], b["delta"]) for b in report["periods"]["2025"]["bonus_changes"]}
    assert changes == {("U1", "319", "300", "-19"), ("U2", "255", "300", "45"),
                       ("U3", "213", "200", "-13"), ("U4", "213", "200", "-13")}


def test_spearman_with_ties_by_hand():
    assert _spearman([95, 87, 71, 60], [95, 87, 72, 60]) == 1.0
    # reversed order → −1; ties take their average rank: [1, 2.5, 2.5, 4] vs [1, 2, 3, 4] → 0.948683
    assert _spearman([1, 2, 3], [3, 2, 1]) == -1.0
    assert _spearman([1, 2, 2, 3], [1, 2, 3, 4]) == pytest.approx(0.948683, abs=1e-6)


def test_cli_text_json_and_threshold():
    runner = CliRunner()
    result = runner.invoke(main, ["--lang", "zh", "diff", str(HERE / "old.yaml"), str(HERE / "new.yaml"),
                                  "--impact", str(HERE / "data"), "--threshold", "1"])
    assert result.exit_code == 0, result.output
    assert "U2 良好 → 优秀（87 → 87）；其中 grading 优秀 +0" in result.output
    assert "名次变动（不少于 1 位）" in result.output
    result = runner.invoke(main, ["diff", str(HERE / "old.yaml"), str(HERE / "new.yaml"),
                                  "--impact", str(HERE / "data"), "--format", "json"])
    document = json.loads(result.output)
    schema = json.loads((ROOT / "schemas" / "diff.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(document)
    assert document["impact"]["periods"]["2025"]["summary"]["spearman"] == 1.0


def test_errors_are_located_and_coded(tmp_path: Path):
    runner = CliRunner()
    result = runner.invoke(main, ["diff", str(HERE / "old.yaml"), str(HERE / "new.yaml"),
                                  "--impact", str(tmp_path / "nowhere")])
    assert result.exit_code == 1 and "E-IMPACT-DATA" in result.output
    result = runner.invoke(main, ["diff", str(HERE / "old.yaml"), str(HERE / "new.yaml"),
                                  "--impact", str(HERE / "data"), "--period", "2030"])
    assert result.exit_code == 1 and "E-IMPACT-PERIOD" in result.output


def test_a_reweighting_invalid_on_its_own_is_merged_with_the_next_step():
    # Chengdu 2025 moves 10 points from tasks to a new indicator: tasks 40 → 30 alone breaks the sum
    old, new = load_ruleset(ROOT / "rulesets/chengdu/2024.yaml"), load_ruleset(ROOT / "rulesets/chengdu/2025.yaml")
    report = impact(old, new, ROOT / "rulesets/chengdu/data", period="2025Q3")
    steps = report["steps"]
    alone = [s["label"] for s in steps].index("indicators tasks")  # after the metadata: the diff's order
    assert steps[alone]["merged"] is True and [s["label"] for s in steps[:alone]] == ["meta data"]
    assert any(s["label"].startswith("indicators tasks + ") and not s["merged"] for s in steps[alone:])
    assert report["reproduces_new"] is True
