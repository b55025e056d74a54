"""The command line in the office's language: help with examples in zh and en, a ranking table that
fits the terminal, confirmations for --out, --quiet, diff --rev REV NEW and shell completion."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import click
import numpy as np
import pytest
from click.testing import CliRunner
from rich.cells import cell_len

from kaohe.cli import main
from kaohe.engine.messages.help import COMMANDS, option_help
from kaohe.engine.report import render, terminal

ROOT = Path(__file__).resolve().parent.parent
CHENGDU = ROOT / "rulesets" / "chengdu"
EXAMPLE = ROOT / "rulesets" / "example" / "2025.yaml"
YANGQUAN = ROOT / "rulesets" / "yangquan-hitech"
CJK = re.compile(r"[\u4e00-\u9fff]")


def invoke(*args: str, env: dict[str, str] | None = None) -> click.testing.Result:
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def year_records(ruleset: Path) -> list[dict[str, object]]:
    document = json.loads(invoke("evaluate", str(ruleset), "--format", "json").stdout)
    return list(document["periods"][-1]["subjects"])


# ---------------------------------------------------------------------------
# the program: main, then a fast exit

PROGRAM = ("import atexit, sys\n"
           "atexit.register(lambda: sys.stdout.write('exit handler ran\\n'))\n"
           "from kaohe.cli import program\nprogram()")


def run_program(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KAOHE_LANG": "en"}
    return subprocess.run([sys.executable, "-c", PROGRAM, *args], env=env, capture_output=True, text=True,
                          timeout=120)


def test_program_exits_fast_with_every_byte_written_and_the_exit_handlers_run() -> None:
    done = run_program("evaluate", str(EXAMPLE), "--format", "csv")
    assert done.returncode == 0, done.stderr
    text = done.stdout.lstrip("\ufeff")
    in_process = invoke("--lang", "en", "evaluate", str(EXAMPLE), "--format", "csv").stdout.lstrip("\ufeff")
    assert text == in_process + "exit handler ran\n"  # the whole output, then the handler's line


def test_program_keeps_the_exit_code_of_a_mistake() -> None:
    done = run_program("evaluate", "no-such-ruleset.yaml")
    assert done.returncode == 1
    assert "E-FILE-NOT-FOUND" in done.stderr and done.stdout == "exit handler ran\n"
    usage = run_program("evaluate")
    assert usage.returncode == 2 and "RULESET" in usage.stderr


# ---------------------------------------------------------------------------
# the ranking table


def test_a_100_column_terminal_shows_every_number_whole() -> None:
    out = invoke("--lang", "zh", "evaluate", str(CHENGDU), env={"COLUMNS": "100"}).stdout
    lines = out.splitlines()
    assert max(cell_len(line) for line in lines) <= 100
    table_rows = [line for line in lines if line.startswith("│")]
    for record in year_records(CHENGDU):
        row = next((r for r in table_rows if f" {record['id']} " in r), None)
        if row is None:  # a long table lists its top and bottom only
            continue
        cells = [c.strip() for c in row.strip("│").split("│")]
        assert str(record["total"]) in cells, (record["id"], record["total"], row)


def test_a_narrow_terminal_drops_columns_by_priority_and_says_which() -> None:
    out = invoke("--lang", "zh", "evaluate", str(CHENGDU), env={"COLUMNS": "80"}).stdout
    header = next(line for line in out.splitlines() if "排名" in line and line.startswith("┃"))
    for kept in ("排名", "名称", "总分", "等次"):
        assert kept in header
    assert "类别" not in header
    assert "终端宽度不够、未列出：类别" in out


def test_constant_columns_are_left_out_and_stated_once() -> None:
    out = invoke("--lang", "zh", "evaluate", str(CHENGDU), env={"COLUMNS": "200"}).stdout
    header = next(line for line in out.splitlines() if "排名" in line and line.startswith("┃"))
    assert "分组" not in header and "系数" not in header
    assert "各行相同、未列出：分组 全体、系数 1" in out


def test_the_reason_column_names_the_veto_and_the_quota() -> None:
    out = invoke("--lang", "zh", "evaluate", str(EXAMPLE), env={"COLUMNS": "250"}).stdout
    d07 = next(line for line in out.splitlines() if " D07 " in line)
    assert "一票否决：重大安全事故" in d07
    yangquan = invoke("--lang", "zh", "evaluate", str(YANGQUAN), env={"COLUMNS": "250"}).stdout
    records = {r["name"]: r for r in year_records(YANGQUAN)}
    quota = [name for name, r in records.items() if r["grade_reason"]["code"] == "quota"]  # type: ignore[index]
    assert quota
    for name in quota:
        row = next(line for line in yangquan.splitlines() if f" {name} " in line)
        assert "名额已满" in row


def test_english_table_headers() -> None:
    out = invoke("--lang", "en", "evaluate", str(EXAMPLE), env={"COLUMNS": "250"}).stdout
    header = next(line for line in out.splitlines() if "rank" in line and line.startswith("┃"))
    assert "total" in header and "grade" in header and "总分" not in header


def test_a_long_ranking_shows_its_top_and_bottom(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(render, "LONG_TABLE", 20)
    monkeypatch.setattr(render, "SHOWN_AT_EACH_END", 5)
    out = invoke("--lang", "zh", "evaluate", str(CHENGDU), env={"COLUMNS": "120"}).stdout
    rows = [line for line in out.splitlines() if re.match(r"│\s+\d+ │", line)]
    assert len(rows) == 10
    assert "共 66 个对象，列出前 5 名和后 5 名，中间 56 个未列出（--all 列出全部）" in out
    everything = invoke("--lang", "zh", "evaluate", str(CHENGDU), "--all", env={"COLUMNS": "120"}).stdout
    assert len([line for line in everything.splitlines() if re.match(r"│\s+\d+ │", line)]) == 66


def test_layout_never_narrows_a_number_below_its_widest_cell() -> None:
    number = terminal.Column("总分", ["1234567.89", "5"], priority=0, number=True)
    text = terminal.Column("名称", ["一个很长很长很长很长的名称"], priority=0)
    layout = terminal.lay_out([number, text], width=20)
    assert layout.widths[0] == len("1234567.89")
    assert layout.widths[1] == terminal.TEXT_MIN_CELLS


# ---------------------------------------------------------------------------
# --out, --quiet


def test_out_confirms_what_it_wrote(tmp_path: Path) -> None:
    out = tmp_path / "结果.csv"
    result = invoke("--lang", "zh", "evaluate", str(EXAMPLE), "--format", "csv", "--out", str(out))
    assert out.exists()
    assert f"已写入 {out}" in result.stderr and "24 个对象" in result.stderr and "2025Q1" in result.stderr
    english = invoke("--lang", "en", "evaluate", str(EXAMPLE), "--out", str(tmp_path / "t.txt"))
    assert "wrote" in english.stderr and "periods 2025" in english.stderr


@pytest.mark.parametrize("where", ["group", "command"])
def test_quiet_silences_the_confirmation(tmp_path: Path, where: str) -> None:
    out = tmp_path / "r.csv"
    args = ["evaluate", str(EXAMPLE), "--format", "csv", "--out", str(out)]
    result = invoke("-q", *args) if where == "group" else invoke(*args, "--quiet")
    assert out.exists() and result.exit_code == 0
    assert "已写入" not in result.stderr and "wrote" not in result.stderr


# ---------------------------------------------------------------------------
# help


def all_commands() -> list[tuple[str, click.Command]]:
    found: list[tuple[str, click.Command]] = []

    def walk(command: click.Command, path: str) -> None:
        found.append((path, command))
        if isinstance(command, click.Group):
            for name, sub in command.commands.items():
                walk(sub, f"{path} {name}".strip())

    walk(main, "")
    return found


def test_every_command_has_chinese_help_and_an_example() -> None:
    for path, command in all_commands():
        assert command.callback is not None
        entry = COMMANDS.get(command.callback.__name__)
        assert entry is not None, f"kaohe {path}: no entry in engine/messages/help.py"
        assert entry.examples, f"kaohe {path}: no example"
        for param in command.params:
            if isinstance(param, click.Option) and not param.hidden:
                assert param.name is not None
                assert option_help(command.callback.__name__, param.name), f"kaohe {path} {param.opts[0]}"


@pytest.mark.parametrize("path", [p for p, _ in all_commands()])
def test_help_in_both_languages(path: str) -> None:
    words = path.split()
    zh = invoke("--lang", "zh", *words, "--help").stdout
    en = invoke("--lang", "en", *words, "--help").stdout
    assert zh.startswith("用法：") and "示例" in zh and "选项" in zh
    assert en.startswith("Usage: ") and "Examples:" in en and "Options:" in en
    prose = [line for line in en.splitlines() if not line.strip().startswith("kaohe ")]
    assert not CJK.search("\n".join(prose)), en  # English help has no Chinese outside the example commands


def test_help_follows_kaohe_lang() -> None:
    assert invoke("evaluate", "--help", env={"KAOHE_LANG": "zh"}).stdout.startswith("用法：")
    assert invoke("evaluate", "--help", env={"KAOHE_LANG": "en"}).stdout.startswith("Usage: ")


# ---------------------------------------------------------------------------
# diff --rev, completion


def test_diff_rev_takes_only_new() -> None:
    if subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True).returncode:
        pytest.skip("not a git checkout")
    result = invoke("--lang", "zh", "diff", "--rev", "HEAD", "rulesets/example/2025.yaml")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("rulesets/example/2025.yaml@HEAD → rulesets/example/2025.yaml")
    both = CliRunner().invoke(main, ["diff", "--rev", "HEAD", "a.yaml", "b.yaml"])
    assert both.exit_code == 2 and "--rev" in both.output
    none = CliRunner().invoke(main, ["diff", "a.yaml"])
    assert none.exit_code == 2 and "OLD" in none.output


def test_bash_completion_script() -> None:
    env = {**os.environ, "_KAOHE_COMPLETE": "bash_source"}
    done = subprocess.run([sys.executable, "-c", "from kaohe.cli import main; main(prog_name='kaohe')"],
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0
    assert "_kaohe_completion" in done.stdout and "complete " in done.stdout


# ---------------------------------------------------------------------------
# explain --all


def test_explain_all_writes_every_subjects_explanation_from_one_evaluation(tmp_path: Path) -> None:
    out = tmp_path / "说明"
    result = invoke("--lang", "zh", "explain", str(CHENGDU), "--all", "--out", str(out))
    assert result.exit_code == 0
    records = year_records(CHENGDU)
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{r['id']}.txt" for r in records)
    assert "66 份说明" in result.stderr
    for record in records[:5]:  # each file is what explaining that subject alone says
        alone = invoke("explain", str(CHENGDU), str(record["id"])).stdout
        assert (out / f"{record['id']}.txt").read_text(encoding="utf-8") == alone


def test_explain_and_report_of_a_period_need_no_later_data(tmp_path: Path) -> None:
    """As evaluate --period: explaining Q1 computes the year up to Q1, so a missing: error indicator
    with no Q2 data yet (the office explains Q1 in April) does not stop it with E-EVAL-MISSING in Q2."""
    (tmp_path / "data").mkdir()
    (tmp_path / "2026.yaml").write_text("""\
kaohe: 1
id: early
title: 季度说明
year: 2026
subjects: {kind: unit}
inputs:
  work: {title: 工作实绩评分}
periods: {cycle: quarter}
indicators:
  - {id: work, title: 工作实绩, points: 100, rater: {use: direct, input: work}, missing: error}
""", encoding="utf-8")
    (tmp_path / "data" / "subjects.csv").write_text("id,name\nD01,甲局\n", encoding="utf-8")
    (tmp_path / "data" / "values.csv").write_text("subject,period,work\nD01,2026Q1,88\n", encoding="utf-8")
    explained = invoke("explain", str(tmp_path), "D01", "--period", "2026Q1")
    assert explained.exit_code == 0, explained.output
    assert "工作实绩：88 / 100" in explained.stdout
    reported = invoke("report", str(tmp_path), "--period", "2026Q1", "--out", str(tmp_path / "r.html"))
    assert reported.exit_code == 0, reported.output
    assert invoke("explain", str(tmp_path), "D01").exit_code == 1  # the last quarter has no data: said so


def test_explain_needs_one_subject_or_all() -> None:
    assert CliRunner().invoke(main, ["explain", str(EXAMPLE)]).exit_code == 2
    assert CliRunner().invoke(main, ["explain", str(EXAMPLE), "D01", "--all"]).exit_code == 2
    assert CliRunner().invoke(main, ["explain", str(EXAMPLE), "D01", "--out", "x"]).exit_code == 2


def test_explanation_file_names_are_safe_and_distinct() -> None:
    from kaohe.engine.report.atomic import file_names

    assert file_names(["a/b", "a:b", "A", "a", "..", "正常"], ".txt") == [
        "a_b.txt", "a_b-2.txt", "A.txt", "a-2.txt", "_.txt", "正常.txt"]


def test_every_out_confirms_what_it_wrote(tmp_path: Path) -> None:
    schema = invoke("--lang", "zh", "schema", "ruleset", "--out", str(tmp_path / "s.json"))
    assert f"已写入 {tmp_path / 's.json'}" in schema.stderr and "ruleset 的 JSON Schema" in schema.stderr
    template = invoke("--lang", "zh", "template", str(EXAMPLE), "--out", str(tmp_path / "t.xlsx"))
    assert f"已写入 {tmp_path / 't.xlsx'}" in template.stderr
    quiet = invoke("-q", "schema", "ruleset", "--out", str(tmp_path / "q.json"))
    assert quiet.stderr == "" and (tmp_path / "q.json").exists()


def test_a_whole_formula_value_shows_without_a_decimal_in_the_table() -> None:
    from kaohe.engine.report.render import _cell

    assert [_cell(v) for v in (6.0, np.float64(6.0), 2.5, True, False, None, "黄牌")] == \
        ["6", "6", "2.5", "是", "", "", "黄牌"]


def test_a_veto_explained_by_what_it_does_in_the_period_s_grade_table() -> None:
    """Grading's rule (docs, 一票否决): a forced grade the table lacks is its lowest; a max_grade it lacks caps nothing."""
    from kaohe.engine.report.explain import _veto_effect

    year = ["优秀", "良好", "合格", "不合格"]
    assert _veto_effect(None, "较好", year) == "本周期的等次表没有较好，不限制等次"
    assert _veto_effect(None, "良好", year) == "最高只能评良好"
    assert _veto_effect("较差", None, year) == "等次定为本周期等次表中最低的不合格（本周期的等次表没有较差）"
    assert _veto_effect("合格", None, year) == "等次定为合格"
