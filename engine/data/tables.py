"""Typed data tables, their digest, and the cell converters that build them.

The tables are columnar (numpy arrays, one entry per row) and immutable in
practice. ``kaohe.engine.data.load`` reads sources and checks cells; this module holds
what the rest of the engine sees.

Digest (``Dataset.digest``): sha256 over a canonical serialisation of the
typed tables, so it does not depend on the file format, the column order or
the layout (long or wide values). It covers, per table:

- subjects: id, name, unit, class, joined, left and every extra column
  (sorted by name), rows in id order;
- values: every (period, input) group in sorted label order, each as the
  subject indices and values of its rows in subject order;
- events: subject, date, period, type, points, confirmed and every extra
  field (sorted by name), in file order (order matters: "the second red
  card"); source row numbers are not covered;
- ratings: subject, period, indicator, group, rater, score and vote in file
  order;
- history (only when it has rows, so data without one keeps its digest):
  subject, year and every history field (sorted by name), in file order;
- items (likewise only when it has rows): id, subject, opened, deadline,
  closed, owner and every item field (sorted by name), in file order.

Origins (file names) and row numbers are not covered, so moving or
re-exporting a file keeps the digest. Floats are hashed as little-endian
IEEE doubles (NaN canonical, -0 as 0), dates as day numbers, text as UTF-8.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import gc
import hashlib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from numbers import Real
from typing import Any, TypeAlias

import numpy as np
from numpy.typing import NDArray

from kaohe.engine.data.numbers import office_period
from kaohe.engine.data.periods import parse_period
from kaohe.engine.errors import Diagnostic
from kaohe.engine.language.truth import NO_WORDS, YES_WORDS

NAT = np.iinfo(np.int64).min  # int64 view of numpy's NaT
_EPOCH = dt.date(1970, 1, 1)
_EXCEL_EPOCH = dt.date(1899, 12, 30)  # Excel serial day 1 = 1900-01-01 (with its leap-year bug)
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T].*)?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_TRUE = YES_WORDS  # one word list for cells and for conditions (language.truth)
_FALSE = NO_WORDS

# Column types: one entry per row (per subject for Subjects).
Texts: TypeAlias = NDArray[np.object_]
"""Trimmed ``str`` ("" when blank); ``Ratings.vote`` holds None when blank."""
Numbers: TypeAlias = NDArray[np.float64]
"""float64, NaN when blank."""
Days: TypeAlias = NDArray[np.datetime64]
"""datetime64[D], NaT when blank."""
Flags: TypeAlias = NDArray[np.bool_]
Indices: TypeAlias = NDArray[np.int64]
"""Subject positions (-1 where unknown) and source row numbers."""
Rows: TypeAlias = NDArray[np.intp]
"""Row positions within a table."""

# ---------------------------------------------------------------------------
# Cells


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Parsing allocates millions of lists and strings but no cycles; the
    cyclic collector would rescan them again and again (about 2x slower)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def is_blank(cell: Any) -> bool:
    if cell is None:
        return True
    if isinstance(cell, str):
        return not cell.strip()
    return isinstance(cell, float) and cell != cell


def cell_text(cell: Any) -> str:
    """A cell as trimmed text; numbers as written (1001, not 1001.0)."""
    if cell is None:
        return ""
    if isinstance(cell, str):
        return cell.strip()
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, float):
        if cell != cell:
            return ""
        return str(int(cell)) if cell.is_integer() else repr(cell)
    if isinstance(cell, dt.datetime):
        return cell.date().isoformat() if cell.time() == dt.time() else cell.isoformat(sep=" ")
    if isinstance(cell, dt.date):
        return cell.isoformat()
    return str(cell).strip()


def texts(cells: Sequence[Any]) -> Texts:
    """Trimmed text of each cell ("" when blank), as an object array."""
    if set(map(type, cells)) <= {str}:
        return np.array(list(map(str.strip, cells)), dtype=object)
    return np.array([cell_text(c) for c in cells], dtype=object)


# Full-width digits and signs typed with a Chinese input method read as their ASCII forms; other
# scripts' digits (Arabic-Indic …) and Python's digit separator 1_0 are not numbers in a data cell.
_FULL_WIDTH = str.maketrans("０１２３４５６７８９．－＋", "0123456789.-+")


def _number(cell: Any) -> float | None:
    """float, NaN when blank, None when not a number."""
    if is_blank(cell):
        return np.nan
    if isinstance(cell, bool) or not isinstance(cell, (str, Real, decimal.Decimal)):
        return None
    if isinstance(cell, str):
        cell = cell.translate(_FULL_WIDTH)
        if not cell.isascii() or "_" in cell:
            return None
    try:
        value = float(cell)
    except (ValueError, OverflowError):
        return None
    return value if np.isfinite(value) else None


def _plain_text(cells: Sequence[Any]) -> bool:
    """Whether every text cell is ASCII without "_" (float() would also take １２, ١٢ and 1_0)."""
    try:
        joined = "".join(cells)  # a CSV column is all text: one pass in C
    except TypeError:
        joined = "".join(c for c in cells if isinstance(c, str))
    return joined.isascii() and "_" not in joined


def numbers(cells: Sequence[Any]) -> tuple[Numbers, list[int]]:
    """float64 column (NaN when blank) and the positions of cells that are not numbers."""
    if not _plain_text(cells):  # the careful path: full-width digits read, other scripts refused
        out = np.array([_number(c) for c in cells], dtype=float)
        return out, [i for i in np.flatnonzero(np.isnan(out)).tolist() if _number(cells[i]) is None]
    try:  # fast paths: float() on every cell, odd results checked one by one afterwards
        try:
            out = np.fromiter(map(float, cells), dtype=float, count=len(cells))
        except (ValueError, TypeError):  # blank cells
            out = np.array([np.nan if c is None or c == "" else float(c) for c in cells], dtype=float)
    except (ValueError, TypeError, OverflowError):
        out = np.array([_number(c) for c in cells], dtype=float)  # None (bad) becomes NaN
        return out, [i for i in np.flatnonzero(np.isnan(out)).tolist() if _number(cells[i]) is None]
    # NaN/inf may be blanks or "nan" written out; 0 and 1 may be booleans, which float() accepts
    odd = np.flatnonzero(~np.isfinite(out) | (out == 0.0) | (out == 1.0)).tolist()
    bad = [i for i in odd if _number(cells[i]) is None]
    out[bad] = np.nan
    return out, bad


def _convert(cells: Sequence[Any], convert: Any) -> tuple[list[Any], list[int]]:
    """Apply ``convert`` once per distinct cell (columns repeat values a lot);
    ``convert`` returns None for a bad cell."""
    keys = list(zip(map(type, cells), cells, strict=True))  # keeps 1, 1.0 and True apart
    try:
        cache = {key: convert(key[1]) for key in set(keys)}
    except TypeError:  # an unhashable cell (a list written inline): convert one by one
        out = [convert(cell) for cell in cells]
        return out, [i for i, value in enumerate(out) if value is None]
    out = [cache[key] for key in keys]
    bad_keys = {key for key, value in cache.items() if value is None}
    bad = [i for i, key in enumerate(keys) if key in bad_keys] if bad_keys else []
    return out, bad


def _days(cell: Any) -> int | None:
    if is_blank(cell):
        return NAT
    if isinstance(cell, dt.datetime):
        cell = cell.date()
    if isinstance(cell, dt.date):
        return (cell - _EPOCH).days
    if isinstance(cell, (int, float)) and not isinstance(cell, bool):
        if 18264 <= cell < 73051:  # an Excel serial date (a cell not formatted as a date), 1950-2099
            return (_EXCEL_EPOCH - _EPOCH).days + int(cell)
        cell = cell_text(cell)  # maybe 20250301
    if not isinstance(cell, str):
        return None
    text = cell.strip()
    match = _DATE.match(text) or _COMPACT_DATE.match(text)
    if not match:
        return None
    try:
        return (dt.date(int(match[1]), int(match[2]), int(match[3])) - _EPOCH).days
    except ValueError:
        return None


def dates(cells: Sequence[Any]) -> tuple[Days, list[int]]:
    """datetime64[D] column (NaT when blank) and the positions of bad dates."""
    days, bad = _convert(cells, _days)
    for i in bad:
        days[i] = NAT
    return np.array(days, dtype=np.int64).view("datetime64[D]"), bad


def _bool(cell: Any) -> bool | None:
    if is_blank(cell):
        return True
    if isinstance(cell, bool):
        return cell
    text = cell_text(cell).lower()
    return True if text in _TRUE else False if text in _FALSE else None


def bools(cells: Sequence[Any]) -> tuple[Flags, list[int]]:
    """bool column (blank means True) and the positions of cells not understood."""
    flags, bad = _convert(cells, _bool)
    return np.array([f is not False for f in flags], dtype=bool), bad


def _period(cell: Any) -> str | None:
    if is_blank(cell):
        return ""
    text = cell_text(cell)
    period = parse_period(text)
    return period.id if period else office_period(text)  # 2025年第二季度, 2025年3月


def periods(cells: Sequence[Any]) -> tuple[Texts, list[int]]:
    """Canonical period ids ("" when blank) and the positions of bad periods."""
    ids, bad = _convert(cells, _period)
    for i in bad:
        ids[i] = ""
    return np.array(ids, dtype=object), bad


# ---------------------------------------------------------------------------
# Tables


@dataclass
class Subjects:
    """Row i is subject i; rows sorted by id."""

    ids: Texts
    index: dict[str, int]
    name: Texts
    unit: Texts
    cls: Texts
    joined: Days
    left: Days
    extra: dict[str, Numbers | Texts] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def empty(cls) -> Subjects:
        text, day = np.zeros(0, dtype=object), np.zeros(0, dtype="datetime64[D]")
        return cls(text, {}, text.copy(), text.copy(), text.copy(), day, day.copy())


@dataclass
class Values:
    """Input values, one row per (subject, period, input)."""

    subject: Indices
    period: Texts
    input: Texts
    value: Numbers
    n_subjects: int
    _groups: dict[tuple[str, str], Rows] | None = field(
        default=None, init=False, repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.subject)

    @classmethod
    def empty(cls, n_subjects: int) -> Values:
        text = np.zeros(0, dtype=object)
        return cls(np.zeros(0, dtype=np.int64), text, text.copy(), np.zeros(0), n_subjects)

    def column(self, period: str, input: str) -> Numbers:
        """float64 per subject, NaN where the value is absent."""
        out = np.full(self.n_subjects, np.nan)
        rows = self.groups().get((period, input))
        if rows is not None:
            out[self.subject[rows]] = self.value[rows]
        return out

    def index_codes(self, p_labels: list[str], p_codes: NDArray[np.integer[Any]], i_labels: list[str],
                    i_codes: NDArray[np.integer[Any]]) -> None:
        """Build the pivot from codes a reader already has (sorted labels, one code per row)."""
        self._groups = pivot_codes(p_labels, p_codes, i_labels, i_codes)

    def groups(self) -> dict[tuple[str, str], Rows]:
        """Row positions of each (period, input), cached; built with one sort."""
        if self._groups is None:
            self._groups = _pivot(self.period, self.input)
        return self._groups

    def periods(self) -> list[str]:
        return sorted({p for p, _ in self.groups()})

    def inputs(self) -> list[str]:
        return sorted({i for _, i in self.groups()})


def _pivot(period: Texts, input: Texts) -> dict[tuple[str, str], Rows]:
    return pivot_codes(*label_codes(period), *label_codes(input))


def pivot_codes(p_labels: list[str], p_codes: NDArray[np.integer[Any]], i_labels: list[str],
                i_codes: NDArray[np.integer[Any]]) -> dict[tuple[str, str], Rows]:
    """Row positions of each (period, input) from integer codes of sorted labels."""
    if len(p_codes) == 0:
        return {}
    size = len(p_labels) * len(i_labels)
    # numpy's stable sort of small ints is a radix sort
    small: type[np.integer[Any]] = np.uint16 if size < 2**16 else np.int64
    key = p_codes.astype(small) * small(len(i_labels)) + i_codes.astype(small)
    order = np.argsort(key, kind="stable")
    counts = np.bincount(key, minlength=size)
    ends = np.cumsum(counts)
    groups: dict[tuple[str, str], Rows] = {}
    for code in np.flatnonzero(counts).tolist():  # one step per (period, input), not per row
        p, i = divmod(code, len(i_labels))
        groups[(p_labels[p], i_labels[i])] = order[ends[code] - counts[code]:ends[code]]
    return groups


def label_codes(labels: Texts) -> tuple[list[str], Indices]:
    """Sorted distinct labels and each entry's code, without sorting the entries."""
    distinct = sorted(set(labels.tolist()))
    lookup = {label: code for code, label in enumerate(distinct)}
    return distinct, np.fromiter(map(lookup.__getitem__, labels), dtype=np.int64, count=len(labels))


@dataclass
class Events:
    """One row per event, in file order."""

    subject: Indices
    date: Days
    period: Texts
    type: Texts
    points: Numbers
    confirmed: Flags
    fields: dict[str, Numbers | Texts]
    row: Indices
    origin: str = ""  # the file, so a problem found in one event can point at its line

    def __len__(self) -> int:
        return len(self.subject)

    @classmethod
    def empty(cls) -> Events:
        obj = np.zeros(0, dtype=object)
        return cls(np.zeros(0, dtype=np.int64), np.zeros(0, dtype="datetime64[D]"), obj, obj.copy(),
                   np.zeros(0), np.zeros(0, dtype=bool), {}, np.zeros(0, dtype=np.int64))


@dataclass
class Ratings:
    """One row per rating (a rater's score or vote for a subject), in file order."""

    subject: Indices
    period: Texts
    indicator: Texts
    group: Texts
    rater: Texts
    score: Numbers
    vote: Texts
    row: Indices = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    """The line (sheet row) of each rating in ``origin``; empty for ratings not read from a file."""
    origin: str = ""

    def __len__(self) -> int:
        return len(self.subject)

    @classmethod
    def empty(cls) -> Ratings:
        obj = np.zeros(0, dtype=object)
        return cls(np.zeros(0, dtype=np.int64), obj, obj.copy(), obj.copy(), obj.copy(), np.zeros(0), obj.copy())


@dataclass
class History:
    """Previous years' results, one row per (subject, year): the declared
    history fields (grade, total, flags …) as free columns."""

    subject: Indices
    year: NDArray[np.int64]
    fields: dict[str, Numbers | Texts]
    since: int | None = None
    """First year the source was asked for (``history: {source: store, years: N}``): the years
    functions start there even when nothing was found for it, so a missing first year is a gap."""

    def __len__(self) -> int:
        return len(self.subject)

    @classmethod
    def empty(cls) -> History:
        return cls(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), {})


@dataclass
class Items:
    """Rectification (整改 / 督办) items, one row per item in file order: each has a life
    from ``opened`` to ``closed`` (NaT while open) and a ``deadline``; the evaluation
    places them in every period they are alive in (``kaohe.engine.evaluation.items``)."""

    id: Texts
    subject: Indices
    opened: Days
    deadline: Days
    closed: Days
    owner: Texts
    fields: dict[str, Numbers | Texts]
    row: Indices
    origin: str = ""

    def __len__(self) -> int:
        return len(self.id)

    @classmethod
    def empty(cls) -> Items:
        text, day = np.zeros(0, dtype=object), np.zeros(0, dtype="datetime64[D]")
        index = np.zeros(0, dtype=np.int64)
        return cls(text, index, day, day.copy(), day.copy(), text.copy(), {}, index.copy())


@dataclass
class Dataset:
    """The typed tables a ruleset reads; see the module docstring for ``digest``."""

    subjects: Subjects
    values: Values
    events: Events
    ratings: Ratings
    origins: dict[str, str]
    digest: str = ""
    history: History = field(default_factory=History.empty)
    items: Items = field(default_factory=Items.empty)
    fixture: bool = False  # rows written in a test case, holding only the inputs the case is about
    warnings: list[Diagnostic] = field(default_factory=list)  # from the sources (a year missing from the store)


# ---------------------------------------------------------------------------
# Digest


def dataset_digest(subjects: Subjects, values: Values, events: Events, ratings: Ratings,
                   history: History | None = None, items: Items | None = None) -> str:
    h = hashlib.sha256(b"kaohe-data-1\n")
    _section(h, "subjects", {
        "id": subjects.ids, "name": subjects.name, "unit": subjects.unit, "class": subjects.cls,
        "joined": subjects.joined, "left": subjects.left,
    }, subjects.extra)
    h.update(b"\x1evalues\n")
    for (period, name), rows in sorted(values.groups().items()):
        rows = rows[np.argsort(values.subject[rows], kind="stable")]
        _section(h, f"{period}\x1f{name}", {"subject": values.subject[rows], "value": values.value[rows]})
    _section(h, "events", {
        "subject": events.subject, "date": events.date, "period": events.period, "type": events.type,
        "points": events.points, "confirmed": events.confirmed,
    }, events.fields)
    _section(h, "ratings", {
        "subject": ratings.subject, "period": ratings.period, "indicator": ratings.indicator,
        "group": ratings.group, "rater": ratings.rater, "score": ratings.score, "vote": ratings.vote,
    })
    if history is not None and len(history):  # absent history keeps the digests of earlier data
        _section(h, "history", {"subject": history.subject, "year": history.year}, history.fields)
    if items is not None and len(items):  # likewise: data without items keeps its digest
        _section(h, "items", {
            "id": items.id, "subject": items.subject, "opened": items.opened, "deadline": items.deadline,
            "closed": items.closed, "owner": items.owner,
        }, items.fields)
    return "sha256:" + h.hexdigest()


def _section(h: hashlib._Hash, name: str, columns: dict[str, np.ndarray], extra: dict[str, np.ndarray] | None = None) -> None:
    h.update(f"\x1e{name}\n".encode())
    named = [*columns.items(), *sorted((f"+{k}", v) for k, v in (extra or {}).items())]
    for label, column in named:
        data = _column_bytes(column)
        h.update(f"{label}\x1f{column.dtype.kind}\x1f{len(column)}\x1f{len(data)}\n".encode())
        h.update(data)


def _column_bytes(column: np.ndarray) -> bytes:
    kind = column.dtype.kind
    if kind == "f":
        clean = np.where(np.isnan(column), np.nan, column + 0.0)  # one NaN, no -0
        return clean.astype("<f8").tobytes()
    if kind in "iu":
        return column.astype("<i8").tobytes()
    if kind == "M":
        return column.astype("datetime64[D]").view(np.int64).astype("<i8").tobytes()
    if kind == "b":
        return column.astype(np.uint8).tobytes()
    return "\x1f".join("\x00" if v is None else str(v) for v in column.tolist()).encode()
