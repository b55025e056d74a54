"""The plugin contract: hooks, entry points, duplicates, and a third-party
rater used from YAML."""

from __future__ import annotations

import inspect
import json
import re
import runpy
import sys
import textwrap
import types
from decimal import Decimal
from pathlib import Path

import numpy as np
import pluggy
import pytest

from kaohe.engine import hookspecs
from kaohe.engine.components import (
    Allocator,
    DataSource,
    Exporter,
    Outcome,
    OutcomeResult,
    RawTable,
    Rater,
    RaterResult,
)
from kaohe.engine.errors import KaoheError
from kaohe.engine.evaluation.pipeline import evaluate
from kaohe.engine.evaluation.runner import inline_dataset
from kaohe.engine.hookspecs import Registrar, hookimpl
from kaohe.engine.registry import Entry, Registry, build_registry, make_plugin_manager
from kaohe.engine.ruleset.load import load_ruleset

ROOT = Path(__file__).resolve().parent.parent
PLUGINS_DOC = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")

RULESET = """\
kaohe: 1
id: plugin-test
title: 插件测试
year: 2025
subjects: {kind: person}
inputs:
  x: {title: 数据}
periods: {cycle: year}
indicators:
  - id: doubled
    title: 翻倍
    points: 100
    rater: {use: doubled, input: x, factor: 2}
"""


class DoubledRater(Rater):
    name = "doubled"
    title = "翻倍"
    description = "Points are the input times a factor (a test plugin)."
    params_schema = {
        "type": "object", "additionalProperties": False, "required": ["input"],
        "properties": {
            "input": {"type": "string", "title": "输入 / Input", "description": "数据项 / input"},
            "factor": {"type": "number", "title": "倍数 / Factor", "description": "倍数 / factor"},
        },
    }

    def inputs(self, params):
        return [params["input"]]

    def score(self, params, ctx):
        return RaterResult(points=ctx.values(params["input"]) * params.get("factor", 1))


class ThirdParty:
    @hookimpl
    def register_raters(self, register):
        register.rater(DoubledRater)


def registry_with(*plugins):
    return build_registry(make_plugin_manager(extra=plugins, entry_points=False))


def hookspec_functions():
    return [f for _, f in inspect.getmembers(hookspecs, inspect.isfunction)
            if getattr(f, f"{hookspecs.PROJECT}_spec", None) is not None]


def signature_text(function) -> str:
    """``name(param: Annotation) -> Return`` as the docs write it."""
    signature = inspect.signature(function)
    params = ", ".join(f"{p.name}: {p.annotation}" for p in signature.parameters.values())
    return f"{function.__name__}({params}) -> {signature.return_annotation}"


def test_every_hook_has_a_docstring_naming_its_registrar_method():
    hooks = hookspec_functions()
    assert {f.__name__ for f in hooks} == {
        "register_raters", "register_data_sources", "register_allocators", "register_outcomes",
        "register_functions", "register_exporters",
    }
    methods = {hook: kind for kind, hook in hookspecs.HOOKS.items()}
    for hook in hooks:
        assert hook.__doc__ and f"register.{methods[hook.__name__]}(" in hook.__doc__, hook.__name__


def test_builtins_are_registered_through_the_same_hooks():
    registry = registry_with()
    origins = {e.origin for e in registry.all()}
    assert origins <= {name for name in origins if name.startswith("kaohe.plugins.")}
    assert registry.get("rater", "attainment") is not None
    assert registry.get("data_source", "csv") is not None
    assert registry.get("exporter", "json") is not None


def test_third_party_rater_is_used_from_yaml(tmp_path: Path):
    registry = registry_with(ThirdParty())
    file = tmp_path / "ruleset.yaml"
    file.write_text(RULESET, encoding="utf-8")
    ruleset = load_ruleset(file, registry)
    data = {"subjects": [{"id": "P1", "name": "甲"}, {"id": "P2", "name": "乙"}],
            "values": [{"subject": "P1", "period": "2025", "input": "x", "value": 21},
                       {"subject": "P2", "period": "2025", "input": "x", "value": 40}]}
    result = evaluate(ruleset, inline_dataset(ruleset, data, "inline"), registry)
    year = result.periods[-1]
    assert year.total.tolist() == [42.0, 80.0]
    assert year.ranking.rank.tolist() == [2, 1]


def test_unknown_rater_without_the_plugin_is_a_located_error(tmp_path: Path):
    file = tmp_path / "ruleset.yaml"
    file.write_text(RULESET, encoding="utf-8")
    with pytest.raises(KaoheError) as caught:
        load_ruleset(file, registry_with())
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.code == "E-COMPONENT-UNKNOWN"
    assert diagnostic.line == 13


def test_third_party_params_are_checked_by_its_schema(tmp_path: Path):
    file = tmp_path / "ruleset.yaml"
    file.write_text(RULESET.replace("factor: 2", "factor: two"), encoding="utf-8")
    with pytest.raises(KaoheError) as caught:
        load_ruleset(file, registry_with(ThirdParty()))
    assert [d.code for d in caught.value.diagnostics] == ["E-SCHEMA-TYPE"]
    assert caught.value.diagnostics[0].path == "$.indicators[0].rater.factor"


def test_duplicate_component_names_fail_naming_both_plugins():
    class Copycat:
        @hookimpl
        def register_raters(self, register):
            register(DoubledRater)

    pm = make_plugin_manager(extra=[ThirdParty()], entry_points=False)
    pm.register(Copycat(), name="copycat")
    with pytest.raises(KaoheError) as caught:
        build_registry(pm)
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.code == "E-PLUGIN-DUPLICATE"
    message = diagnostic.message("en")
    assert "copycat" in message and "doubled" in message
    assert diagnostic.params["first"] != diagnostic.params["second"]


def test_misspelt_hook_fails_check_pending():
    class Misspelt:
        @hookimpl
        def register_rater(self, register):  # missing the final "s"
            register(DoubledRater)

    with pytest.raises(pluggy.PluginValidationError):
        make_plugin_manager(extra=[Misspelt()], entry_points=False)


def test_expression_function_from_a_plugin(tmp_path: Path):
    class Functions:
        @hookimpl
        def register_functions(self, register):
            register("halve", lambda x: np.asarray(x, dtype=float) / 2)

    registry = registry_with(Functions())
    text = RULESET.replace("rater: {use: doubled, input: x, factor: 2}", "rater: {use: formula, expr: 'halve(x)'}")
    file = tmp_path / "ruleset.yaml"
    file.write_text(text, encoding="utf-8")
    ruleset = load_ruleset(file, registry)
    data = {"subjects": [{"id": "P1", "name": "甲"}],
            "values": [{"subject": "P1", "period": "2025", "input": "x", "value": 50}]}
    result = evaluate(ruleset, inline_dataset(ruleset, data, "inline"), registry)
    assert result.periods[-1].total.tolist() == [25.0]


def test_entry_point_group_kaohe_is_loaded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    (tmp_path / "kaohe_fake_plugin.py").write_text(textwrap.dedent("""
        from kaohe.engine.hookspecs import hookimpl
        from tests.test_plugins import DoubledRater

        @hookimpl
        def register_raters(register):
            register(DoubledRater)
    """), encoding="utf-8")
    dist = tmp_path / "kaohe_fake_plugin-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: kaohe-fake-plugin\nVersion: 0.1\n", encoding="utf-8")
    (dist / "entry_points.txt").write_text("[kaohe]\nfake = kaohe_fake_plugin\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    registry = build_registry(make_plugin_manager())
    entry = next(e for e in registry.all() if e.name == "doubled")
    assert entry.origin == "fake"
    sys.modules.pop("kaohe_fake_plugin", None)
