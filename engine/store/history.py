"""Previous years from the store: a jurisdiction's signed-off year results, one run per year.

What ``history: {source: store}`` reads. For each year before the ruleset's,
the run that counts is the **latest signed-off** run of the same
jurisdiction (``runs.jurisdiction``, the ruleset's folder) that holds year
results (a run recorded with ``--period 2024Q2`` holds none); "latest" is the
last one signed off (``signoff_seq``), so a corrected re-run signed off after
the first replaces it. Runs merely recorded, never signed off, are not
history. Of that run only the year period's rows are read: subject id,
total (the document's exact text, read as a number), grade and rank.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, exists, select

from kaohe.engine.store.database import Store
from kaohe.engine.store.read import reading
from kaohe.engine.store.schema import run_results, runs

SIGNED_OFF = "signed-off"
YEAR = "year"


@dataclass(frozen=True)
class YearResult:
    year: int
    run_id: int
    subject: str
    total: float | None
    grade: str | None
    rank: int | None


def signed_off_years(store: Store, jurisdiction: str, before: int) -> dict[int, int]:
    """Year → id of the run whose year results count (see the module docstring), for years < ``before``."""
    has_year = exists().where(and_(run_results.c.run_id == runs.c.id, run_results.c.period_kind == YEAR))
    query = (select(runs.c.id, runs.c.ruleset_year, runs.c.signoff_seq)
             .where(runs.c.status == SIGNED_OFF, runs.c.jurisdiction == jurisdiction,
                    runs.c.ruleset_year < before, has_year))
    with reading(store) as connection:
        found = [(int(r.ruleset_year), int(r.signoff_seq or 0), int(r.id)) for r in connection.execute(query)]
    chosen: dict[int, int] = {}
    for year, _seq, run_id in sorted(found):  # ascending: the last sign-off of a year wins
        chosen[year] = run_id
    return dict(sorted(chosen.items()))


def year_results(store: Store, runs_by_year: dict[int, int]) -> list[YearResult]:
    """The year-period rows of the chosen runs, oldest year first, in each run's document order."""
    if not runs_by_year:
        return []
    year_of = {run_id: year for year, run_id in runs_by_year.items()}
    query = (select(run_results.c.run_id, run_results.c.subject_id, run_results.c.total,
                    run_results.c.grade, run_results.c.rank)
             .where(run_results.c.run_id.in_(list(year_of)), run_results.c.period_kind == YEAR)
             .order_by(run_results.c.run_id, run_results.c.seq))
    with reading(store) as connection:
        rows = list(connection.execute(query))
    results = [YearResult(year_of[int(r.run_id)], int(r.run_id), str(r.subject_id), number(r.total),
                          r.grade, None if r.rank is None else int(r.rank)) for r in rows]
    return sorted(results, key=lambda r: r.year)


def number(text: str | None) -> float | None:
    """A stored total (the document's text, ``92.35``) as a number; None when there is none."""
    if text is None or text == "":
        return None
    try:
        return float(text)
    except ValueError:
        return None
