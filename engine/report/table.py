"""The results table as columns: one row per subject per period, straight from the evaluation's arrays.

CSV (and any exporter that wants a flat table) reads these columns; the
per-subject document of ``kaohe.engine.report.results`` is never built for
them. Each period's columns are made from whole arrays (``numbers`` turns a
float column into JSON numbers in one pass), so a period of 100,000 subjects
costs a few list conversions, not 100,000 nested dicts. The cells are exactly
those ``result_table`` reads from the document — a test holds the two equal on
every shipped ruleset — so the table does not depend on which path built it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import numpy as np

from kaohe.engine.evaluation.pipeline import Evaluation, PeriodResult
from kaohe.engine.report.grade_reasons import reason_columns
from kaohe.engine.report.results import plain_column, veto_lists
from kaohe.engine.report.stream_json import numbers, shown_array
from kaohe.engine.ruleset.model import Ruleset

FRONT = ["周期", "编号", "名称", "单位", "类别", "分组"]
BACK = ["小计", "加分", "扣分", "系数", "总分", "排名", "组内人数", "等次", "等次说明", "一票否决"]
FRONT_IDS = ["period", "id", "name", "unit", "class", "group"]  # the same columns by machine name
BACK_IDS = ["subtotal", "bonus", "deduction", "coefficient", "total", "rank", "group_size", "grade",
            "grade_reason", "vetoes"]
MONEY = re.compile(r"^-?\d+(\.\d+)?$")

Columns = list[list[Any] | np.ndarray]  # a float array is a number column (see ``cells``)


def column_titles(indicators: list[tuple[str, str]], outcomes: list[tuple[str, str]]) -> list[str]:
    """All column titles; an indicator or outcome title used twice gets "(id)" appended."""
    counts = Counter([*FRONT, *BACK, *(t for _, t in indicators), *(t for _, t in outcomes)])

    def unique(pairs: list[tuple[str, str]]) -> list[str]:
        return [f"{title}({ident})" if counts[title] > 1 else title for ident, title in pairs]

    return [*FRONT, *unique(indicators), *BACK, *unique(outcomes)]


def outcome_cell(value: Any, money: bool) -> Any:
    """Money travels as exact decimal text; Decimal keeps it exact and lets a workbook
    store it as a number people can sum."""
    if money and isinstance(value, str) and MONEY.match(value):
        return Decimal(value)
    return value


def column_ids(indicators: list[str], outcomes: list[str]) -> list[str]:
    """Machine names of the columns, in the order of ``column_titles`` (Parquet and other formats
    for integrators): ``score.<indicator id>`` and ``outcome.<outcome id>`` for the ruleset's own."""
    return [*FRONT_IDS, *(f"score.{i}" for i in indicators), *BACK_IDS, *(f"outcome.{o}" for o in outcomes)]


def header_ids(evaluation: Evaluation) -> list[str]:
    ruleset = evaluation.ruleset
    return column_ids([i.id for i in ruleset.walk()], [o.id for o in ruleset.outcomes])


def header(evaluation: Evaluation) -> list[str]:
    ruleset = evaluation.ruleset
    return column_titles([(i.id, i.title) for i in ruleset.walk()], [(o.id, o.title) for o in ruleset.outcomes])


def period_columns(evaluation: Evaluation) -> Iterator[Columns]:
    """Each period's columns, in the order of ``header``; one period in memory at a time."""
    kinds = _outcome_kinds(evaluation)
    for result in evaluation.periods:
        yield _columns(evaluation.ruleset, result, kinds)


def outcome_columns(evaluation: Evaluation) -> list[list[list[Any]]]:
    """Each period's outcome columns alone (the last columns of ``period_columns``), as plain values:
    what a writer that types a column by its values over every period reads before it writes one."""
    kinds = _outcome_kinds(evaluation)
    return [[_outcome_column(result, o.id, kinds.get(o.id) == "allocator", result.cohort.n)
             for o in evaluation.ruleset.outcomes] for result in evaluation.periods]


def _outcome_kinds(evaluation: Evaluation) -> dict[str, str]:
    kinds: dict[str, str] = {}
    for result in evaluation.periods:
        for oid, outcome in result.outcomes.items():
            kinds.setdefault(oid, outcome.kind)
    return kinds


def _columns(ruleset: Ruleset, result: PeriodResult, kinds: dict[str, str]) -> Columns:
    n = result.cohort.n
    cohort, ranking, grades, tree, adj = result.cohort, result.ranking, result.grades, result.tree, result.adjustments
    vetoes = veto_lists(ruleset, result)
    missing = np.full(n, np.nan)
    return [
        [result.period.id] * n, _texts(cohort.ids), _texts(cohort.names), _texts(cohort.units),
        _texts(cohort.classes), [str(g) for g in ranking.group.tolist()],
        *[number_column(tree.scores.get(i.id, missing)) for i in ruleset.walk()],
        *[number_column(c) for c in (tree.subtotal, adj.bonus, adj.deduction, cohort.coefficient, result.total)],
        np.where(cohort.excluded, np.nan, ranking.rank.astype(float)), ranking.group_size.astype(float),
        list(grades.grade) if grades is not None else [None] * n,
        reason_columns(ruleset, result, vetoes).texts,
        ["、".join([v.id for v in found]) if found else "" for found in vetoes],
        *[_outcome_column(result, o.id, kinds.get(o.id) == "allocator", n) for o in ruleset.outcomes],
    ]


def number_column(values: Any, digits: int = 6) -> np.ndarray:
    """A float column as the document shows it: noise removed (``digits``), NaN (and inf) for none."""
    return shown_array(values, digits)


def cells(column: list[Any] | np.ndarray) -> list[Any]:
    """A column as plain values (a number column's floats as JSON numbers: whole ones as int, NaN as None)."""
    return numbers(column) if isinstance(column, np.ndarray) else column


def _texts(values: np.ndarray) -> list[Any]:
    return list(values.tolist())


def _outcome_column(result: PeriodResult, outcome_id: str, money: bool, n: int) -> list[Any]:
    outcome = result.outcomes.get(outcome_id)
    if outcome is None:
        return [None] * n
    values = plain_column(outcome.values)
    return [outcome_cell(v, money) for v in values] if money else values

