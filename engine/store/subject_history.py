"""One subject's results across years and runs: ``kaohe store history SUBJECT``.

Every recorded row of the subject, oldest year first (then period order
within a run, then runs in the order they were recorded), each with its run's
id and status, so an office sees which result was signed off and which only
recorded. The JSON keys are the store's column names.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from kaohe.engine.errors import KaoheError
from kaohe.engine.report.render import table
from kaohe.engine.store.database import Store
from kaohe.engine.store.read import reading
from kaohe.engine.store.schema import run_results, runs
from kaohe.engine.store.show import STATUS

COLUMNS = ("ruleset_year", "period", "period_kind", "total", "grade", "rank", "run_id", "status",
           "ruleset_id", "subject_name")


def subject_history(store: Store, subject: str) -> list[dict[str, Any]]:
    """The subject's rows in every run; ``E-STORE-SUBJECT-UNKNOWN`` when there are none."""
    query = (select(runs.c.ruleset_year, run_results.c.period, run_results.c.period_kind, run_results.c.total,
                    run_results.c.grade, run_results.c.rank, run_results.c.run_id, runs.c.status,
                    runs.c.ruleset_id, run_results.c.subject_name)
             .join(runs, runs.c.id == run_results.c.run_id)
             .where(run_results.c.subject_id == subject)
             .order_by(runs.c.ruleset_year, runs.c.id, run_results.c.seq))
    with reading(store) as connection:
        rows = [dict(row._mapping) for row in connection.execute(query)]
    if not rows:
        raise KaoheError(store.target.diagnostic("E-STORE-SUBJECT-UNKNOWN", subject=subject))
    return rows


def history_json(rows: list[dict[str, Any]]) -> str:
    return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"


def history_text(subject: str, rows: list[dict[str, Any]]) -> str:
    name = next((r["subject_name"] for r in rows if r["subject_name"]), "")
    headers = ["年度 year", "周期 period", "总分 total", "等次 grade", "名次 rank", "运行 run", "状态 status",
               "方案 ruleset"]
    body = [[r["ruleset_year"], r["period"], r["total"] or "—", r["grade"] or "—",
             r["rank"] if r["rank"] is not None else "—", r["run_id"], STATUS.get(r["status"], r["status"]),
             r["ruleset_id"]] for r in rows]
    return f"对象 subject {subject} {name}\n" + table(headers, body)
