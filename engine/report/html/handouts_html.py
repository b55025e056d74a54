"""The handouts of engine/report/handouts.py laid out in the report: the publicity list as a
section of its own, each feedback-talk sheet inside its subject's section (a page of its own in print)."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

from kaohe.engine.report.handouts import FeedbackSheet, Publicity, feedback_sheets, publicity_lists
from kaohe.engine.report.html.page import Sections, num, t
from kaohe.engine.report.html.subjects import Subjects


def sections_for(meta: Mapping[str, Any], subjects: Subjects) -> Sections:
    """The period's publicity lists and feedback sheets, read from its handout records (only when
    a handout outcome ran in the period)."""
    uses = {o["id"] for o in meta.get("outcomes", []) if o.get("use") in ("rank_list", "feedback")}
    if not uses & set(subjects.outcomes):
        return Sections()
    document = {**meta, "periods": [{"period": subjects.period, "subjects": subjects.handout_records()}]}
    lists = publicity_lists(document, subjects.period)
    before = [(f"publicity-{k}" if k else "publicity", "公示名单", "Publicity list", publicity_html(p))
              for k, p in enumerate(lists)]
    sheets: dict[str, str] = {}
    for sheet in feedback_sheets(document, subjects.period):
        sheets[sheet.id] = sheets.get(sheet.id, "") + feedback_html(sheet)
    return Sections(tuple(before), sheets)


def publicity_html(publicity: Publicity) -> str:
    heads = [("排名", "Rank", " class=n"), ("编号", "Id", ""), ("名称", "Name", ""), ("单位", "Unit", ""),
             ("总分", "Total", " class=n"), ("等次", "Grade", "")]
    if publicity.achievements_title:
        heads.append((publicity.achievements_title, "Achievements", ""))
    parts = [f"<h3>{escape(publicity.ruleset_title)} · {escape(publicity.period_title)} · {escape(publicity.title)}</h3>",
             '<div class="scroll"><table class="publicity"><thead><tr>',
             "".join(t(zh, en, "th", attrs) for zh, en, attrs in heads), "</tr></thead><tbody>"]
    for row in publicity.rows:
        cells = [f"<td class=n>{num(row.rank)}</td>", f"<td>{escape(row.id)}</td>", f"<td>{escape(row.name)}</td>",
                 f"<td>{escape(row.unit)}</td>", f"<td class=n>{num(row.total)}</td>",
                 f"<td>{escape(row.grade or '—')}</td>"]
        if publicity.achievements_title:
            cells.append(f"<td>{escape(row.achievements or '')}</td>")
        parts.append(f"<tr>{''.join(cells)}</tr>")
    if not publicity.rows:
        parts.append(f'<tr><td colspan="{len(heads)}">{t("本周期无人列入", "Nobody is listed this period")}</td></tr>')
    parts.append("</tbody></table></div>")
    parts += [f"<p>{escape(line)}</p>" for line in publicity.notice()]
    return "".join(parts)


def feedback_html(sheet: FeedbackSheet) -> str:
    parts = [f'<div class="sheet" data-outcome="{escape(sheet.outcome)}">',
             f"<h4>{escape(sheet.title)}（{t('反馈谈话记录表', 'feedback talk sheet')}）· {escape(sheet.period_title)}</h4>",
             f"<p>{escape(sheet.id)} {escape(sheet.name)}　{escape(sheet.unit)}　{t('总分', 'Total')} {num(sheet.total)}"
             f"　{t('排名', 'Rank')} {num(sheet.rank)} / {sheet.group_size}　{t('等次', 'Grade')} {escape(sheet.grade or '—')}</p>",
             f'<p class="muted">{escape(sheet.grade_reason)}</p>',
             f'<table class="dimensions"><thead><tr>{t("维度", "Dimension", "th")}{t("得分", "Score", "th", " class=n")}'
             f'{t("满分", "Full", "th", " class=n")}{t("得分率", "Rate", "th", " class=n")}</tr></thead><tbody>']
    for line in sheet.scores:
        rate = "—" if line.rate is None else f"{line.rate * 100:.0f}%"
        parts.append(f"<tr><td>{escape(line.title)}</td><td class=n>{num(line.score)}</td>"
                     f"<td class=n>{num(line.full)}</td><td class=n>{rate}</td></tr>")
    parts.append("</tbody></table>")
    strong = "、".join(line.title for line in sheet.strengths) or "—"
    weak = "、".join(line.title for line in sheet.weaknesses) or "—"
    parts.append(f"<p>{t('长处：', 'Strengths: ')}{escape(strong)}　{t('短板：', 'Weaknesses: ')}{escape(weak)}</p>")
    if sheet.training_need or sheet.training:
        parts.append(f"<p>{t('培训需求：', 'Training need: ')}{escape(sheet.training_need or '—')}"
                     + (f"（{escape(sheet.training)}）" if sheet.training else "") + "</p>")
    if sheet.talk_by:
        parts.append(f"<p>{t('谈话人：', 'Talk held by: ')}{escape(sheet.talk_by)}</p>")
    if sheet.topics:
        parts.append(f"<p>{t('谈话内容：', 'Topics: ')}{escape('；'.join(sheet.topics))}</p>")
    parts.append(f"<p>{t('谈话记录：', 'Record of the talk: ')}</p><p>&nbsp;</p><p>&nbsp;</p>")
    parts.append('<div class="sign">' + "".join(f"<span>{escape(s)}：＿＿＿＿＿＿</span>" for s in sheet.signatures)
                 + "</div></div>")
    return "".join(parts)
