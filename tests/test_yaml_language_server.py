"""What VS Code shows: the real yaml-language-server, spoken to over LSP stdio, on the shipped
rulesets and the editor schema their modelines name.

Needs node and the server: ``.ci/run`` installs it into ``$KAOHE_YLS_DIR`` (default
``~/.cache/kaohe/yaml-language-server``); with npm present and no server, the first run
installs it there itself. Skipped, saying why, without node or the server."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from kaohe.engine.ruleset.editor_schema import builtin_registry
from tests.yls_client import Client, install_server, server_command

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted(p for p in (ROOT / "rulesets").rglob("*.yaml") if "tests" not in p.relative_to(ROOT).parts)
EXAMPLE = ROOT / "rulesets" / "example" / "2025.yaml"


def command() -> list[str]:
    if shutil.which("node") is None:
        pytest.skip("node is not installed: the yaml-language-server tests need it (.ci/run installs the server)")
    found = server_command()
    if found is None and shutil.which("npm"):
        install_server()
        found = server_command()
    if found is None:
        pytest.skip("yaml-language-server is not installed (npm install --prefix ~/.cache/kaohe/yaml-language-server "
                    "yaml-language-server, or set KAOHE_YLS_DIR)")
    return found


@pytest.fixture(scope="module")
def server():
    client = Client(command(), ROOT)
    yield client
    client.close()


def problems(diagnostics: list[dict[str, Any]]) -> list[tuple[int, str]]:
    return sorted((d["range"]["start"]["line"] + 1, d["message"]) for d in diagnostics)


def line_of(text: str, needle: str) -> int:
    """1-based line of the only occurrence of ``needle``."""
    assert text.count(needle) == 1, needle
    return text[: text.index(needle)].count("\n") + 1


def virtual(next_to: Path, name: str) -> str:
    """A document URI beside ``next_to`` (never written): its modeline resolves as the original's."""
    return (next_to.parent / name).as_uri()


def test_every_shipped_ruleset_opens_without_a_mark(server):
    uris = {path.as_uri(): path for path in SHIPPED}
    for uri, path in uris.items():
        server.open(uri, path.read_text(encoding="utf-8"))
    found = server.wait_diagnostics(list(uris))
    marked = {str(uris[uri].relative_to(ROOT)): problems(d) for uri, d in found.items() if d}
    assert marked == {}


def test_a_broken_copy_is_marked_at_the_seeded_lines(server):
    text = EXAMPLE.read_text(encoding="utf-8")
    seeds = {  # seeded text -> what the server must say there (our errorMessage where we can give one)
        "        clasue: 第三条（一）": "clasue",
        "        points: 十分": "分值应为数字 / points must be a number",
        "use: ratio_to_bset": "评分方法须是已安装的组件之一",
        "polarty: lower}": "polarty",
    }
    copy = (text.replace("        clause: 第三条（一）", "        clasue: 第三条（一）")
            .replace("        points: 10\n        rater:\n          use: bands", "        points: 十分\n        rater:\n          use: bands")
            .replace("use: ratio_to_best", "use: ratio_to_bset").replace("polarity: lower}", "polarty: lower}"))
    uri = virtual(EXAMPLE, "broken-copy.yaml")
    server.open(uri, copy)
    found = problems(server.wait_diagnostics([uri])[uri])
    assert [line for line, _ in found] == sorted(line_of(copy, seed) for seed in seeds)
    for seed, words in seeds.items():
        assert any(line == line_of(copy, seed) and words in message for line, message in found), (seed, found)


DISTRICT = ROOT / "rulesets" / "province-district" / "2025.yaml"


def test_a_file_with_extends_is_checked_without_inherited_keys(server):
    text = (DISTRICT.read_text(encoding="utf-8")
            .replace("      - id: function\n", "      - id: function\n        clasue: x\n")
            .replace("    points: 10\n    applies_to: [livelihood]\n", "    points: 10\n    weight: 20\n    applies_to: [livelihood]\n"))
    uri = virtual(DISTRICT, "broken-copy.yaml")
    server.open(uri, text)
    found = problems(server.wait_diagnostics([uri])[uri])
    both = "points 和 weight 只能写一个 / write only one of points, weight"
    points = line_of(text, "    points: 10\n    weight: 20")
    assert found == sorted([(line_of(text, "        clasue: x"), "Property clasue is not allowed."),
                            (points, both), (points + 1, both)])


def test_the_same_file_without_extends_is_asked_for_every_required_key(server):
    text = DISTRICT.read_text(encoding="utf-8").replace("extends: ../province/2025.yaml\n", "")
    uri = virtual(DISTRICT, "no-extends.yaml")
    server.open(uri, text)
    found = problems(server.wait_diagnostics([uri])[uri])
    assert (line_of(text, "subjects:"), 'Missing property "kind".') in found
    assert (line_of(text, "  - id: specific"), 'Missing property "title".') in found


LEAF = """# yaml-language-server: $schema=../../schemas/ruleset.editor.schema.json
kaohe: 1
id: t
title: 测试
year: 2025
subjects: {kind: unit}
indicators:
  - id: a
    title: 甲
    points: 100
    rater:
      use: {use}
      {setting}
"""


def open_leaf(server: Client, name: str, use: str, setting: str = "") -> tuple[str, str]:
    text = LEAF.replace("{use}", use).replace("{setting}", setting)
    uri = virtual(EXAMPLE, name)
    server.open(uri, text)
    server.wait_diagnostics([uri])
    return uri, text


def labels(result: Any) -> list[str]:
    items = result["items"] if isinstance(result, dict) else result or []
    return [item["label"] for item in items]


def test_completion_after_use_offers_every_installed_rater(server):
    uri, text = open_leaf(server, "completion-use.yaml", "")
    line = line_of(text, "      use: ") - 1
    offered = labels(server.request("textDocument/completion", {
        "textDocument": {"uri": uri}, "position": {"line": line, "character": len("      use: ")}}))
    assert set(builtin_registry().names("rater")) <= set(offered)


def test_completion_in_a_rater_offers_its_settings(server):
    uri, text = open_leaf(server, "completion-settings.yaml", "attainment", "a")
    line = line_of(text, "      a\n") - 1
    offered = labels(server.request("textDocument/completion", {
        "textDocument": {"uri": uri}, "position": {"line": line, "character": len("      a")}}))
    assert {"actual", "target", "polarity", "cap", "floor"} <= set(offered)


def hover(server: Client, uri: str, line: int, character: int) -> str:
    result = server.request("textDocument/hover", {"textDocument": {"uri": uri},
                                                   "position": {"line": line, "character": character}})
    contents = (result or {}).get("contents", "")
    return contents["value"] if isinstance(contents, dict) else str(contents)


def test_hover_explains_keys_and_settings_in_chinese(server):
    uri, text = open_leaf(server, "hover.yaml", "attainment", "target: 1")
    points = hover(server, uri, line_of(text, "    points: 100") - 1, 6)
    assert points.startswith("#### 分值 / Points\n\n满分分值")
    target = hover(server, uri, line_of(text, "      target: 1") - 1, 8)
    assert "#### 目标值 / Target" in target and "目标值：数据项名称" in target
    use = hover(server, uri, line_of(text, "      use: attainment") - 1, 13)
    assert "`attainment`: **目标达成率**（评分方法" in use


def test_with_a_chinese_display_language_the_server_words_its_own_messages_in_chinese():
    """VS Code sends its display language as the LSP locale; the server translates what it says itself."""
    client = Client(command(), ROOT, locale="zh-cn")
    try:
        text = EXAMPLE.read_text(encoding="utf-8").replace("        clause: 第三条（一）", "        clasue: 第三条（一）")
        uri = virtual(EXAMPLE, "broken-zh.yaml")
        client.open(uri, text)
        found = problems(client.wait_diagnostics([uri])[uri])
        assert found == [(line_of(text, "        clasue"), "属性 clasue 不被允许。")]
    finally:
        client.close()
