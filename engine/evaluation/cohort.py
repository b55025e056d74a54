"""The cohort of one period: subject columns every stage reads.

Built once per period from the dataset and the ruleset, so raters,
adjustments, grading and outcomes all see the same columns.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from kaohe.engine.data.periods import Period, months_on_post
from kaohe.engine.data.tables import Dataset, Subjects, Values, sorted_codes
from kaohe.engine.errors import KaoheError
from kaohe.engine.evaluation.history import history_frame
from kaohe.engine.language.cohort import COHORT, CohortFrame
from kaohe.engine.language.expressions import Expression
from kaohe.engine.language.periodic import HISTORY, PeriodFrame
from kaohe.engine.ruleset.model import Ruleset


@dataclass
class Cohort:
    period: Period
    n: int
    ids: np.ndarray
    names: np.ndarray
    units: np.ndarray
    classes: np.ndarray
    coefficient: np.ndarray
    months: np.ndarray
    excluded: np.ndarray
    exclude_reason: np.ndarray
    extra: dict[str, np.ndarray]
    values: Values
    class_labels: list[str]
    class_index: np.ndarray
    _inputs: dict[str, np.ndarray] = field(default_factory=dict)
    groups: np.ndarray | None = None  # ranking group labels, set once grading.group_by is known
    past_years: PeriodFrame | None = None  # previous years' results (history table) for the years functions
    _frame: tuple[np.ndarray | None, np.ndarray, CohortFrame] | None = field(default=None, repr=False)

    def frame(self) -> CohortFrame:
        """Who cohort functions compare each subject with: those not excluded,
        within the whole period, the ranking group, class, unit or a declared field.
        Built once for the current groups and exclusions (its scope codes are cached)."""
        if self._frame is not None and self._frame[0] is self.groups and self._frame[1] is self.excluded:
            return self._frame[2]
        scopes: dict[str, np.ndarray] = {"all": np.zeros(self.n, dtype=np.int64), "class": self.classes,
                                         "unit": self.units, **self.extra}
        if self.groups is not None:
            scopes["group"] = self.groups
        frame = CohortFrame(self.n, ~self.excluded, scopes)
        self._frame = (self.groups, self.excluded, frame)  # held, so a replaced array is never mistaken for it
        return frame

    def scoped_env(self, inputs: Iterable[str] = ()) -> dict[str, Any]:
        """``subject_env`` with the frame cohort functions need."""
        return {**self.subject_env(inputs), COHORT: self.frame()}

    def value(self, name: str) -> np.ndarray:
        """Input column for this period (NaN where absent), cached."""
        if name not in self._inputs:
            self._inputs[name] = self.values.column(self.period.id, name)
        return self._inputs[name]

    def history(self, name: str, years: int = 3) -> np.ndarray:
        """(n × years) values of previous years' annual rows, last year first."""
        columns = [self.values.column(str(self.period.year - k), name) for k in range(1, years + 1)]
        return np.column_stack(columns) if columns else np.zeros((self.n, 0))

    def subject_env(self, inputs: Iterable[str] = ()) -> dict[str, Any]:
        env: dict[str, Any] = {
            "id": self.ids, "name": self.names, "unit": self.units, "class": self.classes, "cls": self.classes,
            "months_on_post": self.months, "coefficient": self.coefficient, **self.extra,
        }
        if self.past_years is not None:
            env[HISTORY] = self.past_years
        for name in inputs:
            env[name] = self.value(name)
        return env


# None in an object column (numpy's stubs do not accept a bare None in np.where)
NO_REASON = np.array(None, dtype=object)


def build_cohort(ruleset: Ruleset, dataset: Dataset, period: Period) -> Cohort:
    subjects = dataset.subjects
    n = len(subjects.ids)
    classes = _read_only(subjects.cls) if subjects.cls.dtype == object else subjects.cls.astype(object)
    labels, class_index = subjects.class_codes() if n else ([], np.zeros(0, dtype=np.int64))
    months = _months(subjects, period, ruleset.full_month_days)
    extra = {k: v for k, v in subjects.extra.items() if k in ruleset.subject_fields}
    for name in ruleset.subject_fields:  # a declared field the data lacks is missing, as an absent value is
        extra.setdefault(name, np.full(n, np.nan))
    fields = {"id": subjects.ids, "name": subjects.name, "unit": subjects.unit, "class": classes, "cls": classes,
              "months_on_post": months, **extra}
    coefficient = class_coefficients(ruleset, classes, fields, n)
    own = subjects.extra.get("coefficient")
    if own is not None and own.dtype.kind == "f":
        coefficient = coefficient * np.where(np.isnan(own), 1.0, own)
    cohort = Cohort(
        period=period, n=n, ids=subjects.ids, names=subjects.name, units=subjects.unit,
        classes=classes, coefficient=coefficient, months=months,
        excluded=months <= 0, exclude_reason=_not_on_post(months <= 0),
        extra=extra, values=dataset.values, class_labels=list(labels), class_index=class_index,
        past_years=history_frame(dataset.history, ruleset.declared.history_fields, period.year, n),
    )
    if ruleset.exclude is not None:
        chosen = ruleset.exclude.evaluate_mask(cohort.scoped_env(), n) & ~cohort.excluded
        cohort.excluded = cohort.excluded | chosen
        cohort.exclude_reason = np.where(chosen, "rule", cohort.exclude_reason).astype(object)
    return cohort


def _months(subjects: Subjects, period: Period, full_month_days: int) -> np.ndarray:
    """``months_on_post`` of every subject; those without a joined or left date are on post
    the whole period, the same number for all, computed once."""
    dated = subjects.dated()
    if dated.all():
        return months_on_post(subjects.joined, subjects.left, period, full_month_days)
    no_date = np.array(["NaT"], dtype="datetime64[D]")
    months = np.full(len(dated), months_on_post(no_date, no_date, period, full_month_days)[0])
    if dated.any():
        months[dated] = months_on_post(subjects.joined[dated], subjects.left[dated], period, full_month_days)
    return months


def _not_on_post(outside: np.ndarray) -> np.ndarray:
    """The exclusion reason column: "not_on_post" where ``outside``, None elsewhere."""
    reasons = np.empty(len(outside), dtype=object)  # numpy fills an object array with None
    reasons[outside] = "not_on_post"
    return reasons


def _read_only(column: np.ndarray) -> np.ndarray:
    """The dataset's column itself, as a view no stage can change (a copy of 100 000 texts costs)."""
    view = column.view()
    view.flags.writeable = False
    return view


def class_coefficients(ruleset: Ruleset, classes: np.ndarray, fields: dict[str, Any], n: int) -> np.ndarray:
    """Each subject's class coefficient: the class's number, or its expression
    over the subject's fields; a value that is missing or not above 0 is a located error."""
    coefficient = np.ones(n)
    for key, spec in ruleset.classes.items():
        members = classes == key
        if not members.any():
            continue
        if not isinstance(spec.coefficient, Expression):
            coefficient[members] = spec.coefficient
            continue
        values = np.asarray(spec.coefficient.evaluate(fields, n), dtype=float).reshape(n)
        bad = members & ~((values > 0) & np.isfinite(values))  # NaN and inf fail too
        if bad.any():
            first = int(np.flatnonzero(bad)[0])
            raise KaoheError(ruleset.locations.diagnostic(
                "E-COEFFICIENT-VALUE", spec.path, subject=str(fields["id"][first]), value=f"{values[first]:g}"))
        coefficient[members] = values[members]
    return coefficient


def group_codes(labels: np.ndarray) -> np.ndarray:
    """Integer codes of ``labels`` (sorted label order, deterministic)."""
    if len(labels) == 0:
        return np.zeros(0, dtype=np.int64)
    return sorted_codes(labels)[1]
