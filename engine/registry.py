"""Plugin manager factory and the component registry built from it.

Built-in components live in ``plugins/`` and are registered through the same
hooks as third-party packages (entry-point group ``kaohe``). Tests build an
isolated manager with ``make_plugin_manager(extra=[...], entry_points=False)``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from types import CodeType
from typing import Any, TypeVar

import pluggy

from kaohe.engine import hookspecs
from kaohe.engine.components import Exporter, Rater
from kaohe.engine.errors import Diagnostic, KaoheError

C = TypeVar("C")

DEFAULT_PLUGINS = (
    "kaohe.plugins.raters",
    "kaohe.plugins.raters_items",
    "kaohe.plugins.survey",
    "kaohe.plugins.data_sources",
    "kaohe.plugins.parquet_source",
    "kaohe.plugins.store_sources",
    "kaohe.plugins.allocators",
    "kaohe.plugins.outcomes",
    "kaohe.plugins.outcomes_lists",
    "kaohe.plugins.outcomes_values",
    "kaohe.plugins.exporters",
    "kaohe.plugins.parquet",
    "kaohe.plugins.functions",
)

KINDS = {kind: hook for kind, hook in hookspecs.HOOKS.items() if kind != "function"}
"""Component kind -> its hook (functions are not components)."""

OUTCOME_KINDS = ("allocator", "outcome")
"""The kinds ``outcomes: [{use: NAME}]`` selects from. ``build_registry``
refuses a name that is both, so the order only says which to try first."""

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

    def rater(self, name: str) -> Rater:
        """The rater a checked ruleset names (the checks made sure it exists)."""
        return self._checked(Rater, "rater", name)

    def exporter(self, name: str) -> Exporter | None:
        found = self.get("exporter", name)
        return found if isinstance(found, Exporter) else None

    def _checked(self, base: type[C], kind: str, name: str) -> C:
        found = self.get(kind, name)
        if not isinstance(found, base):
            raise LookupError(f"no {kind} named {name!r}: the ruleset was checked against another registry")
        return found

    def names(self, kind: str) -> list[str]:
        return sorted(self.entries.get(kind, {}))

    def functions(self) -> dict[str, Callable[..., Any]]:
        return {name: e.component for name, e in self.entries.get("function", {}).items()}

    def all(self) -> list[Entry]:
        return [e for kind in sorted(self.entries) for e in self.entries[kind].values()]

    def find(self, name: str, kinds: Iterable[str]) -> tuple[str, Any] | None:
        for kind in kinds:
            component = self.get(kind, name)
            if component is not None:
                return kind, component
        return None

    def outcome_component(self, name: str) -> tuple[str, Any] | None:
        """(kind, component) that ``outcomes: [{use: name}]`` means: the one
        lookup validation and evaluation share."""
        return self.find(name, OUTCOME_KINDS)


def build_registry(pm: pluggy.PluginManager) -> Registry:
    """Call every ``register_*`` hook and collect components, refusing duplicates.

    Each hook is called through pluggy once per plugin that implements it
    (``pm.subset_hook_caller``, in load order), with a ``Registrar`` of that
    plugin, so every registration is attributed exactly. A registrar given the
    wrong kind of class raises ``TypeError``; a name registered twice, or as
    both an allocator and an outcome, is a ``KaoheError`` naming both plugins.
    """
    registry = Registry()
    problems: list[Diagnostic] = []
    sites: dict[tuple[str, str], tuple[str | None, int | None]] = {}
    plugins = [plugin for _, plugin in pm.list_name_plugin()]
    for hook_name in hookspecs.HOOKS.values():
        implementing = {id(impl.plugin): impl for impl in getattr(pm.hook, hook_name).get_hookimpls()}
        for plugin in plugins:
            impl = implementing.get(id(plugin))
            if impl is None:
                continue
            registrar = _Collector(hook_name, impl, pm.get_name(plugin) or repr(plugin), registry, problems, sites)
            caller = pm.subset_hook_caller(hook_name, remove_plugins=[p for p in plugins if p is not plugin])
            try:
                caller(register=registrar)
            finally:
                registrar.open = False
    outcomes, allocators = registry.entries.get("outcome", {}), registry.entries.get("allocator", {})
    for name in sorted(outcomes.keys() & allocators.keys()):
        file, line = sites[("outcome", name)]
        problems.append(Diagnostic(
            "E-PLUGIN-OUTCOME-NAME",
            {"name": name, "allocator": allocators[name].origin, "outcome": outcomes[name].origin},
            file=file, line=line,
        ))
    if problems:
        raise KaoheError(problems)
    return registry


class _Collector(hookspecs.Registrar):
    """The registrar one plugin's hook implementation receives: files its
    registrations in the registry under the plugin's name."""

    def __init__(self, hook: str, impl: Any, plugin: str, registry: Registry, problems: list[Diagnostic],
                 sites: dict[tuple[str, str], tuple[str | None, int | None]]):
        super().__init__(hook)
        self.plugin = plugin
        self.registry = registry
        self.problems = problems
        self.sites = sites
        self.open = True
        code = _code_of(impl.function)
        self.site: tuple[str | None, int | None] = (code.co_filename, code.co_firstlineno) if code else (None, None)

    def _plugin(self) -> str:
        return self.plugin

    def _add(self, kind: str, name: str, value: Any) -> None:
        if not self.open:
            raise RuntimeError(f"register.{kind}({name!r}) called after {self.hook} returned")
        bucket = self.registry.entries.setdefault(kind, {})
        if name not in bucket:
            bucket[name] = Entry(kind, name, value, self.plugin)
            self.sites[(kind, name)] = self.site
            return
        # the plugin loaded first (e.g. the built-in) is named first; the
        # message points at the hook implementation of the one loaded later
        code = "E-PLUGIN-DUPLICATE-FUNCTION" if kind == "function" else "E-PLUGIN-DUPLICATE"
        self.problems.append(Diagnostic(
            code, {"kind": kind, "kind_zh": KIND_TITLES[kind], "name": name, "first": bucket[name].origin,
                   "second": self.plugin},
            file=self.site[0], line=self.site[1],
        ))


def _code_of(function: Any) -> CodeType | None:
    code = getattr(getattr(function, "__func__", function), "__code__", None)
    return code if isinstance(code, CodeType) else None


_DEFAULT: Registry | None = None


def default_registry() -> Registry:
    """The registry of installed plugins, built once per process."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = build_registry(checked_plugin_manager())
    return _DEFAULT
