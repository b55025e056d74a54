"""Rank within groups, then grade: bands, vetoes, eligibility and quotas.

Ranking sorts by the declared tie-break keys (e.g. total, then a key
indicator, then id) with ``np.lexsort``; subjects equal on every key share a
rank. Grading walks the grades from the best down: a subject is placed by
its band, held down by a veto, and then, grade by grade, demoted one step
when it is not eligible or when the grade's quota in its group is full —
surplus subjects are demoted in rank order, so the best keep the grade.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from kaohe.engine.data.tables import sorted_codes
from kaohe.engine.errors import Bilingual, KaoheError
from kaohe.engine.evaluation.shares import quota_places
from kaohe.engine.language.expressions import Expression
from kaohe.engine.language.ranking import competition_rank
from kaohe.engine.ruleset.model import Grade, Grading, Locations, Quota


@dataclass
class Ranking:
    group: np.ndarray  # group label per subject
    rank: np.ndarray  # 1-based within group, 0 when excluded
    group_size: np.ndarray
    order: np.ndarray  # subject indices, best first across the whole cohort
    codes: np.ndarray  # integer code of each subject's group

    def display_order(self, excluded: np.ndarray) -> np.ndarray:
        """Rows for a ranking table: by group, ranked before excluded, by rank,
        then by id (subjects are kept in id order)."""
        n = len(self.rank)
        return np.lexsort((np.arange(n), self.rank, excluded.astype(int), self.codes)) if n else np.zeros(0, dtype=int)


def sort_keys(keys: list[tuple[np.ndarray, bool]]) -> list[np.ndarray]:
    """Turn (column, descending) pairs into ascending numeric keys for lexsort."""
    result = []
    for column, descending in keys:
        if column.dtype.kind in "fiub":
            numeric = column.astype(float)
            ordered = -numeric if descending else numeric
            result.append(np.where(np.isnan(ordered), np.inf, ordered))  # missing sorts last either way
            continue
        _, codes = np.unique(column.astype(str), return_inverse=True)
        result.append(-codes.astype(float) if descending else codes.astype(float))
    return result


def rank(groups: np.ndarray, keys: list[tuple[np.ndarray, bool]], excluded: np.ndarray) -> Ranking:
    """Competition ranks within each group by the tie-break keys; excluded subjects get 0."""
    n = len(groups)
    group_codes = sorted_codes(groups)[1].reshape(n)
    ascending = sort_keys(keys)
    # best first across the cohort, excluded last (lexsort's last key is the primary one)
    order = np.lexsort([*reversed(ascending), excluded.astype(int)]) if n else np.zeros(0, dtype=int)
    rank_values = competition_rank(group_codes, ascending, ~excluded)
    counted = np.bincount(group_codes, weights=(~excluded).astype(float), minlength=group_codes.max(initial=-1) + 1)
    group_size = counted[group_codes].astype(np.int64) if n else np.zeros(0, dtype=np.int64)
    return Ranking(group=groups, rank=rank_values, group_size=group_size, order=order, codes=group_codes)


@dataclass
class QuotaSizes:
    """A quota's share and counts per subject: its group's values (None: not declared)."""

    share: np.ndarray | None
    min_count: np.ndarray
    max_count: np.ndarray | None


@dataclass
class AcrossPlaces:
    """A grade's places across groups (``across_groups``), per subject: its scope's."""

    refused: np.ndarray  # moved down for the scope's places
    places: np.ndarray
    size: np.ndarray  # subjects ranked in the scope


# decides a grade's across-group places for the subjects holding it after the groups' quotas
AcrossRule = Callable[[Grade, np.ndarray], AcrossPlaces]


@dataclass
class Grades:
    grade: np.ndarray  # grade name or None
    factor: np.ndarray
    reason: np.ndarray  # band | quota | eligibility | veto | bar | excluded | none
    demoted_from: np.ndarray  # grade before quota/eligibility/bar, or None
    quota_allowed: dict[str, np.ndarray]  # grade -> places allowed, per subject's group
    thresholds: dict[str, np.ndarray] = field(default_factory=dict)  # grade -> its line per subject
    quota_sizes: dict[str, QuotaSizes] = field(default_factory=dict)  # grade -> its quota's sizes per subject
    across: dict[str, AcrossPlaces] = field(default_factory=dict)  # grade -> its across-group places


def assign_grades(
    grades: tuple[Grade, ...], total: np.ndarray, ranking: Ranking, excluded: np.ndarray,
    forced: np.ndarray, ceiling: np.ndarray, eligible: dict[str, np.ndarray],
    thresholds: dict[str, np.ndarray], sizes: dict[str, QuotaSizes], across_rule: AcrossRule | None = None,
) -> Grades:
    """``forced``/``ceiling`` hold a grade index from vetoes (-1 for none);
    ``eligible`` maps a grade name to its eligibility mask; ``thresholds`` each
    grade's line per subject (numbers, or computed lines), none for the last;
    ``sizes`` each quota's sizes per subject (see ``quota_sizes``); ``across_rule`` decides
    the places of grades with ``across_groups`` (``kaohe.engine.evaluation.across``)."""
    n = len(total)
    count = len(grades)
    level = np.full(n, count - 1, dtype=np.int64)
    for index in reversed(range(count)):
        threshold = thresholds.get(grades[index].name)
        if threshold is not None:  # a missing computed line is never reached
            level = np.where(np.round(total, 9) >= threshold - 1e-9, np.minimum(level, index), level)
    band = level.copy()
    reason = np.full(n, "band", dtype=object)
    barred = (ceiling >= 0) & (level < ceiling)
    level = np.where(barred, ceiling, level)
    reason[barred] = "bar"
    locked = forced >= 0
    level = np.where(locked, forced, level)
    reason[locked] = "veto"
    allowed: dict[str, np.ndarray] = {}
    across: dict[str, AcrossPlaces] = {}
    for index, grade in enumerate(grades[:-1]):
        here = (level == index) & ~locked & ~excluded
        if grade.name in eligible:
            failing = here & ~eligible[grade.name]
            level[failing] = index + 1
            reason[failing] = "eligibility"
            here &= ~failing
        if grade.quota is not None:
            surplus = _over_quota(grade, sizes[grade.name], here, ranking, allowed)
            level[surplus] = index + 1
            reason[surplus] = "quota"
            here &= ~surplus
        if grade.across is not None and across_rule is not None:
            across[grade.name] = across_rule(grade, here)
            level[across[grade.name].refused] = index + 1
            reason[across[grade.name].refused] = "quota"
    names = np.array([g.name for g in grades], dtype=object)
    factors = np.array([g.factor for g in grades], dtype=float)
    result_grade = names[level]
    result_grade[excluded] = None
    reason[excluded] = "excluded"
    demoted = np.where(np.isin(reason, ["quota", "eligibility", "bar"]), names[band], np.array(None, dtype=object))
    factor = np.where(excluded, 0.0, factors[level])
    return Grades(result_grade, factor, reason, demoted, allowed, thresholds, sizes, across)


def _over_quota(grade: Grade, sizes: QuotaSizes, members: np.ndarray, ranking: Ranking,
                allowed: dict[str, np.ndarray]) -> np.ndarray:
    """Members beyond the grade's places in their group, worst ranks first."""
    quota = grade.quota
    assert quota is not None
    places = quota_places(quota.rounding, ranking.group_size, sizes.share, sizes.min_count, sizes.max_count)
    allowed[grade.name] = places
    chosen = np.flatnonzero(members)
    ordered = chosen[np.lexsort((ranking.rank[chosen], ranking.codes[chosen]))]
    codes = ranking.codes[ordered]
    starts = np.r_[0, np.flatnonzero(np.diff(codes)) + 1] if len(codes) else np.zeros(0, dtype=np.int64)
    position = np.arange(len(codes)) - np.repeat(starts, np.diff(np.r_[starts, len(codes)]))
    surplus = np.zeros(len(members), dtype=bool)
    surplus[ordered[position >= places[ordered]]] = True
    return surplus


def quota_sizes(quota: Quota, env: dict[str, Any], ranking: Ranking, included: np.ndarray,
                locations: Locations) -> QuotaSizes:
    """Evaluate the quota's sizes; an expression must give every ranked
    member of a group the same value (places are counted per group)."""
    n = len(included)

    def size(key: str, value: float | Expression | None, whole: bool) -> np.ndarray | None:
        if value is None:
            return None
        if not isinstance(value, Expression):
            return np.full(n, float(value))
        column = np.asarray(value.evaluate(env, n), dtype=float).reshape(n)
        return _group_value(column, key, whole, ranking, included, env, locations, (*quota.path, key))

    minimum = size("min_count", quota.min_count, True)
    assert minimum is not None
    return QuotaSizes(size("max_share", quota.max_share, False), minimum, size("max_count", quota.max_count, True))


def _shown_group(group: str) -> str | Bilingual:
    """A group's name in a message; the one group of an ungrouped ranking is worded, not quoted."""
    return Bilingual("全体", "all") if group == "all" else group


def _group_value(column: np.ndarray, key: str, whole: bool, ranking: Ranking, included: np.ndarray,
                 env: dict[str, Any], locations: Locations, path: tuple[str | int, ...]) -> np.ndarray:
    """The group's one value of ``column`` for each subject, or a located error."""
    codes = ranking.codes
    ids = np.asarray(env["id"])
    for code in np.unique(codes[included]).tolist():
        members = np.flatnonzero(included & (codes == code))
        values = column[members]
        group = _shown_group(str(ranking.group[members[0]]))
        if np.isnan(values).any():
            who = ids[members[np.isnan(values)][0]]
            raise KaoheError(locations.diagnostic("E-QUOTA-MISSING", path, key=key, group=group, subject=who))
        if values.max() - values.min() > 1e-9:
            first, other = members[0], members[np.argmax(np.abs(values - values[0]))]
            raise KaoheError(locations.diagnostic(
                "E-QUOTA-VARIES", path, key=key, group=group, a=ids[first], a_value=f"{column[first]:g}",
                b=ids[other], b_value=f"{column[other]:g}"))
        bad = (values[0] < 0 or not float(values[0]).is_integer()) if whole else not 0 < values[0] <= 1
        if bad:
            raise KaoheError(locations.diagnostic("E-QUOTA-VALUE", path, key=key, group=group,
                                                  value=f"{values[0]:g}"))
    value_of_group = np.zeros(codes.max(initial=-1) + 1)
    value_of_group[codes[included]] = column[included]
    resolved: np.ndarray = value_of_group[codes]
    return resolved


def group_labels(grading: Grading | None, env: dict[str, Any], n: int) -> np.ndarray:
    return scope_labels(grading.group_by if grading else "all", env, n)


def scope_labels(key: str, env: dict[str, Any], n: int) -> np.ndarray:
    """Each subject's label in a scope named as ``group_by`` names one (``all``: one scope)."""
    if key == "all" or key not in env:
        return np.full(n, "all", dtype=object)
    return np.asarray(env[key]).astype(str).astype(object)
