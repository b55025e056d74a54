"""Every hook kaohe offers to plugins, one per capability.

A plugin is a module or object with functions named like the hooks below and
decorated with ``kaohe.engine.hookspecs.hookimpl``. Built-in components in ``plugins/`` use
exactly these hooks, so a third-party package can do anything they do. Each
``register_*`` hook receives ``register``, a ``Registrar``: call its method
for the hook's kind once per component class (``register.rater(MyRater)``)
or function (``register.function("growth", growth)``). A class that is not a
subclass of the kind's base in ``kaohe.engine.components`` is a ``TypeError``.
Components are selected from YAML by their ``name`` (``rater: {use:
attainment}``), so two plugins offering the same name (or function name) is
an error that names both.

Third-party packages announce their plugin module under the entry-point
group ``kaohe``::

    [project.entry-points.kaohe]
    hotline = "kaohe_hotline"
"""

from __future__ import annotations

import keyword
from collections.abc import Callable
from typing import Any

import pluggy

from kaohe.engine.components import Allocator, Component, DataSource, Exporter, Outcome, Rater

PROJECT = "kaohe"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)

# ---------------------------------------------------------------------------
# The registrar: what every register_* hook receives

HOOKS: dict[str, str] = {
    "rater": "register_raters",
    "function": "register_functions",
    "data_source": "register_data_sources",
    "allocator": "register_allocators",
    "outcome": "register_outcomes",
    "exporter": "register_exporters",
}
"""Component kind -> the hook that registers it (one hook per capability)."""

BASES: dict[str, type[Component]] = {
    "rater": Rater, "data_source": DataSource, "allocator": Allocator, "outcome": Outcome, "exporter": Exporter,
}
"""Component kind -> the base class its components must subclass."""


class Registrar:
    """The ``register`` argument of every ``register_*`` hook.

    One method per kind: ``rater``, ``data_source``, ``allocator``,
    ``outcome``, ``exporter`` take a component class, ``function`` a name and
    a callable. Each method checks what it is given and raises ``TypeError``
    naming the plugin when it is not a subclass of the kind's base in
    ``kaohe.engine.components`` (an ``Allocator`` is not accepted as an
    outcome), has no ``name``, or is called from another kind's hook
    (``register.exporter`` inside ``register_raters``). The engine creates one
    instance of each class (``cls()``); components must be stateless.

    Calling the registrar itself (``register(cls)``, ``register(name, func)``)
    still works and means the method of the hook's kind.

    ``kaohe.engine.registry.build_registry`` passes a subclass that records
    each registration with the plugin that made it.
    """

    def __init__(self, hook: str | None = None) -> None:
        self.hook = hook
        """The hook being called (``"register_raters"`` …); None accepts every kind."""

    def rater(self, cls: type[Rater]) -> None:
        """Register a rater; ``rater: {use: NAME}`` selects it."""
        self._component("rater", cls)

    def data_source(self, cls: type[DataSource]) -> None:
        """Register a data source; ``data: {TABLE: {source: NAME}}`` selects it."""
        self._component("data_source", cls)

    def allocator(self, cls: type[Allocator]) -> None:
        """Register an allocator; ``outcomes: [{use: NAME}]`` selects it."""
        self._component("allocator", cls)

    def outcome(self, cls: type[Outcome]) -> None:
        """Register a non-monetary outcome; ``outcomes: [{use: NAME}]`` selects it."""
        self._component("outcome", cls)

    def exporter(self, cls: type[Exporter]) -> None:
        """Register an exporter; ``kaohe evaluate --format NAME`` selects it."""
        self._component("exporter", cls)

    def function(self, name: str, func: Callable[..., Any]) -> None:
        """Register an expression function, callable as ``name(...)`` in every expression."""
        self._expect_hook("function")
        if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name) or name.startswith("_"):
            raise TypeError(f"{self._plugin()}: register.function() needs a plain identifier as the name, got {name!r}")
        if not callable(func):
            raise TypeError(f"{self._plugin()}: register.function({name!r}, ...) needs a callable, got {func!r}")
        self._add("function", name, func)

    def __call__(self, component: Any, func: Callable[..., Any] | None = None) -> None:
        """Backward compatibility: the method of the hook's kind."""
        kind = next((k for k, hook in HOOKS.items() if hook == self.hook), None)
        if kind is None:
            raise TypeError(f"{self._plugin()}: call a method of register (register.rater(...) …), not register itself")
        if kind == "function":
            self.function(component, func)  # type: ignore[arg-type]
        else:
            getattr(self, kind)(component)

    # -- for the registry ----------------------------------------------------

    def _component(self, kind: str, cls: Any) -> None:
        self._expect_hook(kind)
        base = BASES[kind]
        wrong = not (isinstance(cls, type) and issubclass(cls, base))
        if wrong or (kind == "outcome" and issubclass(cls, Allocator)):
            raise TypeError(
                f"{self._plugin()}: register.{kind}() needs a subclass of "
                f"kaohe.engine.components.{base.__name__}, got {_describe(cls)}"
            )
        if not isinstance(cls.name, str) or not cls.name:
            raise TypeError(f"{self._plugin()}: {cls.__qualname__} has no name (the name YAML selects it by)")
        self._add(kind, cls.name, cls())

    def _expect_hook(self, kind: str) -> None:
        if self.hook is not None and HOOKS[kind] != self.hook:
            raise TypeError(
                f"{self._plugin()}: register.{kind}() called in {self.hook}; register it in {HOOKS[kind]}"
            )

    def _plugin(self) -> str:
        """The plugin registering, for messages."""
        return "plugin"

    def _add(self, kind: str, name: str, value: Any) -> None:
        """Record one accepted component instance or function."""
        raise NotImplementedError


def _describe(value: Any) -> str:
    if isinstance(value, type) and issubclass(value, Component):
        hint = f"; use register.{value.kind}() in {HOOKS[value.kind]}" if value.kind in HOOKS else ""
        return f"{value.__qualname__}, whose kind is {value.kind!r}{hint}"
    if isinstance(value, type):
        return f"{value.__qualname__}, which is not a kaohe component"
    return f"{value!r}, which is not a class"


Register = Registrar
"""Former name of ``Registrar``, kept for existing plugins' annotations."""

# ---------------------------------------------------------------------------
# Scoring


@hookspec
def register_raters(register: Registrar) -> None:
    """Register rater classes: ``register.rater(RaterClass)``.

    A rater turns input columns into one score per subject for a leaf
    indicator. See ``kaohe.engine.components.Rater`` for the contract.
    """


@hookspec
def register_functions(register: Registrar) -> None:
    """Register column functions for rule expressions: ``register.function(name, func)``.

    ``func`` receives numpy arrays (or scalars) and must return an array of
    the same length or a scalar, without side effects. It becomes callable as
    ``name(...)`` in every expression of every ruleset. The built-in functions
    (``min``, ``max``, ``round`` …) come through this hook too
    (``kaohe.plugins.functions``), and a name registered twice is the error
    ``E-PLUGIN-DUPLICATE-FUNCTION`` naming both plugins: nothing is replaced.
    """


# ---------------------------------------------------------------------------
# Data


@hookspec
def register_data_sources(register: Registrar) -> None:
    """Register data-source classes: ``register.data_source(DataSourceClass)``.

    A data source reads one table (subjects, values, events, ratings …) from
    a file or a local system and returns rows with their origin, so that bad
    data can be reported by file, row and column. See
    ``kaohe.engine.components.DataSource``.
    """


# ---------------------------------------------------------------------------
# Using results


@hookspec
def register_allocators(register: Registrar) -> None:
    """Register allocator classes: ``register.allocator(AllocatorClass)``.

    An allocator moves money or points according to results (bonus pools,
    two-level pools). Amounts are ``Decimal`` and must sum exactly to the
    pool. See ``kaohe.engine.components.Allocator``. Allocators and outcomes
    share one name space (``outcomes: [{use: NAME}]``): a name that is both is
    the error ``E-PLUGIN-OUTCOME-NAME``.
    """


@hookspec
def register_outcomes(register: Registrar) -> None:
    """Register non-monetary outcome classes: ``register.outcome(OutcomeClass)``.

    Warnings, flags, eligibility, rectification lists, publicity lists —
    anything that reads results and marks subjects. Same contract as
    allocators (``kaohe.engine.components.Outcome``), but an ``Allocator``
    subclass belongs in ``register_allocators``.
    """


# ---------------------------------------------------------------------------
# Output


@hookspec
def register_exporters(register: Registrar) -> None:
    """Register exporter classes: ``register.exporter(ExporterClass)``.

    An exporter renders a results document to bytes in one format (json,
    csv, xlsx …); ``kaohe evaluate --format NAME`` selects it. See
    ``kaohe.engine.components.Exporter``.
    """
