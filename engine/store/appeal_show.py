"""An appeal's report as text or Markdown in the reader's language, or as JSON for programs.

Each changed subject is one line, old → new for what changed (grade, rank,
total, each money outcome), followed by the why: the input values that
differ between the recorded and the corrected data. The JSON is the report
itself (``appeal_read.appeal_report``).
"""

from __future__ import annotations

import json
from typing import Any

LABELS = {
    "zh": {"appeal": "复核 {id}：运行 {run}（确认摘要 {digest}）", "by": "复核人", "at": "时间（UTC）",
           "reason": "理由", "data": "更正数据", "data_digest": "数据摘要", "results": "新结果摘要",
           "digest": "复核摘要", "changes": "变化（{n} 项，原 → 新）", "grade": "等次", "rank": "名次",
           "total": "总分", "why": "原因", "why_none": "（自身数据未变，随其他对象的变化而变）",
           "none": "没有对象的等次、名次、总分或奖金发生变化：原结果维持", "summary": "汇总",
           "subjects": "对象数", "spearman": "名次相关系数", "blank": "（空）", "added": "新增", "removed": "删除",
           "no_appeals": "没有复核记录", "sep": "：", "semi": "；"},
    "en": {"appeal": "appeal {id}: run {run} (signed-off digest {digest})", "by": "by", "at": "at (UTC)",
           "reason": "reason", "data": "corrected data", "data_digest": "data digest",
           "results": "new results digest", "digest": "appeal digest", "changes": "changes ({n}, old → new)",
           "grade": "grade", "rank": "rank", "total": "total", "why": "why",
           "why_none": " (none of its own data changed: moved by the others')",
           "none": "no subject's grade, rank, total or bonus changed: the signed-off result stands",
           "summary": "summary", "subjects": "subjects", "spearman": "rank correlation", "blank": "(blank)",
           "added": "added", "removed": "removed", "no_appeals": "no appeals recorded", "sep": ": ",
           "semi": "; "},
}
TABLES = {"zh": {"values": "数据项", "subjects": "对象表", "events": "事件", "ratings": "测评"},
          "en": {"values": "values", "subjects": "subjects", "events": "events", "ratings": "ratings"}}


def appeal_json(reports: list[dict[str, Any]] | dict[str, Any]) -> str:
    return json.dumps(reports, ensure_ascii=False, indent=2, default=str) + "\n"


def appeals_text(reports: list[dict[str, Any]], lang: str, markdown: bool = False) -> str:
    if not reports:
        return LABELS[lang]["no_appeals"] + "\n"
    return "\n".join(appeal_text(report, lang, markdown) for report in reports)


def appeal_text(report: dict[str, Any], lang: str, markdown: bool = False) -> str:
    t = LABELS["zh" if lang == "zh" else "en"]
    bullet, sub = ("- ", "  - ") if markdown else ("  ", "    ")
    lines = [("## " if markdown else "") + t["appeal"].format(id=report["id"], run=report["run_id"],
                                                               digest=report["run_digest"]),
             f"{t['by']}{t['sep']}{report['appealed_by']} · {t['at']}{t['sep']}{report['appealed_at']}"]
    if report.get("reason"):
        lines.append(f"{t['reason']}{t['sep']}{report['reason']}")
    lines.append(f"{t['data']}{t['sep']}{report['data_path']} · {t['data_digest']} {report['data_digest']}")
    lines.append(f"{t['results']}{t['sep']}{report['results_digest']} · {t['digest']} {report['digest']}")
    heading = t["changes"].format(n=len(report["changes"]))
    lines.append(f"### {heading}" if markdown else heading)
    if not report["changes"]:
        lines.append(f"{bullet}{t['none']}")
    for change in report["changes"]:
        if change["why"]:
            lines += [f"{bullet}{change_line(change, t)}", f"{sub}{why_line(change['why'], t, lang)}"]
        else:  # moved by the others' corrections (a rank, a share of the pool): one line is enough
            lines.append(f"{bullet}{change_line(change, t)}{t['why_none']}")
    lines += summary_lines(report.get("summary") or {}, t, bullet)
    return "\n".join(lines) + "\n"


def change_line(change: dict[str, Any], t: dict[str, str]) -> str:
    """``2025 D19 信访局：等次 良好 → 优秀；总分 88.08 → 90.48；bonus_pool 26502 → 31802``."""
    moved = [f"{t[column]} {shown(change[column]['old'], t)} → {shown(change[column]['new'], t)}"
             for column in ("grade", "rank", "total") if change[column]["old"] != change[column]["new"]]
    moved += [f"{oid} {shown(amounts['old'], t)} → {shown(amounts['new'], t)}"
              for oid, amounts in change["money"].items()]
    name = f" {change['name']}" if change.get("name") else ""
    return f"{change['period']} {change['subject']}{name}{t['sep']}{t['semi'].join(moved)}"


def why_line(found: list[dict[str, Any]], t: dict[str, str], lang: str) -> str:
    return t["why"] + t["sep"] + t["semi"].join(difference_text(d, t, lang) for d in found)


def difference_text(difference: dict[str, Any], t: dict[str, str], lang: str) -> str:
    """``数据项 2025Q1 ontime_rate 0.82 → 0.97``; an event or subject added or removed says so."""
    table = TABLES["zh" if lang == "zh" else "en"].get(difference["table"], difference["table"])
    where = " ".join(str(p) for p in (table, difference["period"], difference["field"]) if p)
    old, new = difference["old"], difference["new"]
    if difference["table"] == "events":
        event = old if old is not None else new
        return f"{where} {event.get('date') or ''} {t['removed'] if new is None else t['added']}".replace("  ", " ")
    return f"{where} {shown(old, t)} → {shown(new, t)}"


def shown(value: Any, t: dict[str, str]) -> str:
    if value is None or value == "":
        return t["blank"]
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def summary_lines(summary: dict[str, Any], t: dict[str, str], bullet: str) -> list[str]:
    """The impact report's summary per period, for periods where something changed."""
    lines = []
    for period, data in summary.items():
        counts = [f"{g['from']} → {g['to']} {g['count']}" for g in data["grade_changes"]]
        if counts or data["largest_movers"]:
            lines.append(f"{bullet}{t['summary']} {period}{t['sep']}{t['subjects']} {data['subjects']}, "
                         f"{t['spearman']} {data['spearman']}" + (f"{t['semi']}" + ", ".join(counts) if counts else ""))
    return lines


def run_appeals_lines(rows: list[dict[str, Any]]) -> list[str]:
    """The appeals of a run, one line each, for ``kaohe store show`` (bilingual like its other lines)."""
    if not rows:
        return ["复核 appeals: 无 none"]
    return [f"复核 appeal {r['id']}: {r['appealed_at']} {r['appealed_by']} · 变化 changes {r['changes_count']}"
            f" · {r['digest']}" + (f" · {r['reason']}" if r.get("reason") else "") for r in rows]
