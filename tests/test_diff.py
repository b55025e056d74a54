"""kaohe diff: a copy edited in six known ways yields exactly six changes."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import jsonschema
from click.testing import CliRunner

from kaohe.cli import main
from kaohe.engine.ruleset.load import load_ruleset
from kaohe.engine.years.diff import diff_rulesets
from kaohe.engine.years.diff_render import describe

HERE = Path(__file__).parent / "diff"
ROOT = Path(__file__).resolve().parent.parent
EDITS = [
    ("year: 2024", "year: 2025"),  # not one of the six: the year of a new version
    # add: a new bonus rule
    ("bonuses:\n", "bonuses:\n  - {id: signed, title: 签约落地, when: \"event.type == '签约'\", points: 1}\n"),
    # remove: the late-report deduction
    ("  - {id: late, title: 迟报, when: \"event.type == '迟报'\", points: 1}\n", ""),
    # re-weight: 甲项 30 → 40 within 工作实绩 (60 points)
    ("{id: a, title: 甲项, weight: 30,", "{id: a, title: 甲项, weight: 40,"),
    # re-band: the middle band now starts at 0.85
    ("        - {to: 0.8, points: 0}\n        - {from: 0.8, to: 0.9, points: 20}",
     "        - {to: 0.85, points: 0}\n        - {from: 0.85, to: 0.9, points: 20}"),
    # change a cap
    ("points: 2, cap: 10}", "points: 2, cap: 8}"),
    # change a quota
    ("max_share: 0.2,", "max_share: 0.15,"),
]


def edited_copy(tmp_path: Path) -> Path:
    text = (HERE / "old.yaml").read_text(encoding="utf-8")
    for old, new in EDITS:
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / "new.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_six_edits_give_exactly_six_changes(tmp_path: Path):
    old, new = load_ruleset(HERE / "old.yaml"), load_ruleset(edited_copy(tmp_path))
    changes = [c for c in diff_rulesets(old, new) if not (c.section == "meta" and c.field == "year")]
    found = {(c.section, c.change, c.id, c.field) for c in changes}
    assert found == {
        ("bonuses", "added", "signed", ""),
        ("deductions", "removed", "late", ""),
        ("indicators", "changed", "a", "weight"),
        ("indicators", "changed", "timeliness", "rater.bands"),
        ("deductions", "changed", "red_card", "cap"),
        ("grading", "changed", "优秀", "quota.max_share"),
    }
    assert len(changes) == 6


def test_reweight_reads_as_points_of_the_total(tmp_path: Path):
    old, new = load_ruleset(HERE / "old.yaml"), load_ruleset(edited_copy(tmp_path))
    (change,) = [c for c in diff_rulesets(old, new) if c.id == "a"]
    # 30% of 60 = 18 points → 40% of 60 = 24 points
    assert describe(change, "zh") == "a 甲项：权重 30 → 40（在 工作实绩（60 分） 中），占总分 18 → 24 分"
    assert "18 → 24 points of the total" in describe(change, "en")


def test_cli_formats_and_json_schema(tmp_path: Path):
    new = edited_copy(tmp_path)
    runner = CliRunner()
    text = runner.invoke(main, ["--lang", "zh", "diff", str(HERE / "old.yaml"), str(new)])
    assert text.exit_code == 0 and "【加分规则】" in text.stdout and "+ 新增 signed 签约落地" in text.stdout
    markdown = runner.invoke(main, ["diff", str(HERE / "old.yaml"), str(new), "--format", "md"])
    assert markdown.stdout.startswith("# ") and "## 扣分规则 deductions" in markdown.stdout
    result = runner.invoke(main, ["diff", str(HERE / "old.yaml"), str(new), "--format", "json"])
    document = json.loads(result.stdout)
    schema = json.loads((ROOT / "schemas" / "diff.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(document)
    assert document["summary"]["indicators"] == 2


def test_identical_rulesets_have_no_changes():
    ruleset = load_ruleset(HERE / "old.yaml")
    assert diff_rulesets(ruleset, ruleset) == []


def test_git_revision_is_read_without_touching_the_work_tree(tmp_path: Path):
    repo = tmp_path / "repo"
    (repo / "rulesets").mkdir(parents=True)
    target = repo / "rulesets" / "x.yaml"
    target.write_text((HERE / "old.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "v1"], check=True)
    target.write_text(edited_copy(tmp_path).read_text(encoding="utf-8"), encoding="utf-8")
    before = target.read_text(encoding="utf-8")
    result = CliRunner().invoke(main, ["--lang", "en", "diff", f"{target}@HEAD", str(target)])
    assert result.exit_code == 0, result.output
    assert "added signed" in result.stdout and "removed late" in result.stdout
    assert target.read_text(encoding="utf-8") == before


def test_a_revision_of_a_ruleset_extending_a_sibling_folder(tmp_path: Path):
    """city/2025.yaml extends ../province/base.yaml (the docs' pattern): the revision's export holds the
    whole project, so the base resolves at the same revision (only the city's folder was exported)."""
    repo = tmp_path / "repo"
    (repo / "province").mkdir(parents=True)
    (repo / "city").mkdir()
    (repo / "province" / "base.yaml").write_text((HERE / "old.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    city = repo / "city" / "2025.yaml"
    city.write_text("kaohe: 1\nextends: ../province/base.yaml\nid: city\ntitle: 市\n", encoding="utf-8")
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "v1"], check=True)
    (repo / "province" / "base.yaml").write_text(edited_copy(tmp_path).read_text(encoding="utf-8"), encoding="utf-8")
    result = CliRunner().invoke(main, ["--lang", "en", "diff", f"{city}@HEAD", str(city)])
    assert result.exit_code == 0, result.output
    assert "added signed" in result.stdout and "removed late" in result.stdout


def test_a_switch_from_weight_to_points_says_which_side_was_which(tmp_path: Path):
    """甲 moves from a weight of 10 (of a 40-point parent: 4 points) to 10 points: both sides named."""
    from kaohe.engine.years.diff import Change

    change = Change("indicators", "changed", "a", "甲", "points/weight", 10, 10,
                    {"old_total_points": 4, "new_total_points": 10, "parent_title": "丙", "parent_points": 60,
                     "old_kind": "weight"})
    assert describe(change, "zh") == "a 甲：权重 10 → 分值 10，占总分 4 → 10 分"
    assert describe(change, "en") == "a 甲: weight 10 → points 10 (4 → 10 points of the total)"
