"""Every hook kaohe offers to plugins, one per capability.

A plugin is a module or object with functions named like the hooks below and
decorated with ``kaohe.engine.hookspecs.hookimpl``. Built-in components in ``plugins/`` use
exactly these hooks, so a third-party package can do anything they do. Each
``register_*`` hook receives a ``register`` callable; call it once per
component class. Components are selected from YAML by their ``name``
(``rater: {use: attainment}``), so two plugins offering the same name is an
error that names both.

Third-party packages announce their plugin module under the entry-point
group ``kaohe``::

    [project.entry-points.kaohe]
    hotline = "kaohe_hotline"
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pluggy

PROJECT = "kaohe"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)

Register = Callable[..., Any]

# ---------------------------------------------------------------------------
# Scoring


@hookspec
def register_raters(register: Register) -> None:
    """Register rater classes: ``register(RaterClass)``.

    A rater turns input columns into one score per subject for a leaf
    indicator. See ``kaohe.engine.components.Rater`` for the contract.
    """


@hookspec
def register_functions(register: Register) -> None:
    """Register column functions for rule expressions: ``register(name, func)``.

    ``func`` receives numpy arrays (or scalars) and must return an array of
    the same length or a scalar, without side effects. It becomes callable as
    ``name(...)`` in every expression of every ruleset.
    """


# ---------------------------------------------------------------------------
# Data


@hookspec
def register_data_sources(register: Register) -> None:
    """Register data-source classes: ``register(DataSourceClass)``.

    A data source reads one table (subjects, values, events, ratings …) from
    a file or a local system and returns rows with their origin, so that bad
    data can be reported by file, row and column. See
    ``kaohe.engine.components.DataSource``.
    """


# ---------------------------------------------------------------------------
# Using results


@hookspec
def register_allocators(register: Register) -> None:
    """Register allocator classes: ``register(AllocatorClass)``.

    An allocator moves money or points according to results (bonus pools,
    two-level pools). Amounts are ``Decimal`` and must sum exactly to the
    pool. See ``kaohe.engine.components.Outcome``.
    """


@hookspec
def register_outcomes(register: Register) -> None:
    """Register non-monetary outcome classes: ``register(OutcomeClass)``.

    Warnings, flags, eligibility, rectification lists, publicity lists —
    anything that reads results and marks subjects. Same contract as
    allocators (``kaohe.engine.components.Outcome``).
    """


# ---------------------------------------------------------------------------
# Output


@hookspec
def register_exporters(register: Register) -> None:
    """Register exporter classes: ``register(ExporterClass)``.

    An exporter renders a results document to bytes in one format (json,
    csv, xlsx …); ``kaohe evaluate --format NAME`` selects it. See
    ``kaohe.engine.components.Exporter``.
    """
