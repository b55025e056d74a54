"""Render a semantic diff as terminal text, Markdown or JSON (zh or en)."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from kaohe.engine.ruleset.model import Ruleset
from kaohe.engine.years.diff import SECTIONS, Change

MARK = {"added": "+", "removed": "−", "changed": "~", "moved": "→", "retitled": "~"}


def _value(value: Any, lang: str) -> str:
    if value is None:
        return "（无）" if lang == "zh" else "(none)"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=False)
    return str(value)


def describe(change: Change, lang: str = "zh") -> str:
    """One change as a sentence a leader can read."""
    name = f"{change.id} {change.title}".strip() if change.title and change.title != change.id else change.id
    zh = lang == "zh"
    if change.change == "added":
        extra = _indicator_extra(change.new, lang) if change.section == "indicators" else ""
        return f"新增 {name}{extra}" if zh else f"added {name}{extra}"
    if change.change == "removed":
        extra = _indicator_extra(change.old, lang) if change.section == "indicators" else ""
        return f"删除 {name}{extra}" if zh else f"removed {name}{extra}"
    if change.change == "retitled":
        return (f"{change.id}：名称 “{change.old}” → “{change.new}”" if zh
                else f"{change.id}: renamed '{change.old}' → '{change.new}'")
    if change.change == "moved":
        d = change.detail
        return (f"{name}：从 “{d['old_parent_title']}” 移到 “{d['new_parent_title']}”" if zh
                else f"{name}: moved from '{d['old_parent_title']}' to '{d['new_parent_title']}'")
    if change.section == "indicators" and change.field in ("points", "weight", "points/weight"):
        return _size(change, name, lang)
    field = change.field or "value"
    return f"{name}：{field} {_value(change.old, lang)} → {_value(change.new, lang)}" if zh else (
        f"{name}: {field} {_value(change.old, lang)} → {_value(change.new, lang)}")


def _indicator_extra(summary: Any, lang: str) -> str:
    if not isinstance(summary, dict):
        return ""
    points = _value(summary.get("points"), lang)
    return f"（{points} 分，评分方法 {summary.get('rater') or '—'}）" if lang == "zh" else (
        f" ({points} points, rater {summary.get('rater') or '—'})")


def _size(change: Change, name: str, lang: str) -> str:
    d = change.detail
    total = f"{_value(d['old_total_points'], lang)} → {_value(d['new_total_points'], lang)}"
    if change.field == "weight":
        within = f"{d['parent_title']}（{_value(d['parent_points'], lang)} 分）"
        return (f"{name}：权重 {_value(change.old, lang)} → {_value(change.new, lang)}（在 {within} 中），占总分 {total} 分"
                if lang == "zh" else
                f"{name}: weight {_value(change.old, lang)} → {_value(change.new, lang)} within {d['parent_title']} "
                f"({_value(d['parent_points'], lang)}), i.e. {total} points of the total")
    if change.field == "points/weight":  # the kind changed too
        words = {"weight": ("权重", "weight"), "points": ("分值", "points")}
        was = words[d.get("old_kind", "points")]
        now = words["points" if d.get("old_kind") == "weight" else "weight"]
        side = 0 if lang == "zh" else 1
        change_text = f"{was[side]} {_value(change.old, lang)} → {now[side]} {_value(change.new, lang)}"
        return (f"{name}：{change_text}，占总分 {total} 分" if lang == "zh"
                else f"{name}: {change_text} ({total} points of the total)")
    return (f"{name}：分值 {_value(change.old, lang)} → {_value(change.new, lang)}，占总分 {total} 分" if lang == "zh"
            else f"{name}: points {_value(change.old, lang)} → {_value(change.new, lang)} ({total} points of the total)")


def _grouped(changes: list[Change]) -> list[tuple[str, list[Change]]]:
    return [(section, [c for c in changes if c.section == section]) for section in SECTIONS
            if any(c.section == section for c in changes)]


def render_text(old: Ruleset, new: Ruleset, changes: list[Change], lang: str = "zh") -> str:
    zh = lang == "zh"
    lines = [f"{old.file} → {new.file}",
             (f"共 {len(changes)} 处变化" if zh else f"{len(changes)} change(s)")]
    for section, items in _grouped(changes):
        title = SECTIONS[section][0 if zh else 1]
        lines.append(f"【{title}】" if zh else f"[{title}]")
        lines += [f"  {MARK[c.change]} {describe(c, lang)}" for c in items]
    return "\n".join(lines) + "\n"


def render_markdown(old: Ruleset, new: Ruleset, changes: list[Change], lang: str = "zh") -> str:
    zh = lang == "zh"
    lines = [f"# {new.title}：{old.year} → {new.year} 方案变化" if zh else f"# {new.title}: changes {old.year} → {new.year}",
             "", f"`{old.file}` → `{new.file}`", ""]
    if not changes:
        lines.append("没有变化。" if zh else "No changes.")
    for section, items in _grouped(changes):
        lines += [f"## {SECTIONS[section][0]} {SECTIONS[section][1]}", ""]
        lines += [f"- {MARK[c.change]} {describe(c, lang)}" for c in items]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def render_json(old: Ruleset, new: Ruleset, changes: list[Change], lang: str = "zh") -> str:
    document = {
        "kaohe": "diff/1",
        "old": {"file": old.file, "id": old.id, "year": old.year, "digest": old.digest},
        "new": {"file": new.file, "id": new.id, "year": new.year, "digest": new.digest},
        "summary": dict(Counter(c.section for c in changes)),
        "changes": [
            {"section": c.section, "change": c.change, "id": c.id, "title": c.title, "field": c.field,
             "old": c.old, "new": c.new, "detail": dict(c.detail), "text": describe(c, lang)}
            for c in changes
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2, default=str) + "\n"


RENDERERS = {"text": render_text, "md": render_markdown, "json": render_json}
