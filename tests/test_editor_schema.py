"""The editor schema (schemas/ruleset.editor.schema.json, ``kaohe schema ruleset``): accepts every
shipped ruleset as written, with or without ``extends``; reports seeded mistakes where they are;
lists the installed components and their settings; stays the generated file."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from kaohe.cli import main
from kaohe.engine.components import Rater, RaterResult
from kaohe.engine.errors import KaoheError
from kaohe.engine.hookspecs import hookimpl
from kaohe.engine.registry import Registry, build_registry, make_plugin_manager
from kaohe.engine.ruleset import editor_schema as editor
from kaohe.engine.ruleset.inherit import load_resolved
from kaohe.engine.ruleset.load import check_ruleset
from kaohe.engine.ruleset.loader import load_yaml

ROOT = Path(__file__).resolve().parent.parent
COMMITTED = ROOT / "schemas" / "ruleset.editor.schema.json"
BASE = json.loads((ROOT / "schemas" / "ruleset.schema.json").read_text(encoding="utf-8"))
SHIPPED = sorted(p for p in (ROOT / "rulesets").rglob("*.yaml") if "tests" not in p.relative_to(ROOT).parts)
REGENERATE = "kaohe schema ruleset --builtin --out schemas/ruleset.editor.schema.json"


@pytest.fixture(scope="module")
def builtin() -> Registry:
    return editor.builtin_registry()


@pytest.fixture(scope="module")
def schema(builtin: Registry) -> dict[str, Any]:
    return editor.editor_schema(builtin)


@pytest.fixture(scope="module")
def validator(schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schema)


def as_written(path: Path) -> Any:
    return load_yaml(path, str(path)).data


def errors(validator: jsonschema.Draft202012Validator, data: Any) -> list[tuple[str, str]]:
    """(JSON path, validator keyword) of each problem, innermost of each branch."""
    found = []
    for error in validator.iter_errors(data):
        for leaf in _leaves(error):
            keyword = str(leaf.validator) if leaf.validator is not None else "false"  # a `false` schema
            found.append(("/".join(str(p) for p in leaf.absolute_path), keyword))
    return sorted(found)


def _leaves(error: jsonschema.ValidationError) -> list[jsonschema.ValidationError]:
    if error.context:
        return [leaf for sub in error.context for leaf in _leaves(sub)]
    return [error]


# -- the committed file ----------------------------------------------------------------------


def test_the_committed_editor_schema_is_the_generated_one():
    assert COMMITTED.read_text(encoding="utf-8") == editor.committed_text(), \
        f"schemas/ruleset.editor.schema.json is out of date: run `{REGENERATE}`"


def test_the_editor_schema_is_a_valid_draft_2020_12_schema(schema):
    assert schema["$schema"] == BASE["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("path", SHIPPED, ids=[str(p.relative_to(ROOT / "rulesets")) for p in SHIPPED])
def test_every_shipped_ruleset_points_at_the_editor_schema(path: Path):
    first = path.read_text(encoding="utf-8").splitlines()[0]
    match = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first)
    assert match, first
    assert (path.parent / match.group(1)).resolve() == COMMITTED


# -- no false marks ------------------------------------------------------------------------


@pytest.mark.parametrize("path", SHIPPED, ids=[str(p.relative_to(ROOT / "rulesets")) for p in SHIPPED])
def test_every_shipped_ruleset_has_no_error_as_written(validator, path: Path):
    assert errors(validator, as_written(path)) == []


def test_the_base_schema_alone_rejects_the_files_that_extend_another():
    """Why the editor needs its own schema: with extends, a file writes only what differs."""
    base = jsonschema.Draft202012Validator(BASE)
    extending = [p for p in SHIPPED if "extends" in as_written(p)]
    rejected = [p for p in extending if list(base.iter_errors(as_written(p)))]
    assert len(extending) >= 12
    assert len(rejected) >= 11  # "Missing property subjects" and the like, in VS Code


def ruleset_files() -> list[Path]:
    """Every ruleset-shaped YAML file of the repository the loader can read."""
    files = []
    for path in sorted([*ROOT.joinpath("rulesets").rglob("*.yaml"), *ROOT.joinpath("tests").rglob("*.yaml")]):
        try:
            data = as_written(path)
        except KaoheError:
            continue  # not YAML kaohe reads (syntax, alias bombs …): no schema verdict
        if isinstance(data, dict) and "kaohe" in data:
            files.append(path)
    return files


SCHEMA_CODES = re.compile(r"E-SCHEMA-.*|E-COMPONENT-UNKNOWN|E-VERSION|E-YAML-TAG")
"""What validation passes one and two (and the component lookup) report: the editor's share. A
refused tag's value reads as nothing, which the editor marks as the wrong type; kaohe names the tag."""


@pytest.mark.parametrize("path", ruleset_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_the_editor_agrees_with_kaohe_validate_on_every_file(validator, builtin, path: Path):
    """A file without extends: the editor marks it exactly when kaohe's schema passes do.
    A file with extends: no mark when kaohe validates it without a schema problem."""
    try:
        problems = check_ruleset(load_resolved(path), builtin)
    except KaoheError as exc:
        problems = exc.diagnostics
    kaohe_says = sorted({p.code for p in problems if SCHEMA_CODES.fullmatch(p.code) and p.severity == "error"})
    editor_says = errors(validator, as_written(path))
    if "extends" in as_written(path):
        assert kaohe_says or not editor_says, editor_says
    else:
        assert bool(kaohe_says) == bool(editor_says), (kaohe_says, editor_says)


# -- seeded mistakes -----------------------------------------------------------------------

EXAMPLE = ROOT / "rulesets" / "example" / "2025.yaml"
SEEDED = [  # (as shipped, broken): a misspelt key, a wrong type, an unknown use, an unknown setting
    ("        clause: 第三条（一）\n", "        clasue: 第三条（一）\n"),
    ("        points: 10\n        rater:\n          use: bands\n", "        points: 十分\n        rater:\n          use: bands\n"),
    ("use: ratio_to_best", "use: ratio_to_bset"),
    ("polarity: lower}", "polarty: lower}"),
]


def broken(text: str, seeds: list[tuple[str, str]]) -> str:
    for before, after in seeds:
        assert text.count(before) == 1, before
        text = text.replace(before, after)
    return text


def test_seeded_mistakes_are_reported_at_their_paths(validator, tmp_path):
    copy = tmp_path / "2025.yaml"
    copy.write_text(broken(EXAMPLE.read_text(encoding="utf-8"), SEEDED), encoding="utf-8")
    # example/2025.yaml: indicators economy (investment, projects, tax), service (documents, complaints), …
    assert errors(validator, as_written(copy)) == [
        ("indicators/0/children/0", "additionalProperties"),        # clasue
        ("indicators/0/children/1/points", "type"),                 # 十分
        ("indicators/0/children/2/rater/use", "enum"),              # ratio_to_bset
        ("indicators/1/children/1/rater", "additionalProperties"),  # polarty
    ]
    messages = [e.message for e in validator.iter_errors(as_written(copy))]
    assert any("'clasue' was unexpected" in m for m in messages)
    assert any("'polarty' was unexpected" in m for m in messages)


DISTRICT = ROOT / "rulesets" / "province-district" / "2025.yaml"


def test_with_extends_partial_items_pass_but_mistakes_still_show(validator):
    data = as_written(DISTRICT)
    assert "subjects" in data and "kind" not in data["subjects"]  # inherited from the province
    assert "title" not in data["indicators"][0]                    # an override by id
    data["indicators"][0]["children"][0]["clasue"] = "x"
    data["indicators"][0]["children"][1]["rater"]["use"] = "attainmnet"
    data["indicators"][2]["weight"] = 30                           # solve_time writes points: 10 too
    data["indicators"][2]["rater"] = {"cap": 0.9}                  # a rater's setting alone: use is inherited
    del data["indicators"][3]["id"]                                # an item matched by id must name it
    assert errors(validator, data) == [
        ("indicators/0/children/0", "additionalProperties"),
        ("indicators/0/children/1/rater/use", "enum"),
        ("indicators/2", "false"), ("indicators/2", "false"),   # points: false given weight, and the reverse
        ("indicators/3", "required"),
    ]


def test_with_extends_a_list_without_ids_is_still_checked_whole(validator):
    """Lists whose items have no id (the year roll-up's annual components) are replaced, not merged."""
    data = {"kaohe": 1, "extends": "base.yaml", "periods": {"year": {"annual": [{"indicator": "x"}]}}}
    assert errors(validator, data) == [("periods/year/annual/0", "required")]


def test_without_extends_required_keys_are_required(validator):
    assert errors(validator, {"kaohe": 1, "id": "x", "title": "x", "year": 2025, "indicators": []}) == [
        ("", "required"), ("indicators", "minItems")]


def test_points_and_weight_both_are_named_at_the_second_key_in_both_languages(schema):
    choice = next(branch for branch in schema["$defs"]["indicator"]["allOf"]
                  if branch.get("if") == {"required": ["points"]})
    assert choice["then"] == {"properties": {"weight": False},
                              "errorMessage": "points 和 weight 只能写一个 / write only one of points, weight"}


# -- components ------------------------------------------------------------------------


def chooser(schema: dict[str, Any], where: str) -> dict[str, Any]:
    places = {
        "rater": schema["$defs"]["indicator"]["properties"]["rater"]["properties"]["use"],
        "outcome": schema["$defs"]["ruleset"]["properties"]["outcomes"]["items"]["properties"]["use"],
        "data": schema["$defs"]["ruleset"]["properties"]["data"]["properties"]["values"]["properties"]["source"],
    }
    return places[where]


def test_use_lists_every_installed_component(schema, builtin):
    assert chooser(schema, "rater")["enum"] == builtin.names("rater")
    assert chooser(schema, "outcome")["enum"] == [*builtin.names("allocator"), *builtin.names("outcome")]
    assert chooser(schema, "data")["enum"] == builtin.names("data_source")
    assert {"direct", "attainment", "bands", "survey"} <= set(builtin.names("rater"))


def test_each_use_value_is_described_in_chinese_first(schema, builtin):
    use = chooser(schema, "rater")
    described = dict(zip(use["enum"], use["enumDescriptions"], strict=True))
    assert described["attainment"].startswith("评分方法：目标达成率 / Points are full marks")
    markdown = dict(zip(use["enum"], use["markdownEnumDescriptions"], strict=True))
    assert markdown["direct"].startswith("**直接打分**（评分方法，kaohe.plugins.raters）")
    assert "`input`（必填 required）" in markdown["direct"]


def test_a_component_setting_gets_its_params_schema_help(schema):
    settings = schema["$defs"]["rater.attainment"]
    assert settings["properties"]["target"]["title"] == "目标值 / Target"
    assert settings["properties"]["target"]["markdownDescription"].startswith("目标值：数据项名称")
    assert settings["required"] == ["actual", "target"]
    assert "required" not in schema["$defs"]["rater.attainment_extends"]


def test_the_params_schemas_of_built_in_components_are_bilingual(builtin):
    def properties(node: Any) -> list[tuple[str, dict[str, Any]]]:
        found = []
        if isinstance(node, dict):
            for key, value in (node.get("properties") or {}).items():
                found.append((key, value))
            for value in node.values():
                found += properties(value)
        elif isinstance(node, list):
            for value in node:
                found += properties(value)
        return found

    for entry in builtin.all():
        if entry.kind in ("function", "exporter"):
            continue
        for key, prop in properties(entry.component.params_schema):
            for text in (prop.get("title", ""), prop.get("description", "")):
                zh, en = editor.split_bilingual(text)
                assert re.search(r"[\u4e00-\u9fff]", zh) and en, (entry.name, key, text)


class HotlineRater(Rater):
    name = "hotline_rate"
    title = "热线满意率"
    description = "Points from the share of satisfied hotline callers (a test plugin)."
    params_schema = {
        "type": "object", "additionalProperties": False, "required": ["input"],
        "properties": {"input": {"type": "string", "title": "数据项 / Input", "description": "满意率 / the rate"}},
    }

    def score(self, params, ctx):
        return RaterResult(points=ctx.values(params["input"]))


class HotlinePlugin:
    @hookimpl
    def register_raters(self, register):
        register.rater(HotlineRater)


def with_plugin(*plugins: Any) -> Registry:
    return build_registry(make_plugin_manager(extra=plugins, entry_points=False))


def leaf(use: str, **settings: Any) -> dict[str, Any]:
    return {"kaohe": 1, "id": "t", "title": "t", "year": 2025, "subjects": {"kind": "unit"},
            "indicators": [{"id": "a", "title": "A", "points": 100, "rater": {"use": use, **settings}}]}


def test_a_plugin_s_rater_and_its_settings_appear():
    schema = editor.editor_schema(with_plugin(HotlinePlugin()))
    assert "hotline_rate" in chooser(schema, "rater")["enum"]
    check = jsonschema.Draft202012Validator(schema)
    assert errors(check, leaf("hotline_rate", input="rate")) == []
    assert errors(check, leaf("hotline_rate", input="rate", colour=1)) == [("indicators/0/rater", "additionalProperties")]
    assert errors(check, leaf("hotline_rate")) == [("indicators/0/rater", "required")]


def test_kaohe_schema_ruleset_prints_the_installed_components(monkeypatch, tmp_path):
    monkeypatch.setattr(editor, "default_registry", lambda: with_plugin(HotlinePlugin()))
    printed = CliRunner().invoke(main, ["schema", "ruleset"])
    assert printed.exit_code == 0 and "rater.hotline_rate" in json.loads(printed.stdout)["$defs"]
    builtin = CliRunner().invoke(main, ["schema", "ruleset", "--builtin", "--out", str(tmp_path / "s.json")])
    assert builtin.exit_code == 0 and builtin.stdout == ""
    assert (tmp_path / "s.json").read_text(encoding="utf-8") == COMMITTED.read_text(encoding="utf-8")
    other = CliRunner().invoke(main, ["schema", "test"])
    assert other.stdout == (ROOT / "schemas" / "test.schema.json").read_text(encoding="utf-8")


class BrokenRater(HotlineRater):
    name = "broken_rate"
    params_schema = {"type": "object", "properties": {"input": {"type": "text"}}}


class BrokenPlugin:
    @hookimpl
    def register_raters(self, register):
        register.rater(BrokenRater)


def test_a_plugin_with_a_broken_params_schema_is_named(monkeypatch):
    monkeypatch.setattr(editor, "default_registry", lambda: with_plugin(BrokenPlugin()))
    result = CliRunner().invoke(main, ["--lang", "zh", "schema", "ruleset"])
    assert result.exit_code == 1
    assert "评分方法 “broken_rate” 的参数说明（params_schema）无法写入编辑器用的 schema" in result.stderr
    assert "(E-EDITOR-PARAMS-SCHEMA)" in result.stderr


# -- help text -------------------------------------------------------------------------------


def test_help_is_chinese_first(schema):
    points = schema["$defs"]["indicator"]["properties"]["points"]
    assert points["markdownDescription"] == "满分分值\n\nfull marks in points"
    assert points["errorMessage"] == "分值应为数字 / points must be a number"
    rounding = schema["$defs"]["ruleset"]["properties"]["precision"]["properties"]["rounding"]
    assert rounding["errorMessage"] == "舍入方式只能是 half_up、half_even、down、up 之一 / rounding must be one of " \
                                       "half_up, half_even, down, up"
    indicator_id = schema["$defs"]["indicator"]["properties"]["id"]
    assert indicator_id["patternErrorMessage"].startswith("编号：编号只能用英文字母、数字、下划线和连字符")


def test_objects_keep_the_server_s_own_wording_that_names_the_key(schema):
    """An errorMessage on a mapping would replace "Missing property x" for every key."""
    assert "errorMessage" not in schema["$defs"]["indicator"]
    assert "errorMessage" not in schema["$defs"]["ruleset"]["properties"]["subjects"]


@pytest.mark.parametrize(("text", "parts"), [
    ("满分分值 / full marks in points", ("满分分值", "full marks in points")),
    ("mean 平均、sum 合计 / how records combine", ("mean 平均、sum 合计", "how records combine")),
    ("历年（同名的不用写）/ declared field", ("历年（同名的不用写）", "declared field")),
    ("如 grade != '不合格' / e.g. grade != '不合格'", ("如 grade != '不合格'", "e.g. grade != '不合格'")),
    ("只有中文", ("只有中文", "")),
])
def test_split_bilingual(text, parts):
    assert editor.split_bilingual(text) == parts
