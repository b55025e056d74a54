"""`kaohe fmt` and `kaohe show --canonical`, driven through click's runner."""

from __future__ import annotations

import io
import random
import re
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from ruamel.yaml.comments import CommentedMap, CommentedSeq

import kaohe.engine.years.fmt
from kaohe.cli import main
from kaohe.engine.errors import KaoheError
from kaohe.engine.ruleset.loader import iter_ruleset_files
from kaohe.engine.ruleset.schema import load_schema
from kaohe.engine.years.fmt import canonical_text, make_yaml
from kaohe.engine.years.fmt_order import (
    COMPONENT_FIRST,
    DOCUMENT,
    SchemaNav,
    _reorder_mapping,
    canonical_order,
)

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fmt"
SHIPPED = sorted(iter_ruleset_files(ROOT / "rulesets"))


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--lang", "zh", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def copy_fixture(tmp_path: Path, name: str) -> Path:
    target = tmp_path / name
    shutil.copy(FIXTURES / name, target)
    return target


def comment_lines(text: str) -> int:
    """Lines holding a comment (full-line or end-of-line)."""
    return sum(1 for line in text.splitlines() if re.search(r"(^|\s)#", line))


# --- the reorder fixture, before and after, exactly ------------------------


def test_fmt_reorders_keys_and_comments_move_with_them(tmp_path: Path):
    path = copy_fixture(tmp_path, "reorder.yaml")
    code, out, err = invoke("fmt", str(path))
    assert (code, err) == (0, "")
    assert out == f"已格式化 reformatted: {path}\n1 个文件已格式化，0 个文件无需改动\n"
    expected = (FIXTURES / "reorder.expected.yaml").read_text(encoding="utf-8")
    assert path.read_text(encoding="utf-8") == expected
    # the comment written above full_month_days now sits above it after classes
    assert "  # 满 15 天算一个月\n  full_month_days: 15\n" in expected
    # the end-of-line comment stayed on its flow mapping, whose keys were reordered too
    assert "rater: {use: direct, input: x}   # 直接打分" in expected


def test_second_run_is_a_no_op(tmp_path: Path):
    path = copy_fixture(tmp_path, "reorder.yaml")
    invoke("fmt", str(path))
    written = path.read_bytes()
    code, out, _ = invoke("fmt", str(path))
    assert code == 0 and out == "0 个文件已格式化，1 个文件无需改动\n"
    assert path.read_bytes() == written


def test_unchanged_file_is_not_rewritten(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    path = copy_fixture(tmp_path, "reorder.expected.yaml")
    writes: list[Path] = []
    monkeypatch.setattr(kaohe.engine.years.fmt, "write_atomic", lambda target, data: writes.append(target))
    code, _, _ = invoke("fmt", str(path))
    assert code == 0 and writes == []


# --- --check and --diff -----------------------------------------------------


def test_check_lists_files_that_would_change_and_exits_1(tmp_path: Path):
    path = copy_fixture(tmp_path, "reorder.yaml")
    before = path.read_bytes()
    code, out, _ = invoke("fmt", "--check", str(path))
    assert code == 1
    assert out.splitlines() == [f"需要格式化 would reformat: {path}",
                                "1 个文件需要格式化（请运行 kaohe fmt），0 个文件格式正确"]
    assert path.read_bytes() == before


def test_check_passes_on_canonical_files(tmp_path: Path):
    path = copy_fixture(tmp_path, "reorder.expected.yaml")
    code, out, _ = invoke("fmt", "--check", str(path))
    assert code == 0 and out == "0 个文件需要格式化（请运行 kaohe fmt），1 个文件格式正确\n"


def test_check_diff_shows_a_unified_diff(tmp_path: Path):
    path = copy_fixture(tmp_path, "reorder.yaml")
    code, out, _ = invoke("fmt", "--check", "--diff", str(path))
    assert code == 1
    assert f"--- {path}\n+++ {path} (kaohe fmt)\n" in out
    assert "+kaohe: 1\n+id: demo\n title: 测试方案   # 名称\n-id: demo\n-kaohe: 1\n" in out
    assert "-  # 满 15 天算一个月\n-  full_month_days: 15\n" in out
    assert "+  # 满 15 天算一个月\n+  full_month_days: 15\n" in out


def test_folders_skip_tests_and_data(tmp_path: Path):
    shutil.copy(FIXTURES / "reorder.yaml", tmp_path / "2025.yaml")
    for skipped in ("tests", "data"):
        (tmp_path / skipped).mkdir()
        shutil.copy(FIXTURES / "reorder.yaml", tmp_path / skipped / "case.yaml")
    code, out, _ = invoke("fmt", "--check", str(tmp_path))
    assert code == 1 and out.count("would reformat") == 1 and "2025.yaml" in out


# --- every shipped ruleset: idempotent, comments and data kept --------------


@pytest.fixture(scope="module")
def formatted_copies(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[Path, str]]:
    copy = tmp_path_factory.mktemp("shipped") / "rulesets"
    shutil.copytree(ROOT / "rulesets", copy)
    originals = {p: p.read_text(encoding="utf-8") for p in iter_ruleset_files(copy)}
    code, _, err = invoke("fmt", str(copy))
    assert code == 0, err
    return copy, originals


def test_shipped_rulesets_exist():
    assert len(SHIPPED) >= 3
    assert any("extends:" in p.read_text(encoding="utf-8") for p in SHIPPED)


def test_shipped_rulesets_format_idempotently(formatted_copies: tuple[Path, dict[Path, str]]):
    copy, originals = formatted_copies
    code, out, _ = invoke("fmt", "--check", str(copy))
    assert code == 0, out
    assert out.endswith(f"0 个文件需要格式化（请运行 kaohe fmt），{len(originals)} 个文件格式正确\n")


def test_shipped_rulesets_keep_comments_and_data(formatted_copies: tuple[Path, dict[Path, str]]):
    _, originals = formatted_copies
    for path, before in originals.items():
        after = path.read_text(encoding="utf-8")
        assert comment_lines(after) == comment_lines(before), path
        assert yaml.safe_load(after) == yaml.safe_load(before), path
        assert after.endswith("\n") and not after.endswith("\n\n"), path
        if before.startswith("# yaml-language-server:"):
            assert after.splitlines()[0] == before.splitlines()[0], path


def test_shipped_rulesets_still_validate(formatted_copies: tuple[Path, dict[Path, str]]):
    copy, _ = formatted_copies
    code, out, err = invoke("validate", str(copy))
    assert code == 0, err


# --- invalid YAML -----------------------------------------------------------


def test_invalid_yaml_is_a_located_diagnostic_and_file_untouched(tmp_path: Path):
    path = copy_fixture(tmp_path, "invalid.yaml")
    before = path.read_bytes()
    code, _, err = invoke("fmt", str(path))
    assert code == 1
    assert f"{path}:4:6: YAML 语法错误" in err and "(E-YAML-SYNTAX)" in err
    assert "Traceback" not in err
    assert path.read_bytes() == before


def test_one_broken_file_does_not_stop_the_others(tmp_path: Path):
    broken = copy_fixture(tmp_path, "invalid.yaml")
    good = copy_fixture(tmp_path, "reorder.yaml")
    code, out, err = invoke("fmt", str(broken), str(good))
    assert code == 1 and "E-YAML-SYNTAX" in err
    assert f"已格式化 reformatted: {good}" in out
    assert good.read_text(encoding="utf-8") == (FIXTURES / "reorder.expected.yaml").read_text(encoding="utf-8")


def test_duplicate_keys_are_refused(tmp_path: Path):
    path = tmp_path / "dup.yaml"
    path.write_text("kaohe: 1\nid: a\nid: b\n", encoding="utf-8")
    code, _, err = invoke("fmt", str(path))
    assert code == 1 and f"{path}:3:1" in err and "E-YAML-DUPLICATE-KEY" in err
    assert path.read_text(encoding="utf-8") == "kaohe: 1\nid: a\nid: b\n"


def test_missing_path_and_empty_folder(tmp_path: Path):
    code, _, err = invoke("fmt", str(tmp_path / "nope.yaml"), str(tmp_path))
    assert code == 1 and "E-FILE-NOT-FOUND" in err and "E-FILE-NO-RULESET" in err


def test_too_deep_nesting_is_a_diagnostic_not_a_crash():
    text = "a: " + "[" * 300 + "]" * 300 + "\n"
    with pytest.raises(KaoheError) as caught:
        canonical_text(text, "deep.yaml")
    assert caught.value.diagnostics[0].code == "E-YAML-TOO-LARGE"


def test_a_format_that_would_change_data_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    def corrupt(tree, schema, nav):  # stands in for any round-trip bug
        tree["id"] = "changed"

    monkeypatch.setattr(kaohe.engine.years.fmt, "reorder_tree", corrupt)
    path = tmp_path / "r.yaml"
    path.write_text("id: a\nkaohe: 1\n", encoding="utf-8")
    code, _, err = invoke("fmt", str(path))
    assert code == 1 and "E-FMT-UNSAFE" in err and "格式化会改变" in err
    assert path.read_text(encoding="utf-8") == "id: a\nkaohe: 1\n"


# --- style ------------------------------------------------------------------


def test_style_lf_one_newline_unicode_no_wrapping():
    long_clause = "第一条" * 200
    text = f"\ufeffid: a\r\nkaohe: 1\r\ntitle: \"\\u4e2d\"\r\ndescription: {long_clause}\r\n\r\n\r\n"
    assert canonical_text(text, "s.yaml") == f'kaohe: 1\nid: a\ntitle: "中"\ndescription: {long_clause}\n'


def test_sequences_are_indented_and_flow_style_kept():
    text = "kaohe: 1\nindicators:\n- id: a\n  title: 甲\n  applies_to: [x, y]\n"
    assert canonical_text(text, "s.yaml") == (
        "kaohe: 1\nindicators:\n  - id: a\n    title: 甲\n    applies_to: [x, y]\n"
    )


def test_empty_and_comment_only_files():
    assert canonical_text("", "e.yaml") == ""
    assert canonical_text("# 只有注释\n\n\n", "c.yaml") == "# 只有注释\n"


# --- key order rules --------------------------------------------------------


@pytest.fixture(scope="module")
def nav() -> SchemaNav:
    return SchemaNav(load_schema("ruleset.schema.json"))


def test_top_level_follows_the_schema(nav: SchemaNav):
    schema = load_schema("ruleset.schema.json")
    assert canonical_order(["indicators", "remove", "zzz", "extends", "kaohe"], schema, nav) == [
        "kaohe", "extends", "remove", "indicators", "zzz"]


def test_refs_items_and_alternatives_are_followed(nav: SchemaNav):
    schema = load_schema("ruleset.schema.json")
    indicator = nav.items(nav.child(schema, "indicators"))
    child = nav.items(nav.child(indicator, "children"))  # $ref back to the indicator
    assert canonical_order(["clause", "rater", "id"], child, nav) == ["id", "rater", "clause"]
    tie_break = nav.items(nav.child(nav.child(schema, "grading"), "tie_break"))  # anyOf [string, object]
    assert canonical_order(["order", "key"], tie_break, nav) == ["key", "order"]
    classes = nav.child(nav.child(schema, "subjects"), "classes")
    assert canonical_order(["b", "a"], classes, nav) == ["b", "a"]  # ids: author order
    assert canonical_order(["clause", "coefficient", "title"], nav.child(classes, "econ"), nav) == [
        "title", "coefficient", "clause"]


def test_component_params_put_use_id_title_first(nav: SchemaNav):
    schema = load_schema("ruleset.schema.json")
    rater = nav.child(nav.items(nav.child(schema, "indicators")), "rater")
    assert canonical_order(["input", "title", "use", "cap"], rater, nav) == ["use", "title", "input", "cap"]
    outcome = nav.items(nav.child(schema, "outcomes"))
    assert canonical_order(["below", "use", "indicators", "id"], outcome, nav) == [
        "id", "use", "below", "indicators"]
    # inside params the schema knows nothing: only the component convention applies
    assert canonical_order(["weight", "use", "b"], None, nav) == ["use", "weight", "b"]
    assert canonical_order(["weight", "title"], None, nav) == ["weight", "title"]


def test_nested_component_in_params_is_reordered():
    text = ("kaohe: 1\nindicators:\n  - id: a\n    rater:\n      input: x   # 数据项\n      use: mix\n"
            "      parts:\n        - {weight: 1, use: direct}\n")
    assert canonical_text(text, "n.yaml") == (
        "kaohe: 1\nindicators:\n  - id: a\n    rater:\n      use: mix\n      input: x   # 数据项\n"
        "      parts:\n        - {use: direct, weight: 1}\n"
    )


# --- show --canonical (git textconv) ----------------------------------------


def test_show_canonical_prints_the_file_itself():
    code, out, err = invoke("show", "--canonical", str(FIXTURES / "reorder.yaml"))
    assert (code, err) == (0, "")
    assert out == (FIXTURES / "reorder.expected.yaml").read_text(encoding="utf-8")


def test_show_canonical_does_not_resolve_extends():
    child = next(p for p in SHIPPED if "extends:" in p.read_text(encoding="utf-8"))
    code, out, _ = invoke("show", "--canonical", str(child))
    assert code == 0
    assert "extends:" in out
    assert yaml.safe_load(out) == yaml.safe_load(child.read_text(encoding="utf-8"))


def test_show_canonical_falls_back_to_the_raw_text_for_broken_yaml():
    code, out, err = invoke("show", "--canonical", str(FIXTURES / "invalid.yaml"))
    assert code == 0  # git diff keeps working
    assert out == (FIXTURES / "invalid.yaml").read_text(encoding="utf-8")
    assert "E-YAML-SYNTAX" in err


def test_gitattributes_routes_rulesets_to_the_driver():
    text = (ROOT / ".gitattributes").read_text(encoding="utf-8")
    assert "rulesets/**/*.yaml diff=kaohe" in text and "rulesets/**/*.yml diff=kaohe" in text


def test_comment_under_a_commented_key_line_moves_with_its_key():
    # ruamel keeps "# 类别" after "# 对象" on the subjects entry; it belongs to classes
    text = "kaohe: 1\nsubjects:   # 对象\n  # 类别\n  classes:\n    a: {title: 甲}\n  kind: unit\n"
    assert canonical_text(text, "h.yaml") == (
        "kaohe: 1\nsubjects:   # 对象\n  kind: unit\n  # 类别\n  classes:\n    a: {title: 甲}\n"
    )


def test_flow_mapping_reorder_keeps_the_comments_around_it():
    text = ("kaohe: 1\neffective: {to: 2025-12-31, from: 2025-01-01}   # 全年\n\n# 来源\n"
            "source: {document: y}\n")
    assert canonical_text(text, "f.yaml") == (
        "kaohe: 1\neffective: {from: 2025-01-01, to: 2025-12-31}   # 全年\n\n# 来源\n"
        "source: {document: y}\n"
    )


def test_block_scalars_and_their_blank_lines_survive_reordering():
    text = "description: >-\n  第一段\n  第二段\n\nkaohe: 1\n\n# 编号\nid: a\n"
    assert canonical_text(text, "b.yaml") == (
        "kaohe: 1\n\n# 编号\nid: a\ndescription: >-\n  第一段\n  第二段\n"
    )


# --- property: shuffling keys (comments attached) never changes the result ---


def _shuffled_order(keys: list, schema, nav: SchemaNav, rng, keep_first: bool) -> list:
    """A random order that canonicalises back to the same one: keys whose place the
    schema fixes are shuffled, the others keep their relative order."""
    first = [fixed for fixed in COMPONENT_FIRST if fixed in keys]
    if schema is None:
        fixed = first if "use" in keys else []
    else:
        fixed = [k for k in nav.properties(schema) if k in keys]
        fixed += [k for k in first if k not in fixed] if nav.is_open(schema) else []
    pinned = keys[:1] if keep_first and keys else []
    fixed = [k for k in fixed if k not in pinned]
    free = [k for k in keys if k not in fixed and k not in pinned]
    rng.shuffle(fixed)
    slots = [0] * len(fixed) + [1] * len(free)
    rng.shuffle(slots)
    fixed_iter, free_iter = iter(fixed), iter(free)
    return pinned + [next(fixed_iter) if slot == 0 else next(free_iter) for slot in slots]


def _shuffle(node, schema, nav: SchemaNav, rng, head) -> None:
    if isinstance(node, CommentedMap):
        # a list item's first key is kept: comments above it have no place of their own
        _reorder_mapping(node, _shuffled_order(list(node), schema, nav, rng, head is None), head)
        for key in list(node):
            _shuffle(node[key], nav.child(schema, key) if schema is not None else None, nav, rng, (node, key))
    elif isinstance(node, CommentedSeq):
        for item in node:
            _shuffle(item, nav.items(schema) if schema is not None else None, nav, rng, None)


def _without_blank_lines(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if line.strip())


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_any_key_order_formats_to_the_same_text(path: Path, nav: SchemaNav):
    text = path.read_text(encoding="utf-8")
    canonical = canonical_text(text, str(path))
    schema = load_schema("ruleset.schema.json")
    for seed in range(8):
        yaml_rt = make_yaml()
        tree = yaml_rt.load(text)
        _shuffle(tree, schema, nav, random.Random(seed), DOCUMENT)
        stream = io.StringIO()
        yaml_rt.dump(tree, stream)
        # blank lines at a mapping's first key are dropped, so only they may differ
        assert _without_blank_lines(canonical_text(stream.getvalue(), "x")) == _without_blank_lines(canonical), seed


def test_shipped_rulesets_are_canonical():
    # what CI would run as `kaohe fmt --check rulesets/`: the repository keeps its rulesets formatted
    result = CliRunner().invoke(main, ["fmt", "--check", str(ROOT / "rulesets")])
    assert result.exit_code == 0, result.output
