"""Every default of the ruleset format, in one table.

A key's default lives here and nowhere else: the model builders read it with
``get(mapping, path)``, the semantic checks use the same values, and the JSON
Schema's ``default`` keywords (which editors show on hover) are tested to
agree with this table (``tests/test_defaults.py``).

Paths are written as in the docs: ``precision.score``, ``indicators[].missing``
(``[]`` is any list item, ``*`` any key of a mapping such as ``subjects.classes``).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

DEFAULTS: Mapping[str, Any] = MappingProxyType({
    "total_points": 100,
    "rescale_to_total": False,
    "children_must_sum": True,
    "precision.score": 2,
    "precision.rounding": "half_up",
    "precision.round_indicators": False,
    "subjects.classes.*.coefficient": 1,
    "subjects.full_month_days": 11,
    "inputs.*.from_events.how": "mean",
    "inputs.*.from_items.how": "mean",
    "periods.cycle": "year",
    "periods.year.from_periods": "mean",
    "periods.year.weight": 1,
    "indicators[].cycle": "period",
    "indicators[].missing": "zero",
    "indicators[].outside_effective": "renormalise",
    "deductions[].per": "event",
    "deductions[].cycle": "period",
    "bonuses[].per": "event",
    "bonuses[].cycle": "period",
    "vetoes[].per": "event",
    "grading.group_by": "all",
    "grading.tie_break": ["total", "id"],
    "grading.grades[].factor": 1,
    "grading.grades[].quota.rounding": "floor",
    "grading.grades[].quota.min_count": 0,
    "grading.scales.*[].factor": 1,
    "grading.scales.*[].quota.rounding": "floor",
    "grading.scales.*[].quota.min_count": 0,
    "grading.grades[].across_groups.rounding": "floor",
    "grading.grades[].across_groups.min_count": 0,
    "grading.grades[].across_groups.within": "all",
    "grading.scales.*[].across_groups.rounding": "floor",
    "grading.scales.*[].across_groups.min_count": 0,
    "grading.scales.*[].across_groups.within": "all",
})


def default(path: str) -> Any:
    """The default of ``path`` (a copy, so a caller cannot change the table)."""
    return copy.deepcopy(DEFAULTS[path])


def get(mapping: Mapping[str, Any] | None, path: str) -> Any:
    """``mapping``'s value for the last key of ``path``, or the declared default.

    An explicit ``null`` in YAML counts as not written (the schema rejects it
    where it matters)."""
    key = path.rsplit(".", 1)[-1]
    value = mapping.get(key) if isinstance(mapping, Mapping) else None
    return default(path) if value is None else value
