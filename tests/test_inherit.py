"""extends: overriding by id (anywhere in the indicator tree), adding,
removing, misspelt overrides, cycles, and provenance of every value."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from kaohe.cli import main
from kaohe.engine.errors import KaoheError
from kaohe.engine.evaluation.pipeline import evaluate
from kaohe.engine.evaluation.runner import inline_dataset
from kaohe.engine.ruleset.inherit import load_resolved
from kaohe.engine.ruleset.load import load_ruleset

HERE = Path(__file__).parent / "inherit"


def by_id(items: list[dict]) -> dict[str, dict]:
    return {item["id"]: item for item in items}


def test_child_overrides_adds_and_removes():
    document = load_resolved(HERE / "district.yaml")
    data = document.data
    assert "extends" not in data and "remove" not in data
    assert data["year"] == 2025  # inherited
    indicators = by_id(data["indicators"])
    assert list(indicators) == ["common", "public", "landing"]
    assert indicators["common"]["points"] == 50
    quality = by_id(indicators["common"]["children"])["quality"]
    assert quality == {"id": "quality", "title": "政治素质", "points": 20, "rater": {"use": "direct", "input": "quality"}}
    assert [d["id"] for d in data["deductions"]] == ["lapse"]
    assert data["grading"]["grades"][0] == {"grade": "优秀", "min": 90, "quota": {"max_share": 0.15}}
    assert set(data["inputs"]) == {"quality", "ethics", "satisfaction", "landing"}


def test_provenance_names_the_base_for_inherited_and_the_child_for_overridden_values():
    document = load_resolved(HERE / "district.yaml")
    common = ("indicators", 0)
    assert document.file_at((*common, "points")).endswith("district.yaml")
    assert document.locate((*common, "points")) == (10, 13)
    assert document.file_at((*common, "title")).endswith("base.yaml")
    assert document.locate((*common, "title")) == (17, 12)
    ethics = (*common, "children", 1, "points")
    assert document.file_at(ethics).endswith("base.yaml") and document.locate(ethics)[0] == 26


def test_show_with_provenance_through_the_cli():
    result = CliRunner().invoke(main, ["show", str(HERE / "district.yaml"), "--resolved", "--provenance"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert any(line.strip().startswith("points: 50") and "district.yaml:10" in line for line in lines)
    assert any(line.strip().startswith("title: 共性指标") and "base.yaml:17" in line for line in lines)


def test_resolved_child_evaluates(tmp_path: Path):
    ruleset = load_ruleset(HERE / "district.yaml")
    data = {"subjects": [{"id": "U1", "name": "商务局", "class": "window"}],
            "values": [{"subject": "U1", "period": "2025", "quality": 18, "ethics": 27, "satisfaction": 90,
                        "landing": 16}]}
    result = evaluate(ruleset, inline_dataset(ruleset, data, "inline"))
    # 18 + 27 + min(90 × 0.4, 30) + 16 = 91
    assert result.periods[-1].total.tolist() == [91.0]


def test_misspelt_override_and_remove_get_did_you_mean():
    with pytest.raises(KaoheError) as caught:
        load_ruleset(HERE / "misspelt.yaml")
    problems = {d.code: d for d in caught.value.diagnostics}
    unknown = problems["E-EXTENDS-UNKNOWN-ID"]
    assert unknown.params["suggest"] == "quality" and unknown.file.endswith("misspelt.yaml") and unknown.line == 6
    removed = problems["E-EXTENDS-REMOVE-UNKNOWN"]
    assert removed.params["suggest"] == "late" and removed.line == 8


def test_cycle_is_reported_with_the_chain():
    with pytest.raises(KaoheError) as caught:
        load_resolved(HERE / "cycle_a.yaml")
    (problem,) = caught.value.diagnostics
    assert problem.code == "E-EXTENDS-CYCLE"
    assert problem.params["chain"] == "cycle_a.yaml → cycle_b.yaml → cycle_a.yaml"


def test_problems_in_an_inherited_file_point_at_that_file():
    with pytest.raises(KaoheError) as caught:
        load_ruleset(HERE / "bad_child.yaml")
    (problem,) = caught.value.diagnostics
    assert problem.code == "E-EXPR-FORBIDDEN"
    assert problem.file.endswith("bad_base.yaml") and problem.line == 8


def test_missing_base_is_located(tmp_path: Path):
    child = tmp_path / "child.yaml"
    child.write_text("kaohe: 1\nextends: nowhere.yaml\nid: c\ntitle: 子\n", encoding="utf-8")
    with pytest.raises(KaoheError) as caught:
        load_resolved(child)
    (problem,) = caught.value.diagnostics
    assert problem.code == "E-EXTENDS-NOT-FOUND" and problem.line == 2


def test_remove_drops_an_inherited_key_by_dotted_path(tmp_path):
    from kaohe.engine.ruleset.inherit import load_resolved

    base = tmp_path / "base.yaml"
    base.write_text("""\
kaohe: 1
id: base
title: 上级
year: 2025
subjects:
  kind: unit
  classes: {general: {title: 一般}, front: {title: 一线}}
grading:
  scales:
    quarter: [{grade: 好, min: 90}, {grade: 一般}]
    year: [{grade: 优秀, min: 90}, {grade: 合格}]
indicators: []
""", encoding="utf-8")
    child = tmp_path / "child.yaml"
    child.write_text("extends: base.yaml\nid: child\nremove: [grading.scales.quarter, subjects.classes.general]\n",
                     encoding="utf-8")
    data = load_resolved(child).data
    assert list(data["grading"]["scales"]) == ["year"]
    assert list(data["subjects"]["classes"]) == ["front"]


def test_remove_of_a_missing_dotted_path_is_located(tmp_path):
    from kaohe.engine.ruleset.inherit import load_resolved

    base = tmp_path / "base.yaml"
    base.write_text("kaohe: 1\nid: base\ntitle: 上级\nyear: 2025\nsubjects: {kind: unit}\nindicators: []\n",
                    encoding="utf-8")
    child = tmp_path / "child.yaml"
    child.write_text("extends: base.yaml\nid: child\nremove: [grading.scales.quarter]\n", encoding="utf-8")
    (problem,) = [p for p in load_resolved(child).problems if p.code == "E-EXTENDS-REMOVE-UNKNOWN"]
    assert problem.line == 3 and problem.path == "$.remove[0]"
