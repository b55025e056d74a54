"""Period ids, their date ranges, and months on post.

Canonical period ids: ``2025`` (year), ``2025Q1`` … ``2025Q4`` (quarters),
``2025-01`` … ``2025-12`` (months). Data may also write ``2025-Q1``,
``2025q1`` or ``2025-1``; ``parse_period`` normalises them.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import numpy as np

_YEAR = re.compile(r"^(\d{4})$")
_QUARTER = re.compile(r"^(\d{4})-?[Qq]([1-4])$")
_MONTH = re.compile(r"^(\d{4})-?(?:[Mm])?(\d{1,2})$")

CYCLES = ("month", "quarter", "year")


@dataclass(frozen=True, order=True)
class Period:
    year: int
    kind: str  # "year" | "quarter" | "month"
    number: int = 0  # quarter 1-4 or month 1-12; 0 for a year

    @property
    def id(self) -> str:
        if self.kind == "year":
            return f"{self.year}"
        if self.kind == "quarter":
            return f"{self.year}Q{self.number}"
        return f"{self.year}-{self.number:02d}"

    @property
    def start(self) -> dt.date:
        if self.kind == "year":
            return dt.date(self.year, 1, 1)
        month = 3 * self.number - 2 if self.kind == "quarter" else self.number
        return dt.date(self.year, month, 1)

    @property
    def end(self) -> dt.date:
        """Last day of the period (inclusive)."""
        if self.kind == "year":
            return dt.date(self.year, 12, 31)
        last_month = 3 * self.number if self.kind == "quarter" else self.number
        return _month_end(self.year, last_month)

    def contains(self, other: Period) -> bool:
        return self.start <= other.start and other.end <= self.end

    def __str__(self) -> str:
        return self.id


def parse_period(text: object) -> Period | None:
    """The period named by ``text``, or None when it is not a period id."""
    value = str(text).strip()
    if match := _YEAR.match(value):
        return Period(int(match[1]), "year")
    if match := _QUARTER.match(value):
        return Period(int(match[1]), "quarter", int(match[2]))
    if (match := _MONTH.match(value)) and 1 <= int(match[2]) <= 12:
        return Period(int(match[1]), "month", int(match[2]))
    return None


def periods_of_year(year: int, cycle: str) -> list[Period]:
    """The sub-periods a year is assessed in, in order (just the year for 'year')."""
    if cycle == "quarter":
        return [Period(year, "quarter", q) for q in range(1, 5)]
    if cycle == "month":
        return [Period(year, "month", m) for m in range(1, 13)]
    return [Period(year, "year")]


def period_of_dates(dates: np.ndarray, kind: str) -> np.ndarray:
    """Period ids (object array) of ``datetime64[D]`` dates for a cycle kind."""
    years = dates.astype("datetime64[Y]").astype(int) + 1970
    months = dates.astype("datetime64[M]").astype(int) % 12 + 1
    if kind == "year":
        labels = [f"{y}" for y in years]
    elif kind == "quarter":
        labels = [f"{y}Q{(m - 1) // 3 + 1}" for y, m in zip(years, months, strict=True)]
    else:
        labels = [f"{y}-{m:02d}" for y, m in zip(years, months, strict=True)]
    return np.array(labels, dtype=object)


def _month_end(year: int, month: int) -> dt.date:
    if month == 12:
        return dt.date(year, 12, 31)
    return dt.date(year, month + 1, 1) - dt.timedelta(days=1)


def months_on_post(
    joined: np.ndarray, left: np.ndarray, period: Period, full_month_days: int = 11
) -> np.ndarray:
    """Months each subject was on post within ``period``.

    A calendar month counts 1 when the subject was on post at least
    ``full_month_days`` days of it, 0.5 for 1 … ``full_month_days - 1`` days,
    and 0 otherwise (the common "1–10 days half a month" rule). ``joined`` and
    ``left`` are ``datetime64[D]`` arrays; NaT means "before" / "still on post".
    """
    n = len(joined)
    total = np.zeros(n, dtype=float)
    start = np.where(np.isnat(joined), np.datetime64(period.start), joined).astype("datetime64[D]")
    stop = np.where(np.isnat(left), np.datetime64(period.end), left).astype("datetime64[D]")
    for month in _months_in(period):
        first = np.datetime64(month.start)
        last = np.datetime64(month.end)
        lo = np.maximum(start, first)
        hi = np.minimum(stop, last)
        days = np.maximum((hi - lo).astype(int) + 1, 0)
        total += np.where(days >= full_month_days, 1.0, np.where(days > 0, 0.5, 0.0))
    return total


def _months_in(period: Period) -> list[Period]:
    if period.kind == "month":
        return [period]
    months = range(1, 13) if period.kind == "year" else range(3 * period.number - 2, 3 * period.number + 1)
    return [Period(period.year, "month", m) for m in months]
