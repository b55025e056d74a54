"""Slips a Chinese keyboard makes: each gets its own code, at the line and column of the character.

Every case writes a small valid ruleset (``BASE``) with one line changed and runs ``kaohe validate``.
The expected line and column are counted by hand from the line as written (1-based, characters).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from kaohe.cli import main
from kaohe.engine.language.wording import expression_slip
from kaohe.engine.ruleset.load import validate_paths

ROOT = Path(__file__).resolve().parent.parent
CJK = re.compile(r"[\u4e00-\u9fff]")
SLIP_CODES = {"E-YAML-FULLWIDTH-COLON", "E-YAML-TAB", "E-YAML-FULLWIDTH-QUOTE", "E-YAML-FULLWIDTH-COMMA",
              "E-YAML-FULLWIDTH-DIGITS", "E-YAML-FULLWIDTH-SPACE", "E-EXPR-FULLWIDTH", "E-EXPR-ASSIGN"}

# Full-width punctuation in titles and in quoted text of an expression is ordinary Chinese: BASE validates.
BASE = """\
kaohe: 1
id: slips
title: 笔误测试：示例（一）　附件
year: 2025
subjects:
  kind: unit
  classes:
    a: {title: 一类，甲, coefficient: 1}
    b: {title: “二类”：乙}
inputs:
  score: {title: 得分（分）}
indicators:
  - id: work
    title: 工作实绩：‘重点’任务，（一）
    points: 100
    applies_to: [a, b]
    rater: {use: direct, input: score}
deductions:
  - id: late
    title: 迟报
    when: "event.type == '迟报（一次）' or event.type == '他说“好”：是，（二）'"
    points: 1
"""
WHEN = "    when: \"event.type == '迟报（一次）' or event.type == '他说“好”：是，（二）'\""
LINE = {text.strip(): number for number, text in enumerate(BASE.splitlines(), 1)}


def ruleset(tmp_path: Path, *changes: tuple[str, str]) -> Path:
    """BASE with each (line as written, new text) replaced; the new text may span lines."""
    text = BASE
    for old, new in changes:
        assert old in text
        text = text.replace(old, new, 1)
    (tmp_path / "kaohe.toml").write_text("", encoding="utf-8")
    path = tmp_path / "r.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def problems(path: Path, lang: str) -> list[dict[str, Any]]:
    result = CliRunner().invoke(main, ["--lang", lang, "validate", str(path), "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    found: list[dict[str, Any]] = json.loads(result.stdout)["problems"]
    return found


def only_slip(path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """The one problem reported, in Chinese and in English."""
    zh, en = problems(path, "zh"), problems(path, "en")
    assert len(zh) == 1, zh
    return zh[0], en[0]


def test_the_base_ruleset_is_valid(tmp_path: Path) -> None:
    assert problems(ruleset(tmp_path), "zh") == []


# -- full-width colon ----------------------------------------------------------


def test_a_full_width_colon_after_a_key_is_reported_at_the_colon_not_on_the_next_line(tmp_path: Path) -> None:
    # PyYAML: "while scanning a simple key could not find expected ':'" at the next line (16:5)
    zh, en = only_slip(ruleset(tmp_path, ("    points: 100", "    points： 100")))
    assert (zh["code"], zh["line"], zh["column"]) == ("E-YAML-FULLWIDTH-COLON", LINE["points: 100"], 11)
    assert "“：”是中文冒号" in zh["message"] and "英文冒号“:”" in zh["message"] and "points: 100" in zh["message"]
    assert f"line {LINE['points: 100']} col 11" in en["message"] and "points: 100" in en["message"]
    assert not CJK.search(en["message"])


def test_a_full_width_colon_is_found_on_the_line_above_where_the_parser_gave_up(tmp_path: Path) -> None:
    # `kaohe：1` reads as the start of a plain text; PyYAML stops at the colon of line 2 (2:3)
    zh, en = only_slip(ruleset(tmp_path, ("kaohe: 1", "kaohe：1")))
    assert (zh["code"], zh["line"], zh["column"]) == ("E-YAML-FULLWIDTH-COLON", 1, 6)
    assert "kaohe: 1" in zh["message"] and "kaohe: 1" in en["message"] and not CJK.search(en["message"])


def test_a_full_width_colon_after_a_dash(tmp_path: Path) -> None:
    zh, _ = only_slip(ruleset(tmp_path, ("  - id: work", "  - id： work")))
    assert (zh["code"], zh["line"], zh["column"]) == ("E-YAML-FULLWIDTH-COLON", LINE["- id: work"], 7)


def test_a_full_width_colon_in_a_flow_mapping_is_not_an_unknown_key(tmp_path: Path) -> None:
    # YAML reads the key `title：first`: unknown key, and title reported missing; both are the slip
    zh, en = only_slip(ruleset(tmp_path, ("    a: {title: 一类，甲, coefficient: 1}", "    a: {title：first, coefficient: 1}")))
    assert (zh["code"], zh["line"], zh["column"]) == ("E-YAML-FULLWIDTH-COLON", LINE["a: {title: 一类，甲, coefficient: 1}"], 14)
    assert zh["path"] == "$.subjects.classes.a['title：first']"
    assert "a: {title: first, coefficient: 1}" in en["message"] and not CJK.search(en["message"])


def test_a_full_width_colon_where_a_mapping_was_expected(tmp_path: Path) -> None:
    # `rater:` then `use：direct` alone: YAML reads the text "use：direct"; the schema wants a mapping
    zh, _ = only_slip(ruleset(tmp_path, ("    rater: {use: direct, input: score}", "    rater:\n      use：direct")))
    assert (zh["code"], zh["line"], zh["column"]) == ("E-YAML-FULLWIDTH-COLON", LINE["rater: {use: direct, input: score}"] + 1, 10)


# -- tab ---------------------------------------------------------------------------


def test_a_tab_indent(tmp_path: Path) -> None:
    zh, en = only_slip(ruleset(tmp_path, ("    points: 100", "\tpoints: 100")))
    assert (zh["code"], zh["line"], zh["column"]) == ("E-YAML-TAB", LINE["points: 100"], 1)
    assert "制表符" in zh["message"] and "空格" in zh["message"]
    assert "tab" in en["message"] and "spaces" in en["message"] and not CJK.search(en["message"])


def test_a_tab_after_a_colon(tmp_path: Path) -> None:
    zh, _ = only_slip(ruleset(tmp_path, ("    points: 100", "    points:\t100")))
    assert (zh["code"], zh["line"], zh["column"]) == ("E-YAML-TAB", LINE["points: 100"], 12)


# -- quotes --------------------------------------------------------------------------


def test_chinese_quotes_meant_to_protect_a_colon(tmp_path: Path) -> None:
    # ‘…’ is no quote to YAML, so the ': ' inside is a mapping colon: "mapping values are not allowed here"
    zh, en = only_slip(ruleset(tmp_path, ("    title: 工作实绩：‘重点’任务，（一）", "    title: ‘Work: plan’")))
    line = LINE["title: 工作实绩：‘重点’任务，（一）"]
    assert (zh["code"], zh["line"], zh["column"]) == ("E-YAML-FULLWIDTH-QUOTE", line, 12)
    assert "“‘”是中文引号" in zh["message"] and "title: 'Work: plan'" in zh["message"]
    assert "title: 'Work: plan'" in en["message"] and not CJK.search(en["message"])


def test_chinese_quotes_around_a_component_name(tmp_path: Path) -> None:
    # YAML reads “direct” with its marks: an unknown rater, which is the slip
    zh, en = only_slip(ruleset(tmp_path, ("{use: direct, input: score}", "{use: “direct”, input: score}")))
    line = LINE["rater: {use: direct, input: score}"]
    assert (zh["code"], zh["line"], zh["column"]) == ("E-YAML-FULLWIDTH-QUOTE", line, 18)
    assert '英文引号 "' in zh["message"] and 'rater: {use: "direct", input: score}' in en["message"]


# -- commas --------------------------------------------------------------------------


def test_a_full_width_comma_in_a_flow_list(tmp_path: Path) -> None:
    # YAML reads one class "a， b": "class not defined", which is the slip
    zh, en = only_slip(ruleset(tmp_path, ("    applies_to: [a, b]", "    applies_to: [a， b]")))
    assert (zh["code"], zh["line"], zh["column"]) == ("E-YAML-FULLWIDTH-COMMA", LINE["applies_to: [a, b]"], 19)
    assert "“，”是中文逗号" in zh["message"] and "applies_to: [a, b]" in zh["message"]
    assert "applies_to: [a, b]" in en["message"] and not CJK.search(en["message"])


def test_a_full_width_comma_in_a_flow_mapping(tmp_path: Path) -> None:
    # PyYAML: "expected ',' or '}', but got ':'" at the colon after coefficient
    zh, _ = only_slip(ruleset(tmp_path, ("    a: {title: 一类，甲, coefficient: 1}", "    a: {title: first， coefficient: 1}")))
    assert (zh["code"], zh["line"], zh["column"]) == ("E-YAML-FULLWIDTH-COMMA", LINE["a: {title: 一类，甲, coefficient: 1}"], 21)


# -- digits --------------------------------------------------------------------------


def test_full_width_digits_where_a_number_belongs(tmp_path: Path) -> None:
    zh, en = only_slip(ruleset(tmp_path, ("    points: 100", "    points: １００")))
    assert (zh["code"], zh["line"], zh["column"]) == ("E-YAML-FULLWIDTH-DIGITS", LINE["points: 100"], 13)
    assert "“１００” 是全角数字" in zh["message"] and "半角数字 100" in zh["message"]
    assert "'１００'" in en["message"] and "type 100" in en["message"] and not CJK.search(en["message"])


def test_full_width_digits_in_the_format_version(tmp_path: Path) -> None:
    zh, _ = only_slip(ruleset(tmp_path, ("kaohe: 1", "kaohe: １")))
    assert (zh["code"], zh["line"], zh["column"]) == ("E-YAML-FULLWIDTH-DIGITS", 1, 8)


# -- expressions ---------------------------------------------------------------------


def test_one_equals_sign_in_a_condition(tmp_path: Path) -> None:
    old = WHEN
    zh, en = only_slip(ruleset(tmp_path, (old, "    when: \"event.type = 'late'\"")))
    # the value's quote is column 11, so `e` is 12 and the `=` (12th character) is column 23
    assert (zh["code"], zh["line"], zh["column"]) == ("E-EXPR-ASSIGN", LINE[old.strip()], 23)
    assert f"第 {LINE[old.strip()]} 行第 23 列" in zh["message"] and "第 12 个字符" in zh["message"]
    assert "“==”" in zh["message"] and "event.type == 'late'" in zh["message"]
    assert "character 12" in en["message"] and "event.type == 'late'" in en["message"]
    assert not CJK.search(en["message"])


def test_full_width_operators_in_an_unquoted_condition(tmp_path: Path) -> None:
    old = WHEN
    zh, en = only_slip(ruleset(tmp_path, (old, "    when: event.type ＝＝ 'late'")))
    assert (zh["code"], zh["line"], zh["column"]) == ("E-EXPR-FULLWIDTH", LINE[old.strip()], 22)
    assert "第 12 个字符“＝”" in zh["message"] and "event.type == 'late'" in zh["message"]
    assert "'＝'" in en["message"] and "type '='" in en["message"] and not CJK.search(en["message"])


def test_a_full_width_bracket_in_an_expression_folded_over_lines(tmp_path: Path) -> None:
    old = WHEN
    new = "    when: >-\n      event.type == 'late' and\n      （event.type != 'x')"
    zh, _ = only_slip(ruleset(tmp_path, (old, new)))
    assert (zh["code"], zh["line"], zh["column"]) == ("E-EXPR-FULLWIDTH", LINE[old.strip()] + 2, 7)
    assert "第 26 个字符“（”" in zh["message"]  # "event.type == 'late' and " is 25 characters


def test_chinese_quotes_and_digits_in_an_expression(tmp_path: Path) -> None:
    old = WHEN
    zh, _ = only_slip(ruleset(tmp_path, (old, "    when: event.type == ‘late’ or event.n > ３")))
    assert (zh["code"], zh["line"], zh["column"]) == ("E-EXPR-FULLWIDTH", LINE[old.strip()], 25)
    assert "event.type == 'late' or event.n > 3" in zh["message"]  # every slip put right in the fix


def test_what_is_and_is_not_an_expression_slip() -> None:
    assert expression_slip("years_mean(total, years=3) > 1") is None  # a keyword argument
    assert expression_slip("a <= 1 or b >= 2 or c != 3") is None
    # "event.type == " is 14 characters, "'（一）'" 5 and " and x " 7: the ＞ is at offset 26
    assert expression_slip("event.type == '（一）' and x ＞ 1").offset == 26  # type: ignore[union-attr]
    slip = expression_slip("event.type == “重大（一级）”")
    assert slip is not None and slip.character == "“" and slip.fixed == 'event.type == "重大（一级）"'
    slip = expression_slip("“event.type == '红牌'”")  # contents with ': the marks become "
    assert slip is not None and slip.fixed == "\"event.type == '红牌'\""
    assert expression_slip("x ≥ 60").fixed == "x >= 60"  # type: ignore[union-attr]


# -- nothing where nothing is wrong ------------------------------------------------


def test_full_width_text_in_titles_and_quotes_is_never_a_slip(tmp_path: Path) -> None:
    """An unrelated mistake next to Chinese text with ：，（）“” keeps its own diagnosis."""
    found = problems(ruleset(tmp_path, ("    points: 100", "    points: 九十")), "zh")
    assert [p["code"] for p in found] == ["E-SCHEMA-TYPE"]
    # a syntax error under a plain multi-line text holding a full-width colon: not a colon slip
    description = "description: 季度考核管兑现\n  年度考核管升降：一线部门\n  a: b\nyear: 2025"
    found = problems(ruleset(tmp_path, ("year: 2025", description)), "zh")
    assert [p["code"] for p in found] == ["E-YAML-SYNTAX"]
    found = problems(ruleset(tmp_path, ("year: 2025", "description: >-\n  升降：一线部门\n year: 2025")), "zh")
    assert [p["code"] for p in found] == ["E-YAML-SYNTAX"]


def test_shipped_rulesets_validate_with_no_slip() -> None:
    count, found = validate_paths([ROOT / "rulesets"])
    assert count > 10
    assert [p for p in found if p.severity == "error"] == []
    assert not {p.code for p in found} & SLIP_CODES


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_slip_is_one_line_in_text_output(tmp_path: Path, lang: str) -> None:
    result = CliRunner().invoke(main, ["--lang", lang, "validate", str(ruleset(tmp_path, ("kaohe: 1", "kaohe：1")))])
    assert result.exit_code == 1
    assert f"{tmp_path / 'r.yaml'}:1:6: " in result.stderr and "(E-YAML-FULLWIDTH-COLON)" in result.stderr


def test_a_full_width_space_before_a_key(tmp_path: Path) -> None:
    # YAML reads the key "　　points" at the top: unknown there; the space is the slip
    found = problems(ruleset(tmp_path, ("    points: 100", "　　points: 100")), "zh")
    slip = next(p for p in found if p["code"] == "E-YAML-FULLWIDTH-SPACE")
    assert (slip["line"], slip["column"]) == (LINE["points: 100"], 1)
    assert "全角空格" in slip["message"] and "E-SCHEMA-UNKNOWN-KEY" not in {p["code"] for p in found}
    english = next(p for p in problems(tmp_path / "r.yaml", "en") if p["code"] == "E-YAML-FULLWIDTH-SPACE")
    assert "full-width space" in english["message"] and not CJK.search(english["message"])


def test_a_full_width_space_in_a_name(tmp_path: Path) -> None:
    # YAML reads the class "　b": not defined; the space is the slip
    zh, _ = only_slip(ruleset(tmp_path, ("    applies_to: [a, b]", "    applies_to: [a,　b]")))
    assert (zh["code"], zh["line"], zh["column"]) == ("E-YAML-FULLWIDTH-SPACE", LINE["applies_to: [a, b]"], 20)
