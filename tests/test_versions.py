"""Overlapping versions of one jurisdiction's method are reported by validate."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from kaohe.cli import main
from kaohe.engine.ruleset.load import validate_paths

BASE = """\
kaohe: 1
id: town
title: 某镇考核办法
year: 2024
subjects: {kind: unit}
inputs:
  work: {title: 工作实绩}
indicators:
  - {id: work, title: 工作实绩, points: 100, rater: {use: direct, input: work}}
"""


def write(folder: Path, name: str, text: str) -> None:
    (folder / name).write_text(text, encoding="utf-8")


def test_overlapping_years_are_a_located_warning(tmp_path: Path):
    write(tmp_path, "base.yaml", BASE)
    write(tmp_path, "2024.yaml", "kaohe: 1\nextends: base.yaml\nid: town\n")
    write(tmp_path, "2025.yaml", "kaohe: 1\nextends: base.yaml\nid: town\nyear: 2025\n"
                                 "effective: {from: 2024-10-01, to: 2025-12-31}\n")
    count, problems = validate_paths([tmp_path])
    assert count == 3
    # base.yaml is extended by the others: not a version of its own, though its year is 2024 too
    assert [(p.code, p.severity, Path(p.file).name) for p in problems] == [
        ("W-VERSION-OVERLAP", "warning", "2025.yaml")]
    assert problems[0].params["first"] == "2024-10-01" and problems[0].params["last"] == "2024-12-31"
    result = CliRunner().invoke(main, ["--lang", "zh", "validate", str(tmp_path)])
    assert result.exit_code == 0  # a warning does not fail validation
    assert "2024-10-01 至 2024-12-31 期间都生效" in result.output
    assert "W-VERSION-OVERLAP" in result.output


def test_consecutive_years_do_not_overlap(tmp_path: Path):
    write(tmp_path, "2024.yaml", BASE)
    write(tmp_path, "2025.yaml", "kaohe: 1\nextends: 2024.yaml\nid: town\nyear: 2025\n")
    assert validate_paths([tmp_path])[1] == []


def test_a_child_year_that_forgets_its_year_overlaps_its_parent(tmp_path: Path):
    write(tmp_path, "2024.yaml", BASE)
    write(tmp_path, "2025.yaml", "kaohe: 1\nextends: 2024.yaml\nid: town\n")  # inherits year 2024
    problems = validate_paths([tmp_path])[1]
    assert [(p.code, p.params["a"], p.params["b"]) for p in problems] == [
        ("W-VERSION-OVERLAP", "2024.yaml", "2025.yaml")]
    write(tmp_path, "2025.yaml", BASE.replace("year: 2024", "year: 2025"))
    assert validate_paths([tmp_path])[1] == []
