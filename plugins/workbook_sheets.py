"""What the XLSX workbook holds, as plain data: every sheet's columns (title, kind, number format)
and rows, read from the results document. ``kaohe.plugins.xlsx_workbook`` lays them out with
openpyxl; nothing here imports it.

Sheets, in order: 概况 (the method, periods, grade counts per period, money totals), one 结果 sheet
per period (ranking order), 加减分明细 (every bonus and deduction), one 公示 sheet per publicity
list and one 反馈 sheet per feedback outcome and period (a register, one row per person, with
columns left blank for the talk record and the signature; the one-page-per-person sheet is in
``kaohe report``). Titles stand where the document has them (class, indicator and outcome
titles); numbers keep their full value and show the declared precision through their format.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from kaohe.engine.report.handouts import (
    FeedbackSheet,
    Publicity,
    class_titles,
    feedback_sheets,
    group_title,
    period_title,
    precision,
    publicity_lists,
    ranking_order,
)

Kind = Literal["text", "wrap", "number", "int", "money", "percent", "auto", "blank"]
MONEY_FORMAT = "#,##0.00"
PERCENT_FORMAT = "0.0%"
INT_FORMAT = "0"
SUBJECT_KIND = {"person": "个人", "unit": "单位"}
ADJUSTMENT_KIND = {"bonus": "加分", "deduction": "扣分"}
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


@dataclass(frozen=True)
class Column:
    title: str
    kind: Kind = "text"
    fmt: str | None = None  # Excel number format of a numeric column
    width: float | None = None  # fixed width (a blank column to write in); else from the content


@dataclass
class Table:
    """A sheet holding one table: header row, rows, optional lines under it."""

    name: str  # the sheet's name (tab)
    heading: str  # printed in the page header
    columns: list[Column]
    rows: list[list[Any]]
    freeze: int = 0  # first columns kept in view beside the frozen header row
    notes: list[str] = field(default_factory=list)  # printed under the table
    row_height: float | None = None  # a register written in by hand needs taller rows
    landscape: bool = True


@dataclass
class Section:
    title: str
    columns: list[Column]
    rows: list[list[Any]]


@dataclass
class Sections:
    """A sheet of small titled tables one under another (the summary)."""

    name: str
    heading: str
    sections: list[Section]
    landscape: bool = True


Sheet = Table | Sections


def number_format(decimals: int) -> str:
    return "0." + "0" * decimals if decimals > 0 else "0"


def workbook_sheets(document: Mapping[str, Any]) -> list[Sheet]:
    """Every sheet of the workbook, in order."""
    names = _Names()
    periods = [p["period"] for p in document["periods"]]
    sheets: list[Sheet] = [summary_sheet(document, names)]
    sheets += [period_sheet(document, record, names) for record in document["periods"]]
    sheets.append(adjustment_sheet(document, names))
    for period in periods:
        sheets += [publicity_sheet(p, names) for p in publicity_lists(document, period)]
    for period in periods:
        sheets += [feedback_sheet(group, names) for group in _by_outcome(feedback_sheets(document, period))]
    return sheets


class _Names:
    """Unique sheet names Excel accepts (31 characters, none of []:*?/\\)."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def __call__(self, wanted: str) -> str:
        base = _SHEET_NAME_FORBIDDEN.sub("_", wanted)[:31]
        name, n = base, 1
        while name.lower() in self.used:
            n += 1
            name = f"{base[:31 - len(str(n)) - 2]}({n})"
        self.used.add(name.lower())
        return name


def _heading(document: Mapping[str, Any], text: str) -> str:
    return f"{document['ruleset']['title']}　{text}"


# ---------------------------------------------------------------------------
# 概况


def summary_sheet(document: Mapping[str, Any], names: _Names) -> Sections:
    ruleset = document["ruleset"]
    about = Section("考核方案", [Column("项目"), Column("内容", "wrap")], [
        ["方案", ruleset["title"]], ["编号", ruleset["id"]], ["年度", ruleset["year"]],
        ["考核对象", SUBJECT_KIND.get(ruleset.get("subject_kind", ""), "—")],
        ["总分精度", f"{precision(document)} 位小数"], ["方案文件", ruleset["file"]],
        ["方案摘要", ruleset["digest"]], ["数据摘要", document["data"]["digest"]],
        ["引擎", f"{document['engine']['name']} {document['engine']['version']}"],
    ])
    sections = [about, _periods_section(document), _grades_section(document)]
    money = _money_section(document)
    if money.rows:
        sections.append(money)
    return Sections(names("概况"), _heading(document, "考核结果概况"), sections)


def _periods_section(document: Mapping[str, Any]) -> Section:
    rows = []
    for record in document["periods"]:
        subjects = record["subjects"]
        excluded = sum(1 for s in subjects if s["rank"] is None)
        rows.append([record["period"], period_title(record["period"]), len(subjects),
                     len(subjects) - excluded, excluded])
    return Section("考核周期", [Column("周期"), Column("名称"), Column("对象数", "int", INT_FORMAT),
                              Column("参加排名", "int", INT_FORMAT), Column("不参加排名", "int", INT_FORMAT)], rows)


def _grades_section(document: Mapping[str, Any]) -> Section:
    rows: list[list[Any]] = []
    for record in document["periods"]:
        graded = [s for s in record["subjects"] if s["grade"] is not None]
        counts = Counter(s["grade"] for s in graded)
        for grade in grade_order(graded):
            rows.append([record["period"], grade, counts[grade], counts[grade] / len(graded)])
    return Section("各周期等次人数", [Column("周期"), Column("等次"), Column("人数", "int", INT_FORMAT),
                                   Column("占比", "percent", PERCENT_FORMAT)], rows)


def grade_order(subjects: Sequence[Mapping[str, Any]]) -> list[str]:
    """Grades best first: by the median rank of those holding them (the document does not record the
    scale's order; a vetoed first-ranked subject does not move its low grade to the top)."""
    ranks: dict[str, list[int]] = {}
    for s in subjects:
        ranks.setdefault(s["grade"], []).append(s["rank"] or 0)
    return sorted(ranks, key=lambda g: (sorted(ranks[g])[len(ranks[g]) // 2], g))


def _money_section(document: Mapping[str, Any]) -> Section:
    allocators = [o for o in document["outcomes"] if o.get("kind") == "allocator"]
    rows = []
    for record in document["periods"]:
        for outcome in allocators:
            amounts = [_money(s["outcomes"][outcome["id"]]["value"]) for s in record["subjects"]
                       if outcome["id"] in s["outcomes"]]
            given = [a for a in amounts if a is not None]
            if given:
                rows.append([record["period"], outcome["title"], sum(given, Decimal(0)), sum(1 for a in given if a > 0)])
    return Section("奖金分配合计", [Column("周期"), Column("结果运用"), Column("金额合计（元）", "money", MONEY_FORMAT),
                                  Column("分得人数", "int", INT_FORMAT)], rows)


def _money(value: Any) -> Decimal | None:
    if isinstance(value, str) and re.fullmatch(r"-?\d+(\.\d+)?", value):
        return Decimal(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return Decimal(str(value))
    return None


# ---------------------------------------------------------------------------
# 结果 (one sheet per period)


def period_sheet(document: Mapping[str, Any], record: Mapping[str, Any], names: _Names) -> Table:
    subjects = ranking_order(record["subjects"])
    classes = class_titles(document)
    score_format = number_format(precision(document))
    indicators = [i for i in document["indicators"] if _scored(subjects, i["id"])]
    outcomes = [o for o in document["outcomes"] if any(o["id"] in s["outcomes"] for s in subjects)]
    titles = _unique([f"{i['title']}（{_plain(i['full_marks'])}分）" for i in indicators]
                     + [o["title"] for o in outcomes])
    grouped = len({s["group"] for s in subjects}) > 1  # one ranking group: no column saying so on every row
    columns = [*([Column("分组")] if grouped else []), Column("排名", "int", INT_FORMAT), Column("编号"),
               Column("名称"), Column("单位"), Column("类别"),
               *[Column(t, "number", score_format) for t in titles[:len(indicators)]],
               Column("小计", "number", score_format), Column("加分", "number", score_format),
               Column("扣分", "number", score_format), Column("系数", "number", "0.00"),
               Column("总分", "number", score_format), Column("等次"), Column("等次说明", "wrap"),
               *[Column(t, "money", MONEY_FORMAT) if o.get("kind") == "allocator" else Column(t, "auto")
                 for t, o in zip(titles[len(indicators):], outcomes, strict=True)]]
    rows = [[*([group_title(s["group"], classes)] if grouped else []), s["rank"], s["id"], s["name"], s["unit"],
             classes.get(s["class"], s["class"]),
             *[(s["indicators"].get(i["id"]) or {}).get("score") for i in indicators],
             s["subtotal"], s["bonus"], s["deduction"], s["coefficient"], s["total"], s["grade"],
             s["grade_reason"]["text"],
             *[_outcome_value(s, o) for o in outcomes]]
            for s in subjects]
    return Table(names(f"结果 {record['period']}"), _heading(document, f"{period_title(record['period'])}考核结果"),
                 columns, rows, freeze=4 if grouped else 3)


def _scored(subjects: Sequence[Mapping[str, Any]], indicator: str) -> bool:
    return any((s["indicators"].get(indicator) or {}).get("score") is not None for s in subjects)


def _outcome_value(subject: Mapping[str, Any], outcome: Mapping[str, Any]) -> Any:
    value = (subject["outcomes"].get(outcome["id"]) or {}).get("value")
    return _money(value) if outcome.get("kind") == "allocator" else value


def _unique(titles: list[str]) -> list[str]:
    """A title used twice gets its position appended, so every column has its own header."""
    counts = Counter(titles)
    seen: Counter[str] = Counter()
    out = []
    for title in titles:
        seen[title] += 1
        out.append(f"{title}({seen[title]})" if counts[title] > 1 else title)
    return out


def _plain(value: Any) -> Any:
    return int(value) if isinstance(value, float) and value.is_integer() else value


# ---------------------------------------------------------------------------
# 加减分明细


def adjustment_sheet(document: Mapping[str, Any], names: _Names) -> Table:
    score_format = number_format(precision(document))
    columns = [Column("周期"), Column("编号"), Column("名称"), Column("规则", "wrap"), Column("类型"),
               Column("分值", "number", score_format), Column("事件日期"), Column("事件类型"), Column("说明", "wrap")]
    rows = list(_adjustment_rows(document))
    return Table(names("加减分明细"), _heading(document, "加分与扣分明细"), columns, rows, freeze=3)


def _adjustment_rows(document: Mapping[str, Any]) -> Iterator[list[Any]]:
    for record in document["periods"]:
        for s in record["subjects"]:
            for a in s["adjustments"]:
                event = a.get("event") or {}
                remark = a.get("rejected") or ("已封顶" if a.get("capped") else None)
                yield [record["period"], s["id"], s["name"], a.get("title") or a["rule"],
                       ADJUSTMENT_KIND.get(a["kind"], a["kind"]), a["points"], event.get("date"),
                       event.get("type"), remark]


# ---------------------------------------------------------------------------
# 公示 and 反馈


def publicity_sheet(publicity: Publicity, names: _Names) -> Table:
    person = publicity.subject_kind == "person"
    grouped = len({row.group for row in publicity.rows}) > 1  # ranks restart in each group: say which
    by_class = grouped and all(row.group == row.class_title for row in publicity.rows)  # 分组 says the class
    columns = [*([Column("分组")] if grouped else []), Column("名次", "int", INT_FORMAT),
               Column("姓名" if person else "名称"), *([Column("单位")] if person else []),
               *([] if by_class else [Column("类别")])]
    columns += [Column("总分", "number", number_format(publicity.precision)), Column("等次")]
    if publicity.achievements_title:
        columns.append(Column(publicity.achievements_title, "wrap"))
    rows = []
    for row in publicity.rows:
        cells = [*([row.group] if grouped else []), row.rank, row.name, *([row.unit] if person else []),
                 *([] if by_class else [row.class_title]), row.total, row.grade]
        rows.append(cells + ([row.achievements] if publicity.achievements_title else []))
    heading = f"{publicity.ruleset_title}　{publicity.period_title}{publicity.title}"
    return Table(names(f"公示 {publicity.period}"), heading, columns, rows, freeze=3 if grouped else 2,
                 notes=[f"{publicity.period_title}{publicity.title}，共 {len(rows)} 名。", *publicity.notice()])


def _by_outcome(sheets: list[FeedbackSheet]) -> list[list[FeedbackSheet]]:
    groups: dict[str, list[FeedbackSheet]] = {}
    for sheet in sheets:
        groups.setdefault(sheet.outcome, []).append(sheet)
    return list(groups.values())


def feedback_sheet(sheets: list[FeedbackSheet], names: _Names) -> Table:
    """The feedback register of one outcome and period: one row per person, the talk record and
    the signature left blank to fill in by hand."""
    first = sheets[0]
    score_format = number_format(first.precision)
    dimensions = _unique([f"{line.title}（{_plain(line.full)}分）" for line in first.scores])
    columns = [Column("单位"), Column("编号"), Column("姓名"), Column("类别"),
               Column("总分", "number", score_format), Column("名次", "int", INT_FORMAT), Column("等次"),
               *[Column(t, "number", score_format) for t in dimensions],
               Column("长处", "wrap"), Column("短板", "wrap"), Column("培训需求", "wrap"),
               Column("谈话记录", "blank", width=40), Column("被谈话人签字", "blank", width=14),
               Column("谈话日期", "blank", width=12)]
    rows = [[s.unit, s.id, s.name, s.class_title, s.total, s.rank, s.grade,
             *[line.score for line in s.scores],
             _rates(s.strengths), _rates(s.weaknesses), s.training_need, None, None, None] for s in sheets]
    notes = [f"{first.period_title}{first.title}，共 {len(rows)} 人；长处、短板按各维度得分率（得分 ÷ 满分）比较。"]
    if first.talk_by:
        notes.append(f"谈话人：{first.talk_by}")
    if first.topics:
        notes.append(f"谈话内容：{'、'.join(first.topics)}")
    if first.training:
        notes.append(f"培训安排：{first.training}")
    heading = f"{first.ruleset_title}　{first.period_title}{first.title}"
    return Table(names(f"反馈 {first.period}"), heading, columns, rows, freeze=3, notes=notes, row_height=30)


def _rates(lines: Sequence[Any]) -> str:
    return "、".join(f"{line.title}（得分率 {line.rate:.0%}）" for line in lines)
