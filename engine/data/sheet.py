"""Raw rows as a sheet of columns, with the problem collector that locates
every bad cell by file, row, column position and column name.

Split from ``kaohe.engine.data.load``: this is the part that knows about rows and
cells; ``kaohe.engine.data.load`` builds the typed tables from it.
"""

from __future__ import annotations

import calendar
import decimal
import functools
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain, repeat, zip_longest
from typing import Any, TypeVar

import numpy as np
from numpy.typing import NDArray

import kaohe.engine.data.tables as tables
from kaohe.engine.components import RawTable
from kaohe.engine.data.columnar import ColumnRows, is_arrow, longest, plain_numbers, surely_text
from kaohe.engine.data.headers import Columns, Named, Vocabulary
from kaohe.engine.data.numbers import (
    Percent,
    example_forms,
    is_percent_unit,
    normal_text,
    office_number,
)
from kaohe.engine.data.tables import (
    Days,
    Flags,
    Indices,
    Numbers,
    Subjects,
    Texts,
    cell_text,
    is_blank,
)
from kaohe.engine.errors import Bilingual, Diagnostic, KaoheError, did_you_mean, sort_diagnostics

TABLE_ZH = {"subjects": "考核对象表", "values": "数据项表", "events": "事件表", "ratings": "评价表",
            "history": "往年结果表", "results": "其他方案结果表", "items": "整改事项表"}
LIMIT = 50  # problems listed per file and code; the rest are counted in one E-DATA-MORE
REQUIRED = {"subjects": ("id", "name"), "values": ("subject", "period"), "events": ("subject", "date", "type"),
            "ratings": ("subject", "period", "group", "rater"), "history": ("subject", "year"),
            "items": ("id", "subject", "opened", "deadline"), "results": ("subject",)}
"""The columns that tell a table's header row from a title row above it."""
HEADER_SEARCH = 10  # rows looked at for the header (title rows, merged group headers above it)
ArrayT = TypeVar("ArrayT", bound=NDArray[Any])


SHOWN_CHARACTERS = 60
MAX_CELL_CHARS = 10_000  # characters in one cell (header included); Excel itself stops at 32,767


def shown(text: str) -> str:
    """A cell as a message shows it: one line (a stray quote can pull whole rows into a cell), cut short."""
    one_line = " ⏎ ".join(text.splitlines()) if "\n" in text or "\r" in text else text
    return one_line if len(one_line) <= SHOWN_CHARACTERS else one_line[:SHOWN_CHARACTERS] + "…"


def longest_text(cells: Sequence[Any]) -> int:
    """Characters in the longest text cell of a row."""
    try:
        return max(map(len, cells), default=0)
    except TypeError:  # numbers, dates, None (Excel, JSON)
        return max((len(c) for c in cells if type(c) is str), default=0)


def _longest(rows: Sequence[Sequence[Any]]) -> int:
    try:  # one C-speed pass when every cell is text (CSV)
        return max(map(len, chain.from_iterable(rows)), default=0)
    except TypeError:
        return max(map(longest_text, rows), default=0)


def oversized_cells(table: str, raw: RawTable, problems: Problems) -> bool:
    """Report every cell (header included) longer than ``MAX_CELL_CHARS``, located by file, row and
    column, shown cut short; True when there is one (the table is then not used)."""
    if isinstance(raw.rows, ColumnRows):  # per column in C, not per cell
        widest = max((longest(c) if is_arrow(c) else longest_text(c) for c in raw.rows.columns), default=0)
        if max(longest_text(raw.columns), widest) <= MAX_CELL_CHARS:
            return False
    elif max(longest_text(raw.columns), _longest(raw.rows)) <= MAX_CELL_CHARS:
        return False
    names = [shown(cell_text(c)) for c in raw.columns]
    numbers = raw.row_numbers if len(raw.row_numbers) == len(raw.rows) else range(1, len(raw.rows) + 1)
    lines = chain([raw.header_line], numbers)
    for line, cells in zip(lines, chain([raw.columns], raw.rows), strict=False):
        if longest_text(cells) <= MAX_CELL_CHARS:
            continue
        for p, cell in enumerate(cells):
            if type(cell) is str and len(cell) > MAX_CELL_CHARS:
                name = names[p] if p < len(names) else ""
                problems.add("E-DATA-CELL-TOO-LARGE", {
                    "table": table, "table_zh": TABLE_ZH.get(table, table), "column": name or f"#{p + 1}",
                    "value": shown(cell), "length": len(cell), "limit": MAX_CELL_CHARS,
                    "constant": "MAX_CELL_CHARS"}, file=raw.origin, line=line, column=p + 1, path=name)
    return True


class Problems:
    """Collects diagnostics; lists the first ``LIMIT`` per file and code."""

    def __init__(self) -> None:
        self.found: list[Diagnostic] = []
        self.counts: Counter[tuple[str, str]] = Counter()
        self.warnings: list[Diagnostic] = []  # notes that do not stop the run (title rows skipped)

    def add(self, code: str, params: Mapping[str, Any], *, file: str | None = None,
            line: int | None = None, column: int | None = None, path: str = "") -> None:
        key = (file or "", code)
        self.counts[key] += 1
        if self.counts[key] <= LIMIT:
            # callables (did-you-mean over many ids) run only for listed problems
            params = {k: (v() if callable(v) else v) for k, v in params.items()}
            self.found.append(Diagnostic(code, params, file=file, line=line, column=column, path=path))

    def any(self) -> bool:
        return bool(self.found)

    def raise_if_any(self) -> None:
        more = [Diagnostic("E-DATA-MORE", {"code": code, "count": count - LIMIT}, file=file or None)
                for (file, code), count in self.counts.items() if count > LIMIT]
        if self.found:  # the warnings too: a file read as GBK or a title row skipped may explain an error
            raise KaoheError(sort_diagnostics(self.found) + more + self.warnings)


@dataclass
class Sheet:
    """A raw table made columnar, with helpers that type a column and report its bad cells."""

    table: str
    origin: str
    header_line: int | None
    rows: np.ndarray
    problems: Problems
    positions: dict[str, int] = field(default_factory=dict)
    cells: dict[str, Sequence[Any] | None] = field(default_factory=dict)
    names: Columns = field(default_factory=lambda: Vocabulary().columns(""))
    written: dict[str, str] = field(default_factory=dict)  # column id -> its header as the file writes it

    @property
    def n(self) -> int:
        return len(self.rows)

    def has(self, column: str) -> bool:
        return column in self.positions

    def _report(self, code: str, line: int | None, column: str, params: dict[str, Any]) -> None:
        params = {"table": self.table, "table_zh": TABLE_ZH.get(self.table, self.table),
                  "column": self.written.get(column, column), **params}
        self.problems.add(code, params, file=self.origin, line=line,
                          column=self.positions.get(column), path=column)

    def column(self, column: str) -> Sequence[Any]:
        """The raw cells of a column that is present and not released (an Arrow column made
        Python values on first use)."""
        cells: Any = self.cells[column]
        if cells is None:
            raise RuntimeError(f"column {column!r} of {self.table} was released")
        if is_arrow(cells):
            cells = self.cells[column] = cells.to_pylist()
        return cells  # type: ignore[no-any-return]

    def numbers(self, column: str) -> tuple[Numbers, list[int]]:
        """``tables.numbers`` of the column; an Arrow column of plain decimal text without making a
        Python value per cell (``columnar.plain_numbers``)."""
        cells = self.cells[column]
        if is_arrow(cells):
            plain = plain_numbers(cells)
            if plain is not None:
                return plain, []
        return tables.numbers(self.column(column))

    def at(self, code: str, i: int, column: str = "", **params: Any) -> None:
        """A problem in row position ``i`` (and ``column``, when one cell is to blame)."""
        if self.cells.get(column) is not None:
            params.setdefault("value", shown(cell_text(self.column(column)[i])))
        self._report(code, int(self.rows[i]), column, params)

    def header(self, code: str, column: str, **params: Any) -> None:
        self._report(code, self.header_line, column, params)

    def require(self, *columns: str) -> bool:
        missing = [c for c in columns if c not in self.positions]
        for column in missing:
            others = [self.written.get(c, c) for c in self.positions if c not in columns]
            named = next((c for c in self.names.named if c.id == column), Named(column))
            self._report("E-DATA-MISSING-COLUMN", self.header_line, column,
                         {"column": named.shown(), "suggest": did_you_mean(column, others)})
        return not missing

    def suggest(self, word: str, allowed: Sequence[str]) -> str:
        """The allowed column ``word`` most likely meant, by id, title or alias (shown as "id / title")."""
        known = {c.id: c for c in self.names.named}
        return Columns(tuple(known.get(a, Named(a)) for a in allowed)).suggest(word)

    def only(self, allowed: Sequence[str], present: Sequence[str] | None = None) -> list[str]:
        """Report columns (of ``present``) outside ``allowed``; return the allowed ones."""
        present = list(self.positions) if present is None else present
        for column in present:
            if column not in allowed:
                self.header("E-DATA-UNKNOWN-COLUMN", column, allowed=", ".join(allowed),
                            suggest=functools.partial(self.suggest, column, allowed))
        return [c for c in present if c in allowed]

    def convert(self, column: str, convert: Callable[[Sequence[Any]], tuple[ArrayT, list[int]]], code: str,
                default: ArrayT, blank: Callable[[ArrayT], Flags] | None = None,
                why: Callable[[Any], dict[str, Any]] | None = None) -> ArrayT:
        """``convert`` the column, report bad cells with ``code`` (and the params ``why`` gives for
        the cell) and, when ``blank`` is given, blank cells as required ones left empty."""
        if column not in self.cells:
            return default
        cells = self.column(column)
        out, bad = convert(cells)
        for i in bad:
            self.at(code, i, column, **(why(cells[i]) if why is not None else {}))
        if blank is not None:
            for i in sorted(set(np.flatnonzero(blank(out)).tolist()) - set(bad)):
                self.at("E-DATA-EMPTY-CELL", i, column)
        return out

    def text(self, column: str, required: bool = False) -> Texts:
        return self.convert(column, lambda c: (tables.texts(c), []), "", np.full(self.n, "", dtype=object),
                            _is_empty if required else None)

    def number(self, column: str, unit: str | Callable[[int], str] = "") -> Numbers:
        """A number column; cells in the office forms (97%, 5,200, 5.2万元 …) are read with ``unit``:
        the column's declared unit, or the unit of each row's input (the long values table)."""
        if column not in self.cells:
            return np.full(self.n, np.nan)
        out, bad = self.numbers(column)
        if not bad and not self.names.has_percent_unit() and not is_percent_unit(unit if isinstance(unit, str) else ""):
            return out  # every cell plain: nothing below applies (no office forms, no Excel percentages)
        cells = self.column(column)
        unit_at: Callable[[int], str] = unit if callable(unit) else (lambda i: unit)
        for i in bad:
            value = office_number(cells[i], unit_at(i))
            if value is None:
                self.at("E-DATA-NOT-NUMBER", i, column, forms=example_forms(unit_at(i)))
            else:
                out[i] = value
        if isinstance(unit, str) and not is_percent_unit(unit):
            self._percent_mixed(column, cells, bad, out)
        in_percent = is_percent_unit(unit) if isinstance(unit, str) else self.names.has_percent_unit()
        if in_percent:  # an Excel cell formatted as a percentage holds 0.97: 97 for an input measured in %
            for i in [i for i, c in enumerate(cells) if type(c) is Percent and is_percent_unit(unit_at(i))]:
                out[i] = float(decimal.Decimal(repr(float(cells[i]))) * 100)  # 0.97 -> 97, not 97.00000000000001
        return out

    def _percent_mixed(self, column: str, cells: Sequence[Any], bad: list[int], out: Numbers) -> None:
        """``97%`` reads as 0.97 where the input declares no ``unit: %``; beside plain numbers above 1 in
        the same column (97, 88.5) the column holds two scales a hundred times apart: warn, once."""
        written = [i for i in bad if isinstance(cells[i], str) and normal_text(cells[i]).endswith("%")
                   and np.isfinite(out[i])]
        if not written:
            return
        plain = np.ones(self.n, dtype=bool)
        plain[bad] = False
        large = np.flatnonzero(plain & np.isfinite(out) & (np.abs(out) > 1))
        if not len(large):
            return
        first, other = written[0], int(large[0])
        self.problems.warnings.append(Diagnostic("W-DATA-PERCENT-MIXED", {
            "table": self.table, "table_zh": TABLE_ZH.get(self.table, self.table),
            "column": self.written.get(column, column), "percent": shown(cell_text(cells[first])),
            "read": f"{out[first]:g}", "plain": shown(cell_text(cells[other])), "plain_row": int(self.rows[other]),
        }, file=self.origin, line=int(self.rows[first]), column=self.positions.get(column), path=column,
            severity="warning"))

    def date(self, column: str, required: bool = False) -> Days:
        nat = np.full(self.n, np.datetime64("NaT"), dtype="datetime64[D]")
        return self.convert(column, tables.dates, "E-DATA-BAD-DATE", nat, np.isnat if required else None,
                            lambda cell: {"why": date_problem(cell_text(cell))})

    def period(self, column: str, required: bool = False) -> Texts:
        return self.convert(column, tables.periods, "E-DATA-BAD-PERIOD", np.full(self.n, "", dtype=object),
                            _is_empty if required else None)

    def flag(self, column: str) -> Flags:
        return self.convert(column, tables.bools, "E-DATA-BAD-BOOL", np.ones(self.n, dtype=bool))

    def subject(self, subjects: Subjects | None) -> Indices:
        """Subject index of each row; -1 where blank or unknown (both reported)."""
        ids = self.text("subject", required=True)
        if subjects is None:
            return np.full(self.n, -1, dtype=np.int64)
        codes = np.fromiter(map(subjects.index.get, ids, repeat(-1)), dtype=np.int64, count=self.n)
        guess = _guesser(subjects.ids.tolist())
        for i in np.flatnonzero((codes < 0) & (ids != "")).tolist():
            self.at("E-DATA-UNKNOWN-SUBJECT", i, "subject", subject=ids[i], suggest=functools.partial(guess, ids[i]))
        return codes

    def check_names(self, subjects: Subjects | None, codes: Indices) -> None:
        """A ``name`` column beside the ids (an office fills rows by name): where a row's name is not
        its id's subject, one of the two is wrong — E-DATA-NAME-MISMATCH; a blank name is fine."""
        if subjects is None or not self.has("name"):
            return
        written = self.text("name")
        for i in np.flatnonzero((codes >= 0) & (written != "")).tolist():
            expected = str(subjects.name[codes[i]])
            if written[i] != expected:
                self.at("E-DATA-NAME-MISMATCH", i, "name", subject=str(subjects.ids[codes[i]]), expected=expected,
                        written=written[i])
        self.release("name")

    def release(self, column: str) -> None:
        """Drop a converted column's cells: wide tables hold millions of strings."""
        self.cells[column] = None

    def extras(self, columns: Sequence[str]) -> dict[str, Numbers | Texts]:
        """Free columns: float64 when every filled cell is a number (or none is filled), else text."""
        out: dict[str, Numbers | Texts] = {}
        for column in columns:
            if is_arrow(self.cells[column]) and surely_text(self.cells[column]):
                out[column] = tables.texts(self.column(column))
                continue
            values, bad = self.numbers(column)
            out[column] = tables.texts(self.column(column)) if bad else values
        return out


def _guesser(choices: list[str]) -> Callable[[str], str]:
    """did-you-mean over subject ids, remembered per word; among 100,000 ids
    one guess takes about 0.4 s, so big cohorts get a few guesses only."""
    budget = [5 if len(choices) > 10_000 else LIMIT]
    folded: dict[str, str] = {}  # an id as typed full-width or in another case (Ｕ０１, u01): it, at once

    @functools.cache
    def guess(word: str) -> str:
        if not folded:
            folded.update((_folded(c), c) for c in reversed(choices))
        same = folded.get(_folded(word))
        if same is not None:
            return same
        budget[0] -= 1
        return did_you_mean(word, choices) if budget[0] >= 0 else ""

    return guess


def _folded(text: str) -> str:
    return normal_text(text).casefold()


def _is_empty(column: Texts) -> Flags:
    empty: Flags = column == ""
    return empty


def make_sheet(table: str, raw: RawTable, problems: Problems, names: Columns | None = None) -> Sheet:
    """Rows as columns keyed by column id: each header cell read as an id, title or alias of
    ``names`` (the table's columns; the standard ones when not given), title rows above the
    header skipped with a note."""
    names = names if names is not None else Vocabulary().columns(table)
    raw = _below_title_rows(table, raw, names, problems)
    n = len(raw.rows)
    rows = np.asarray(raw.row_numbers if len(raw.row_numbers) == n else range(1, n + 1), dtype=np.int64)
    sheet = Sheet(table, raw.origin, raw.header_line, rows, problems, names=names)
    header = [cell_text(c) for c in raw.columns]
    if isinstance(raw.rows, ColumnRows):  # a columnar source: its columns as they are
        columns: list[Any] = list(raw.rows.columns)
    elif len(set(map(len, raw.rows))) <= 1:
        columns = list(zip(*raw.rows, strict=True))  # the common case; quicker
    else:
        columns = list(zip_longest(*raw.rows, fillvalue=None))
    for p, written in enumerate(header):
        cells = columns[p] if p < len(columns) else (None,) * n
        match = names.match(written) if written else None
        name = match.id if match is not None else ""
        if match is not None and match.ambiguous:
            first, second = match.ambiguous[:2]
            problems.add("E-DATA-HEADER-AMBIGUOUS", {
                "table": table, "table_zh": TABLE_ZH.get(table, table), "header": shown(written),
                "first": first.shown(), "second": second.shown()},
                file=sheet.origin, line=sheet.header_line, column=p + 1, path=written)
        elif name in sheet.positions:
            problems.add("E-DATA-DUPLICATE-COLUMN", {"column": written, "first": sheet.positions[name]},
                         file=sheet.origin, line=sheet.header_line, column=p + 1, path=name)
        elif name:
            sheet.positions[name], sheet.cells[name] = p + 1, cells
            if written != name:
                sheet.written[name] = written
        else:
            _stray(sheet, cells, p, "E-DATA-UNNAMED-COLUMN", first_only=True)
    for p in range(len(header), len(columns)):
        _stray(sheet, columns[p], p, "E-DATA-EXTRA-CELLS", first_only=False)
    if not header and table == "subjects":
        problems.add("E-DATA-NO-HEADER", {"table": table, "table_zh": TABLE_ZH[table], "expected": "id, name"},
                     file=raw.origin, line=1)
    return sheet


def _below_title_rows(table: str, raw: RawTable, names: Columns, problems: Problems) -> RawTable:
    """The table read from its real header: the first of the first ``HEADER_SEARCH`` rows that names
    the table's required columns (a merged group header row above sub-headers fills their blanks).
    Rows above it (a title such as "2025年第二季度考核数据") are dropped with a note."""
    required = REQUIRED.get(table)
    if raw.header_line is None or not required or len(raw.row_numbers) != len(raw.rows):
        return raw
    candidates = [list(raw.columns), *(list(r) for r in raw.rows[:HEADER_SEARCH - 1])]
    lines = [raw.header_line, *raw.row_numbers[:HEADER_SEARCH - 1]]
    for k, own in enumerate(candidates):
        options = [own, _filled(candidates[k - 1], own)] if k else [own]
        found = next(((cells, count) for cells in options
                      for ok, count in [_names_required(cells, names, required)] if ok), None)
        if found is None:
            continue
        header, count = found
        if k + 1 < len(candidates):  # a group header over sub-headers: the row below names more columns
            below = _filled(header, candidates[k + 1])
            ok, more = _names_required(below, names, required)
            if ok and more > count:
                header, k = below, k + 1
        if k == 0:
            return raw if header is own else RawTable(header, raw.rows, raw.origin, raw.row_numbers, raw.header_line)
        skipped = f"{lines[0]}" if k == 1 else f"{lines[0]}–{lines[k - 1]}"
        problems.warnings.append(Diagnostic("W-DATA-TITLE-ROWS", {
            "table": table, "table_zh": TABLE_ZH.get(table, table), "rows": skipped, "header": lines[k]},
            file=raw.origin, line=lines[k], severity="warning"))
        return RawTable(header, raw.rows[k:], raw.origin, raw.row_numbers[k:], lines[k])
    return raw


def _filled(upper: Sequence[Any], lower: Sequence[Any]) -> list[Any]:
    """A sub-header row with the blanks of vertically merged cells taken from the row above."""
    width = max(len(upper), len(lower))
    return [lower[p] if p < len(lower) and not is_blank(lower[p]) else (upper[p] if p < len(upper) else None)
            for p in range(width)]


def _names_required(cells: Sequence[Any], names: Columns, required: Sequence[str]) -> tuple[bool, int]:
    """Whether a row names every required column, and how many known columns it names."""
    known = {m.id for m in (names.match(cell_text(c)) for c in cells if not is_blank(c)) if m.known}
    return set(required) <= known, len(known)


def _stray(sheet: Sheet, cells: Sequence[Any], p: int, code: str, first_only: bool) -> None:
    """Report filled cells of a column without a name (all of them, or the first)."""
    for i in [i for i, cell in enumerate(cells) if not is_blank(cell)][:1 if first_only else None]:
        sheet.problems.add(code, {"position": p + 1}, file=sheet.origin, line=int(sheet.rows[i]), column=p + 1)


def duplicates(keys: Sequence[np.ndarray]) -> list[tuple[int, int]]:
    """(later, first) positions of entries whose keys all repeat an earlier entry."""
    if len(keys[0]) < 2:
        return []
    order = np.lexsort(keys[::-1])  # stable: equal keys stay in file order
    same = np.ones(len(order) - 1, dtype=bool)
    for key in keys:
        same &= key[order[1:]] == key[order[:-1]]
    found, first = [], -1
    for k in np.flatnonzero(same).tolist():  # a loop over repeated entries only
        first = int(order[k]) if k == 0 or not same[k - 1] else first
        found.append((int(order[k + 1]), first))
    return found


def codes(labels: np.ndarray) -> np.ndarray:
    return tables.label_codes(labels)[1]


# ---------------------------------------------------------------------------
# Tables


_DAY = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")


def date_problem(text: str) -> Bilingual:
    """Why a cell is no date: a day the calendar does not have (2026-02-30 is in the right form),
    else the form to write."""
    found = _DAY.match(text)
    if found:
        year, month, day = (int(part) for part in found.groups())
        if not 1 <= month <= 12:
            return Bilingual(f"没有 {month} 月，月份是 1–12", f"there is no month {month}: months run 1-12")
        last = calendar.monthrange(year, month)[1]
        if not 1 <= day <= last:
            return Bilingual(f"{year} 年 {month} 月只有 {last} 天", f"{calendar.month_name[month]} {year} has {last} days")
    return Bilingual("请写成 2025-03-31 的形式", "write it as 2025-03-31")
