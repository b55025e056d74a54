"""Rulesets read only inside their project (docs/trust.md): extends and data paths, symlinks followed."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from kaohe.cli import main
from kaohe.engine.errors import KaoheError
from kaohe.engine.evaluation.runner import run
from kaohe.engine.ruleset.load import load_ruleset

RULESET = """\
kaohe: 1
id: confined
title: 读取范围
year: 2025
subjects: {kind: unit}
inputs:
  x: {title: 得分}
indicators:
  - {id: x, title: 得分, points: 100, missing: zero, rater: {use: direct, input: x}}
data:
  subjects: {source: csv, path: SUBJECTS}
"""


def project(tmp_path: Path) -> Path:
    """tmp/office (the project: holds kaohe.toml)/j/ruleset.yaml, with secrets in tmp/outside."""
    office = tmp_path / "office"
    (office / "j").mkdir(parents=True)
    (office / "kaohe.toml").write_text("", encoding="utf-8")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "subjects.csv").write_text("id,name\nS1,机密\n", encoding="utf-8")
    (outside / "base.yaml").write_text(RULESET.replace("SUBJECTS", "s.csv"), encoding="utf-8")
    return office


def ruleset_reading(office: Path, subjects: str) -> Path:
    file = office / "j" / "ruleset.yaml"
    file.write_text(RULESET.replace("SUBJECTS", subjects), encoding="utf-8")
    return file


def refusal(file: Path) -> list[str]:
    with pytest.raises(KaoheError) as caught:
        run(file)
    return [d.code for d in caught.value.diagnostics]


def test_data_outside_the_project_is_a_located_error(tmp_path: Path) -> None:
    file = ruleset_reading(project(tmp_path), "../../outside/subjects.csv")
    with pytest.raises(KaoheError) as caught:
        run(file)
    (problem,) = caught.value.diagnostics
    assert problem.code == "E-PATH-OUTSIDE" and problem.path == "$.data.subjects.path" and problem.line == 11


def test_an_absolute_path_and_a_symlink_out_are_refused_too(tmp_path: Path) -> None:
    office = project(tmp_path)
    assert refusal(ruleset_reading(office, str(tmp_path / "outside" / "subjects.csv"))) == ["E-PATH-OUTSIDE"]
    (office / "j" / "link.csv").symlink_to(tmp_path / "outside" / "subjects.csv")
    assert refusal(ruleset_reading(office, "link.csv")) == ["E-PATH-OUTSIDE"]


def test_extends_outside_the_project_is_a_located_error(tmp_path: Path) -> None:
    office = project(tmp_path)
    file = office / "j" / "ruleset.yaml"
    file.write_text("kaohe: 1\nextends: ../../outside/base.yaml\nid: child\n", encoding="utf-8")
    with pytest.raises(KaoheError) as caught:
        load_ruleset(file)
    (problem,) = caught.value.diagnostics
    assert problem.code == "E-PATH-OUTSIDE" and problem.path == "$.extends" and problem.line == 2


def test_allow_outside_names_a_trusted_folder(tmp_path: Path) -> None:
    file = ruleset_reading(project(tmp_path), "../../outside/subjects.csv")
    refused = CliRunner().invoke(main, ["--lang", "en", "evaluate", str(file), "--format", "csv"])
    assert refused.exit_code == 1 and "E-PATH-OUTSIDE" in refused.stderr and "--allow-outside" in refused.stderr
    allowed = CliRunner().invoke(main, ["--allow-outside", str(tmp_path / "outside"), "evaluate", str(file),
                                        "--format", "csv"])
    assert allowed.exit_code == 0, allowed.output
    assert "S1" in allowed.stdout


def test_the_shipped_frameworks_may_be_extended_from_anywhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An office folder outside kaohe's tree may extend a bundled framework; KAOHE_ALLOW_OUTSIDE names more."""
    framework = Path(__file__).resolve().parent.parent / "rulesets" / "province" / "2024.yaml"
    office = project(tmp_path)
    file = office / "j" / "ruleset.yaml"
    file.write_text(f"kaohe: 1\nextends: {framework}\nid: district\ntitle: 区县\n", encoding="utf-8")
    assert load_ruleset(file).id == "district"
    file.write_text("kaohe: 1\nextends: ../../outside/base.yaml\nid: child\n", encoding="utf-8")
    monkeypatch.setenv("KAOHE_ALLOW_OUTSIDE", str(tmp_path / "outside"))
    assert load_ruleset(file).id == "child"
