"""The subjects of the period a report shows: a list per field, and each subject's whole record
when its section is written.

From an evaluation the lists are the period's columns (``results.record_shape``, the values the
results document holds) and a subject's record is put together from them only when its section is
written, then dropped: a report holds one period's columns (its adjustments and grade reasons a
column of small records each), never a document of subject records. From a results document alone
(the ``html`` exporter given a plugin's document) the same lists are read off its records.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kaohe.engine.evaluation.pipeline import Evaluation, PeriodResult
from kaohe.engine.report.grade_reasons import reason_columns
from kaohe.engine.report.results import ABSENT, PeriodColumns, handout_records, veto_lists

# The fields the tables, charts and the comparison read, one list each.
FIELDS = ("id", "name", "unit", "class", "group", "rank", "group_size", "total", "grade")


@dataclass(frozen=True)
class Subjects:
    """One period's subjects, in the results document's order."""

    period: str
    columns: Mapping[str, Sequence[Any]]  # FIELDS, and reason_code / reason_text / reason_from
    outcomes: Mapping[str, Sequence[Any]]  # outcome id -> each subject's value, ABSENT where its record has none
    record: Callable[[int], Mapping[str, Any]]  # subject i's whole record (schemas/results.schema.json)
    handout_records: Callable[[], Sequence[Mapping[str, Any]]]  # records with what handouts read

    @property
    def n(self) -> int:
        return len(self.columns["id"])

    def __getitem__(self, name: str) -> Sequence[Any]:
        return self.columns[name]

    def records(self) -> Sequence[Mapping[str, Any]]:
        """Every subject's record, each made when reached."""
        return _Made(self.record, self.n)


class _Made(Sequence[Mapping[str, Any]]):
    """A sequence whose items are made when asked for (and not kept)."""

    def __init__(self, make: Callable[[int], Mapping[str, Any]], n: int):
        self._make, self._n = make, n

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [self._make(k) for k in range(*i.indices(self._n))]
        if not -self._n <= i < self._n:
            raise IndexError(i)
        return self._make(i % self._n)


def of_result(evaluation: Evaluation, result: PeriodResult) -> Subjects:
    """The period's subjects read from the evaluation's columns."""
    ruleset = evaluation.ruleset
    shape = PeriodColumns(ruleset, result)
    fields = shape.shape(evaluation)
    columns: dict[str, Sequence[Any]] = {
        k: fields[k].values if fields[k] is not None else [None] * result.cohort.n for k in FIELDS}
    reasons = reason_columns(ruleset, result, veto_lists(ruleset, result))
    columns.update(reason_code=reasons.codes, reason_text=reasons.texts, reason_from=reasons.demoted_from)
    outcomes = {oid: entry["value"].values for oid, entry in fields["outcomes"].items()}
    return Subjects(result.period.id, columns, outcomes, shape.filler(evaluation),
                    lambda: handout_records(fields, result.cohort.n))


def of_period(record: Mapping[str, Any]) -> Subjects:
    """A results document's period record as the same lists."""
    subjects: Sequence[Mapping[str, Any]] = record["subjects"]
    columns: dict[str, Sequence[Any]] = {k: [s.get(k) for s in subjects] for k in FIELDS}
    reasons = [s.get("grade_reason") or {} for s in subjects]
    columns.update(reason_code=[r.get("code") for r in reasons], reason_text=[r.get("text", "") for r in reasons],
                   reason_from=[r.get("from") for r in reasons])
    held_by = [s.get("outcomes") or {} for s in subjects]
    outcomes = {oid: [(held[oid] or {}).get("value") if oid in held else ABSENT for held in held_by]
                for oid in dict.fromkeys(oid for held in held_by for oid in held)}
    return Subjects(str(record["period"]), columns, outcomes, subjects.__getitem__, lambda: subjects)
