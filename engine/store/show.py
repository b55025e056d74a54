"""A store's runs and one run's summary, as text for people or JSON for programs.

Labels are bilingual (中文 English) like the other tables kaohe prints; the
JSON keys are the store's column names, so a script reads what the store holds.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from kaohe.engine.report.render import table
from kaohe.engine.store.appeal_show import run_appeals_lines

STATUS = {"recorded": "已记录 recorded", "signed-off": "已确认 signed-off"}


def runs_json(rows: list[dict[str, Any]]) -> str:
    return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"


def runs_text(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "结果库中还没有运行记录 / no runs recorded yet\n"
    headers = ["编号 id", "时间 time (UTC)", "运行人 by", "方案 ruleset", "周期 period", "状态 status",
               "对象数 subjects"]
    body = [[r["id"], r["recorded_at"], r["recorded_by"], f"{r['ruleset_id']} ({r['ruleset_year']})",
             r["period_filter"] or "全部 all", STATUS.get(r["status"], r["status"]), r["subjects_count"]]
            for r in rows]
    return table(headers, body)


def periods_of(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per period of a run, in document order: its kind, subject count and grade counts."""
    periods: dict[str, dict[str, Any]] = {}
    for row in rows:
        entry = periods.setdefault(row["period"], {"period": row["period"], "kind": row["period_kind"],
                                                   "subjects": 0, "grades": Counter()})
        entry["subjects"] += 1
        if row["grade"] is not None:
            entry["grades"][row["grade"]] += 1
    return [{**p, "grades": dict(p["grades"])} for p in periods.values()]


def summary_json(run: dict[str, Any], rows: list[dict[str, Any]], appeals: list[dict[str, Any]]) -> str:
    return json.dumps({**run, "periods": periods_of(rows), "appeals": appeals}, ensure_ascii=False,
                      indent=2) + "\n"


def summary_text(run: dict[str, Any], rows: list[dict[str, Any]], appeals: list[dict[str, Any]]) -> str:
    lines = [
        f"运行 run {run['id']} · {STATUS.get(run['status'], run['status'])}",
        f"时间 time (UTC): {run['recorded_at']}",
        f"运行人 by: {run['recorded_by']}",
        f"方案 ruleset: {run['ruleset_id']} {run['ruleset_title']} ({run['ruleset_year']})",
        f"方案文件 file: {run['ruleset_path']}  辖区 jurisdiction: {run['jurisdiction']}",
        f"方案摘要 ruleset digest: {run['ruleset_digest']}",
        f"数据摘要 data digest: {run['data_digest']}",
        *[f"  {f['role']} {f['path']} sha256:{f['sha256']}" for f in run["files"]],
        f"引擎 engine: kaohe {run['engine_version']}",
        f"结果摘要 results digest: {run['results_digest']}",
        f"周期 period: {run['period_filter'] or '全部 all'}",
        f"提醒 warnings: {run['warnings']}",
        *run_appeals_lines(appeals),
    ]
    body = [[p["period"], p["kind"], p["subjects"],
             "  ".join(f"{grade} {count}" for grade, count in p["grades"].items()) or "—"]
            for p in periods_of(rows)]
    return "\n".join(lines) + "\n" + table(["周期 period", "类型 kind", "对象数 subjects", "等次 grades"], body)
