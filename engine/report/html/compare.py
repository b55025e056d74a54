"""Year over year: this period beside the same subjects in an earlier year's results document.

The earlier document is read as given (``--previous``, a results JSON written by
``kaohe evaluate --format json``); its year period is compared, else its last.
Subjects are matched by id; a subject in only one of the two is counted, not compared.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kaohe.engine.errors import Bilingual, Diagnostic, KaoheError
from kaohe.engine.report.html.subjects import Subjects

MOVERS_SHOWN = 10  # largest rises and largest falls each


@dataclass(frozen=True)
class Change:
    id: str
    name: str
    old_rank: int | None
    new_rank: int | None
    old_grade: str | None
    new_grade: str | None
    old_total: float | None
    new_total: float | None

    @property
    def moved(self) -> int | None:
        """Places gained (positive = rose in the ranking)."""
        if self.old_rank is None or self.new_rank is None:
            return None
        return self.old_rank - self.new_rank


@dataclass(frozen=True)
class Comparison:
    source: str  # where the earlier results came from: a file, or a run of the store
    previous_title: str
    previous_period: str
    risers: list[Change]
    fallers: list[Change]
    grade_changes: list[Change]
    matched: int
    only_now: int
    only_before: int


def read_previous(path: Path) -> Mapping[str, Any]:
    """An earlier results document; a file that is not one is a located error."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise KaoheError(_bad(path, Bilingual("无法读取文件", "cannot be read") if not exc.strerror
                              else Bilingual(f"无法读取（{exc.strerror}）", f"cannot be read ({exc.strerror})"))) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        line = getattr(exc, "lineno", None)
        raise KaoheError(_bad(path, Bilingual("不是 UTF-8 的 JSON", "not UTF-8 JSON"), line)) from None
    if not isinstance(document, dict) or document.get("kaohe") != "results/1" or not document.get("periods"):
        raise KaoheError(_bad(path, Bilingual("不是 kaohe 的结果文档（results/1）", "not a kaohe results document (results/1)")))
    return document


def _bad(path: Path, problem: Bilingual, line: int | None = None) -> Diagnostic:
    return Diagnostic("E-REPORT-PREVIOUS", {"file": str(path), "problem": problem}, file=str(path), line=line)


def previous_period(document: Mapping[str, Any]) -> Mapping[str, Any]:
    periods = document["periods"]
    years = [p for p in periods if p.get("kind") == "year"]
    return dict((years or periods)[-1])


def compare(now: Subjects, before_document: Mapping[str, Any], source: str) -> Comparison:
    before = previous_period(before_document)
    old = {str(s["id"]): s for s in before["subjects"]}
    ids = [str(i) for i in now["id"]]
    changes = [_change(now, i, old[ident]) for i, ident in enumerate(ids) if ident in old]
    moving = [c for c in changes if c.moved]
    risers = sorted((c for c in moving if (c.moved or 0) > 0), key=lambda c: (-(c.moved or 0), c.id))
    fallers = sorted((c for c in moving if (c.moved or 0) < 0), key=lambda c: ((c.moved or 0), c.id))
    ids_now = set(ids)
    return Comparison(
        source=source, previous_title=str(before_document.get("ruleset", {}).get("title", "")),
        previous_period=str(before["period"]),
        risers=risers[:MOVERS_SHOWN], fallers=fallers[:MOVERS_SHOWN],
        grade_changes=sorted((c for c in changes if c.old_grade != c.new_grade), key=lambda c: c.id),
        matched=len(changes), only_now=len(ids_now - set(old)), only_before=len(set(old) - ids_now),
    )


def _change(now: Subjects, i: int, old: Mapping[str, Any]) -> Change:
    return Change(str(now["id"][i]), str(now["name"][i]), old.get("rank"), now["rank"][i], old.get("grade"),
                  now["grade"][i], old.get("total"), now["total"][i])
