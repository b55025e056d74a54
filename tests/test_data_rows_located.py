"""A problem found in one data row while scoring points at that row of the data file, the thing to
correct, not at the ruleset (issue 15: E-RATING-VOTE and E-RATER-ITEM-WEIGHT carried no file or row)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from click.testing import CliRunner

from kaohe.cli import main

ROOT = Path(__file__).resolve().parent.parent


def jurisdiction(tmp_path: Path, name: str) -> Path:
    for folder in (name, "province"):  # Loudi extends the province's framework
        shutil.copytree(ROOT / "rulesets" / folder, tmp_path / folder, ignore=shutil.ignore_patterns("tests"))
    (tmp_path / "kaohe.toml").write_text("", encoding="utf-8")
    return tmp_path / name


def errors(ruleset: Path, lang: str) -> list[str]:
    result = CliRunner().invoke(main, ["--lang", lang, "evaluate", str(ruleset), "--format", "csv"])
    assert result.exit_code == 1
    return [line for line in result.stderr.splitlines() if re.search(r"\((E|W)-[A-Z-]+\)$", line)]


def replace_line(file: Path, number: int, old: str, new: str) -> None:
    lines = file.read_text(encoding="utf-8").split("\n")
    assert old in lines[number - 1]
    lines[number - 1] = lines[number - 1].replace(old, new)
    file.write_text("\n".join(lines), encoding="utf-8")


def test_an_undefined_vote_points_at_its_line_in_the_ratings_file(tmp_path: Path) -> None:
    folder = jurisdiction(tmp_path, "example")
    ratings = folder / "data" / "ratings.csv"
    replace_line(ratings, 3, ",较好", ",很好好")  # D01, 2025Q1, leader-2
    [zh] = errors(folder / "2025.yaml", "zh")
    assert zh.startswith(f"{ratings}:3: ") and "“很好好”" in zh and zh.endswith("(E-RATING-VOTE)")
    [en] = errors(folder / "2025.yaml", "en")
    assert en.startswith(f"{ratings}:3: ") and "'很好好'" in en


def test_a_bad_item_weight_points_at_its_line_in_the_events_file(tmp_path: Path) -> None:
    folder = jurisdiction(tmp_path, "loudi")
    events = folder / "data" / "events.csv"
    replace_line(events, 22, ",就业驿站,1,", ",就业驿站,-1,")  # LD21's 民生实事 item, weight −1
    [zh] = errors(folder / "2024.yaml", "zh")
    assert zh.startswith(f"{events}:22: ") and "-1" in zh and zh.endswith("(E-RATER-ITEM-WEIGHT)")
