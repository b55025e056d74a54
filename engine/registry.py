"""Plugin manager factory and the component registry built from it.

Built-in components live in ``plugins/`` and are registered through the same
hooks as third-party packages (entry-point group ``kaohe``). Tests build an
isolated manager with ``make_plugin_manager(extra=[...], entry_points=False)``.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from types import CodeType, FrameType
from typing import Any

import pluggy

from kaohe.engine import hookspecs
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

    Each hook is called once through pluggy (``pm.hook.register_raters(register=...)``)
    with a ``Registrar`` that attributes each registration to the plugin whose
    hook implementation made it. A registrar given the wrong kind of class raises
    ``TypeError``; a name registered twice, or as both an allocator and an outcome,
    is a ``KaoheError`` naming both plugins.
    """
    registry = Registry()
    problems: list[Diagnostic] = []
    sites: dict[tuple[str, str], tuple[str | None, int | None]] = {}
    loaded = {name: i for i, (name, _) in enumerate(pm.list_name_plugin())}
    for hook_name in hookspecs.HOOKS.values():
        registrar = _Collector(hook_name, pm, registry, problems, sites, loaded)
        try:
            getattr(pm.hook, hook_name)(register=registrar)
        finally:
            registrar.close()
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
    """The registrar of one hook call: knows which plugin is registering by the
    hook implementation on the call stack, and files entries in the registry."""

    def __init__(self, hook: str, pm: pluggy.PluginManager, registry: Registry, problems: list[Diagnostic],
                 sites: dict[tuple[str, str], tuple[str | None, int | None]], loaded: dict[str, int]):
        super().__init__(hook)
        self.registry = registry
        self.problems = problems
        self.sites = sites
        self.loaded = loaded
        self.open = True
        self.owners: dict[CodeType, list[tuple[Any, str]]] = {}
        for impl in getattr(pm.hook, hook).get_hookimpls():
            code = _code_of(impl.function)
            if code is not None:
                self.owners.setdefault(code, []).append((impl, pm.get_name(impl.plugin) or repr(impl.plugin)))

    def close(self) -> None:
        self.open = False

    def _caller(self) -> tuple[str, FrameType | None]:
        """The registering plugin's name and the frame of its hook implementation.

        pluggy calls one implementation at a time, so the outermost frame of a
        hook implementation below ``build_registry`` is the one pluggy called
        (an implementation may call another plugin's, which is then its helper).
        Several plugins may share code (instances of one class, closures of one
        factory): the ``HookImpl`` pluggy is calling tells them apart, checked
        by identity, else the bound ``self`` or the closure's cells do.
        """
        found: tuple[str, FrameType | None] = ("?", None)
        frame: FrameType | None = sys._getframe(1)
        while frame is not None and frame.f_code is not build_registry.__code__:
            owners = self.owners.get(frame.f_code)
            if owners:
                calling = frame.f_back.f_locals.get("hook_impl") if frame.f_back is not None else None
                name = next((n for impl, n in owners if impl is calling), None)
                if name is None:
                    name = next((n for impl, n in owners if _runs(impl.function, frame)), owners[0][1])
                found = (name, frame)
            frame = frame.f_back
        return found

    def _plugin(self) -> str:
        return self._caller()[0]

    def _add(self, kind: str, name: str, value: Any) -> None:
        if not self.open:
            raise RuntimeError(f"register.{kind}({name!r}) called after {self.hook} returned")
        origin, frame = self._caller()
        site = (frame.f_code.co_filename, frame.f_lineno) if frame is not None else (None, None)
        bucket = self.registry.entries.setdefault(kind, {})
        if name not in bucket:
            bucket[name] = Entry(kind, name, value, origin)
            self.sites[(kind, name)] = site
            return
        # name both plugins, the one loaded first (e.g. the built-in) first, and
        # point at the registration of the one loaded later
        earlier, later = sorted(
            [(bucket[name].origin, self.sites[(kind, name)]), (origin, site)],
            key=lambda pair: self.loaded.get(pair[0], len(self.loaded)),
        )
        code = "E-PLUGIN-DUPLICATE-FUNCTION" if kind == "function" else "E-PLUGIN-DUPLICATE"
        self.problems.append(Diagnostic(
            code, {"kind": kind, "kind_zh": KIND_TITLES[kind], "name": name, "first": earlier[0], "second": later[0]},
            file=later[1][0], line=later[1][1],
        ))


def _code_of(function: Any) -> CodeType | None:
    code = getattr(getattr(function, "__func__", function), "__code__", None)
    return code if isinstance(code, CodeType) else None


def _runs(function: Any, frame: FrameType) -> bool:
    """Whether ``frame`` (running ``function``'s code) is a call of this very
    bound method or closure: the same ``self``, the same closure cells."""
    code, local = frame.f_code, frame.f_locals
    bound = getattr(function, "__self__", None)
    if bound is not None:
        return code.co_argcount > 0 and local.get(code.co_varnames[0]) is bound
    cells = getattr(function, "__closure__", None) or ()
    try:
        return all(local.get(name) is cell.cell_contents for name, cell in zip(code.co_freevars, cells, strict=True))
    except ValueError:  # an empty cell
        return False


_DEFAULT: Registry | None = None


def default_registry() -> Registry:
    """The registry of installed plugins, built once per process."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = build_registry(checked_plugin_manager())
    return _DEFAULT
