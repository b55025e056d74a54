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
    Rater,
    RaterResult,
    RawTable,
)
from kaohe.engine.errors import KaoheError
from kaohe.engine.evaluation.pipeline import evaluate
from kaohe.engine.evaluation.runner import inline_dataset
from kaohe.engine.hookspecs import Registrar, hookimpl
from kaohe.engine.registry import Entry, build_registry, make_plugin_manager
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


# ---------------------------------------------------------------------------
# The documented contract: docs/plugins.md against engine/hookspecs.py


def test_plugin_hooks_are_documented_with_their_exact_signature():
    # like datasette's test_plugin_hooks_are_documented: a heading per hook, and no others
    documented = set(re.findall(r"^#+ `(register_\w+\(.*\).*)`\s*$", PLUGINS_DOC, re.M))
    assert documented == {signature_text(f) for f in hookspec_functions()}
    assert "register_raters(register: Registrar) -> None" in documented


def test_docs_name_and_implement_only_hooks_that_exist():
    hooks = {f.__name__ for f in hookspec_functions()}
    implemented = set(re.findall(r"@hookimpl\s*\ndef (\w+)\(", PLUGINS_DOC))
    assert implemented and implemented <= hooks
    assert set(re.findall(r"`(register_\w+)\(", PLUGINS_DOC)) <= hooks


def test_registrar_methods_are_the_documented_ones():
    methods = {name for name, _ in inspect.getmembers(Registrar, inspect.isfunction) if not name.startswith("_")}
    assert methods == {"rater", "data_source", "allocator", "outcome", "exporter", "function"}
    assert set(re.findall(r"`register\.(\w+)\(", PLUGINS_DOC)) == methods


def test_docs_list_the_default_plugins():
    from kaohe.engine.registry import DEFAULT_PLUGINS

    line = next(line for line in PLUGINS_DOC.splitlines() if "DEFAULT_PLUGINS" in line and "按模块名" in line)
    assert re.findall(r"`(kaohe\.plugins\.\w+)`", line) == list(DEFAULT_PLUGINS)


def test_hooks_are_called_through_pluggy_once_each_with_a_registrar():
    pm = make_plugin_manager(entry_points=False)
    calls: list[tuple[str, object]] = []
    pm.add_hookcall_monitoring(lambda name, impls, kwargs: calls.append((name, kwargs["register"])),
                               lambda outcome, name, impls, kwargs: None)
    build_registry(pm)
    # once per plugin implementing the hook, so each registration knows its plugin
    expected = sorted(name for name in hookspecs.HOOKS.values() for _ in getattr(pm.hook, name).get_hookimpls())
    assert sorted(name for name, _ in calls) == expected
    assert {name for name, _ in calls} == set(hookspecs.HOOKS.values())
    assert all(isinstance(register, Registrar) for _, register in calls)


# ---------------------------------------------------------------------------
# The registrar checks what it is given


class SomeSource(DataSource):
    name = "some_source"

    def read(self, params, base_dir):
        return RawTable(columns=[], rows=[], origin="none", row_numbers=[])


class SomeAllocator(Allocator):
    name = "some_allocator"

    def apply(self, params, ctx):
        return OutcomeResult(values=np.full(ctx.n, Decimal(0), dtype=object))


class SomeOutcome(Outcome):
    name = "some_outcome"

    def apply(self, params, ctx):
        return OutcomeResult(values=np.ones(ctx.n, dtype=bool))


def plugin(hook: str, call, name: str = "kaohe_wrong"):
    """A plugin module whose ``hook`` implementation is ``call(register)``."""
    module = types.ModuleType(name)

    def implementation(register):
        call(register)

    setattr(module, hook, hookimpl(implementation))
    return module


def type_error(hook: str, call) -> str:
    with pytest.raises(TypeError) as caught:
        registry_with(plugin(hook, call))
    return str(caught.value)


def test_a_data_source_given_as_a_rater_is_a_type_error_at_build_time():
    # before: registered as a rater, and an AttributeError (no score) when a ruleset used it
    message = type_error("register_raters", lambda register: register.rater(SomeSource))
    assert message == (
        "kaohe_wrong: register.rater() needs a subclass of kaohe.engine.components.Rater, "
        "got SomeSource, whose kind is 'data_source'; use register.data_source() in register_data_sources"
    )


def test_the_documented_type_error_message_is_the_real_one():
    doc = re.search(r"`TypeError: (kaohe_extras: register\.rater\(\) [^`]*)`", PLUGINS_DOC).group(1)
    source = type("Hotline12345", (DataSource,), {"name": "hotline12345"})
    got = type_error("register_raters", lambda register: register.rater(source))
    assert got.replace("kaohe_wrong", "kaohe_extras") == doc


@pytest.mark.parametrize(("hook", "call", "needs"), [
    ("register_raters", lambda r: r.rater(DoubledRater()), "Rater, got <"),             # an instance
    ("register_raters", lambda r: r.rater(dict), "Rater, got dict, which is not a kaohe component"),
    ("register_data_sources", lambda r: r.data_source(DoubledRater), "DataSource, got DoubledRater"),
    ("register_allocators", lambda r: r.allocator(SomeOutcome), "Allocator, got SomeOutcome"),
    ("register_outcomes", lambda r: r.outcome(SomeAllocator), "use register.allocator() in register_allocators"),
    ("register_exporters", lambda r: r.exporter(SomeSource), "Exporter, got SomeSource"),
    ("register_raters", lambda r: r(SomeSource), "Rater, got SomeSource"),              # the old call form
])
def test_each_method_checks_the_base_class(hook, call, needs):
    message = type_error(hook, call)
    assert message.startswith("kaohe_wrong: register.") and needs in message


def test_a_method_of_another_kind_is_a_type_error():
    message = type_error("register_raters", lambda register: register.exporter(Exporter))
    assert "register.exporter() called in register_raters; register it in register_exporters" in message


@pytest.mark.parametrize("name", ["", "two words", "_private", "if", 3])
def test_a_function_needs_a_plain_identifier(name):
    message = type_error("register_functions", lambda register: register.function(name, abs))
    assert "needs a plain identifier" in message


def test_a_function_must_be_callable():
    assert "needs a callable" in type_error("register_functions", lambda register: register.function("x2", 2))


def test_a_component_without_a_name_is_a_type_error():
    nameless = type("Nameless", (Rater,), {})
    assert "Nameless has no name" in type_error("register_raters", lambda register: register.rater(nameless))


def test_the_old_call_form_still_registers():
    registry = registry_with(plugin("register_raters", lambda register: register(DoubledRater)))
    assert registry.get("rater", "doubled") is not None
    assert registry.entries["rater"]["doubled"].origin == "kaohe_wrong"


def test_register_is_only_valid_during_the_hook():
    kept = []
    registry_with(plugin("register_raters", kept.append))
    with pytest.raises(RuntimeError):
        kept[0].rater(DoubledRater)


# ---------------------------------------------------------------------------
# Built-in functions are a plugin's; duplicates are errors naming both plugins


def test_builtin_functions_come_through_register_functions(tmp_path: Path):
    registry = registry_with()
    origins = {e.name: e.origin for e in registry.all() if e.kind == "function"}
    assert origins["min"] == origins["round"] == origins["where"] == "kaohe.plugins.functions"
    # without the plugin there are no built-in functions: they are not wired in elsewhere
    pm = make_plugin_manager(entry_points=False)
    pm.unregister(name="kaohe.plugins.functions")
    file = tmp_path / "ruleset.yaml"
    file.write_text(RULESET.replace("rater: {use: doubled, input: x, factor: 2}",
                                    "rater: {use: formula, expr: 'min(x, 100)'}"), encoding="utf-8")
    with pytest.raises(KaoheError) as caught:
        load_ruleset(file, build_registry(pm))
    assert [d.code for d in caught.value.diagnostics] == ["E-EXPR-UNKNOWN-FUNCTION"]
    assert load_ruleset(file, registry).indicators


def test_a_function_named_like_a_builtin_is_a_located_error_naming_both_plugins():
    # before: the plugin's round silently replaced the built-in one
    shadow = plugin("register_functions", lambda register: register.function("round", lambda x, d=0: x), "kaohe_round")
    with pytest.raises(KaoheError) as caught:
        registry_with(shadow)
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.code == "E-PLUGIN-DUPLICATE-FUNCTION"
    assert (diagnostic.params["first"], diagnostic.params["second"]) == ("kaohe.plugins.functions", "kaohe_round")
    # located at the hook implementation of the plugin loaded later: plugin()'s implementation
    lines, start = inspect.getsourcelines(plugin)
    assert diagnostic.file == __file__
    assert diagnostic.line == start + next(i for i, text in enumerate(lines)
                                           if text.strip() == "def implementation(register):")
    assert diagnostic.format("zh").startswith(f"{__file__}:{diagnostic.line}: 表达式函数 “round” 已由插件 kaohe.plugins.functions")
    assert "kaohe_round" in diagnostic.message("en")


def test_a_function_registered_by_two_plugins_names_both():
    def twice(register):
        register.function("growth", lambda now, before: now / before)

    with pytest.raises(KaoheError) as caught:
        registry_with(plugin("register_functions", twice, "kaohe_a"), plugin("register_functions", twice, "kaohe_b"))
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.code == "E-PLUGIN-DUPLICATE-FUNCTION"
    assert (diagnostic.params["first"], diagnostic.params["second"]) == ("kaohe_a", "kaohe_b")


def test_duplicate_components_from_instances_of_one_class_name_each_instance():
    pm = make_plugin_manager(extra=[ThirdParty()], entry_points=False)
    pm.register(ThirdParty(), name="copy")
    with pytest.raises(KaoheError) as caught:
        build_registry(pm)
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.code == "E-PLUGIN-DUPLICATE" and diagnostic.params["second"] == "copy"
    assert diagnostic.params["first"] not in ("copy", "?")


# ---------------------------------------------------------------------------
# Allocators and outcomes share the names of outcomes: [{use: NAME}]


class EitherAllocator(Allocator):
    name = "either"
    params_schema = {"type": "object", "additionalProperties": False, "required": ["pool"],
                     "properties": {"pool": {"type": "number", "title": "奖金池 / Pool", "description": "金额 / amount"}}}

    def apply(self, params, ctx):
        return OutcomeResult(values=np.full(ctx.n, Decimal(params["pool"]), dtype=object))


class EitherOutcome(Outcome):
    name = "either"
    params_schema = {"type": "object", "additionalProperties": False, "required": ["label"],
                     "properties": {"label": {"type": "string", "title": "标记 / Label", "description": "文字 / text"}}}

    def apply(self, params, ctx):
        return OutcomeResult(values=np.full(ctx.n, params["label"], dtype=object))


def test_a_name_that_is_both_an_allocator_and_an_outcome_is_refused():
    both = types.ModuleType("kaohe_both")
    both.register_allocators = hookimpl(lambda register: register.allocator(EitherAllocator))
    both.register_outcomes = hookimpl(lambda register: register.outcome(EitherOutcome))
    with pytest.raises(KaoheError) as caught:
        registry_with(both)
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.code == "E-PLUGIN-OUTCOME-NAME"
    assert diagnostic.params == {"name": "either", "allocator": "kaohe_both", "outcome": "kaohe_both"}


def test_validation_and_evaluation_use_one_outcome_lookup(tmp_path: Path):
    # a registry built by hand can still hold both; checking and running must then agree
    # (before: validation checked the outcome's parameters, evaluation ran the allocator: KeyError)
    registry = registry_with()
    registry.entries.setdefault("allocator", {})["either"] = Entry("allocator", "either", EitherAllocator(), "test")
    registry.entries.setdefault("outcome", {})["either"] = Entry("outcome", "either", EitherOutcome(), "test")
    assert registry.outcome_component("either")[0] == "allocator"
    file = tmp_path / "ruleset.yaml"
    base = RULESET.replace("rater: {use: doubled, input: x, factor: 2}", "rater: {use: direct, input: x}")
    file.write_text(base + "outcomes:\n  - {id: o, title: 结果, use: either, label: 好}\n", encoding="utf-8")
    with pytest.raises(KaoheError) as caught:
        load_ruleset(file, registry)
    assert {d.code for d in caught.value.diagnostics} <= {"E-SCHEMA-REQUIRED", "E-SCHEMA-UNKNOWN-KEY"}
    file.write_text(base + "outcomes:\n  - {id: o, title: 结果, use: either, pool: 5}\n", encoding="utf-8")
    ruleset = load_ruleset(file, registry)
    data = {"subjects": [{"id": "P1", "name": "甲"}],
            "values": [{"subject": "P1", "period": "2025", "input": "x", "value": 50}]}
    year = evaluate(ruleset, inline_dataset(ruleset, data, "inline"), registry).periods[-1]
    assert year.outcomes["o"].kind == "allocator" and year.outcomes["o"].values.tolist() == [Decimal(5)]


# ---------------------------------------------------------------------------
# A registry passed to the API is the one used (report, explain, ruleset tests)


class CountExporter(Exporter):
    name = "count"
    suffix = ".txt"

    def export(self, document):
        return str(len(document["periods"])).encode()


class Extras:
    @hookimpl
    def register_raters(self, register):
        register.rater(DoubledRater)

    @hookimpl
    def register_exporters(self, register):
        register.exporter(CountExporter)


def extras_evaluation(tmp_path: Path):
    registry = registry_with(Extras())
    file = tmp_path / "ruleset.yaml"
    file.write_text(RULESET, encoding="utf-8")
    ruleset = load_ruleset(file, registry)
    data = {"subjects": [{"id": "P1", "name": "甲"}],
            "values": [{"subject": "P1", "period": "2025", "input": "x", "value": 21}]}
    return registry, evaluate(ruleset, inline_dataset(ruleset, data, "inline"), registry)


def test_export_uses_the_registry_passed_in(tmp_path: Path):
    from kaohe.engine.report.render import export

    registry, evaluation = extras_evaluation(tmp_path)
    assert export(evaluation, "count", registry) == b"1"
    with pytest.raises(KaoheError):  # the installed plugins do not have it
        export(evaluation, "count")


def test_explain_uses_the_registry_passed_in(tmp_path: Path):
    from kaohe.engine.report.explain import explain_subject

    registry, evaluation = extras_evaluation(tmp_path)
    assert "评分方法：翻倍（doubled）" in explain_subject(evaluation, "P1", registry=registry)


def test_ruleset_test_cases_use_the_registry_passed_in(tmp_path: Path):
    from kaohe.engine.testing.cases import run_file

    (tmp_path / "ruleset.yaml").write_text(RULESET, encoding="utf-8")
    cases = tmp_path / "tests"
    cases.mkdir()
    (cases / "doubled.yaml").write_text(textwrap.dedent("""\
        ruleset: ../ruleset.yaml
        cases:
          - name: 翻倍
            data:
              subjects: [{id: P1, name: 甲}]
              values: [{subject: P1, period: "2025", input: x, value: 21}]
            expect:
              P1: {total: 42}
    """), encoding="utf-8")
    outcomes = list(run_file(cases / "doubled.yaml", registry_with(ThirdParty())))
    assert [(o.name, o.failures) for o in outcomes] == [("翻倍", [])]


# ---------------------------------------------------------------------------
# The examples of docs/plugins.md work as written


def doc_block(marker: str) -> str:
    """The first fenced block after the line containing ``marker``."""
    found = re.compile(r"^```\w*\n(.*?)^```", re.S | re.M).search(PLUGINS_DOC, PLUGINS_DOC.index(marker))
    assert found, marker
    return found.group(1)


def test_the_rater_and_function_examples_work(tmp_path: Path):
    extras = types.ModuleType("kaohe_extras")
    exec(compile(doc_block("## 简短示例：评分方法 A rater"), "plugins.md (rater)", "exec"), extras.__dict__)
    exec(compile(doc_block("## 简短示例：表达式函数 An expression function"), "plugins.md (function)", "exec"),
         extras.__dict__)
    registry = registry_with(extras)
    assert registry.entries["rater"]["zscore"].origin == registry.entries["function"]["growth"].origin == "kaohe_extras"
    file = tmp_path / "r.yaml"
    file.write_text(textwrap.dedent("""\
        kaohe: 1
        id: extras
        title: 示例
        year: 2025
        subjects: {kind: unit}
        inputs:
          output: {title: 产出}
          tax: {title: 税收}
          tax_last: {title: 上年税收}
        periods: {cycle: year}
        total_points: 100
        indicators:
          - {id: z, title: 标准分, points: 20, rater: {use: zscore, input: output}}
          - {id: g, title: 增长, points: 80, rater: {use: formula, expr: "clip(growth(tax, tax_last) * 400, 0, 80)"}}
    """), encoding="utf-8")
    ruleset = load_ruleset(file, registry)
    values = [(s, i, v) for s, out, tax in (("A", 60, 110), ("B", 70, 130), ("C", 80, 90))
              for i, v in (("output", out), ("tax", tax), ("tax_last", 100))]
    data = {"subjects": [{"id": s, "name": s} for s in "ABC"],
            "values": [{"subject": s, "period": "2025", "input": i, "value": v} for s, i, v in values]}
    year = evaluate(ruleset, inline_dataset(ruleset, data, "inline"), registry).periods[-1]
    # the doc's arithmetic: 60 -> 13.55, 70 -> 16, 80 -> 18.45; growth 10% -> 40, 30% -> 80, -10% -> 0
    assert np.round(year.tree.scores["z"], 2).tolist() == [13.55, 16.0, 18.45]
    assert np.round(year.tree.scores["g"], 9).tolist() == [40.0, 80.0, 0.0]


def test_the_hotline_data_source_example_and_its_tests_work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    package = tmp_path / "kaohe_hotline"
    package.mkdir()
    (package / "__init__.py").write_text(doc_block("`kaohe_hotline/__init__.py`："), encoding="utf-8")
    (package / "source.py").write_text(doc_block("`kaohe_hotline/source.py`："), encoding="utf-8")
    demo = tmp_path / "tests" / "demo"
    (demo / "data").mkdir(parents=True)
    (demo / "2025.yaml").write_text(doc_block("测试用的 `tests/demo/2025.yaml`"), encoding="utf-8")
    export = doc_block("热线导出文件 `data/12345导出.csv`：")
    (demo / "data" / "12345导出.csv").write_bytes(export.encode("gbk"))
    (demo / "data" / "subjects.csv").write_text("id,name\nD01,市场监管局\nD02,住建局\n", encoding="utf-8")
    (demo / "data" / "values.csv").write_text(
        "subject,period,input,value\nD01,2025,base,100\nD02,2025,base,100\n", encoding="utf-8")
    test_file = tmp_path / "tests" / "test_hotline.py"
    test_file.write_text(doc_block("### 测试插件 Testing the plugin"), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in ("kaohe_hotline", "kaohe_hotline.source"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    tests = runpy.run_path(str(test_file))
    import kaohe_hotline

    for name in ("kaohe_hotline", "kaohe_hotline.source"):  # gone again after the test
        monkeypatch.setitem(sys.modules, name, sys.modules[name])
    registry = registry_with(kaohe_hotline)
    tests["test_source_is_registered"](registry)
    tests["test_tickets_become_events_with_their_lines"](registry)
    tests["test_deductions_from_hotline_events"](registry)
    tests["test_missing_export_is_a_located_error"](registry, tmp_path)
    assert json.dumps(registry.entries["data_source"]["hotline12345"].origin) == '"kaohe_hotline"'
