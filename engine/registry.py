"""Plugin manager factory and the component registry built from it.

Built-in components live in ``plugins/`` and are registered through the same
hooks as third-party packages (entry-point group ``kaohe``). Tests build an
isolated manager with ``make_plugin_manager(extra=[...], entry_points=False)``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import pluggy

from kaohe.engine import hookspecs
from kaohe.engine.components import Component
from kaohe.engine.errors import Diagnostic, KaoheError

DEFAULT_PLUGINS = (
    "kaohe.plugins.raters",
    "kaohe.plugins.raters_items",
    "kaohe.plugins.survey",
    "kaohe.plugins.data_sources",
    "kaohe.plugins.allocators",
    "kaohe.plugins.outcomes",
    "kaohe.plugins.outcomes_lists",
    "kaohe.plugins.outcomes_values",
    "kaohe.plugins.exporters",
)

KINDS = {
    "rater": "register_raters",
    "data_source": "register_data_sources",
    "allocator": "register_allocators",
    "outcome": "register_outcomes",
    "exporter": "register_exporters",
}

KIND_TITLES = {
    "rater": "评分方法",
    "data_source": "数据源",
    "allocator": "分配方法",
    "outcome": "结果运用",
    "exporter": "导出格式",
    "function": "函数",
}


def make_plugin_manager(
    extra: Iterable[Any] = (), entry_points: bool = True
) -> pluggy.PluginManager:
    """A manager with kaohe's hookspecs, the built-ins, entry points and ``extra``."""
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    for module_name in DEFAULT_PLUGINS:
        pm.register(importlib.import_module(module_name), name=module_name)
    if entry_points:
        pm.load_setuptools_entrypoints(hookspecs.PROJECT)
    for plugin in extra:
        pm.register(plugin)
    pm.check_pending()
    return pm


def checked_plugin_manager() -> pluggy.PluginManager:
    """``make_plugin_manager`` for the CLI: a broken plugin is a diagnostic."""
    try:
        return make_plugin_manager()
    except pluggy.PluginValidationError as exc:
        plugin = getattr(exc, "plugin", None)
        raise KaoheError(Diagnostic("E-PLUGIN-HOOK", {"plugin": repr(plugin), "problem": str(exc)})) from None


@dataclass(frozen=True)
class Entry:
    kind: str
    name: str
    component: Any
    origin: str


@dataclass
class Registry:
    """Components by kind and name, each remembering the plugin that gave it."""

    entries: dict[str, dict[str, Entry]] = field(default_factory=dict)

    def get(self, kind: str, name: str) -> Any | None:
        entry = self.entries.get(kind, {}).get(name)
        return entry.component if entry else None

    def names(self, kind: str) -> list[str]:
        return sorted(self.entries.get(kind, {}))

    def functions(self) -> dict[str, Callable]:
        return {name: e.component for name, e in self.entries.get("function", {}).items()}

    def all(self) -> list[Entry]:
        return [e for kind in sorted(self.entries) for e in self.entries[kind].values()]

    def find(self, name: str, kinds: Iterable[str]) -> tuple[str, Any] | None:
        for kind in kinds:
            component = self.get(kind, name)
            if component is not None:
                return kind, component
        return None


def build_registry(pm: pluggy.PluginManager) -> Registry:
    """Call every ``register_*`` hook and collect components, refusing duplicates."""
    registry = Registry()
    problems: list[Diagnostic] = []
    for kind, hook_name in {**KINDS, "function": "register_functions"}.items():
        hook = getattr(pm.hook, hook_name)
        for impl in reversed(hook.get_hookimpls()):
            origin = pm.get_name(impl.plugin) or repr(impl.plugin)
            register = _registrar(registry, kind, origin, problems)
            impl.function(register=register)
    if problems:
        raise KaoheError(problems)
    return registry


def _registrar(registry: Registry, kind: str, origin: str, problems: list[Diagnostic]) -> Callable:
    def register(component: Any, func: Callable | None = None) -> None:
        if kind == "function":
            name, value = component, func
        else:
            name, value = component.name, component()
            if not isinstance(value, Component):
                raise TypeError(f"{origin}: {component!r} is not a kaohe component")
        bucket = registry.entries.setdefault(kind, {})
        if name in bucket:
            problems.append(Diagnostic(
                "E-PLUGIN-DUPLICATE",
                {"kind": kind, "kind_zh": KIND_TITLES[kind], "name": name,
                 "first": bucket[name].origin, "second": origin},
            ))
            return
        bucket[name] = Entry(kind, name, value, origin)

    return register


_DEFAULT: Registry | None = None


def default_registry() -> Registry:
    """The registry of installed plugins, built once per process."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = build_registry(checked_plugin_manager())
    return _DEFAULT
