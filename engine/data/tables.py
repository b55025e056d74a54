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
    lines: NDArray[np.int64] | None = field(default=None, compare=False)  # each subject's line in its file
    columns: dict[str, int] = field(default_factory=dict, compare=False)  # column -> its position in the file
    _cache: dict[str, tuple[Any, ...]] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.ids)

    def dated(self) -> Flags:
        """Subjects with a joined or a left date (the others are on post all year), once for the dataset."""
        found: Flags = _cached(self._cache, "dated", self.joined,
                               lambda joined: _frozen(~(np.isnat(joined) & np.isnat(self.left))))
        return found

    def class_codes(self) -> tuple[list[str], Indices]:
        """Sorted distinct classes and each subject's code, computed once for the dataset
        (every period's cohort reads them)."""
        found: tuple[list[str], Indices] = _cached(self._cache, "class", self.cls, sorted_codes)
        return found

    @classmethod
    def empty(cls) -> Subjects:
        text, day = np.zeros(0, dtype=object), np.zeros(0, dtype="datetime64[D]")
        return cls(text, {}, text.copy(), text.copy(), text.copy(), day, day.copy())


@dataclass
class Values:
    """Input values, one row per (subject, period, input). A reader that has each row's period and
    input as integer codes builds it with ``coded``: no text per row is held (a province's values
    table has tens of millions of rows), and ``period``/``input`` are made when asked for."""

    subject: NDArray[np.integer[Any]]  # subject positions (32 bits when built by the loader)
    _period: Texts | None
    _input: Texts | None
    value: Numbers
    n_subjects: int
    _groups: dict[tuple[str, str], Rows] | None = field(
        default=None, init=False, repr=False, compare=False)
    _labels: tuple[list[str], NDArray[np.integer[Any]], list[str], NDArray[np.integer[Any]]] | None = field(
        default=None, init=False, repr=False, compare=False)
    _dense: dict[tuple[int, int], bool] = field(default_factory=dict, init=False, repr=False, compare=False)
    period_lines: dict[str, int] = field(default_factory=dict, init=False, repr=False, compare=False)
    """Each period's first line in the values file (where a warning about that period points)."""

    def __len__(self) -> int:
        return len(self.subject)

    @classmethod
    def empty(cls, n_subjects: int) -> Values:
        text = np.zeros(0, dtype=object)
        return cls(np.zeros(0, dtype=np.int64), text, text.copy(), np.zeros(0), n_subjects)

    @classmethod
    def coded(cls, subject: NDArray[np.integer[Any]], p_labels: list[str], p_codes: NDArray[np.integer[Any]], i_labels: list[str],
              i_codes: NDArray[np.integer[Any]], value: Numbers, n_subjects: int) -> Values:
        """From each row's period and input code (sorted labels), the pivot built at once."""
        values = cls(subject, None, None, value, n_subjects)
        values._labels = (p_labels, p_codes, i_labels, i_codes)
        values.index_codes(p_labels, p_codes, i_labels, i_codes)
        return values

    @property
    def period(self) -> Texts:
        """Each row's period (made from the codes when built ``coded``)."""
        if self._period is not None:
            return self._period
        assert self._labels is not None
        return _decoded(self._labels[0], self._labels[1])

    @property
    def input(self) -> Texts:
        """Each row's input name (made from the codes when built ``coded``)."""
        if self._input is not None:
            return self._input
        assert self._labels is not None
        return _decoded(self._labels[2], self._labels[3])

    def column(self, period: str, input: str) -> Numbers:
        """float64 per subject, NaN where the value is absent (not to be changed in place: it may
        be a read-only view of the table)."""
        rows = self.groups().get((period, input))
        if rows is not None and len(rows):
            first, last = int(rows[0]), int(rows[-1])
            if last - first + 1 == len(rows):  # one block of the table (a wide sheet's column): no gather
                if self._in_subject_order(first, last + 1):  # the block is the column: shared, read-only
                    dense: Numbers = self.value[first:last + 1]
                    return _frozen(dense.view())
                out = np.full(self.n_subjects, np.nan)
                out[self.subject[first:last + 1]] = self.value[first:last + 1]
                return out
        out = np.full(self.n_subjects, np.nan)
        if rows is not None:
            out[self.subject[rows]] = self.value[rows]
        return out

    def _in_subject_order(self, start: int, stop: int) -> bool:
        """Whether rows start…stop hold subjects 0, 1, 2 … in order, every subject once (checked
        once per block: then the block is the column itself)."""
        if stop - start != self.n_subjects:
            return False
        known = self._dense.get((start, stop))
        if known is None:
            known = self._dense[(start, stop)] = bool(np.array_equal(self.subject[start:stop], np.arange(stop - start)))
        return known

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


def _decoded(labels: list[str], codes: NDArray[np.integer[Any]]) -> Texts:
    """Each entry's label by its code."""
    texts: Texts = np.array(labels, dtype=object)[codes]
    return texts


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
    if len(order) < 2**31:  # half the memory for the positions of a big table
        order = order.astype(np.int32)
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


@dataclass(frozen=True)
class TextCodes:
    """A text column as integer codes: ``labels`` sorted, ``codes[i]`` the label of entry i.
    Comparing codes with one label's code is what ``column == 'text'`` means, without a string
    comparison per entry."""

    labels: list[str]
    lookup: dict[str, int]
    codes: NDArray[np.int32]

    def take(self, rows: np.ndarray) -> TextCodes:
        return TextCodes(self.labels, self.lookup, self.codes[rows])

    def fixed_width(self) -> NDArray[np.str_]:
        """The column as numpy fixed-width text (what ``column.astype(str)`` gives)."""
        texts: NDArray[np.str_] = np.array(self.labels, dtype=str)[self.codes]
        return texts


def text_codes(column: np.ndarray) -> TextCodes | None:
    """Codes of an object column that holds only text; None for anything else (numbers, blanks
    as None, or a text numpy's fixed-width form would change: one ending in NUL)."""
    if column.dtype != object or not len(column):
        return None
    entries = column.tolist()
    distinct = set(entries)  # a non-text entry never equals a text, so it stays in the set
    if any(type(label) is not str or label.endswith("\x00") for label in distinct):
        return None
    labels = sorted(distinct)
    lookup = {label: code for code, label in enumerate(labels)}
    codes = np.fromiter(map(lookup.__getitem__, entries), dtype=np.int32, count=len(entries))
    return TextCodes(labels, lookup, codes)


def sorted_codes(column: np.ndarray) -> tuple[list[str], Indices]:
    """``np.unique(column.astype(str), return_inverse=True)`` as (labels, int64 codes), without
    converting every entry to fixed-width text when the column is plain text."""
    coded = text_codes(column)
    if coded is not None:
        return coded.labels, coded.codes.astype(np.int64)
    labels, codes = np.unique(np.asarray(column).astype(str), return_inverse=True)
    return [str(x) for x in labels], codes.reshape(len(column)).astype(np.int64)


def _cached(cache: dict[str, tuple[Any, ...]], key: str, source: np.ndarray, build: Any) -> Any:
    """``build(source)`` remembered per table while ``source`` is the same array (a table whose
    column was replaced gets a fresh result; columns are never changed in place)."""
    found = cache.get(key)
    if found is None or found[0] is not source:
        found = cache[key] = (source, build(source))
    return found[1]


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
    _cache: dict[str, tuple[Any, ...]] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.subject)

    def text_codes(self, name: str) -> TextCodes | None:
        """Codes of the text column ``name`` (``type`` or a text field), once for the dataset;
        None when it is not plain text."""
        column = getattr(self, name) if name in ("type", "points", "confirmed") else self.fields.get(name)
        if column is None:
            return None
        found: TextCodes | None = _cached(self._cache, f"codes:{name}", column, text_codes)
        return found

    def in_order(self) -> Rows:
        """Positions of all events in date order (NaT last), then source row order: sorted once
        for the dataset. ``np.lexsort((row, date))``, by a radix sort of day numbers when rows
        are in source order and the dates span less than 179 years."""
        found: Rows = _cached(self._cache, "order", self.date, lambda _: _frozen(_date_order(self.date, self.row)))
        return found

    def placed_dates(self) -> Days:
        """The date that places each event in a period: its own date, or the first day of the
        period written in its ``period`` column; once for the dataset (read-only)."""
        def placed(_: Any) -> Days:
            dates = self.date.copy()
            for i in self.period_rows().tolist():
                period = parse_period(self.period[i])
                if period is not None:
                    dates[i] = np.datetime64(period.start)
            return _frozen(dates)
        found: Days = _cached(self._cache, "placed", self.date, placed)
        return found

    def order_rank(self) -> Rows:
        """Each event's place in ``in_order()``, once for the dataset."""
        def rank(_: Any) -> Rows:
            order = self.in_order()
            places = np.empty(len(order), dtype=np.intp)
            places[order] = np.arange(len(order))
            return places
        found: Rows = _cached(self._cache, "rank", self.date, rank)
        return found

    def subjects_in_order(self) -> Indices:
        """``subject`` of every event in date order (``in_order()``), once for the dataset; a
        period's events are usually a block of it."""
        found: Indices = _cached(self._cache, "subjects_in_order", self.subject, lambda s: _frozen(s[self.in_order()]))
        return found

    def codes_in_order(self, name: str) -> TextCodes | None:
        """``text_codes(name)`` of every event in date order, once for the dataset."""
        codes = self.text_codes(name)
        if codes is None:
            return None
        found: TextCodes = _cached(self._cache, f"codes_in_order:{name}", codes.codes,
                                   lambda _: TextCodes(codes.labels, codes.lookup, _frozen(codes.codes[self.in_order()])))
        return found

    def in_period(self, dates: Days, start: Any, end: Any, order: Rows | None = None) -> Rows:
        """Positions, in ``order`` (default ``in_order()``), of the events whose ``dates`` fall
        from ``start`` to ``end`` (inclusive). With the dataset's own order and ``placed_dates()``
        sorted in it (no event placed by its period column elsewhere), a period is one block of
        that order, found by binary search and returned as a slice of it (read-only)."""
        order = self.in_order() if order is None else order
        first, last = np.datetime64(start, "D"), np.datetime64(end, "D")
        if len(order) and order is self.in_order() and dates is self.placed_dates():
            placed = self._placed_in_order()
            if placed is not None:  # sorted: the block from the first date ≥ start to the last ≤ end
                a, b = int(np.searchsorted(placed, first, "left")), int(np.searchsorted(placed, last, "right"))
                block: Rows = order[a:max(a, b)]
                return block
        if not len(dates):
            return order[:0]
        inside = ((dates >= first) & (dates <= last))[order]
        positions = np.flatnonzero(inside)
        if len(positions) and positions[-1] - positions[0] + 1 == len(positions):
            return order[positions[0]:positions[-1] + 1]
        found: Rows = order[positions]
        return found

    def _placed_in_order(self) -> Days | None:
        """``placed_dates()`` in ``in_order()`` when that is sorted (NaT, which no period holds,
        only at the end); None otherwise. Once for the dataset."""
        def sorted_or_none(_: Any) -> Days | None:
            placed = self.placed_dates()[self.in_order()]
            missing = np.isnat(placed)
            dated = len(placed) - int(missing.sum())
            head = placed[:dated]
            if missing[:dated].any() or not bool(np.all(head[1:] >= head[:-1])):
                return None
            return _frozen(head)
        found: Days | None = _cached(self._cache, "placed_in_order", self.date, sorted_or_none)
        return found

    def period_rows(self) -> Rows:
        """Positions of the events placed by their ``period`` column, once for the dataset."""
        found: Rows = _cached(self._cache, "period_rows", self.period, lambda p: np.flatnonzero(p != ""))
        return found

    @classmethod
    def empty(cls) -> Events:
        obj = np.zeros(0, dtype=object)
        return cls(np.zeros(0, dtype=np.int64), np.zeros(0, dtype="datetime64[D]"), obj, obj.copy(),
                   np.zeros(0), np.zeros(0, dtype=bool), {}, np.zeros(0, dtype=np.int64))


def _frozen(array: np.ndarray) -> np.ndarray:
    """``array`` made read-only: a column shared by every period must not be changed by one."""
    array.flags.writeable = False
    return array


def _date_order(date: Days, row: Indices) -> Rows:
    """``np.lexsort((row, date))`` (NaT last)."""
    if len(date) == 0:
        return np.zeros(0, dtype=np.intp)
    days = date.astype("datetime64[D]").view(np.int64)
    known = days != NAT
    in_source_order = len(row) == len(date) and bool(np.all(row[1:] > row[:-1]))
    if not in_source_order or not known.any():
        order: Rows = np.lexsort((row, date))
        return order
    low, high = int(days[known].min()), int(days[known].max())
    if high - low + 1 >= 2**16:
        order = np.lexsort((row, date))
        return order
    # a stable sort keeps source order among equal days; numpy sorts 16-bit keys by radix
    key = np.where(known, days - low, high - low + 1).astype(np.uint16)
    order = np.argsort(key, kind="stable")
    return order


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
    history: History = field(default_factory=History.empty)
    items: Items = field(default_factory=Items.empty)
    fixture: bool = False  # rows written in a test case, holding only the inputs the case is about
    warnings: list[Diagnostic] = field(default_factory=list)  # from the sources (a year missing from the store)
    _digest: str | None = field(default="", repr=False)  # None: to be worked out when asked for

    @property
    def digest(self) -> str:
        """``dataset_digest`` of the tables ("" for tables that did not load whole), worked out when
        first asked for: a run writing a table, CSV or Parquet never asks (some 50 ms of hashing a
        city's values). The tables are not changed once loaded."""
        if self._digest is None:
            self._digest = dataset_digest(self.subjects, self.values, self.events, self.ratings, self.history,
                                          self.items)
        return self._digest

    def digest_when_asked(self) -> None:
        """The digest is to be worked out (tables loaded whole)."""
        self._digest = None


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
        holders = values.subject[rows]
        if len(rows) > 1 and (holders[1:] < holders[:-1]).any():  # a wide sheet's rows come in order
            rows = rows[np.argsort(holders, kind="stable")]
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
    entries = column.tolist()
    if set(map(type, entries)) == {str}:  # the common text column: joined as it is, no str() per entry
        return "\x1f".join(entries).encode()
    return "\x1f".join("\x00" if v is None else str(v) for v in entries).encode()
