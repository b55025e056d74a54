"""Warnings about results an office would question, found after a period is scored.

The ruleset loads and the arithmetic is what the YAML says, yet the result
looks wrong to a policy officer: an indicator scoring above its full marks,
a tree total above the declared scale, or a missing value scored 0 only
because the indicator never said what missing data means, a grade whose quota
leaves a group no place at all (3 people × 20 % rounded down) while someone
there reached it. Each warning is
located at the ruleset line to look at, names the period and the first
subjects concerned, and never stops the evaluation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kaohe.engine.errors import Diagnostic
from kaohe.engine.evaluation.cohort import Cohort
from kaohe.engine.evaluation.grading import Grades
from kaohe.engine.evaluation.scoring import MISSING_ZERO, TreeScores
from kaohe.engine.registry import Registry
from kaohe.engine.ruleset.model import ComponentSpec, Ruleset


@dataclass(frozen=True)
class Finding:
    """A located warning and every subject (row of the period's cohort) it concerns."""

    diagnostic: Diagnostic
    rows: tuple[int, ...]


SHOWN = 5  # subjects named in a warning; the count says how many there are
TOLERANCE = 1e-6  # float noise of weighted sums is not a finding


def period_warnings(ruleset: Ruleset, registry: Registry, cohort: Cohort, tree: TreeScores) -> list[Finding]:
    return [*_above_full(ruleset, registry, cohort, tree), *_default_zero(ruleset, cohort, tree),
            *_above_scale(ruleset, cohort, tree)]


def finding(ruleset: Ruleset, cohort: Cohort, code: str, path: tuple[str | int, ...], concerned: np.ndarray,
            **params: object) -> Finding:
    """A warning at ``path`` naming the ``count`` and first few ``subjects`` of the ``concerned`` mask."""
    rows = np.flatnonzero(concerned)
    ids = cohort.ids[rows].tolist()
    shown = ", ".join(str(i) for i in ids[:SHOWN]) + (" …" if len(ids) > SHOWN else "")
    diagnostic = ruleset.locations.diagnostic(code, path, period=cohort.period.id, count=len(ids), subjects=shown,
                                              **params)
    return Finding(diagnostic.with_location(severity="warning"), tuple(rows.tolist()))


def grading_warnings(ruleset: Ruleset, cohort: Cohort, grades: Grades | None) -> list[Finding]:
    """A grade's quota that gives the group of someone who reached the grade no place at all: the
    office most likely meant each group to have one (min_count: 1) or the share to round up."""
    if grades is None or ruleset.grading is None:
        return []
    found = []
    for grade in ruleset.grading.grades_for(cohort.period.kind):
        places = grades.quota_allowed.get(grade.name)
        if grade.quota is None or places is None:
            continue
        shut = (grades.reason == "quota") & (grades.demoted_from == grade.name) & (places == 0)
        if shut.any():
            found.append(finding(ruleset, cohort, "W-QUOTA-NO-PLACE", grade.quota.path, shut, grade=grade.name))
    return found


def _above_full(ruleset: Ruleset, registry: Registry, cohort: Cohort, tree: TreeScores) -> list[Finding]:
    found = []
    for indicator in ruleset.walk():
        scores = tree.scores.get(indicator.id)
        if indicator.rater is None or scores is None or _declared(registry, indicator.rater):
            continue
        over = ~cohort.excluded & _above(scores, indicator.full_marks)
        if over.any():
            found.append(finding(ruleset, cohort, "W-SCORE-ABOVE-FULL", indicator.path, over,
                                 indicator=indicator.id, full=_plain(indicator.full_marks),
                                 highest=_plain(float(scores[over].max()))))
    return found


def _default_zero(ruleset: Ruleset, cohort: Cohort, tree: TreeScores) -> list[Finding]:
    found = []
    for indicator in ruleset.walk():
        status = tree.status.get(indicator.id)
        if not indicator.leaf or indicator.missing_declared or status is None:
            continue
        zeroed = ~cohort.excluded & (status == MISSING_ZERO)
        if zeroed.any():
            found.append(finding(ruleset, cohort, "W-MISSING-DEFAULT-ZERO", indicator.path, zeroed,
                                 indicator=indicator.id))
    return found


def _above_scale(ruleset: Ruleset, cohort: Cohort, tree: TreeScores) -> list[Finding]:
    """A total above the scale that no leaf above its full marks explains
    (those are warned about, or declared, on their own)."""
    over = ~cohort.excluded & (tree.subtotal > ruleset.total_points + TOLERANCE) & ~_some_leaf_above_full(ruleset, tree)
    if not over.any():
        return []
    return [finding(ruleset, cohort, "W-SUBTOTAL-ABOVE-SCALE", ("indicators",), over,
                    scale=_plain(ruleset.total_points), highest=_plain(float(tree.subtotal[over].max())))]


def _some_leaf_above_full(ruleset: Ruleset, tree: TreeScores) -> np.ndarray:
    above = np.zeros(len(tree.subtotal), dtype=bool)
    for indicator in ruleset.walk():
        if indicator.leaf and indicator.id in tree.scores:
            above |= _above(tree.scores[indicator.id], indicator.full_marks)
    return above


def _above(scores: np.ndarray, full: float) -> np.ndarray:
    above: np.ndarray = np.nan_to_num(scores, nan=-np.inf) > full + TOLERANCE
    return above


def _declared(registry: Registry, rater: ComponentSpec) -> bool:
    return registry.rater(rater.use).declares_above_full(rater.params)


def _plain(value: float) -> float | int:
    rounded = round(value, 6)
    return int(rounded) if rounded.is_integer() else rounded
