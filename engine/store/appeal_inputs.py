"""Why an appeal moved a subject: the input values that differ between the recorded and the corrected data.

The two datasets are compared by subject id (never by row position, so a
re-sorted or re-exported file shows no difference), table by table:

- values: every (period, input) value, blank where one side has none;
- subjects: name, unit, class, joined, left and every extra column;
- events: the subject's events (period, date, type, points, confirmed and
  the extra fields), as a multiset: removed ones and added ones;
- ratings: the scores and votes of every (period, indicator, group, rater).

A difference is plain data, ``{"table", "period", "field", "old", "new"}``
(``period`` None for subject fields), so it is stored as JSON with the
appeal and read back without this module.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator
from typing import Any

import numpy as np

from kaohe.engine.data.tables import Dataset

Difference = dict[str, Any]
Keyed = dict[tuple[str, ...], Any]


def differences(old: Dataset, new: Dataset) -> dict[str, list[Difference]]:
    """Per subject id, what differs between ``old`` (the recorded data) and ``new`` (the corrected)."""
    found: dict[str, list[Difference]] = {}
    for compare in (subject_fields, values, events, ratings):
        for subject, difference in compare(old, new):
            found.setdefault(subject, []).append(difference)
    return found


def plain(value: Any) -> Any:
    """A cell as JSON: numbers as numbers, dates as ISO text, blanks (NaN, NaT, "") as None."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is None or value == "":
        return None
    if isinstance(value, (bool, int, float, str)):
        return value
    return str(value)  # a date


def compared(table: str, old: Keyed, new: Keyed) -> Iterator[tuple[str, Difference]]:
    """Entries keyed ``(subject, period, field)`` that differ, in key order."""
    for key in sorted(set(old) | set(new)):
        before, after = old.get(key), new.get(key)
        if before != after:
            subject, period, name = key
            yield subject, {"table": table, "period": period or None, "field": name, "old": before, "new": after}


def subject_fields(old: Dataset, new: Dataset) -> Iterator[tuple[str, Difference]]:
    yield from compared("subjects", _subject_cells(old), _subject_cells(new))


def _subject_cells(dataset: Dataset) -> Keyed:
    subjects = dataset.subjects
    columns = {"name": subjects.name, "unit": subjects.unit, "class": subjects.cls, "joined": subjects.joined,
               "left": subjects.left, **subjects.extra}
    cells: Keyed = {}
    for i, subject in enumerate(subjects.ids.tolist()):
        cells[str(subject), "", "id"] = str(subject)  # a subject added or removed shows as its id
        for name, column in columns.items():
            value = plain(column[i])
            if value is not None:
                cells[str(subject), "", name] = value
    return cells


def values(old: Dataset, new: Dataset) -> Iterator[tuple[str, Difference]]:
    yield from compared("values", _value_cells(old), _value_cells(new))


def _value_cells(dataset: Dataset) -> Keyed:
    ids = dataset.subjects.ids.tolist()
    table = dataset.values
    return {(str(ids[s]), str(p), str(name)): plain(v)
            for s, p, name, v in zip(table.subject.tolist(), table.period.tolist(), table.input.tolist(),
                                     table.value.tolist(), strict=True)
            if s >= 0 and plain(v) is not None}


def events(old: Dataset, new: Dataset) -> Iterator[tuple[str, Difference]]:
    before, after = _event_counts(old), _event_counts(new)
    for (subject, period, described), count in sorted((before - after).items()):
        for _ in range(count):
            yield subject, {"table": "events", "period": period, "field": dict(described)["type"],
                            "old": dict(described), "new": None}
    for (subject, period, described), count in sorted((after - before).items()):
        for _ in range(count):
            yield subject, {"table": "events", "period": period, "field": dict(described)["type"],
                            "old": None, "new": dict(described)}


def _event_counts(dataset: Dataset) -> Counter[tuple[str, str, tuple[tuple[str, Any], ...]]]:
    ids, table = dataset.subjects.ids.tolist(), dataset.events
    columns = {"date": table.date, "type": table.type, "points": table.points, "confirmed": table.confirmed,
               **table.fields}
    counts: Counter[tuple[str, str, tuple[tuple[str, Any], ...]]] = Counter()
    for row, subject in enumerate(table.subject.tolist()):
        if subject >= 0:
            described = tuple((name, plain(column[row])) for name, column in columns.items())
            counts[str(ids[subject]), str(table.period[row]), described] += 1
    return counts


def ratings(old: Dataset, new: Dataset) -> Iterator[tuple[str, Difference]]:
    yield from compared("ratings", _rating_cells(old), _rating_cells(new))


def _rating_cells(dataset: Dataset) -> Keyed:
    """(subject, period, "indicator/group/rater") → every score or vote given there, in file order."""
    ids, table = dataset.subjects.ids.tolist(), dataset.ratings
    cells: dict[tuple[str, ...], list[Any]] = {}
    for row, subject in enumerate(table.subject.tolist()):
        if subject >= 0:
            where = "/".join(str(part) for part in (table.indicator[row], table.group[row], table.rater[row]) if part)
            given = plain(table.score[row]) if plain(table.score[row]) is not None else plain(table.vote[row])
            cells.setdefault((str(ids[subject]), str(table.period[row]), where), []).append(given)
    return {key: given[0] if len(given) == 1 else given for key, given in cells.items()}
