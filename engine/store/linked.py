"""One ruleset's signed-off results for one period, read from the store for another ruleset.

What ``results: {source: results, from: store}`` reads: among the signed-off
runs of the ruleset id in its folder (``runs.jurisdiction``) that hold the
period, the one signed off last; its rows of that period by subject id.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, exists, select

from kaohe.engine.store.database import Store
from kaohe.engine.store.history import SIGNED_OFF, number
from kaohe.engine.store.read import reading
from kaohe.engine.store.schema import run_results, runs


def latest_signed_off_rows(store: Store, ruleset_id: str, jurisdiction: str,
                           period: str) -> tuple[int | None, dict[str, dict[str, Any]]]:
    """(run id, subject id → {total, grade, rank, name}); (None, {}) when no such run is signed off."""
    holds = exists().where(and_(run_results.c.run_id == runs.c.id, run_results.c.period == period))
    query = (select(runs.c.id).where(runs.c.status == SIGNED_OFF, runs.c.ruleset_id == ruleset_id,
                                     runs.c.jurisdiction == jurisdiction, holds)
             .order_by(runs.c.signoff_seq.desc(), runs.c.id.desc()).limit(1))
    with reading(store) as connection:
        run_id = connection.execute(query).scalar_one_or_none()
        if run_id is None:
            return None, {}
        rows = connection.execute(select(run_results).where(run_results.c.run_id == run_id,
                                                            run_results.c.period == period))
        found = {str(r.subject_id): {"total": number(r.total), "grade": r.grade, "rank": r.rank,
                                     "name": r.subject_name} for r in rows}
    return int(run_id), found
