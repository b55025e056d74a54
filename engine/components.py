"""The contracts every pluggable component follows.

A component is a class with a ``name`` (what YAML writes after ``use:`` or
``source:``), a Chinese ``title``, a ``params_schema`` (JSON Schema for its
YAML parameters, checked in the second validation pass with exact
locations) and one working method. Components are stateless: the engine
creates one instance per registry and passes the parameters on each call.

Raters and outcomes are columnar: they receive the whole cohort of a period
as numpy arrays and return one value per subject. Never loop over subjects
in Python when an array operation will do.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO, ClassVar, Protocol

import numpy as np

from kaohe.engine.errors import Diagnostic
from kaohe.engine.language.expressions import Expression


def prop(title: str, description: str, **schema: Any) -> dict[str, Any]:
    """One documented JSON Schema property of a component's ``params_schema``:
    every property carries a "中文 / English" title and description, so
    editors and ``kaohe plugins`` can show help."""
    return {"title": title, "description": description, **schema}


class Component:
    """Base of all components."""

    kind: ClassVar[str] = "component"
    name: ClassVar[str] = ""
    title: ClassVar[str] = ""
    description: ClassVar[str] = ""
    params_schema: ClassVar[dict[str, Any]] = {"type": "object"}

    def expressions(self, params: Mapping[str, Any]) -> dict[str, str]:
        """Parameters holding expressions: ``{param_key: text}``.

        The engine compiles each at load time against the names visible to
        the component, so a typo is reported with its line before any data
        is read. Override when ``params`` contain expressions.
        """
        return {}

    def check(self, params: Mapping[str, Any]) -> list[Problem]:
        """Semantic checks beyond the JSON Schema (e.g. bands contiguous)."""
        return []

    def check_references(self, params: Mapping[str, Any], indicators: Collection[str],
                         event_fields: Collection[str]) -> list[Problem]:
        """Checks of parameters that name the ruleset's indicator ids or event fields,
        run by ``kaohe validate`` so a misspelt id is reported with its line, not at evaluation."""
        return []

    def event_expressions(self, params: Mapping[str, Any]) -> dict[str, str]:
        """Parameters holding expressions over one event (``event.type`` …)
        rather than over subjects; compiled at load against the event fields."""
        return {}

    def records(self, params: Mapping[str, Any]) -> str:
        """What ``event_expressions`` read: ``"event"`` (the period's events, as ``event``)
        or ``"item"`` (the items alive in the period, as ``item``); an outcome listing
        rectification items says ``"item"``. Its fields are checked and given the same way."""
        return "event"


@dataclass(frozen=True)
class Problem:
    """A problem a component found in its own parameters.

    ``path`` is relative to the component's mapping, e.g. ``("bands", 2, "from")``;
    ``offset`` moves the column within a text value (e.g. into an expression);
    ``text`` = {"zh": ..., "en": ...} lets a plugin use a code the catalogue
    does not know.
    """

    code: str
    params: Mapping[str, Any]
    path: tuple[str | int, ...] = ()
    offset: int = 0
    text: Mapping[str, str] | None = None


# ---------------------------------------------------------------------------
# Raters


@dataclass
class RaterContext:
    """What a rater sees when scoring one leaf indicator for one period.

    ``values(name)`` returns the input column (float64, NaN where missing).
    ``mask`` marks subjects the indicator applies to; ``groups`` gives each
    subject's peer-group code (same code = compared with each other).
    ``ratings`` holds the survey rows of this period for this indicator.
    ``evaluate(text)`` evaluates an expression declared via
    ``Rater.expressions`` over the cohort.
    """

    indicator: str
    period: str
    full_marks: float
    n: int
    mask: np.ndarray
    groups: np.ndarray
    values: Callable[[str], np.ndarray]
    evaluate: Callable[[str], np.ndarray]
    ratings: RatingRows
    history: Callable[[str], np.ndarray] | None = None
    events: Mapping[str, np.ndarray] | None = None
    """The period's events as columns: ``subject`` (row index) plus every event
    field (type, date, points, confirmed, row and declared event_fields)."""
    evaluate_event: Callable[[str], np.ndarray] | None = None
    """Evaluate a declared event expression (``Rater.event_expressions``) over ``events``."""
    events_origin: str = ""
    """The events file, so a problem in one event can point at its line (``place_event``)."""

    def place_event(self, diagnostic: Diagnostic, line: int) -> Diagnostic:
        """``diagnostic`` about the event on ``line`` (its ``row``) placed in the events file."""
        if not self.events_origin:
            return diagnostic
        return diagnostic.with_location(file=self.events_origin, line=line, column=None, path="")


@dataclass
class RaterResult:
    """Scores on the indicator's own scale (0 … full marks, unless the
    rater's cap allows more). NaN means "no data": the indicator's
    missing-data policy decides what happens. ``details`` are per-subject
    columns shown by ``kaohe explain`` and in the JSON trace (e.g. target,
    rate); ``capped`` marks subjects whose score a cap or floor changed.
    """

    points: np.ndarray
    details: dict[str, np.ndarray] = field(default_factory=dict)
    capped: np.ndarray | None = None


class Rater(Component):
    """Scores one leaf indicator over the whole cohort."""

    kind = "rater"

    def inputs(self, params: Mapping[str, Any]) -> list[str]:
        """Names of the value inputs this rater reads (checked against the
        ruleset's declared ``inputs`` and shown by explain)."""
        return []

    def score(self, params: Mapping[str, Any], ctx: RaterContext) -> RaterResult:
        raise NotImplementedError


    def outcome_references(self, params: Mapping[str, Any]) -> dict[str, str]:
        """Parameters naming another outcome of the ruleset by its id (``{param key: id}``, e.g. the
        outcome whose notes a publicity list shows): ``kaohe validate`` reports an id the ruleset
        does not declare with its line (E-OUTCOME-REFERENCE), not when a handout is printed."""
        return {}

    def reads_across_groups(self, params: Mapping[str, Any]) -> bool:
        """Whether a subject's score may depend on subjects of other ranking groups (peer raters
        compare within ``ctx.groups``). A partitioned run (``kaohe evaluate --engine dask``) holds
        whole groups, not the whole period, so it refuses such a rater. True unless the plugin
        says otherwise: the safe answer."""
        return True
    def declares_above_full(self, params: Mapping[str, Any]) -> bool:
        """Whether these parameters say the score may pass full marks (an
        attainment ``cap: 1.2`` rewards over-fulfilment). When not, a score
        above full marks is a warning (W-SCORE-ABOVE-FULL): a band or formula
        giving more than the indicator is worth is usually a slip."""
        return "cap" in params


@dataclass
class RatingRows:
    """Survey rows (one per rater per subject) for one period and indicator.

    ``subject`` holds row indices into the cohort; ``score`` is numeric
    (NaN when the rater gave a vote instead); ``vote`` the vote label or None.
    """

    subject: np.ndarray
    group: np.ndarray
    rater: np.ndarray
    score: np.ndarray
    vote: np.ndarray
    row: np.ndarray | None = None
    """The line (or sheet row) of each rating in ``origin``, when read from a file."""
    origin: str = ""

    def place(self, diagnostic: Diagnostic, i: int) -> Diagnostic:
        """``diagnostic`` about rating ``i`` placed at its line in the ratings file: the data, not the
        ruleset, is what to correct. Unchanged when the ratings were not read from a file."""
        if not self.origin or self.row is None or len(self.row) != len(self.subject):
            return diagnostic
        return diagnostic.with_location(file=self.origin, line=int(self.row[i]), column=None, path="")

    @classmethod
    def empty(cls) -> RatingRows:
        return cls(
            np.zeros(0, dtype=np.int64), np.zeros(0, dtype=object), np.zeros(0, dtype=object),
            np.zeros(0, dtype=float), np.zeros(0, dtype=object),
        )

    def __len__(self) -> int:
        return len(self.subject)


# ---------------------------------------------------------------------------
# Data sources


@dataclass
class RawTable:
    """Rows as read from a source, before kaohe checks and types them.

    ``origin`` names the file (or system) for error messages;
    ``row_numbers[i]`` is the 1-based line or sheet row of ``rows[i]``.
    Cells are strings, numbers, booleans, dates or None.
    """

    columns: list[str]
    rows: Sequence[list[Any]]  # a list of row lists; a columnar source may give ``data.columnar.ColumnRows``
    origin: str
    row_numbers: list[int]
    header_line: int | None = None
    """Line or sheet row of the column names, so column problems point at it."""


class DataSource(Component):
    """Reads one table for a ruleset from a file or local system."""

    kind = "data_source"

    def read(self, params: Mapping[str, Any], base_dir: Path) -> RawTable:
        """Return the table. Raise ``kaohe.engine.errors.KaoheError`` with a
        located ``Diagnostic`` when the source cannot be read."""
        raise NotImplementedError


# ---------------------------------------------------------------------------
# Outcomes and allocators


MONEY = "_money"
"""In ``OutcomeContext.env``: earlier money outcomes' exact Decimal columns by outcome id. Expressions
see money as float, which loses a yuan above 2^53; a component reading an earlier amount by name
should take these."""


@dataclass
class OutcomeContext:
    """What an outcome sees for one period after grading.

    ``env`` holds per-subject columns by name (total, rank, group_size,
    grade, grade_factor, coefficient, months_on_post, class, unit, id,
    vetoed, plus columns exported by earlier outcomes). ``evaluate(text)``
    evaluates a declared expression over them. ``mask`` marks subjects that
    were graded (not excluded). ``order`` is the declared deterministic order
    of subjects (best first) used to break ties, e.g. for remainders.
    """

    outcome: str
    period: str
    n: int
    env: Mapping[str, Any]  # columns, and the ``score`` record (indicator id -> column)
    evaluate: Callable[[str], np.ndarray]
    mask: np.ndarray
    order: np.ndarray
    indicators: Mapping[str, tuple[str, float, str | None]] = field(default_factory=dict)
    """Indicator id -> (title, full marks, parent id), for outcomes that compare dimensions."""
    events: Mapping[str, np.ndarray] | None = None
    """The period's events as columns: ``subject`` (row index) plus every event
    field (type, date, points, confirmed, row and declared event_fields)."""
    evaluate_event: Callable[[str], np.ndarray] | None = None
    """Evaluate a declared event expression over ``events``."""


@dataclass
class OutcomeResult:
    """Per-subject outcome values, stored under the outcome's id.

    ``values`` is an array of length n (Decimal for money, bool for flags,
    str for labels, None where it does not apply). ``notes`` explain each
    value (e.g. "quota 3 of 15"). ``exports`` are extra named columns that
    later outcomes may read (e.g. ``zero_bonus``).
    """

    values: np.ndarray
    notes: np.ndarray | None = None
    exports: dict[str, np.ndarray] = field(default_factory=dict)


class Outcome(Component):
    """Reads graded results of a period and produces one value per subject."""

    kind = "outcome"

    def apply(self, params: Mapping[str, Any], ctx: OutcomeContext) -> OutcomeResult:
        raise NotImplementedError

    def outcome_references(self, params: Mapping[str, Any]) -> dict[str, str]:
        """Parameters naming another outcome of the ruleset by its id (``{param key: id}``, e.g. the
        outcome whose notes a publicity list shows): ``kaohe validate`` reports an id the ruleset
        does not declare with its line (E-OUTCOME-REFERENCE), not when a handout is printed."""
        return {}

    def reads_across_groups(self, params: Mapping[str, Any]) -> bool:
        """Whether a subject's value may depend on subjects of other ranking groups (a pool
        shared by the whole period, the bottom of everyone). A partitioned run
        (``kaohe evaluate --engine dask``) holds whole groups, not the whole period, so it
        refuses such an outcome. True unless the plugin says otherwise: the safe answer."""
        return True


class Allocator(Outcome):
    """An outcome that distributes money or points; amounts are ``Decimal``."""

    kind = "allocator"


# ---------------------------------------------------------------------------
# Exporters


class ExportedResults(Protocol):
    """What an exporter's ``write`` may ask of one evaluation's results (implemented by
    ``kaohe.engine.report.output.Results``; the contract names only these methods)."""

    def document(self) -> dict[str, Any]: ...

    def document_stream(self) -> dict[str, Any]: ...

    def header(self) -> list[str]: ...

    def column_ids(self) -> list[str]: ...

    def period_columns(self) -> Iterator[list[Any]]: ...

    def outcome_columns(self) -> list[list[list[Any]]]: ...


class Exporter(Component):
    """Renders results: ``export`` a results document (see ``schemas/results.schema.json``) as bytes;
    ``write`` streams an evaluation's results to a file. ``write`` builds the whole document and
    calls ``export`` unless the exporter overrides it to read ``results`` as columns or as a stream
    (``kaohe.engine.report.output.Results``) and never hold everything at once."""

    kind = "exporter"
    suffix: ClassVar[str] = ".txt"
    last_period_only: ClassVar[bool] = False  # the output shows the last period alone (a report)

    def export(self, document: Mapping[str, Any]) -> bytes:
        raise NotImplementedError

    def write(self, results: ExportedResults, out: BinaryIO) -> None:
        out.write(self.export(results.document()))


def money(value: Any) -> Decimal:
    """Exact money from YAML or data (strings and ints stay exact)."""
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(str(value))


__all__ = [
    "Allocator", "Component", "DataSource", "Exporter", "Expression", "Outcome",
    "OutcomeContext", "OutcomeResult", "Problem", "RatingRows", "RawTable", "Rater",
    "RaterContext", "RaterResult", "money",
]


def where_or_none(condition: Any, values: Any) -> np.ndarray:
    """``values`` where ``condition`` holds and ``None`` elsewhere, as an object
    column (an outcome's value for subjects it does not concern)."""
    result: np.ndarray = np.where(np.asarray(condition, dtype=bool), np.asarray(values, dtype=object),
                                  np.array(None, dtype=object))
    return result
