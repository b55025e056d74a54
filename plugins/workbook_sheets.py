"""What the XLSX workbook holds, as plain data: every sheet's columns (title, kind, number format)
and their values. The periods are read as lists (``PeriodView``), from a results document or, with
no per-subject document built, from an evaluation's record shapes (``results.record_shape``, the
one definition of a subject's record): the same values either way. ``kaohe.plugins.xlsx_workbook``
lays the sheets out with XlsxWriter; nothing here imports it.

Sheets, in order: 概况 (the method, periods, grade counts per period, money totals), one 结果 sheet
per period (ranking order), 加减分明细 (every bonus and deduction), one 公示 sheet per publicity
list and one 反馈 sheet per feedback outcome and period (a register, one row per person, with
columns left blank for the talk record and the signature; the one-page-per-person sheet is in
``kaohe report``). Titles stand where the document has them (class, indicator and outcome
titles); numbers keep their full value and show the declared precision through their format.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from operator import itemgetter
from typing import Any, Literal

import numpy as np

from kaohe.engine.report.grade_reasons import reason_columns
from kaohe.engine.report.handouts import (
    FeedbackSheet,
    Publicity,
    class_titles,
    feedback_sheets,
    group_title,
    period_title,
    precision,
    publicity_lists,
    ranking_positions,
)
from kaohe.engine.report.results import (
    ABSENT,
    PeriodColumns,
    adjustment_table,
    handout_records,
    veto_lists,
)

Kind = Literal["text", "wrap", "number", "int", "money", "percent", "auto", "blank"]
MONEY_FORMAT = "#,##0.00"
PERCENT_FORMAT = "0.0%"
INT_FORMAT = "0"
SUBJECT_KIND = {"person": "个人", "unit": "单位"}
ADJUSTMENT_KIND = {"bonus": "加分", "deduction": "扣分"}
ADJUSTMENT_COLUMNS = 9
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
    data: list[list[Any]] | None = None  # the values column by column, instead of ``rows``


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


def table_data(table: Table) -> list[list[Any]]:
    """A table's values column by column."""
    return table.data if table.data is not None else rows_to_columns(table.rows, len(table.columns))


def rows_to_columns(rows: Sequence[Sequence[Any]], count: int) -> list[list[Any]]:
    """Rows (some maybe shorter) as ``count`` columns, None where a row stops."""
    return [[row[c] if c < len(row) else None for row in rows] for c in range(count)]


# ---------------------------------------------------------------------------
# What the sheets read of a period: lists, from a document or from an evaluation's columns

FIELDS = ("id", "name", "unit", "class", "group", "rank", "group_size", "subtotal", "bonus", "deduction",
          "coefficient", "total", "grade")


@dataclass
class PeriodView:
    """One period as the workbook reads it: a list per field, subjects in the document's order."""

    period: str
    fields: dict[str, list[Any]]  # FIELDS, and "reason" (the grade reason's text)
    scores: dict[str, list[Any]]  # indicator id -> each subject's score (None where it has none)
    outcomes: dict[str, list[Any]]  # outcome id -> each subject's value (ABSENT where its record has none);
    # only the outcomes some record holds
    adjustments: Callable[[], AdjustmentRows]  # the period's adjustments, made when the sheet is
    records: Callable[[], Sequence[Mapping[str, Any]]]  # subject records for the handouts

    @property
    def n(self) -> int:
        return len(self.fields["id"])


def view_of_record(document: Mapping[str, Any], record: Mapping[str, Any]) -> PeriodView:
    subjects = record["subjects"]
    fields = {k: [s[k] for s in subjects] for k in FIELDS}
    fields["reason"] = [s["grade_reason"]["text"] for s in subjects]
    scores = {i["id"]: [(s["indicators"].get(i["id"]) or {}).get("score") for s in subjects]
              for i in document["indicators"]}
    outcomes = {o["id"]: [(s["outcomes"][o["id"]] or {}).get("value") if o["id"] in s["outcomes"] else ABSENT
                          for s in subjects]
                for o in document["outcomes"] if any(o["id"] in s["outcomes"] for s in subjects)}
    return PeriodView(record["period"], fields, scores, outcomes,
                      lambda: adjustment_rows_of_records([s["adjustments"] for s in subjects]), lambda: subjects)


def views_of_evaluation(evaluation: Any) -> list[PeriodView]:
    """The periods of an evaluation, read from the records' shapes (``results.record_shape``): the
    values the document would hold, without its per-subject records."""
    from kaohe.engine.report.stream_json import Field
    from kaohe.engine.report.table import number_column

    views = []
    for result in evaluation.periods:
        shape = PeriodColumns(evaluation.ruleset, result).shape(evaluation)
        n = result.cohort.n

        def values(node: Any, n: int = n) -> Any:
            """A field's values: a float column as shown (NaN for none: ``numbers`` in bulk)."""
            if isinstance(node, Field):
                return number_column(node.array) if node.array is not None else list(node.values)
            return [node] * n

        fields = {k: values(shape[k]) for k in FIELDS}
        fields["reason"] = reason_columns(evaluation.ruleset, result, veto_lists(evaluation.ruleset, result)).texts
        indicators = shape["indicators"]
        scores = {i.id: values(indicators[i.id]["score"]) if i.id in indicators else [None] * n
                  for i in evaluation.ruleset.walk()}
        outcomes = {oid: _python(values(o["value"])) for oid, o in shape["outcomes"].items()} if n else {}
        views.append(PeriodView(result.period.id, fields, scores, outcomes,
                                _adjustments_of(evaluation, result), partial(handout_records, shape, n)))
    return views


def _adjustments_of(evaluation: Any, result: Any) -> Callable[[], AdjustmentRows]:
    """A period's adjustment rows from the evaluation's columns (``results.adjustment_table``)."""

    def rows() -> AdjustmentRows:
        made = adjustment_table(evaluation.ruleset, evaluation, result)
        # listed subject by subject as the document holds them, each subject's in the order made
        order = np.argsort(np.asarray(made.subject, dtype=np.int64), kind="stable").tolist()
        return AdjustmentRows(*([column[i] for i in order] for column in (
            made.subject, made.title_or_rule, made.kind, made.points, made.event_date, made.event_type,
            made.remark)))

    return rows


def _python(values: Any) -> list[Any]:
    """A column as plain values (a shown float column's as ``numbers`` gives them)."""
    if isinstance(values, np.ndarray):
        from kaohe.engine.report.stream_json import numbers

        return numbers(values)
    return list(values)


def workbook_sheets(document: Mapping[str, Any]) -> list[Sheet]:
    """Every sheet of the workbook of a results document, in order."""
    return sheets_of(document, [view_of_record(document, record) for record in document["periods"]])


def sheets_of(meta: Mapping[str, Any], views: Sequence[PeriodView]) -> list[Sheet]:
    """Every sheet, in order, from the document's parts above its periods (``meta``) and the periods."""
    names = _Names()
    sheets: list[Sheet] = [summary_sheet(meta, views, names)]
    sheets += [period_sheet(meta, view, names) for view in views]
    sheets.append(adjustment_sheet(meta, views, names))
    handouts = {o["id"] for o in meta["outcomes"] if o["use"] in ("rank_list", "feedback")}
    documents = [{**meta, "periods": [{"period": v.period, "subjects": v.records()}]}
                 if handouts & set(v.outcomes) else None for v in views]
    for view, document in zip(views, documents, strict=True):
        if document is not None:
            sheets += [publicity_sheet(p, names) for p in publicity_lists(document, view.period)]
    for view, document in zip(views, documents, strict=True):
        if document is not None:
            sheets += [feedback_sheet(group, names) for group in _by_outcome(feedback_sheets(document, view.period))]
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


def summary_sheet(document: Mapping[str, Any], views: Sequence[PeriodView], names: _Names) -> Sections:
    ruleset = document["ruleset"]
    about = Section("考核方案", [Column("项目"), Column("内容", "wrap")], [
        ["方案", ruleset["title"]], ["编号", ruleset["id"]], ["年度", ruleset["year"]],
        ["考核对象", SUBJECT_KIND.get(ruleset.get("subject_kind", ""), "—")],
        ["总分精度", f"{precision(document)} 位小数"], ["方案文件", ruleset["file"]],
        ["方案摘要", ruleset["digest"]], ["数据摘要", document["data"]["digest"]],
        ["引擎", f"{document['engine']['name']} {document['engine']['version']}"],
    ])
    sections = [about, _periods_section(views), _grades_section(views)]
    money = _money_section(document, views)
    if money.rows:
        sections.append(money)
    return Sections(names("概况"), _heading(document, "考核结果概况"), sections)


def _periods_section(views: Sequence[PeriodView]) -> Section:
    rows = []
    for view in views:
        excluded = view.fields["rank"].count(None)
        rows.append([view.period, period_title(view.period), view.n, view.n - excluded, excluded])
    return Section("考核周期", [Column("周期"), Column("名称"), Column("对象数", "int", INT_FORMAT),
                              Column("参加排名", "int", INT_FORMAT), Column("不参加排名", "int", INT_FORMAT)], rows)


def _grades_section(views: Sequence[PeriodView]) -> Section:
    rows: list[list[Any]] = []
    for view in views:
        graded = [(g, t) for g, t in zip(view.fields["grade"], view.fields["total"], strict=True) if g is not None]
        counts = Counter(g for g, _ in graded)
        for grade in grade_order_of(graded):
            rows.append([view.period, grade, counts[grade], counts[grade] / len(graded)])
    return Section("各周期等次人数", [Column("周期"), Column("等次"), Column("人数", "int", INT_FORMAT),
                                   Column("占比", "percent", PERCENT_FORMAT)], rows)


def grade_order_of(graded: Sequence[tuple[str, float | None]]) -> list[str]:
    """Grades best first, from (grade, total) pairs: by the median total of those holding them (the
    document does not record the scale's order; ranks restart in every group, totals compare across
    them; a vetoed top scorer does not move its low grade to the top)."""
    totals: dict[str, list[float]] = {}
    for grade, total in graded:
        totals.setdefault(grade, []).append(-math.inf if total is None else float(total))
    return sorted(totals, key=lambda g: (-sorted(totals[g])[len(totals[g]) // 2], g))


def _money_section(document: Mapping[str, Any], views: Sequence[PeriodView]) -> Section:
    allocators = [o for o in document["outcomes"] if o.get("kind") == "allocator"]
    rows = []
    for view in views:
        for outcome in allocators:
            amounts = _amounts([v for v in view.outcomes.get(outcome["id"], ()) if v is not ABSENT])
            given = [a for a in amounts if a is not None]
            if given:
                rows.append([view.period, outcome["title"], sum(given, Decimal(0)), sum(1 for a in given if a > 0)])
    return Section("奖金分配合计", [Column("周期"), Column("结果运用"), Column("金额合计（元）", "money", MONEY_FORMAT),
                                  Column("分得人数", "int", INT_FORMAT)], rows)


def _amounts(values: Sequence[Any]) -> list[Decimal | None]:
    """``_money`` of each value, a text read once (a pool gives a few amounts to thousands)."""
    texts: dict[str, Decimal | None] = {}
    return [(texts[v] if v in texts else texts.setdefault(v, _money(v))) if type(v) is str else _money(v)
            for v in values]


def _money(value: Any) -> Decimal | None:
    if isinstance(value, str) and re.fullmatch(r"-?\d+(\.\d+)?", value):
        return Decimal(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return Decimal(str(value))
    return None


# ---------------------------------------------------------------------------
# 结果 (one sheet per period)


def ranking_indices(view: PeriodView) -> list[int]:
    """``handouts.ranking_positions`` of the period's subjects."""
    return ranking_positions(view.fields["group"], view.fields["rank"], view.fields["id"])


def period_sheet(document: Mapping[str, Any], view: PeriodView, names: _Names) -> Table:
    order = ranking_indices(view)

    positions = np.array(order, dtype=np.int64)

    def ranked(values: Any) -> Any:
        if isinstance(values, np.ndarray):
            return values[positions]
        return list(itemgetter(*order)(values)) if len(order) > 1 else [values[i] for i in order]

    classes = class_titles(document)
    score_format = number_format(precision(document))
    indicators = [i for i in document["indicators"] if _any_value(view.scores[i["id"]])]
    outcomes = [o for o in document["outcomes"] if o["id"] in view.outcomes]
    titles = _unique([f"{i['title']}（{_plain(i['full_marks'])}分）" for i in indicators]
                     + [o["title"] for o in outcomes])
    fields = view.fields
    grouped = len(set(fields["group"])) > 1  # one ranking group: no column saying so on every row
    columns = [*([Column("分组")] if grouped else []), Column("排名", "int", INT_FORMAT), Column("编号"),
               Column("名称"), Column("单位"), Column("类别"),
               *[Column(t, "number", score_format) for t in titles[:len(indicators)]],
               Column("小计", "number", score_format), Column("加分", "number", score_format),
               Column("扣分", "number", score_format), Column("系数", "number", "0.00"),
               Column("总分", "number", score_format), Column("等次"), Column("等次说明", "wrap"),
               *[Column(t, "money", MONEY_FORMAT) if o.get("kind") == "allocator" else Column(t, "auto")
                 for t, o in zip(titles[len(indicators):], outcomes, strict=True)]]
    group_titles = {g: group_title(g, classes) for g in set(fields["group"])} if grouped else {}
    data = [*([[group_titles[g] for g in ranked(fields["group"])]] if grouped else []),
            ranked(fields["rank"]), ranked(fields["id"]), ranked(fields["name"]), ranked(fields["unit"]),
            [classes.get(c, c) for c in ranked(fields["class"])],
            *[ranked(view.scores[i["id"]]) for i in indicators],
            *[ranked(fields[k]) for k in ("subtotal", "bonus", "deduction", "coefficient", "total", "grade", "reason")],
            *[_outcome_column(ranked(view.outcomes[o["id"]]), o.get("kind") == "allocator") for o in outcomes]]
    return Table(names(f"结果 {view.period}"), _heading(document, f"{period_title(view.period)}考核结果"),
                 columns, [], freeze=4 if grouped else 3, data=data)


def _any_value(values: Any) -> bool:
    if isinstance(values, np.ndarray):
        return bool((~np.isnan(values)).any())
    return any(v is not None for v in values)


def _outcome_column(values: list[Any], money: bool) -> list[Any]:
    shown = [None if v is ABSENT else v for v in values]
    return _amounts(shown) if money else shown


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


def adjustment_sheet(document: Mapping[str, Any], views: Sequence[PeriodView], names: _Names) -> Table:
    score_format = number_format(precision(document))
    columns = [Column("周期"), Column("编号"), Column("名称"), Column("规则", "wrap"), Column("类型"),
               Column("分值", "number", score_format), Column("事件日期"), Column("事件类型"), Column("说明", "wrap")]
    return Table(names("加减分明细"), _heading(document, "加分与扣分明细"), columns, [], freeze=3,
                 data=adjustment_columns(views))


@dataclass(frozen=True)
class AdjustmentRows:
    """A period's adjustments as the sheet lists them, in the order made: the subject's place in
    the period and each column of the sheet after 编号 and 名称."""

    subject: list[int]
    title: list[str]  # the rule's title, else its id
    kind: list[str]  # bonus / deduction
    points: list[Any]
    event_date: list[Any]
    event_type: list[Any]
    remark: list[Any]  # why it was rejected, else 已封顶 where capped


def adjustment_rows_of_records(records: Sequence[Sequence[Mapping[str, Any]]]) -> AdjustmentRows:
    """The rows of each subject's adjustment records (a results document's)."""
    made = [(k, a.get("title") or a["rule"], a["kind"], a["points"], event.get("date"), event.get("type"),
             a.get("rejected") or ("已封顶" if a.get("capped") else None))
            for k, adjustments in enumerate(records) for a in adjustments for event in (a.get("event") or {},)]
    columns = [list(column) for column in zip(*made, strict=True)] if made else [[] for _ in range(7)]
    return AdjustmentRows(*columns)


def adjustment_columns(views: Sequence[PeriodView]) -> list[list[Any]]:
    """The adjustment sheet's columns: every adjustment of every subject, period by period, in the
    order made."""
    columns: list[list[Any]] = [[] for _ in range(ADJUSTMENT_COLUMNS)]
    for view in views:
        rows = view.adjustments()
        ids, names = view.fields["id"], view.fields["name"]
        for column, values in zip(columns, (
                [view.period] * len(rows.subject), [ids[k] for k in rows.subject], [names[k] for k in rows.subject],
                rows.title, [ADJUSTMENT_KIND.get(k, k) for k in rows.kind], rows.points, rows.event_date,
                rows.event_type, rows.remark), strict=True):
            column += values
    return columns


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
