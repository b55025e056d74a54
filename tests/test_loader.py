"""The located YAML loader: positions, duplicates, dates, tags, aliases,
encodings and empty files all end as data or as located diagnostics."""

from __future__ import annotations

from pathlib import Path

import pytest

from kaohe.engine.errors import KaoheError
from kaohe.engine.ruleset import loader
from kaohe.engine.ruleset.loader import (
    Document,
    current_ruleset,
    iter_ruleset_files,
    json_path,
    load_yaml,
    load_yaml_text,
)

SAMPLE = """\
kaohe: 1
title: 测试
indicators:
  - id: economy
    weight: 40
    rater: {use: direct, input: x}
"""


def load_error(text: str, display: str = "r.yaml") -> list:
    with pytest.raises(KaoheError) as caught:
        load_yaml_text(text, display)
    return caught.value.diagnostics


# ---------------------------------------------------------------------------
# positions


def test_value_positions_are_one_based_line_and_column() -> None:
    doc = load_yaml_text(SAMPLE, "r.yaml")
    assert doc.data["indicators"][0]["weight"] == 40
    # `    weight: 40`: the value starts after 4 spaces + "weight: " -> column 13
    assert doc.positions[("indicators", 0, "weight")] == (5, 13)
    assert doc.positions[("title",)] == (2, 8)
    # a block sequence starts at its first dash: line 4, column 3
    assert doc.positions[("indicators",)] == (4, 3)
    # inside a flow mapping: 4 spaces + "rater: {use: " is 17 characters -> "direct" at column 18
    assert doc.positions[("indicators", 0, "rater", "use")] == (6, 18)


def test_key_positions_point_at_the_key() -> None:
    doc = load_yaml_text(SAMPLE, "r.yaml")
    assert doc.key_positions[("indicators", 0, "weight")] == (5, 5)
    assert doc.key_positions[("indicators",)] == (3, 1)
    assert doc.locate(("indicators", 0, "weight"), key=True) == (5, 5)
    assert doc.locate(("indicators", 0, "weight")) == (5, 13)


def test_locate_falls_back_to_the_nearest_known_ancestor() -> None:
    doc = load_yaml_text(SAMPLE, "r.yaml")
    # a missing key is reported where its mapping starts (`- id: economy`, col 5)
    assert doc.locate(("indicators", 0, "points")) == (4, 5)
    assert doc.locate(("nothing", "here")) == (1, 1)
    assert Document("x", {}).locate(("a",)) == (None, None)


def test_diagnostic_carries_file_line_column_and_json_path() -> None:
    doc = load_yaml_text(SAMPLE, "rulesets/x/2025.yaml")
    diagnostic = doc.diagnostic("E-SCHEMA-TYPE", ("indicators", 0, "weight"), what="权重", what_en="weight",
                                expected="数字", expected_en="a number", actual='"四十"')
    assert (diagnostic.file, diagnostic.line, diagnostic.column) == ("rulesets/x/2025.yaml", 5, 13)
    assert diagnostic.path == "$.indicators[0].weight"
    assert diagnostic.format("zh") == (
        'rulesets/x/2025.yaml:5:13::$.indicators[0].weight: 权重必须是数字，得到 "四十" (E-SCHEMA-TYPE)'
    )


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ((), "$"),
        (("indicators", 3, "weight"), "$.indicators[3].weight"),
        (("subjects", "classes", "一线"), "$.subjects.classes.一线"),
        (("inputs", "two words"), "$.inputs['two words']"),
        (("grading", "tie_break", 0), "$.grading.tie_break[0]"),
        (("data", "9lives"), "$.data['9lives']"),
    ],
)
def test_json_path(path: tuple, text: str) -> None:
    assert json_path(path) == text


# ---------------------------------------------------------------------------
# duplicates, dates, scalars


def test_duplicate_key_is_reported_at_the_second_with_the_first_line() -> None:
    doc = load_yaml_text("a: 1\nb:\n  c: 2\n  c: 3\n", "r.yaml")
    [problem] = doc.problems
    assert problem.code == "E-YAML-DUPLICATE-KEY"
    assert (problem.line, problem.column, problem.path) == (4, 3, "$.b.c")
    assert problem.params == {"key": "c", "first_line": 3}
    assert doc.data == {"a": 1, "b": {"c": 2}}  # the first one is kept
    assert "第一次在第 3 行" in problem.message("zh")


def test_duplicate_key_in_a_flow_mapping() -> None:
    doc = load_yaml_text("rater: {use: direct, use: bands}\n", "r.yaml")
    [problem] = doc.problems
    assert (problem.code, problem.line, problem.column) == ("E-YAML-DUPLICATE-KEY", 1, 22)


def test_every_duplicate_is_reported() -> None:
    doc = load_yaml_text("a: 1\na: 2\na: 3\n", "r.yaml")
    assert [(p.code, p.line, p.params["first_line"]) for p in doc.problems] == [
        ("E-YAML-DUPLICATE-KEY", 2, 1), ("E-YAML-DUPLICATE-KEY", 3, 1),
    ]


def test_dates_stay_text_as_written() -> None:
    doc = load_yaml_text(
        "effective: {from: 2025-01-01, to: 2025-12-31}\nat: 2025-01-01 08:30:00\n2025-03-01: x\n", "r.yaml"
    )
    assert doc.data["effective"] == {"from": "2025-01-01", "to": "2025-12-31"}
    assert doc.data["at"] == "2025-01-01 08:30:00"
    assert doc.data["2025-03-01"] == "x"  # a date used as a key is text too


def test_scalars_keep_their_yaml_types() -> None:
    doc = load_yaml_text("a: 40\nb: 0.2\nc: true\nd: ~\ne: '40'\nf: 1e3\n", "r.yaml")
    assert doc.data == {"a": 40, "b": 0.2, "c": True, "d": None, "e": "40", "f": "1e3"}
    assert isinstance(doc.data["a"], int) and not isinstance(doc.data["a"], bool)


def test_merge_keys_are_expanded() -> None:
    doc = load_yaml_text("base: &b {x: 1, y: 2}\nc:\n  <<: *b\n  z: 3\n", "r.yaml")
    assert doc.data["c"] == {"x": 1, "y": 2, "z": 3}
    assert doc.problems == []


def test_merge_key_override_is_not_a_duplicate() -> None:
    doc = load_yaml_text("base: &b {x: 1, y: 2}\nc:\n  <<: *b\n  y: 3\n", "r.yaml")
    assert doc.problems == []
    assert doc.data["c"] == {"x": 1, "y": 3}


# ---------------------------------------------------------------------------
# tags and aliases


@pytest.mark.parametrize(
    "value",
    [
        '!!python/object/apply:os.system ["echo pwned"]',
        "!!python/name:os.system",
        "!!python/object:collections.OrderedDict {}",
        "!include other.yaml",
        "!!binary aGVsbG8=",
        "!!set {a, b}",
    ],
)
def test_tags_are_refused_and_located(value: str) -> None:
    doc = load_yaml_text(f"kaohe: 1\ntitle: {value}\n", "r.yaml")
    [problem] = doc.problems
    assert problem.code == "E-YAML-TAG"
    assert (problem.line, problem.column, problem.path) == (2, 8, "$.title")
    assert doc.data["title"] is None  # nothing was constructed


def test_a_python_tag_never_runs(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    text = f'title: !!python/object/apply:pathlib.Path.touch [!!python/object/apply:pathlib.Path ["{marker}"]]\n'
    doc = load_yaml_text(text, "r.yaml")
    assert doc.problems and all(p.code == "E-YAML-TAG" for p in doc.problems)
    assert not marker.exists()


BOMB = "\n".join(
    ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    + [f"{c}: &{c} [{', '.join(['*' + p] * 10)}]" for p, c in zip("abcdefgh", "bcdefghi", strict=True)]
) + "\n"


def test_alias_bomb_is_refused() -> None:
    # 10 levels of 10 aliases would expand to 10**9 nodes; the walker stops at MAX_NODES
    [problem] = load_error(BOMB)
    assert problem.code == "E-YAML-TOO-LARGE"
    assert problem.params == {"limit": loader.MAX_NODES}
    assert problem.line is not None and problem.file == "r.yaml"


def test_node_limit_counts_expanded_aliases(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loader, "MAX_NODES", 50)
    # 1 root + 1 `a` list + 10 items + 1 `b` list + 4 aliases of `a` expanded (4 * 11) = 57 > 50
    text = "a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\nb: [*a, *a, *a, *a]\n"
    [problem] = load_error(text)
    assert problem.code == "E-YAML-TOO-LARGE"
    assert problem.params == {"limit": 50}
    # three aliases: 1 + 1 + 10 + 1 + 3 * 11 = 46 nodes, under the limit
    assert load_yaml_text("a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\nb: [*a, *a, *a]\n", "r").data["b"][2][9] == 10


@pytest.mark.parametrize(
    "text",
    [
        "a: &a [*a]\n",
        "a: &a {self: *a}\n",
        "tree: &t\n  - id: x\n    children: *t\n",
    ],
)
def test_recursive_alias_is_refused(text: str) -> None:
    [problem] = load_error(text)
    assert problem.code == "E-YAML-TOO-LARGE"
    assert problem.line == 1 and problem.file == "r.yaml"


def test_an_alias_used_twice_is_fine() -> None:
    doc = load_yaml_text("a: &a {x: 1}\nb: *a\nc: *a\n", "r.yaml")
    assert doc.data == {"a": {"x": 1}, "b": {"x": 1}, "c": {"x": 1}}


def test_deep_nesting_is_a_diagnostic_not_a_crash() -> None:
    depth = 1000
    [problem] = load_error("a: " + "[" * depth + "]" * depth + "\n")
    assert problem.code in {"E-YAML-TOO-LARGE", "E-YAML-SYNTAX"}


def test_moderate_nesting_loads() -> None:
    depth = 100
    doc = load_yaml_text("a: " + "[" * depth + "]" * depth + "\n", "r.yaml")
    value = doc.data["a"]
    for _ in range(depth - 1):
        value = value[0]
    assert value == []


# ---------------------------------------------------------------------------
# syntax, empty, encodings, files


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ("a: [1\n", 2, 1),  # unclosed flow sequence: found at the end of the text
        ("a: b: c\n", 1, 5),  # a second colon on one line
        ("a:\n  b: 1\n c: 2\n", 3, 2),  # bad indentation
        ("a: 1\n---\nb: 2\n", 2, 1),  # two documents in one file
        ('a: "unterminated\n', 2, 1),
    ],
)
def test_syntax_errors_are_located(text: str, line: int, column: int) -> None:
    [problem] = load_error(text)
    assert problem.code == "E-YAML-SYNTAX"
    assert (problem.file, problem.line, problem.column) == ("r.yaml", line, column)
    assert problem.params["problem"]
    assert "YAML 语法错误" in problem.message("zh")


def test_a_tab_where_a_value_should_start_is_a_slip_of_its_own() -> None:
    [problem] = load_error("a:\tb\n")  # tests/test_slips.py has the Chinese keyboard's other slips
    assert (problem.code, problem.line, problem.column) == ("E-YAML-TAB", 1, 3)


@pytest.mark.parametrize("text", ["", "\n\n", "   \n", "# only a comment\n"])
def test_empty_file_is_not_a_mapping(text: str) -> None:
    [problem] = load_error(text)
    assert (problem.code, problem.file, problem.line, problem.column) == ("E-YAML-NOT-MAPPING", "r.yaml", 1, 1)


def test_bom_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes("\ufeffkaohe: 1\ntitle: 测试\n".encode())
    doc = load_yaml(path)
    assert doc.data == {"kaohe": 1, "title": "测试"}
    assert doc.key_positions[("kaohe",)] == (1, 1)  # the BOM takes no column
    assert doc.positions[("title",)] == (2, 8)


def test_bom_in_text_is_skipped() -> None:
    doc = load_yaml_text("\ufeffkaohe: 1\n", "r.yaml")
    assert doc.data == {"kaohe": 1}


@pytest.mark.parametrize("encoding", ["gbk", "utf-16"])
def test_non_utf8_file_is_a_located_diagnostic(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "legacy.yaml"
    path.write_bytes("kaohe: 1\ntitle: 测试\n".encode(encoding))
    with pytest.raises(KaoheError) as caught:
        load_yaml(path)
    [problem] = caught.value.diagnostics
    assert problem.file == str(path)
    assert problem.code == "E-FILE-ENCODING"
    assert "utf-8" in problem.message("en").lower()


def test_non_utf8_file_names_the_line_and_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "legacy.yaml"
    path.write_bytes("kaohe: 1\ntitle: 测试\n".encode("gbk"))
    with pytest.raises(KaoheError) as caught:
        load_yaml(path)
    [problem] = caught.value.diagnostics
    assert problem.line == 2
    assert "UTF-8" in problem.message("zh")
    assert "缩进" not in problem.message("zh")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(KaoheError) as caught:
        load_yaml(tmp_path / "nope.yaml", display="rulesets/nope.yaml")
    [problem] = caught.value.diagnostics
    assert (problem.code, problem.file) == ("E-FILE-NOT-FOUND", "rulesets/nope.yaml")
    assert "rulesets/nope.yaml" in problem.message("zh")


def test_display_name_is_used_in_diagnostics(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text("a: 1\na: 2\n", encoding="utf-8")
    doc = load_yaml(path, display="chengdu/2025.yaml")
    assert doc.file == "chengdu/2025.yaml"
    assert doc.problems[0].file == "chengdu/2025.yaml"


# ---------------------------------------------------------------------------
# finding ruleset files


def test_iter_ruleset_files_skips_tests_data_and_fixture_folders(tmp_path: Path) -> None:
    for name in ("a/2024.yaml", "a/2025.yml", "a/tests/cases.yaml", "a/data/x.yaml", "b/invalid/bad.yaml",
                 "b/valid/good.yaml", "b/notes.txt", "c.yaml"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("a: 1\n", encoding="utf-8")
    found = [p.relative_to(tmp_path).as_posix() for p in iter_ruleset_files(tmp_path)]
    assert found == ["a/2024.yaml", "a/2025.yml", "c.yaml"]
    # a folder named explicitly is searched, whatever its name
    assert [p.name for p in iter_ruleset_files(tmp_path / "b" / "valid")] == ["good.yaml"]
    assert list(iter_ruleset_files(tmp_path / "c.yaml")) == [tmp_path / "c.yaml"]


def test_current_ruleset_is_the_newest_year(tmp_path: Path) -> None:
    for name in ("2023.yaml", "2025.yaml", "2024.yaml"):
        (tmp_path / name).write_text("a: 1\n", encoding="utf-8")
    assert current_ruleset(tmp_path).name == "2025.yaml"


def test_current_ruleset_of_an_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(KaoheError) as caught:
        current_ruleset(tmp_path)
    assert caught.value.diagnostics[0].code == "E-FILE-NO-RULESET"
