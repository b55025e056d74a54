"""Impact reports as terminal text or Markdown (JSON is the report itself)."""

from __future__ import annotations

from typing import Any

LABELS = {
    "zh": {"title": "影响分析（同一数据，两种方案）", "order": "归因顺序", "grades": "等次变化",
           "ranks": "名次变动（不少于 {t} 位）", "money": "奖金变化（元）", "summary": "汇总", "subjects": "对象数",
           "spearman": "名次相关系数（Spearman）", "movers": "总分变化最大", "because": "其中", "none": "无",
           "exact": "逐项应用后与新方案结果一致", "inexact": "注意：逐项应用后与新方案结果不完全一致",
           "merged": "（单独应用时方案无效，与下一项合并）", "steps": "变更步骤"},
    "en": {"title": "Impact (same data, both methods)", "order": "attribution order", "grades": "grade changes",
           "ranks": "rank moves of {t} or more", "money": "bonus changes (yuan)", "summary": "summary",
           "subjects": "subjects", "spearman": "rank correlation (Spearman)", "movers": "largest movers",
           "because": "due to", "none": "none", "exact": "applying every step reproduces the new method exactly",
           "inexact": "warning: applying every step does not reproduce the new method exactly",
           "merged": " (invalid alone: merged with the next step)", "steps": "steps"},
}


def render_impact(report: dict[str, Any], lang: str = "zh", markdown: bool = False, threshold: int = 3) -> str:
    t = LABELS["zh" if lang == "zh" else "en"]
    head = "## " if markdown else ""
    sub = "### " if markdown else "  "
    bullet = "- " if markdown else "    "
    lines = ["", f"{head}{t['title']}", f"{t['order']}: {report['order']}",
             t["exact"] if report["reproduces_new"] else t["inexact"], f"{sub}{t['steps']}"]
    for k, step in enumerate(report["steps"], 1):
        lines.append(f"{bullet}{k}. {step['label']}{t['merged'] if step['merged'] else ''}")
    for period, data in report["periods"].items():
        lines += ["", f"{head}{period}"]
        summary = data["summary"]
        lines.append(f"{sub}{t['summary']}: {t['subjects']} {summary['subjects']}, "
                     f"{t['spearman']} {summary['spearman']}")
        for item in summary["grade_changes"]:
            lines.append(f"{bullet}{item['from']} → {item['to']}: {item['count']}")
        lines.append(f"{sub}{t['grades']}")
        lines += [f"{bullet}{g['id']} {g['from']} → {g['to']}（{g['total_old']:g} → {g['total_new']:g}）"
                  f"{_because(g['because'], t)}" for g in data["grade_changes"]] or [f"{bullet}{t['none']}"]
        lines.append(f"{sub}{t['ranks'].format(t=threshold)}")
        lines += [f"{bullet}{m['id']} {m['from']} → {m['to']}" for m in data["rank_moves"]] or [f"{bullet}{t['none']}"]
        lines.append(f"{sub}{t['money']}")
        lines += [f"{bullet}{b['id']} {b['outcome']} {b['old']} → {b['new']}（{b['delta']}）"
                  for b in data["bonus_changes"]] or [f"{bullet}{t['none']}"]
        lines.append(f"{sub}{t['movers']}")
        lines += [f"{bullet}{m['id']} {m['total_old']:g} → {m['total_new']:g}（{m['delta']:+g}）{_because(m['because'], t)}"
                  for m in summary["largest_movers"]] or [f"{bullet}{t['none']}"]
    return "\n".join(lines) + "\n"


def _because(steps: list[dict[str, Any]], t: dict[str, str]) -> str:
    if not steps:
        return ""
    return f"；{t['because']} " + "，".join(f"{s['step']} {s['delta']:+g}" for s in steps)
