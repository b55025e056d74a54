"""Renamed and merged subjects: a declared table from old ids to new ids, applied to history.

The table (``renamed: data/renamed.csv``) has the columns ``old_id,new_id``,
one row per change: ``D07,D31`` renames D07 to D31; two rows with the same
``new_id`` (``D07,D31`` and ``D08,D31``) merge D07 and D08 into D31. Changes
chain (a row D31,D40 of a later reorganisation carries D07's years on to D40).
A merged subject has, for a year in which more than one of its predecessors
was assessed, one result: the one the ruleset declares with ``merged``:

- ``better``: the result with the higher total (a tie: the better rank, then the first id);
- ``worse``: the result with the lower total (a tie: the worse rank, then the first id).

A year in which only one predecessor (or the subject itself) was assessed
keeps that result. A merge without ``merged`` is refused, since which result
a merged department carries is a policy choice the office makes, not kaohe.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from kaohe.engine.components import RawTable
from kaohe.engine.data.tables import cell_text
from kaohe.engine.errors import Diagnostic, KaoheError
from kaohe.engine.store.history import YearResult

COLUMNS = ("old_id", "new_id")


@dataclass(frozen=True)
class Renames:
    new_of: Mapping[str, str]  # every old id → the id it is known by now (chains followed)

    def current(self, subject: str) -> str:
        return self.new_of.get(subject, subject)

    def merges(self) -> dict[str, list[str]]:
        """New id → the old ids merged into it (only where there are two or more)."""
        into: dict[str, list[str]] = {}
        for old, new in self.new_of.items():
            into.setdefault(new, []).append(old)
        return {new: sorted(olds) for new, olds in into.items() if len(olds) > 1}


def read_renames(table: RawTable) -> Renames:
    """The declared table, checked: both columns, no blank cell, no old id sent to two new ids."""
    problems: list[Diagnostic] = []
    position = {str(c).strip(): i for i, c in enumerate(table.columns)}
    missing = [c for c in COLUMNS if c not in position]
    if missing:
        raise KaoheError(Diagnostic("E-STORE-HISTORY-MAP", {"problem": f"缺少列 missing column {', '.join(missing)}"},
                                    file=table.origin, line=table.header_line))
    direct: dict[str, str] = {}
    for row, line in zip(table.rows, table.row_numbers, strict=True):
        old, new = (cell_text(row[position[c]]).strip() if position[c] < len(row) else "" for c in COLUMNS)
        if not old or not new:
            problems.append(_at(table, line, "空单元格 a blank cell"))
        elif direct.setdefault(old, new) != new:
            problems.append(_at(table, line, f"{old} 写了两个新编号 {old} has two new ids: {direct[old]}, {new}"))
    if problems:
        raise KaoheError(problems)
    return Renames({old: _follow(old, direct) for old in direct})


def _at(table: RawTable, line: int, problem: str) -> Diagnostic:
    return Diagnostic("E-STORE-HISTORY-MAP", {"problem": problem}, file=table.origin, line=line)


def _follow(old: str, direct: Mapping[str, str]) -> str:
    seen = {old}
    new = direct[old]
    while new in direct and new not in seen:  # a loop (A→B, B→A) stops where it closes
        seen.add(new)
        new = direct[new]
    return new


def apply_renames(results: Iterable[YearResult], renames: Renames, merged: str | None) -> list[YearResult]:
    """Every result under the subject's current id; per year, one result per current id (``merged``)."""
    by_key: dict[tuple[int, str], list[YearResult]] = {}
    for r in results:
        by_key.setdefault((r.year, renames.current(r.subject)), []).append(r)
    chosen = _CHOOSE[merged or "better"]
    out = []
    for (_year, subject), found in by_key.items():
        best = found[0] if len(found) == 1 else chosen(found)
        out.append(YearResult(best.year, best.run_id, subject, best.total, best.grade, best.rank))
    return out


def _total(r: YearResult) -> float:
    return r.total if r.total is not None else float("-inf")


def _rank(r: YearResult) -> int:
    return r.rank if r.rank else 10**9


def _better(found: list[YearResult]) -> YearResult:
    return sorted(found, key=lambda r: (-_total(r), _rank(r), r.subject))[0]


def _worse(found: list[YearResult]) -> YearResult:
    assessed = [r for r in found if r.total is not None] or found
    return sorted(assessed, key=lambda r: (_total(r), -_rank(r), r.subject))[0]


_CHOOSE: dict[str, Callable[[list[YearResult]], YearResult]] = {"better": _better, "worse": _worse}
