"""The report as one HTML file: styles and script inline, nothing fetched, the same bytes for the same input.

Chinese first; every label the engine words carries its English in ``data-en``
(the page's button swaps them; names and reasons from the data stay as written).
Subject sections are static HTML (printable, searchable, no script needed);
``content-visibility: auto`` lets a browser skip the ones off screen, which keeps
a 10,000-subject report responsive (docs/reports.md has the measurements).
"""

from __future__ import annotations

import base64
import json
import os
import time
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from html import escape
from importlib import resources
from typing import Any

from kaohe.engine import __version__
from kaohe.engine.report.explain import STATUS_ZH
from kaohe.engine.report.html import charts
from kaohe.engine.report.html.compare import Change, Comparison
from kaohe.engine.report.html.facts import (
    Extras,
    by_group,
    display_order,
    grade_table,
    pools,
    scale_of,
    totals_of,
)
from kaohe.engine.report.html.subjects import Subjects

STATUS_EN = {
    "scored": "", "missing_zero": " (no data, counted as 0)", "missing_excluded": " (no data, left out and rescaled)",
    "not_applicable": " (not applicable)", "rollup": " (mean of the periods)", "not_in_force": " (not in force)",
}
REASON_EN = {
    "band": "by the grade lines", "quota": "quota full: moved down from {from}",
    "eligibility": "not eligible for {from}", "veto": "veto", "bar": "a veto caps the grade (by score: {from})",
    "excluded": "not ranked", "none": "no grades this period",
}
KIND = {"bonus": ("加分", "bonus"), "deduction": ("扣分", "deduction")}
# Up to this many subjects, their sections are plain HTML in the page. Beyond it (a city's
# 10,000 persons: some 50 MB of sections) the same sections travel deflated inside the page and
# the browser unpacks the one asked for (docs/reports.md); --split prints each one whole.
INLINE_LIMIT = 1000
MANY_GROUPS = 12  # more ranking groups than this: one table of all groups and one histogram, not a block each


@dataclass(frozen=True)
class Sections:
    """Parts made elsewhere (handouts: publicity list, feedback sheets), each already HTML."""

    before_subjects: Sequence[tuple[str, str, str, str]] = ()  # (anchor, zh title, en title, html)
    per_subject: Mapping[str, str] = field(default_factory=dict)  # subject id -> html appended to its section


@cache  # the same few labels thousands of times over
def t(zh: str, en: str, tag: str = "span", attrs: str = "") -> str:
    """A label in both languages: Chinese shown, English in data-en for the switch."""
    return f'<{tag}{attrs} data-en="{escape(en)}">{escape(zh)}</{tag}>'


def num(value: Any) -> str:
    """A number exactly as the results JSON writes it (``95.31``, ``12``); — when missing."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 2**53 else repr(value)
    return escape(str(value))


@cache
def asset(name: str) -> str:
    return resources.files("kaohe.engine.report.html").joinpath("assets", name).read_text(encoding="utf-8")


class Report:
    """One period's subjects, the results document's parts above its periods (``document``: ruleset,
    data, indicators, outcomes), and the extra facts and parts to show."""

    def __init__(self, document: Mapping[str, Any], subjects: Subjects, extras: Extras,
                 comparison: Comparison | None = None, sections: Sections | None = None, lang: str = "zh"):
        self.document, self.subjects, self.extras = document, subjects, extras
        self.members = by_group(subjects)
        self.groups = list(self.members)
        self.scale = scale_of(self.subjects, extras)
        self.comparison, self.sections, self.lang = comparison, sections or Sections(), lang
        self.indicators = {i["id"]: i for i in document.get("indicators", [])}
        self.outcome_titles = {o["id"]: o["title"] for o in document.get("outcomes", [])}
        self.outcome_kinds = {o["id"]: o.get("kind") for o in document.get("outcomes", [])}
        self.depth = {i: _depth(self.indicators, i) for i in self.indicators}
        self.inline_limit = INLINE_LIMIT

    @property
    def period(self) -> str:
        return self.subjects.period

    @property
    def title(self) -> str:
        return str(self.document.get("ruleset", {}).get("title", "kaohe"))


def _depth(indicators: Mapping[str, Mapping[str, Any]], ident: str) -> int:
    depth, parent = 0, indicators[ident].get("parent")
    while parent is not None and parent in indicators:
        depth, parent = depth + 1, indicators[parent].get("parent")
    return depth


def report_html(report: Report) -> str:
    """The whole report."""
    body = [_header(report), _nav(report), "<main>", _overview(report), _ranking(report)]
    if report.comparison is not None:
        body.append(_comparison(report.comparison))
    body += [_extra_section(*part) for part in report.sections.before_subjects]
    if report.subjects.n > report.inline_limit:
        body.append(_packed_subjects(report))
    else:
        body.append(_subjects(report, report.subjects.records()))
    body += ["</main>", _footer(report)]
    return _page(report, "".join(body))


def subject_page(report: Report, subject: Mapping[str, Any]) -> str:
    """One subject's section alone, with the report's heading: the page printed for handing out."""
    body = [_header(report, button=False), '<main class="single">', _subjects(report, [subject], heading=False),
            "</main>"]
    return _page(report, "".join(body))


def _page(report: Report, body: str) -> str:
    lang = "en" if report.lang == "en" else "zh"
    return ("<!DOCTYPE html>\n"
            f'<html lang="{"en" if lang == "en" else "zh-CN"}" data-lang="{lang}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<meta name="generator" content="kaohe {escape(__version__)}">'
            f"<title>{escape(report.title)} · {escape(report.period)}</title>"
            f"<style>{asset('report.css')}</style></head><body>{body}"
            f"<script>{asset('report.js')}</script></body></html>\n")


def _header(report: Report, button: bool = True) -> str:
    ruleset = report.document.get("ruleset", {})
    source = report.extras.source
    parts = ['<header class="top">']
    if button:
        parts.append('<button id="lang" type="button" data-zh="English" data-en="中文">English</button>')
    parts.append(f"<h1>{escape(report.title)}</h1>")
    parts.append(f"<p>{t('考核周期：', 'Period: ')}{escape(report.period)}"
                 f"　{t('方案：', 'Ruleset: ')}{escape(str(ruleset.get('id', '')))}（{escape(str(ruleset.get('year', '')))}）</p>")
    if source:
        parts.append(f"<p>{t('依据：', 'Source: ')}{escape(source)}</p>")
    parts.append("</header>")
    return "".join(parts)


def _nav(report: Report) -> str:
    links = [("overview", "概览", "Overview"), ("ranking-section", "排名", "Ranking")]
    if report.comparison is not None:
        links.append(("previous", "与往年比较", "Year over year"))
    links += [(anchor, zh, en) for anchor, zh, en, _ in report.sections.before_subjects]
    links.append(("subjects", "逐个对象", "Subjects"))
    return "<nav>" + "".join(t(zh, en, "a", f' href="#{a}"') for a, zh, en in links) + "</nav>"


def _overview(report: Report) -> str:
    subjects = report.subjects
    ranked = sum(1 for rank in subjects["rank"] if rank is not None)
    totals = totals_of(subjects, range(subjects.n))
    cards = [("对象", "Subjects", str(subjects.n)), ("参加排名", "Ranked", str(ranked)),
             ("排名分组", "Ranking groups", str(len(report.groups)))]
    if totals:
        cards += [("最高分", "Highest", num(max(totals))), ("最低分", "Lowest", num(min(totals)))]
    parts = ['<section id="overview">', t("概览", "Overview", "h2"), '<div class="cards">']
    parts += [f"<div><b>{value}</b>{t(zh, en)}</div>" for zh, en, value in cards]
    parts.append("</div>")
    if len(report.groups) <= MANY_GROUPS:
        parts += [_group_overview(report, group) for group in report.groups]
    else:
        parts.append(_groups_table(report))
        parts.append(_histogram(report, range(report.subjects.n), "all"))
    parts.append(_pools(report))
    parts.append("</section>")
    return "".join(parts)


def _group_overview(report: Report, group: str) -> str:
    members = report.members[group]
    parts = [f'<div class="group" data-group="{escape(group)}">']
    if len(report.groups) > 1:
        parts.append(f"<h3>{t('分组', 'Group')} {escape(group)}（{len(members)}）</h3>")
    lines = grade_table(report.subjects, members, group, report.scale, report.extras)
    if lines:
        parts.append('<table class="grades"><thead><tr>'
                     f"{t('等次', 'Grade', 'th')}{t('人数', 'Count', 'th', ' class=n')}"
                     f"{t('名额', 'Places allowed', 'th', ' class=n')}{t('分数线', 'Line', 'th', ' class=n')}"
                     "</tr></thead><tbody>")
        for line in lines:
            allowed = "—" if line.allowed is None else str(line.allowed)
            parts.append(f'<tr data-grade="{escape(line.grade)}"><td>{escape(line.grade)}</td>'
                         f'<td class="n count">{line.count}</td><td class="n allowed">{allowed}</td>'
                         f'<td class="n">{num(line.line)}</td></tr>')
        parts.append("</tbody></table>")
    parts.append(_histogram(report, members, group))
    parts.append("</div>")
    return "".join(parts)


def _histogram(report: Report, members: Sequence[int], group: str) -> str:
    totals = totals_of(report.subjects, members)
    if not totals:
        return ""
    return (t("总分分布（人数）", "Distribution of totals (count)", "h4")
            + charts.histogram(totals, f"{group} 总分分布 / distribution of totals")
            + charts.csv_link(charts.histogram_rows(totals), f"histogram-{group}.csv"))


def _groups_table(report: Report) -> str:
    """Many ranking groups (a city's units): one row per group, each grade as count / places allowed."""
    heads = t("分组", "Group", "th") + t("人数", "Count", "th", " class=n") + "".join(
        f"<th class=n>{escape(g)}</th>" for g in report.scale)
    parts = [t("各分组等次人数 / 名额", "Grades per group: count / places allowed", "h3"),
             f'<div class="scroll"><table class="grades groups"><thead><tr>{heads}</tr></thead><tbody>']
    for group in report.groups:
        members = report.members[group]
        cells = "".join(f'<td class=n data-grade="{escape(line.grade)}">{line.count}'
                        + ("" if line.allowed is None else f" / {line.allowed}") + "</td>"
                        for line in grade_table(report.subjects, members, group, report.scale, report.extras))
        parts.append(f'<tr data-group="{escape(group)}"><td>{escape(group)}</td><td class=n>{len(members)}</td>'
                     f"{cells}</tr>")
    parts.append("</tbody></table></div>")
    return "".join(parts)


def _pools(report: Report) -> str:
    found = pools(report.document, report.subjects, report.extras)
    if not found:
        return ""
    rows: list[list[Any]] = [["outcome", "pool", "paid", "paid_to", "among"]]
    parts = [t("奖金分配", "Bonus pools", "h3"), '<table class="pools"><thead><tr>',
             t("结果运用", "Outcome", "th"), t("奖金池（元）", "Pool (yuan)", "th", " class=n"),
             t("已分配（元）", "Paid (yuan)", "th", " class=n"), t("获得人数", "Paid to", "th", " class=n"),
             "</tr></thead><tbody>"]
    for pool in found:
        parts.append(f"<tr><td>{escape(pool.title)}</td><td class=n>{escape(pool.pool or '—')}</td>"
                     f"<td class=n>{escape(pool.paid)}</td><td class=n>{pool.paid_to} / {pool.among}</td></tr>")
        rows.append([pool.title, pool.pool, pool.paid, pool.paid_to, pool.among])
    parts.append("</tbody></table>")
    parts.append(charts.csv_link(rows, "pools.csv"))
    return "".join(parts)


def reason_en(code: Any, was: Any) -> str:
    """A grade reason in English (``was``: the grade its score earned, where it was moved down)."""
    template = REASON_EN.get(str(code), "" if code is None else str(code))
    return template.replace("{from}", "" if was is None else str(was))


def _ranking(report: Report) -> str:
    many_groups = len(report.groups) > 1
    heads = [("排名", "Rank", " class=n"), ("编号", "Id", ""), ("名称", "Name", ""), ("单位", "Unit", ' class="wide"')]
    if many_groups:
        heads.append(("分组", "Group", ""))
    heads += [("总分", "Total", " class=n"), ("等次", "Grade", ""), ("等次说明", "Grade note", ' class="wide"')]
    parts = ['<section id="ranking-section">', t("排名", "Ranking", "h2"),
             '<input id="filter" type="search" placeholder="筛选：编号、名称、单位、等次…" '
             'data-placeholder-zh="筛选：编号、名称、单位、等次…" data-placeholder-en="Filter: id, name, unit, grade…">',
             '<div class="scroll"><table id="ranking"><thead><tr>',
             "".join(t(zh, en, "th", attrs) for zh, en, attrs in heads), "</tr></thead><tbody>"]
    c = report.subjects.columns
    for i in display_order(report.subjects):
        code, ident = c["reason_code"][i], escape(str(c["id"][i]))
        noted = code not in ("band", "none", None)
        cells = [f"<td class=n>{num(c['rank'][i])}</td>", f'<td><a href="#s-{ident}">{ident}</a></td>',
                 f"<td>{escape(str(c['name'][i]))}</td>", f'<td class="wide">{escape(str(c["unit"][i] or ""))}</td>']
        if many_groups:
            cells.append(f"<td>{escape(str(c['group'][i]))}</td>")
        cells += [f"<td class=n>{num(c['total'][i])}</td>", f"<td>{escape(str(c['grade'][i] or '—'))}</td>",
                  f'<td class="wide{" note" if noted else ""}" data-en="{escape(reason_en(code, c["reason_from"][i]))}">'
                  f'{escape(str(c["reason_text"][i] or ""))}</td>']
        parts.append(f'<tr data-id="{ident}">{"".join(cells)}</tr>')
    parts.append("</tbody></table></div></section>")
    return "".join(parts)


def _comparison(comparison: Comparison) -> str:
    parts = ['<section id="previous">', t("与往年比较", "Year over year", "h2"),
             f"<p>{t('对比：', 'Compared with: ')}{escape(comparison.previous_title)} · "
             f"{escape(comparison.previous_period)}（{escape(comparison.source)}）；"
             f"{t('两年都有的对象', 'subjects in both')} {comparison.matched}，"
             f"{t('今年新增', 'new this year')} {comparison.only_now}，"
             f"{t('往年有今年无', 'gone since')} {comparison.only_before}</p>"]
    for zh, en, rows in (("上升最多", "Largest rises", comparison.risers),
                         ("下降最多", "Largest falls", comparison.fallers),
                         ("等次变化", "Grade changes", comparison.grade_changes)):
        parts.append(t(zh, en, "h3"))
        parts.append(_change_table(rows, f"previous-{en.lower().replace(' ', '-')}.csv"))
    parts.append("</section>")
    return "".join(parts)


def _change_table(rows: Sequence[Change], filename: str) -> str:
    if not rows:
        return t("无", "None", "p", ' class="muted"')
    heads = [("编号", "Id", ""), ("名称", "Name", ""), ("往年排名", "Rank before", " class=n"),
             ("今年排名", "Rank now", " class=n"), ("变化", "Moved", " class=n"), ("往年等次", "Grade before", ""),
             ("今年等次", "Grade now", ""), ("往年总分", "Total before", " class=n"), ("今年总分", "Total now", " class=n")]
    parts = ['<div class="scroll"><table class="changes"><thead><tr>',
             "".join(t(zh, en, "th", attrs) for zh, en, attrs in heads), "</tr></thead><tbody>"]
    data: list[list[Any]] = [["id", "name", "rank_before", "rank_now", "moved", "grade_before", "grade_now",
                              "total_before", "total_now"]]
    for c in rows:
        moved = "—" if c.moved is None else f"{c.moved:+d}"
        parts.append(f'<tr><td><a href="#s-{escape(c.id)}">{escape(c.id)}</a></td><td>{escape(c.name)}</td>'
                     f"<td class=n>{num(c.old_rank)}</td><td class=n>{num(c.new_rank)}</td><td class=n>{moved}</td>"
                     f"<td>{escape(c.old_grade or '—')}</td><td>{escape(c.new_grade or '—')}</td>"
                     f"<td class=n>{num(c.old_total)}</td><td class=n>{num(c.new_total)}</td></tr>")
        data.append([c.id, c.name, c.old_rank, c.new_rank, c.moved, c.old_grade, c.new_grade, c.old_total,
                     c.new_total])
    parts.append("</tbody></table></div>")
    parts.append(charts.csv_link(data, filename))
    return "".join(parts)


def _extra_section(anchor: str, zh: str, en: str, html: str) -> str:
    return f'<section id="{escape(anchor)}">{t(zh, en, "h2")}{html}</section>'


def _subjects(report: Report, subjects: Iterable[Mapping[str, Any]], heading: bool = True) -> str:
    parts = ['<div id="subjects">']
    if heading:
        parts.append(t("逐个对象", "Subjects", "h2"))
    section = _subject_writer(report)
    parts += [section(s) for s in subjects]
    parts.append("</div>")
    return "".join(parts)


def _packed_subjects(report: Report) -> str:
    """The sections as a deflated JSON list [[id, html], …] in base64: the same HTML, a tenth of the
    bytes; each section deflated as it is written, so the sections are never held all at once."""
    section = _subject_writer(report)
    deflate = zlib.compressobj(6)
    chunks = [deflate.compress(b"[")]
    for k, s in enumerate(report.subjects.records()):
        item = json.dumps([str(s["id"]), section(s)], ensure_ascii=False)
        chunks.append(deflate.compress(((", " if k else "") + item).encode("utf-8")))
    chunks += [deflate.compress(b"]"), deflate.flush()]
    data = base64.b64encode(b"".join(chunks)).decode("ascii")
    count = report.subjects.n
    note = t(f"共 {count} 个对象：在排名表中点编号，显示该对象的详情（已压缩在本文件中，不需要网络）。",
             f"{count} subjects: click an id in the ranking to show its details "
             "(packed inside this file; no network needed).", "p", ' class="muted"')
    button = t("显示全部对象（用于打印）", "Show every subject (for printing)", "button", ' id="show-all" type="button"')
    return (f'<div id="subjects" data-packed="{count}">{t("逐个对象", "Subjects", "h2")}{note}{button}'
            f'<script type="application/octet-stream" id="packed-sections">{data}</script></div>')


def _subject_writer(report: Report) -> Callable[[Mapping[str, Any]], str]:
    """Labels shared by every section are made once, not once per subject."""
    labels = {key: t(zh, en, "dt") for key, zh, en in (("total", "总分", "Total"), ("rank", "排名", "Rank"),
                                                         ("grade", "等次", "Grade"))}
    heads = {key: t(zh, en, "h4") for key, zh, en in (
        ("indicators", "指标得分", "Indicator scores"), ("adjust", "加分与扣分", "Bonuses and deductions"),
        ("rollup", "年度汇总：各周期", "The year from its periods"), ("formula", "系数与总分", "Coefficient and total"),
        ("outcomes", "结果运用", "Outcomes"))}
    csv = t("下载数据（CSV）", "Download data (CSV)", "a", ' class="csv csv-bars" download="indicators.csv" href="#"')
    bars = charts.ScoreBars()
    labels_of: dict[tuple[str, str], str] = {}

    def section(s: Mapping[str, Any]) -> str:
        ident = escape(str(s["id"]))
        parts = [f'<section class="subject" id="s-{ident}" data-id="{ident}">',
                 f"<h3>{ident} {escape(str(s['name']))}{_where(report, s)}</h3>",
                 '<dl class="key">',
                 f'<div>{labels["total"]}<dd class="total">{num(s.get("total"))}</dd></div>',
                 f'<div>{labels["rank"]}<dd>{num(s.get("rank"))} / {num(s.get("group_size"))}</dd></div>',
                 f'<div>{labels["grade"]}<dd>{escape(str(s.get("grade") or "—"))}</dd></div></dl>',
                 _reason(report, s), heads["indicators"], _bars(report, s, bars, labels_of), csv]
        if s.get("rollup"):
            parts += [heads["rollup"], _rollup(report, s)]
        parts += [heads["adjust"], _adjustments(report, s), heads["formula"], _formula(s)]
        if s.get("outcomes"):
            parts += [heads["outcomes"], _outcomes(report, s)]
        parts.append(report.sections.per_subject.get(str(s["id"]), ""))
        parts.append("</section>")
        return "".join(parts)

    return section


def _where(report: Report, s: Mapping[str, Any]) -> str:
    bits = [str(x) for x in (s.get("unit"), report.extras.classes.get(str(s.get("class")))) if x]
    return f" <small class=muted>{escape(' · '.join(bits))}</small>" if bits else ""


def _reason(report: Report, s: Mapping[str, Any]) -> str:
    reason = s.get("grade_reason") or {}
    text = str(reason.get("text", ""))
    parts = [f'<p class="reason">{t("理由：", "Reason: ")}'
             f'<span data-en="{escape(reason_en(reason.get("code"), reason.get("from")))} — {escape(text)}">{escape(text)}</span></p>']
    vetoes = [report.extras.veto_titles.get(v, v) for v in s.get("vetoes") or []]
    if vetoes:
        parts.append(f'<p class="note">{t("一票否决：", "Veto: ")}{escape("、".join(vetoes))}</p>')
    gap = report.extras.gaps.get(str(s["id"]))
    if gap:
        parts.append(f'<p class="gap">{t("与上一等次：", "Next grade: ")}{escape(gap)}</p>')
    return "".join(parts)


def _bars(report: Report, s: Mapping[str, Any], chart: charts.ScoreBars, labels: dict[tuple[str, str], str]) -> str:
    bars = []
    for ident, entry in (s.get("indicators") or {}).items():
        status = str(entry.get("status"))
        if status == "not_applicable" or ident not in report.indicators:
            continue
        label = labels.get((ident, status))
        if label is None:
            label = labels[(ident, status)] = str(report.indicators[ident].get("title", ident)) + STATUS_ZH.get(status, "")
        bars.append(charts.Bar(label, entry.get("score"), entry.get("full"), report.depth.get(ident, 0)))
    return chart(bars, f"{s['id']} 指标得分 / indicator scores")


def _rollup(report: Report, s: Mapping[str, Any]) -> str:
    rollup = s["rollup"]
    cells = "".join(f"<tr><td>{escape(str(p))}</td><td class=n>{num(v)}</td></tr>"
                    for p, v in rollup.get("periods", {}).items())
    annual = "".join(f"<tr><td>{escape(str(report.indicators.get(k, {}).get('title', k)))}</td>"
                     f"<td class=n>{num(v)}</td></tr>" for k, v in rollup.get("annual", {}).items())
    return (f'<table class="rollup"><thead><tr>{t("周期", "Period", "th")}'
            f'{t("得分（加减分后、乘系数前）", "Score (after adjustments, before the coefficient)", "th", " class=n")}'
            f"</tr></thead><tbody>{cells}</tbody></table>"
            f'<p class="muted">{t("汇总权重", "Weight of the periods")} {num(rollup.get("weight"))}</p>'
            + (f'<table class="annual"><tbody>{annual}</tbody></table>' if annual else ""))


def _adjustments(report: Report, s: Mapping[str, Any]) -> str:
    items = s.get("adjustments") or []
    if not items:
        return t("无", "None", "p", ' class="muted"')
    parts = ['<ul class="adjust">']
    for a in items:
        event = a.get("event")
        cause = f"{event.get('date')} {event.get('type')}（{_row_label(event.get('row'))}）" if event else ""
        clause = report.extras.rule_clauses.get(str(a.get("rule")), "")
        points = a.get("points") or 0
        sign = "+" if a.get("kind") == "bonus" else "−"
        status = f"✗ {a['rejected']}" if a.get("rejected") else f"{sign}{num(abs(points))}"
        parts.append(f"<li><b>{escape(status)}</b> {escape(str(a.get('title') or a.get('rule')))}"
                     + f"<span class=muted> · {t(*KIND.get(str(a.get('kind')), (str(a.get('kind')),) * 2))}</span>"
                     + (f" — {escape(cause)}" if cause else "")
                     + (" " + t("（因封顶少计）", "(reduced by a cap)", "span", " class=note") if a.get("capped") and not a.get("rejected") else "")
                     + (f'<br><span class="clause">〔{escape(clause)}〕</span>' if clause else "") + "</li>")
    parts.append("</ul>")
    return "".join(parts)


def _row_label(row: Any) -> str:
    return f"数据第 {row} 行"


def _formula(s: Mapping[str, Any]) -> str:
    return (f'<p class="formula">（{num(s.get("subtotal"))} + {num(s.get("bonus"))} − {num(s.get("deduction"))}）'
            f' × {t("系数", "coefficient")} {num(s.get("coefficient"))} = <b>{num(s.get("total"))}</b></p>')


def _outcomes(report: Report, s: Mapping[str, Any]) -> str:
    rows = []
    for oid, value in s["outcomes"].items():
        raw = value.get("value")
        if raw is None and not value.get("note"):
            continue
        money = report.outcome_kinds.get(oid) == "allocator" and raw is not None
        shown = num(raw) + (" 元" if money else "")
        clause = report.extras.outcome_clauses.get(oid, "")
        rows.append(f"<tr><td>{escape(report.outcome_titles.get(oid, oid))}</td><td>{shown}</td>"
                    f"<td>{escape(str(value.get('note') or ''))}"
                    + (f'<br><span class="clause">〔{escape(clause)}〕</span>' if clause else "") + "</td></tr>")
    if not rows:
        return t("无", "None", "p", ' class="muted"')
    return f'<table class="outcomes"><tbody>{"".join(rows)}</tbody></table>'


def _footer(report: Report) -> str:
    ruleset, data = report.document.get("ruleset", {}), report.document.get("data", {})
    parts = [f"<footer>kaohe {escape(__version__)} · {t('方案摘要', 'ruleset digest')} "
             f"{escape(str(ruleset.get('digest', '')))} · {t('数据摘要', 'data digest')} {escape(str(data.get('digest', '')))}"]
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():  # a date only when the build asks for one: otherwise the same input, the same bytes
        parts.append(f" · {t('生成于', 'generated')} {time.strftime('%Y-%m-%d', time.gmtime(int(epoch)))}")
    parts.append("</footer>")
    return "".join(parts)
