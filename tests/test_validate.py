"""``kaohe validate`` over the ruleset fixtures.

Every file in ``tests/rulesets/invalid/`` holds ONE mistake and says, in
``# expect: CODE line N`` comments at its top, which located diagnostics the
mistake must produce. Every file in ``tests/rulesets/valid/`` must pass.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kaohe.cli import main

ROOT = Path(__file__).resolve().parent.parent
INVALID = sorted((ROOT / "tests" / "rulesets" / "invalid").glob("*.yaml"))
VALID = sorted((ROOT / "tests" / "rulesets" / "valid").glob("*.yaml"))
EXPECT = re.compile(r"^#\s*expect:\s*(?P<code>E-[A-Z0-9-]+)\s+line\s+(?P<line>\d+)\s*$")
XFAIL = re.compile(r"^#\s*xfail:\s*(?P<reason>.+)$")
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")  # a template field the diagnostic forgot to fill
TEXT_LINE = re.compile(
    r"^(?P<file>.+?):(?P<line>\d+):(?P<column>\d+)(?:::(?P<path>\$\S*))?: (?P<message>.+) \((?P<code>[EW]-[A-Z0-9-]+)\)$"
)


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def header(path: Path) -> list[str]:
    """The leading comment lines of a fixture (read as bytes: some files are hostile)."""
    lines = []
    for raw in path.read_bytes().decode("utf-8", errors="replace").splitlines():
        if not raw.startswith("#"):
            break
        lines.append(raw)
    return lines


def expectations(path: Path) -> list[tuple[str, int]]:
    """The ``# expect: CODE line N`` lines of a fixture."""
    return [(m["code"], int(m["line"])) for m in map(EXPECT.match, header(path)) if m]


def invalid_params() -> list:
    """One param per invalid fixture; ``# xfail: why`` marks a known engine bug
    (strict, so fixing the engine makes the marker itself fail and get removed)."""
    params = []
    for path in INVALID:
        reasons = [m["reason"] for m in map(XFAIL.match, header(path)) if m]
        marks = [pytest.mark.xfail(reason=reasons[0], strict=True)] if reasons else []
        params.append(pytest.param(path, marks=marks, id=path.stem))
    return params


def problems_of(result: Result) -> list[dict]:
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return json.loads(result.stdout)["problems"]


def assert_clean_exit(result: Result) -> None:
    """A user mistake never shows a Python traceback."""
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output


# ---------------------------------------------------------------------------
# one mistake per file


def test_there_are_enough_invalid_fixtures() -> None:
    assert len(INVALID) >= 30
    for path in INVALID:
        assert expectations(path), f"{path.name} has no '# expect: CODE line N' header"


@pytest.mark.parametrize("path", invalid_params())
def test_invalid_fixture_reports_expected_located_problems(path: Path) -> None:
    expected = expectations(path)
    result = invoke("--lang", "en", "validate", str(path), "--format", "json")
    assert_clean_exit(result)
    assert result.exit_code == 1, result.output
    problems = problems_of(result)
    found = {(p["code"], p["line"]) for p in problems}
    for code, line in expected:
        assert (code, line) in found, f"expected {code} at line {line}; got {sorted(found, key=str)}"
    expected_codes = {code for code, _ in expected}
    unexpected = [p for p in problems if p["severity"] == "error" and p["code"] not in expected_codes]
    assert not unexpected, f"other errors than expected: {unexpected}"
    for problem in problems:
        assert problem["file"] == str(path)
        assert problem["message"] and not PLACEHOLDER.search(problem["message"]), problem


@pytest.mark.parametrize("path", invalid_params())
def test_invalid_fixture_text_output_is_located(path: Path) -> None:
    result = invoke("--lang", "zh", "validate", str(path))
    assert_clean_exit(result)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[-1].startswith("共 ") and lines[-1].endswith(" 个问题")
    for code, line in expectations(path):
        matches = [TEXT_LINE.match(text) for text in lines[:-1]]
        assert any(m and m["code"] == code and int(m["line"]) == line for m in matches), lines
    expected_codes = {code for code, _ in expectations(path)}
    for text in lines[:-1]:
        match = TEXT_LINE.match(text)
        assert match, f"not file:line:col::$.path: message (CODE): {text!r}"
        assert match["file"] == str(path)
        assert match["code"] in expected_codes, text


def test_text_output_names_the_json_path() -> None:
    path = ROOT / "tests" / "rulesets" / "invalid" / "weight_string.yaml"
    result = invoke("--lang", "en", "validate", str(path))
    first = result.stderr.splitlines()[0]
    # the value "四十" sits on line 12, column 13 (after `    weight: `)
    assert first == (
        f'{path}:12:13::$.indicators[0].weight: weight must be a number, got "四十" (E-SCHEMA-TYPE)'
    )


def test_an_amount_of_money_gets_the_hint_for_amounts() -> None:
    """A pool written "100,000.00" is told how to write an amount, not the rule for ids."""
    path = ROOT / "tests" / "rulesets" / "invalid" / "pool_thousands_comma.yaml"
    first = invoke("--lang", "en", "validate", str(path)).stderr.splitlines()[0]
    assert first == (f'{path}:12:75::$.outcomes[0].pool: value "100,000.00" has the wrong form: write an amount as '
                     'digits and a decimal point, e.g. 600000 or "600000.00": no thousands commas, units, spaces or '
                     'words (E-SCHEMA-PATTERN)')


def test_class_for_cls_is_told_at_the_word() -> None:
    """``class`` is reserved in expressions; the message says to write cls, at the column of the word
    inside the quoted value (column 35 on line 8), not one to the left at the space before it."""
    path = ROOT / "tests" / "rulesets" / "invalid" / "class_keyword_in_exclude.yaml"
    first = invoke("--lang", "en", "validate", str(path)).stderr.splitlines()[0]
    assert first.startswith(f"{path}:8:35::$.subjects.exclude: expression 'months_on_post < 1 or class == 'temp'' "
                            "cannot be parsed: class is a reserved word, no name: write cls for the class")


def test_an_unknown_name_in_an_expression_is_placed_at_its_first_letter(tmp_path: Path) -> None:
    """Quoted: the column counts the quote (it was one to the left); folded over lines (exclude: >):
    the line and column the name is on."""
    text = (ROOT / "tests" / "rulesets" / "invalid" / "class_keyword_in_exclude.yaml").read_text(encoding="utf-8")
    written = "  exclude: \"months_on_post < 1 or class == 'temp'\""
    folded = text.replace(written, "  exclude: >\n    months_on_post < 1\n    or monts > 2")
    for body, line, column in ((text.replace("class ==", "klass =="), 8, 35), (folded, 10, 8)):
        (tmp_path / "r.yaml").write_text(body, encoding="utf-8")
        first = invoke("--lang", "en", "validate", str(tmp_path / "r.yaml")).stderr.splitlines()[0]
        assert first.startswith(f"{tmp_path / 'r.yaml'}:{line}:{column}::$.subjects.exclude: "), first
        assert "(E-EXPR-UNKNOWN-NAME)" in first


@pytest.mark.parametrize("line, fix", [
    ("    applies_to: support", "write a list even for one item, e.g. [support]"),
    ("    weight: 40%", "a weight is a percentage already, 40 for 40%"),
])
def test_a_type_slip_is_told_how_to_write_it(tmp_path: Path, line: str, fix: str) -> None:
    body = ("kaohe: 1\nid: t\ntitle: 测试\nyear: 2025\nsubjects:\n  kind: unit\n  classes: {support: {title: 保障}}\n"
            "inputs:\n  x: {title: 数据}\nindicators:\n  - id: a\n    title: 甲\n"
            f"{line}\n    rater: {{use: direct, input: x}}\n")
    if "weight" not in line:
        body = body.replace("    rater:", "    points: 100\n    rater:")
    (tmp_path / "r.yaml").write_text(body, encoding="utf-8")
    first = invoke("--lang", "en", "validate", str(tmp_path / "r.yaml")).stderr.splitlines()[0]
    assert first.endswith(f"{fix} (E-SCHEMA-TYPE)"), first


def test_a_quoted_number_is_told_to_lose_its_quotes() -> None:
    from kaohe.engine.ruleset.schema import _type_fix

    assert _type_fix(["number"], "0.8", "weight").en == ": write the number without quotes, 0.8"
    assert _type_fix(["number"], "四十", "weight").en == ""  # no number to offer: the message alone


def test_a_rate_written_as_a_percentage_is_told_its_decimal(tmp_path: Path) -> None:
    body = ("kaohe: 1\nid: t\ntitle: 测试\nyear: 2025\nsubjects: {kind: unit}\ninputs:\n  x: {title: 实际}\n"
            "  y: {title: 目标}\nindicators:\n  - {id: a, title: 甲, points: 100,"
            " rater: {use: attainment, actual: x, target: y, cap: 120%}}\n")
    (tmp_path / "r.yaml").write_text(body, encoding="utf-8")
    first = invoke("validate", str(tmp_path / "r.yaml")).stderr.splitlines()[0]
    assert first.endswith("得到 \"120%\"：百分数请写成小数，120% 写 1.2 (E-SCHEMA-TYPE)"), first


def test_a_wrong_sum_shared_by_every_class_is_said_once(tmp_path: Path) -> None:
    """Two classes, no applies_to: both have the same children summing to 1 (weights written as
    fractions). One message, with no class named, and the hint that a weight is a percentage."""
    body = ("kaohe: 1\nid: t\ntitle: 测试\nyear: 2025\nsubjects:\n  kind: unit\n  classes:\n"
            "    a: {title: 甲}\n    b: {title: 乙}\ninputs:\n  x: {title: 数据}\nindicators:\n"
            "  - {id: p, title: 甲项, weight: 0.6, rater: {use: direct, input: x}}\n"
            "  - {id: q, title: 乙项, weight: 0.4, rater: {use: direct, input: x}}\n")
    (tmp_path / "r.yaml").write_text(body, encoding="utf-8")
    lines = invoke("--lang", "en", "validate", str(tmp_path / "r.yaml")).stderr.splitlines()
    assert len(lines) == 2 and lines[1] == "1 problem(s)"
    assert "add up to 1, expected 100" in lines[0] and "(class" not in lines[0]
    assert lines[0].endswith("a weight is a percentage of the parent's full marks, write 40 for 0.4 (E-WEIGHT-SUM)")


def test_a_folder_of_bad_files_reports_every_file(tmp_path: Path) -> None:
    """One bad file does not stop the others from being checked (fixtures marking
    an engine crash with ``# xfail`` are left out: they would stop the whole run)."""
    copies = []
    for path in INVALID:
        if not any(XFAIL.match(line) for line in header(path)):
            copy = tmp_path / path.name
            copy.write_bytes(path.read_bytes())
            copies.append(copy)
    result = invoke("validate", str(tmp_path), "--format", "json")
    assert_clean_exit(result)
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    assert payload["ok"] is False
    assert payload["files"] == len(copies)
    assert {p["file"] for p in payload["problems"]} == {str(p) for p in copies}


# ---------------------------------------------------------------------------
# valid rulesets


def test_there_are_valid_fixtures() -> None:
    assert len(VALID) >= 5


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_valid_fixture_passes(path: Path) -> None:
    result = invoke("--lang", "en", "validate", str(path), "--format", "json")
    assert_clean_exit(result)
    payload = json.loads(result.stdout)
    assert payload["problems"] == []
    assert payload["ok"] is True
    assert result.exit_code == 0


def test_valid_folder_passes_in_text_mode() -> None:
    result = invoke("--lang", "en", "validate", str(ROOT / "tests" / "rulesets" / "valid"))
    assert_clean_exit(result)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"✓ {len(VALID)} ruleset file(s) valid"


def test_shipped_rulesets_are_valid() -> None:
    result = invoke("--lang", "en", "validate", str(ROOT / "rulesets"))
    assert_clean_exit(result)
    assert result.exit_code == 0, result.output


def test_validate_missing_file_is_located_not_a_crash(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    result = invoke("--lang", "en", "validate", str(missing), "--format", "json")
    assert_clean_exit(result)
    assert result.exit_code == 1
    [problem] = problems_of(result)
    assert problem["code"] == "E-FILE-NOT-FOUND"
    assert problem["file"] == str(missing)


# ---------------------------------------------------------------------------
# the acceptance case: four mistakes, all reported, located, in both languages

ACCEPTANCE = """\
kaohe: 1
id: acceptance
title: 验收用例
year: 2025
subjects: {kind: unit}
inputs:
  x: {title: 数据}
indicators:
  - id: a
    title: 甲
    weight: "六十"
    rater: {use: direct, input: x}
  - id: b
    title: 乙
    weight: 40
    clasue: 第三条
    title: 乙（重复）
    rater: {use: direct, input: x}
deductions:
  - id: d
    title: 扣分
    when: "event.__class__ == 1"
    points: 1
"""

ACCEPTANCE_EXPECTED = {
    ("E-SCHEMA-TYPE", 11),  # weight: "六十"
    ("E-SCHEMA-UNKNOWN-KEY", 16),  # clasue
    ("E-YAML-DUPLICATE-KEY", 17),  # second title
    ("E-EXPR-FORBIDDEN", 22),  # __class__
}

PHRASES = {
    "zh": {
        "E-SCHEMA-TYPE": "权重必须是数字",
        "E-SCHEMA-UNKNOWN-KEY": "未知的键 “clasue”",
        "E-YAML-DUPLICATE-KEY": "重复出现（第一次在第 14 行）",
        "E-EXPR-FORBIDDEN": "不允许的写法",
    },
    "en": {
        "E-SCHEMA-TYPE": "weight must be a number",
        "E-SCHEMA-UNKNOWN-KEY": "unknown key 'clasue'",
        "E-YAML-DUPLICATE-KEY": "appears twice (first at line 14)",
        "E-EXPR-FORBIDDEN": "not allowed",
    },
}
DID_YOU_MEAN = {"zh": "是否想写 “clause”", "en": "did you mean 'clause'"}


@pytest.fixture
def acceptance_file(tmp_path: Path) -> Path:
    path = tmp_path / "acceptance.yaml"
    path.write_text(ACCEPTANCE, encoding="utf-8")
    return path


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_acceptance_all_four_mistakes_json(acceptance_file: Path, lang: str) -> None:
    result = invoke("--lang", lang, "validate", str(acceptance_file), "--format", "json")
    assert_clean_exit(result)
    assert result.exit_code == 1
    problems = problems_of(result)
    by_code = {p["code"]: p for p in problems}
    assert {(p["code"], p["line"]) for p in problems} == ACCEPTANCE_EXPECTED
    for code, phrase in PHRASES[lang].items():
        assert phrase in by_code[code]["message"], by_code[code]["message"]
    assert DID_YOU_MEAN[lang] in by_code["E-SCHEMA-UNKNOWN-KEY"]["message"]
    assert by_code["E-SCHEMA-UNKNOWN-KEY"]["path"] == "$.indicators[1].clasue"
    assert by_code["E-SCHEMA-TYPE"]["path"] == "$.indicators[0].weight"
    assert by_code["E-EXPR-FORBIDDEN"]["path"] == "$.deductions[0].when"
    # `clasue` starts in column 5 (four spaces of indentation)
    assert by_code["E-SCHEMA-UNKNOWN-KEY"]["column"] == 5


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_acceptance_all_four_mistakes_text(acceptance_file: Path, lang: str) -> None:
    result = invoke("--lang", lang, "validate", str(acceptance_file))
    assert_clean_exit(result)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    parsed = [TEXT_LINE.match(line) for line in lines[:-1]]
    assert all(parsed), lines
    assert {(m["code"], int(m["line"])) for m in parsed} == ACCEPTANCE_EXPECTED
    assert all(m["file"] == str(acceptance_file) for m in parsed)
    for phrase in PHRASES[lang].values():
        assert phrase in result.stderr
    assert DID_YOU_MEAN[lang] in result.stderr
    assert lines[-1] == ("共 4 个问题" if lang == "zh" else "4 problem(s)")


def test_a_file_named_twice_is_checked_and_counted_once(tmp_path):
    from kaohe.engine.ruleset.load import validate_paths

    folder = ROOT / "rulesets" / "example"
    count, problems = validate_paths([folder, folder / "2025.yaml", folder / "." / "2025.yaml"])
    assert count == 1
    assert not [p for p in problems if p.code == "W-VERSION-OVERLAP"]
