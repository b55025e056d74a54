"""One table of defaults (engine/ruleset/defaults.py), and the schema's
``default`` keywords agree with it both ways."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kaohe.engine.ruleset.defaults import DEFAULTS, get

SCHEMA = json.loads((Path(__file__).resolve().parent.parent / "schemas" / "ruleset.schema.json").read_text("utf-8"))


def resolve(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = SCHEMA["$defs"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def nodes_at(path: str) -> list[dict[str, Any]]:
    """Schema nodes a docs-style path points to (``*`` may match several)."""
    found = [SCHEMA]
    for part in path.replace("[]", ".[]").split("."):
        following: list[dict[str, Any]] = []
        for node in map(resolve, found):
            if part == "[]":
                following.append(node["items"])
            elif part == "*":
                extra = node.get("additionalProperties")
                following += [extra] if isinstance(extra, dict) else list(node.get("properties", {}).values())
            else:
                following.append(node["properties"][part])
        found = following
    return [resolve(node) if "$ref" in node else node for node in found]


def schema_defaults(node: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        if "default" in node:
            yield path, node["default"]
        for key, value in node.items():
            yield from schema_defaults(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from schema_defaults(value, f"{path}/{i}")


@pytest.mark.parametrize("path", sorted(DEFAULTS))
def test_schema_declares_each_default_of_the_table(path: str) -> None:
    for node in nodes_at(path):
        assert node.get("default") == DEFAULTS[path], path


def test_schema_declares_no_default_missing_from_the_table() -> None:
    declared = {id(node) for path in DEFAULTS for node in nodes_at(path)}
    stray = []

    def visit(node: Any, where: str) -> None:
        if isinstance(node, dict):
            if "default" in node and id(node) not in declared:
                stray.append(where)
            for key, value in node.items():
                visit(value, f"{where}/{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                visit(value, f"{where}/{i}")

    visit(SCHEMA, "#")
    assert not stray, f"schema defaults not in engine/ruleset/defaults.py: {stray}"


def test_get_reads_the_value_or_the_default() -> None:
    assert get({"score": 1}, "precision.score") == 1
    assert get({}, "precision.score") == 2
    assert get(None, "precision.score") == 2
    assert get({"score": None}, "precision.score") == 2


def test_default_is_a_copy() -> None:
    get({}, "grading.tie_break").append("x")
    assert DEFAULTS["grading.tie_break"] == ["total", "id"]
