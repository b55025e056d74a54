"""Every jurisdiction's CHANGES.md is what `kaohe diff --format md` says today.

A folder with two or more ``<year>.yaml`` rulesets keeps a CHANGES.md that
contains the Markdown diff of each consecutive pair, so the history a
reader sees cannot drift from the rulesets themselves.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from kaohe.cli import main

ROOT = Path(__file__).resolve().parent.parent
RULESETS = ROOT / "rulesets"


def year_files(folder: Path) -> list[Path]:
    return sorted((p for p in folder.glob("*.yaml") if re.fullmatch(r"\d{4}", p.stem)), key=lambda p: p.stem)


FOLDERS = sorted({p.parent for p in RULESETS.rglob("*.yaml") if len(year_files(p.parent)) >= 2})


@pytest.mark.parametrize("folder", FOLDERS, ids=[str(f.relative_to(RULESETS)) for f in FOLDERS])
def test_changes_md_holds_the_diff_of_each_consecutive_pair(folder: Path, monkeypatch):
    monkeypatch.chdir(ROOT)  # the diff names files as given; CHANGES.md was written from the repository root
    changes = folder / "CHANGES.md"
    assert changes.is_file(), f"{folder.relative_to(ROOT)} has several years but no CHANGES.md"
    text = changes.read_text(encoding="utf-8")
    files = year_files(folder)
    for old, new in zip(files, files[1:], strict=False):
        result = CliRunner().invoke(main, ["--lang", "zh", "diff", str(old.relative_to(ROOT)),
                                           str(new.relative_to(ROOT)), "--format", "md"])
        assert result.exit_code == 0, result.output
        assert result.output.strip() in text, (
            f"{changes.relative_to(ROOT)} is stale for {old.name} → {new.name}: regenerate it with "
            f"kaohe diff {old.relative_to(ROOT)} {new.relative_to(ROOT)} --format md")


def test_every_jurisdiction_ships_at_least_two_years():
    folders = [p.parent for p in RULESETS.rglob("*.yaml") if "tests" not in p.parts and "data" not in p.parts]
    single = sorted({str(f.relative_to(RULESETS)) for f in folders
                     if f.name != "example" and len(year_files(f)) < 2})
    assert single == []
