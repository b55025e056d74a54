"""``kaohe template``: the data-entry workbook an office hands to its departments.

``plan_template`` reads a compiled ruleset and decides, as plain data, what the workbook holds:
one sheet per table the ruleset reads from files (named by ``TABLE_ZH``), its columns headed
by their Chinese titles (standard columns from ``columns.py``; inputs, event, item and history
fields by the titles the ruleset gives them), the help of each column (a cell comment), what a
cell may hold (lists, number ranges, dates), the subjects pre-filled, and the instructions
sheet ``填报说明``. ``template_bytes`` writes that plan with openpyxl, imported only here, so
no other command pays for it. The reader of ``--data FILE.xlsx`` reads the same headers back.
"""

from __future__ import annotations

import ast
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from kaohe.engine.data.columns import Column, standard
from kaohe.engine.data.headers import names_of
from kaohe.engine.data.load import dataset_from_tables, default_spec, read_table
from kaohe.engine.data.periods import Period, parse_period, periods_of_year
from kaohe.engine.data.sheet import TABLE_ZH
from kaohe.engine.data.submission import file_specs
from kaohe.engine.data.tables import Subjects
from kaohe.engine.errors import Bilingual, Diagnostic, KaoheError
from kaohe.engine.registry import Registry
from kaohe.engine.ruleset.model import Indicator, Ruleset

INSTRUCTIONS = "填报说明"  # the sheet the reader of a whole workbook ignores
FILE_SOURCES = ("csv", "xlsx", "json")  # tables read from files; a table from a store or plugin is not filled in
COUNT_UNITS = ("件", "次", "场", "个", "项", "人", "家", "户", "起", "条", "篇", "名")
YES_NO = ("是", "否")
LAST_ROW = 1_048_576  # validations cover the whole column, so rows added below are checked too
INLINE_LIST_CHARS = 255  # Excel's limit for a list written in the validation itself
SUBJECT_DATES = (dt.date(1950, 1, 1), dt.date(2100, 12, 31))


@dataclass(frozen=True)
class Check:
    """What a cell may hold: a list of words, a number (whole or decimal) in a range, or a date."""

    kind: Literal["list", "decimal", "whole", "date"]
    choices: tuple[str, ...] = ()
    low: float | dt.date | None = None
    high: float | dt.date | None = None
    strict: bool = True  # refuse other entries (else warn and allow them)
    explained: str = ""  # the rule in words, shown when a cell breaks it


@dataclass(frozen=True)
class TemplateColumn:
    id: str
    header: str
    help: str
    required: bool = False
    check: Check | None = None
    number_format: str = ""


@dataclass
class TemplateSheet:
    table: str
    name: str
    purpose: str
    columns: list[TemplateColumn]
    rows: list[list[Any]] = field(default_factory=list)
    frozen: str = "A2"


@dataclass
class Template:
    title: str
    ruleset_id: str
    year: int
    periods: list[str]
    chosen_period: str | None
    sheets: list[TemplateSheet]
    notes: list[str]  # general instructions
    units: list[tuple[str, str, str, str, str]]  # header, id, unit, note, used by


# ---------------------------------------------------------------------------
# What the ruleset reads


def file_tables(ruleset: Ruleset, registry: Registry) -> list[str]:
    """The tables the ruleset reads from files, in the reader's order."""
    wanted = {
        "subjects": True,
        "values": bool(entered_inputs(ruleset)),
        "events": reads_records(ruleset, registry, "event"),
        "ratings": bool(survey_indicators(ruleset)),
        "history": bool(ruleset.declared.history_fields),
        "items": reads_records(ruleset, registry, "item"),
    }
    named = {t for t, spec in ruleset.data.items() if "path" in spec}  # the reader of a workbook looks for these
    return [t for t, needed in wanted.items() if (needed or t in named) and _from_file(ruleset.data.get(t))]


def _from_file(spec: Mapping[str, Any] | None) -> bool:
    return spec is None or spec.get("source") in FILE_SOURCES


def entered_inputs(ruleset: Ruleset) -> list[str]:
    """Inputs someone types in: every declared input not computed from events or items."""
    derived = {d.name for d in ruleset.derived}
    return [name for name in ruleset.inputs if name not in derived]


def reads_records(ruleset: Ruleset, registry: Registry, records: str) -> bool:
    """Whether any rule, veto, derived input, rater or outcome reads events (or items)."""
    per = "event" if records == "event" else "item"
    if any(r.per == per for r in ruleset.rules) or any(v.per == per for v in ruleset.vetoes):
        return True
    if any(d.records == records for d in ruleset.derived):
        return True
    if records == "event" and ruleset.event_fields:
        return True
    if records == "item" and ruleset.declared.item_fields:
        return True
    components: list[tuple[Any, Mapping[str, Any]]] = [
        (registry.rater(i.rater.use), i.rater.params) for i in ruleset.walk() if i.rater is not None]
    components += [(registry.get("outcome", o.use), o.params) for o in ruleset.outcomes]
    return any(c is not None and c.event_expressions(p) and c.records(p) == records for c, p in components)


def survey_indicators(ruleset: Ruleset) -> list[Indicator]:
    """Leaves scored from the ratings table (a rater that reads ratings: the survey)."""
    return [i for i in ruleset.leaves() if i.rater is not None and i.rater.use == "survey"]


def template_periods(ruleset: Ruleset) -> list[Period]:
    """The periods values are entered for: monitoring months, the cycle's periods, and the year
    when something is assessed over the year (annual indicators or yearly rules)."""
    periods = [p for kind in ruleset.monitor if kind != ruleset.cycle for p in periods_of_year(ruleset.year, kind)]
    periods += periods_of_year(ruleset.year, ruleset.cycle)
    yearly = any(i.cycle == "year" for i in ruleset.walk()) or any(
        r.cycle == "year" and r.per == "subject" for r in ruleset.rules)
    if ruleset.cycle != "year" and yearly:
        periods.append(Period(ruleset.year, "year"))
    return periods


def chosen_periods(ruleset: Ruleset, period: str | None) -> list[Period]:
    every = template_periods(ruleset)
    if period is None:
        return every
    wanted = parse_period(period)
    if wanted is None or wanted not in every:
        where = ("periods", "cycle") if "periods" in ruleset.document.data else ("year",)
        raise KaoheError(ruleset.locations.diagnostic("E-TEMPLATE-PERIOD", where, period=period,
                                                      available=", ".join(p.id for p in every)))
    return [wanted]


# ---------------------------------------------------------------------------
# Who reads each input, and what its unit implies


@dataclass
class InputUse:
    readers: list[str] = field(default_factory=list)  # "指标 招商引资（满分 20 分，目标达成率）"
    direct_full: float | None = None  # full marks of a direct score
    direct_floor: float = 0.0
    target_only: bool = True  # read only as an attainment actual or target (a quantity, not below 0)


def input_uses(ruleset: Ruleset, registry: Registry) -> dict[str, InputUse]:
    uses = {name: InputUse() for name in ruleset.inputs}
    for indicator in ruleset.leaves():
        if indicator.rater is None:
            continue
        rater = registry.rater(indicator.rater.use)
        params = indicator.rater.params
        named = list(rater.inputs(params))
        for text in rater.expressions(params).values():
            named += sorted(ruleset.expressions.compile(text, ruleset.scopes.indicator).names)
        cycle = "，年度评价" if indicator.cycle == "year" else ""
        for name in [n for n in dict.fromkeys(named) if n in uses]:
            use = uses[name]
            use.readers.append(f"指标“{indicator.title}”（{indicator.id}，满分 {indicator.full_marks:g} 分，"
                               f"{rater.title or rater.name}{cycle}）")
            if indicator.rater.use == "direct":
                use.direct_full = float(params.get("cap", indicator.full_marks))
                use.direct_floor = float(params.get("floor", 0.0))
            if indicator.rater.use != "attainment":
                use.target_only = False
    for rule in ruleset.rules:
        if rule.per != "subject":
            continue
        kind = "加分" if rule.kind == "bonus" else "扣分"
        for name in _names(rule.when, rule.points, rule.require):
            if name in uses:
                uses[name].readers.append(f"{kind}规则“{rule.title}”（{rule.id}）")
                uses[name].target_only = False
    for veto in ruleset.vetoes:
        for name in _names(veto.when) if veto.per == "subject" else ():
            if name in uses:
                uses[name].readers.append(f"一票否决“{veto.title}”（{veto.id}）")
                uses[name].target_only = False
    return uses


def _names(*expressions: Any) -> list[str]:
    return sorted({n for e in expressions for n in getattr(e, "names", ())})


def input_check(name: str, spec: Mapping[str, Any], use: InputUse) -> tuple[Check, str]:
    """The check of an input's cells and their number format, from how the ruleset reads it."""
    unit, title = str(spec.get("unit", "")), str(spec.get("title", name))
    if use.direct_full is not None:
        return Check("decimal", low=use.direct_floor, high=use.direct_full,
                     explained=f"直接计分：{use.direct_floor:g} 至 {use.direct_full:g} 分"), ""
    top = re.search(r"满分\s*(\d+(?:\.\d+)?)", unit + str(spec.get("note", "")))
    if top:
        return Check("decimal", low=0.0, high=float(top[1]), explained=f"0 至 {top[1]} 分"), ""
    if unit.strip() in ("%", "％", "百分比"):
        return Check("decimal", low=0.0, high=100.0, strict=False, explained="百分数：0 至 100（97% 填 97）"), ""
    if unit.strip() == "比例":
        high = 1.0 if re.sub(r"（[^）]*）|\([^)]*\)", "", title).endswith("率") else None  # 开工率（…）
        words = "比例：0 至 1（95% 填 0.95 或 95%）" if high else "比例：不小于 0（95% 填 0.95 或 95%）"
        return Check("decimal", low=0.0, high=high, strict=False, explained=words), "0.00%"
    if unit.strip() in COUNT_UNITS:
        return Check("whole", low=0, explained=f"件数：不小于 0 的整数（{unit}）"), ""
    if use.target_only and use.readers:
        return Check("decimal", low=0.0, strict=False, explained="不小于 0 的数"), ""
    return Check("decimal", explained="数字（不带单位、千分位逗号）"), ""


# ---------------------------------------------------------------------------
# Words named in expressions: event types, yes/no fields


def named_words(ruleset: Ruleset) -> dict[str, list[str]]:
    """For each ``event.<field>`` compared with quoted words anywhere in the ruleset, those words
    (in the order written): ``event.type == '红牌'`` → ``{"type": ["红牌"]}``."""
    found: dict[str, list[str]] = {}
    for text in _texts(ruleset.document.data):
        for attribute, words in _compared_words(text):
            bucket = found.setdefault(attribute, [])
            bucket.extend(w for w in words if w.strip() and w not in bucket)
    return found


def _texts(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        if "event." in node:
            yield node
    elif isinstance(node, Mapping):
        for value in node.values():
            yield from _texts(value)
    elif isinstance(node, list):
        for value in node:
            yield from _texts(value)


def _compared_words(text: str) -> Iterator[tuple[str, list[str]]]:
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError:
        return
    for node in ast.walk(tree):
        if not isinstance(node, ast.Compare):
            continue
        sides = [node.left, *node.comparators]
        fields = [s.attr for s in sides if isinstance(s, ast.Attribute) and isinstance(s.value, ast.Name)
                  and s.value.id == "event"]
        words = [w for s in sides for w in _quoted(s)]
        if len(fields) == 1 and words:
            yield fields[0], words


def _quoted(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return [e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
    return []


# ---------------------------------------------------------------------------
# The sheets


def _std(table: str, column: str) -> Column:
    return next(c for c in standard(table) if c.id == column)


def _column(table: str, column: str, help_text: str, required: bool = False, check: Check | None = None,
            number_format: str = "") -> TemplateColumn:
    std = _std(table, column)
    lead = "必填。" if required else "选填。"
    return TemplateColumn(column, std.title, f"{std.title}（{column}）\n{lead}{help_text}", required, check,
                          number_format)


def _titled(kind: str, fields: Mapping[str, Any], taken: set[str]) -> list[TemplateColumn]:
    """Declared fields headed by their titles (by their ids where the title is missing or taken)."""
    columns = []
    for name, spec in fields.items():
        title = str(spec.get("title") or name) if isinstance(spec, Mapping) else name
        header = name if title in taken else title
        taken.add(header)
        note = f"\n说明：{spec['note']}" if isinstance(spec, Mapping) and spec.get("note") else ""
        columns.append(TemplateColumn(name, header, f"{title}（{name}）\n选填。{kind}{note}"))
    return columns


def _taken(table: str) -> set[str]:
    """Headers the reader already gives a meaning: a field must not be headed by one of them."""
    return {word for c in standard(table) for word in (c.id, c.title, *c.aliases)}


def _date_check(low: dt.date, high: dt.date, strict: bool = True) -> Check:
    return Check("date", low=low, high=high, strict=strict,
                 explained=f"日期：{low.isoformat()} 至 {high.isoformat()}，如 {high.year}-03-01")


def subjects_sheet(ruleset: Ruleset, subjects: Subjects | None) -> TemplateSheet:
    who = "人员" if ruleset.kind == "person" else "单位（部门）"
    columns = [
        _column("subjects", "id", f"{who}编号，全表唯一；其他表用它指明对象。", True),
        _column("subjects", "name", f"{who}名称。", True),
    ]
    has_unit = ruleset.kind == "person" or (subjects is not None and bool(subjects.unit.any()))
    if has_unit:
        columns.append(_column("subjects", "unit", "所属单位（个人考核时填单位名称或编号）。"))
    if ruleset.classes:
        words = "；".join(f"{c.id} = {c.title}" for c in ruleset.classes.values())
        columns.append(_column("subjects", "class", f"类别，从下拉列表中选：{words}。",
                               check=Check("list", tuple(ruleset.classes), explained="类别：" + words)))
    dates = _date_check(*SUBJECT_DATES)
    columns.append(_column("subjects", "joined", "到岗日期；周期开始前已在岗的留空。", check=dates,
                           number_format="yyyy-mm-dd"))
    columns.append(_column("subjects", "left", "离岗日期；仍在岗的留空。", check=dates, number_format="yyyy-mm-dd"))
    joined = (ruleset.data.get("results") or {}).get("fields") or {}  # filled from another ruleset's results
    fields = {k: v for k, v in (ruleset.document.data.get("subjects", {}).get("fields") or {}).items()
              if k not in joined}
    columns += _titled("对象表中供表达式使用的列。", fields, _taken("subjects"))
    rows = [] if subjects is None else [_subject_row(subjects, i, columns) for i in range(len(subjects))]
    return TemplateSheet("subjects", TABLE_ZH["subjects"], f"考核对象：每个{who}一行。", columns, rows)


def _subject_row(subjects: Subjects, i: int, columns: list[TemplateColumn]) -> list[Any]:
    known: dict[str, Any] = {"id": subjects.ids[i], "name": subjects.name[i], "unit": subjects.unit[i],
                             "class": subjects.cls[i], "joined": _day(subjects.joined[i]),
                             "left": _day(subjects.left[i])}
    for name, column in subjects.extra.items():
        value = column[i]
        known[name] = None if isinstance(value, float) and value != value else value
    return [_filled(known.get(c.id)) for c in columns]


def _filled(value: Any) -> Any:
    return None if value is None or value == "" else value


def _day(value: Any) -> dt.date | None:
    text = str(value)
    return None if text == "NaT" else dt.date.fromisoformat(text[:10])


def values_sheet(ruleset: Ruleset, registry: Registry, subjects: Subjects | None,
                 periods: list[Period]) -> tuple[TemplateSheet, list[tuple[str, str, str, str, str]]]:
    ids = [p.id for p in periods]
    columns = [
        _column("values", "subject", "对象编号，与考核对象表相同。", True),
        _column("values", "name", "对象名称，只供核对：与编号对应的名称不一致时，校验和计算会指出是哪一行。"),
        _column("values", "period", f"周期，从下拉列表中选：{'、'.join(ids)}。", True,
                check=Check("list", tuple(ids), explained="周期：" + "、".join(ids))),
    ]
    uses, taken, units = input_uses(ruleset, registry), _taken("values"), []
    for name in entered_inputs(ruleset):
        spec = ruleset.inputs[name]
        title = str(spec.get("title") or name)
        header = name if title in taken else title
        taken.add(header)
        check, number_format = input_check(name, spec, uses[name])
        readers = uses[name].readers or ["（方案中没有评分方法直接读取它）"]
        lines = [f"{title}（{name}）", "选填：没有数据就留空，不要填 0。"]
        lines += [f"单位：{spec['unit']}"] if spec.get("unit") else []
        lines += [f"说明：{spec['note']}"] if spec.get("note") else []
        lines += [f"填写：{check.explained}", "用于：" + "；".join(readers)]
        columns.append(TemplateColumn(name, header, "\n".join(lines), check=check, number_format=number_format))
        units.append((header, name, str(spec.get("unit", "")), str(spec.get("note", "")), "；".join(readers)))
    n = 0 if subjects is None else len(subjects)
    rows = ([[subjects.ids[i], subjects.name[i], p, *([None] * (len(columns) - 3))] for i in range(n) for p in ids]
            if subjects else [])
    purpose = "数据项：每个对象每个周期一行，每个数据项一列（宽表）；对象和周期已列好，只填数字。"
    return TemplateSheet("values", TABLE_ZH["values"], purpose, columns, rows, frozen="D2"), units


def events_sheet(ruleset: Ruleset, words: Mapping[str, list[str]]) -> TemplateSheet:
    year = ruleset.year
    types = tuple(words.get("type", ()))
    type_help = f"事件类型，方案中用到的有：{'、'.join(types)}。" if types else "事件类型，如 红牌、黄牌、点赞。"
    columns = [
        _column("events", "subject", "对象编号，与考核对象表相同。", True),
        _column("events", "date", "发生日期：事件按日期归入所在的月、季度、年度。", True,
                check=_date_check(dt.date(year, 1, 1), dt.date(year, 12, 31), strict=False),
                number_format="yyyy-mm-dd"),
        _column("events", "type", type_help, True,
                check=Check("list", types, strict=False, explained="事件类型：" + "、".join(types)) if types else None),
        _column("events", "points", "事件自带的分值（规则中写 event.points 时才用），没有就留空。",
                check=Check("decimal", explained="数字")),
        _column("events", "confirmed", "是否已核实：是 / 否，留空表示“是”。",
                check=Check("list", YES_NO, explained="是 / 否")),
    ]
    declared = ruleset.document.data.get("event_fields") or {}
    fields = _titled("事件表中规则可以读取的列（event.字段）。", declared, _taken("events"))
    for i, column in enumerate(fields):
        named = words.get(column.id, [])
        if named and set(named) <= set(YES_NO):
            fields[i] = TemplateColumn(column.id, column.header, column.help + "\n填 是 / 否。",
                                       check=Check("list", YES_NO, explained="是 / 否"))
        elif named:  # other words may be written too: named in the help, not forced by a list
            fields[i] = TemplateColumn(column.id, column.header, column.help + f"\n方案中用到的取值：{'、'.join(named)}。")
    purpose = "事件：每件事一行（红黄牌、点赞、签约、督办事项……），按发生日期归入周期。"
    return TemplateSheet("events", TABLE_ZH["events"], purpose, columns + fields)


def ratings_sheet(ruleset: Ruleset, periods: list[Period]) -> TemplateSheet:
    surveys = survey_indicators(ruleset)
    groups: dict[str, str] = {}
    votes: list[str] = []
    for indicator in surveys:
        assert indicator.rater is not None
        for key, spec in (indicator.rater.params.get("groups") or {}).items():
            groups.setdefault(key, str(spec.get("title", key)) if isinstance(spec, Mapping) else key)
        votes += [v for v in indicator.rater.params.get("votes") or {} if v not in votes]
    ids = [p.id for p in periods]
    group_words = "；".join(f"{k} = {v}" for k, v in groups.items())
    survey_words = "；".join(f"{i.id} = {i.title}" for i in surveys)
    columns = [
        _column("ratings", "subject", "被评价对象的编号。", True),
        _column("ratings", "period", "周期。", True, check=Check("list", tuple(ids), explained="周期：" + "、".join(ids))),
        _column("ratings", "indicator", f"用于哪个指标，留空表示用于所有测评指标：{survey_words}。",
                check=Check("list", tuple(i.id for i in surveys), explained=survey_words)),
        _column("ratings", "group", f"评价人组：{group_words}。", True,
                check=Check("list", tuple(groups), explained=group_words)),
        _column("ratings", "rater", "评价人编号（可以匿名编号，如 leader-1）。", True),
        _column("ratings", "score", "分数（与评价等次二选一）。", check=Check("decimal", low=0.0, explained="不小于 0 的分数")),
    ]
    if votes:
        columns.append(_column("ratings", "vote", f"评价等次（与分数二选一）：{'、'.join(votes)}。",
                               check=Check("list", tuple(votes), explained="、".join(votes))))
    purpose = "评价：民主测评、满意度调查中每位评价人对每个对象的分数或等次，一行一条。"
    return TemplateSheet("ratings", TABLE_ZH["ratings"], purpose, columns)


def history_sheet(ruleset: Ruleset) -> TemplateSheet:
    year = ruleset.year
    columns = [
        _column("history", "subject", "对象编号。", True),
        _column("history", "year", f"年度（{year} 年以前的年份）。", True,
                check=Check("whole", low=2000, high=year - 1, explained=f"2000 至 {year - 1} 的年份")),
    ]
    declared = ruleset.document.data.get("history_fields") or {}
    columns += _titled("往年结果的列（年度函数 years_* 读取）。", declared, _taken("history"))
    return TemplateSheet("history", TABLE_ZH["history"], "往年结果：每个对象每年一行。", columns)


def items_sheet(ruleset: Ruleset) -> TemplateSheet:
    dates = _date_check(dt.date(ruleset.year - 5, 1, 1), dt.date(ruleset.year + 1, 12, 31), strict=False)
    day = "yyyy-mm-dd"
    columns = [
        _column("items", "id", "事项编号，全表唯一；结转到以后周期的事项仍是同一行，不要重复登记。", True),
        _column("items", "subject", "责任对象编号。", True),
        _column("items", "opened", "交办日期。", True, check=dates, number_format=day),
        _column("items", "deadline", "完成时限（不早于交办日期）。", True, check=dates, number_format=day),
        _column("items", "closed", "销号日期；尚未销号的留空，销号时在原行填上。", check=dates, number_format=day),
        _column("items", "owner", "责任人。"),
    ]
    declared = ruleset.document.data.get("item_fields") or {}
    columns += _titled("整改事项表中的列（item.字段）。", declared, _taken("items"))
    purpose = "整改督办事项：每个事项一行、只写一次，销号时填上销号日期。"
    return TemplateSheet("items", TABLE_ZH["items"], purpose, columns)


# ---------------------------------------------------------------------------
# The plan


def read_subjects(ruleset: Ruleset, registry: Registry, data: Path | None) -> Subjects | None:
    """The subjects of the ruleset's data, or of ``data`` (a folder, or a workbook such as a filled
    template); None when there is no subjects file to read."""
    if data is not None and not data.exists():
        raise KaoheError(Diagnostic("E-TEMPLATE-DATA", {"folder": str(data)}, file=str(data)))
    if data is not None and data.is_file():
        specs, base = file_specs(ruleset.data, ruleset.base_dir, data)
        spec = specs.get("subjects") or None
    else:
        base = data or ruleset.base_dir
        spec = ruleset.data.get("subjects")
        if spec is not None and data is not None and "path" in spec:
            spec = {**spec, "path": Path(str(spec["path"])).name}  # looked for by its name, like evaluate --data
        spec = spec if spec is not None else default_spec("subjects", base)
    if spec is None or not _from_file(spec) or not (base / str(spec.get("path", ""))).is_file():
        return None
    raw = read_table("subjects", spec, base, registry)
    return dataset_from_tables({"subjects": raw}, names=names_of(ruleset)).subjects


def plan_template(ruleset: Ruleset, registry: Registry, period: str | None = None,
                  data_dir: Path | None = None) -> Template:
    periods = chosen_periods(ruleset, period)
    subjects = read_subjects(ruleset, registry, data_dir)
    tables = file_tables(ruleset, registry)
    sheets = [subjects_sheet(ruleset, subjects)]
    units: list[tuple[str, str, str, str, str]] = []
    if "values" in tables:
        values, units = values_sheet(ruleset, registry, subjects, periods)
        sheets.append(values)
    if "events" in tables:
        sheets.append(events_sheet(ruleset, named_words(ruleset)))
    if "ratings" in tables:
        sheets.append(ratings_sheet(ruleset, periods))
    if "history" in tables:
        sheets.append(history_sheet(ruleset))
    if "items" in tables:
        sheets.append(items_sheet(ruleset))
    every = [p.id for p in template_periods(ruleset)]
    return Template(ruleset.title, ruleset.id, ruleset.year, every, period, sheets, general_notes(), units)


def general_notes() -> list[str]:
    return [
        "每张工作表是一张数据表，工作表名称和第一行的表头不要修改（kaohe 按它们读入）；不用的列可以留空，不要删除表头。",
        "表头为橙色的列必填；把鼠标移到表头上可以看到这一列的说明（单位、用于哪个指标、满分）。",
        "每行一条记录，完全空白的行会跳过；可以在下面继续添加行。",
        "数字只填数字：不带单位和文字（“1,200万”填 1200）；没有数据就留空，不要填 0（0 表示真的是零）。",
        "比例可以填 0.95 或 95%；日期填 2025-03-01 这样的格式（Excel 日期单元格也可以）。",
        "有下拉列表的列从列表中选；填写时不符合要求的，Excel 会提示。",
        "填好后：kaohe validate 方案 --data 本文件.xlsx 检查，kaohe evaluate 方案 --data 本文件.xlsx 计算。",
    ]


# ---------------------------------------------------------------------------
# The workbook (openpyxl, imported only here)

FIXED_TIME = dt.datetime(2000, 1, 1)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
HEADER_FILL, REQUIRED_FILL = "DDEBF7", "F8CBAD"


def template_bytes(plan: Template) -> bytes:
    """The workbook of ``plan`` as deterministic bytes (fixed document times and zip entries)."""
    from openpyxl import Workbook
    from openpyxl.xml.functions import tostring

    book = Workbook()
    instructions = book.active
    assert instructions is not None
    instructions.title = INSTRUCTIONS
    lists = _ListCells(instructions)
    for sheet in plan.sheets:
        _write_sheet(book.create_sheet(sheet.name), sheet, lists)
    _write_instructions(instructions, plan)
    buffer = io.BytesIO()
    book.save(buffer)
    book.properties.created = FIXED_TIME
    book.properties.modified = FIXED_TIME
    book.properties.creator = "kaohe"
    return _fixed_zip(buffer.getvalue(), {"docProps/core.xml": tostring(book.properties.to_tree())})


class _ListCells:
    """Lists too long for a validation formula are written to cells of the instructions sheet
    (which the reader ignores) and referred to there."""

    COLUMN = 30  # column AD: right of the instructions text

    def __init__(self, sheet: Any) -> None:
        self.sheet, self.used = sheet, 0

    def formula(self, choices: Sequence[str]) -> str:
        inline = ",".join(choices)
        if len(inline) + 2 <= INLINE_LIST_CHARS and not any(c in w for w in choices for c in ',"'):
            return f'"{inline}"'
        from openpyxl.utils import get_column_letter

        self.used += 1
        letter = get_column_letter(self.COLUMN + self.used)
        for row, word in enumerate(choices, start=1):
            self.sheet[f"{letter}{row}"] = word
        self.sheet.column_dimensions[letter].hidden = True
        return f"'{INSTRUCTIONS}'!${letter}$1:${letter}${len(choices)}"


def _write_sheet(target: Any, sheet: TemplateSheet, lists: _ListCells) -> None:
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    target.append([c.header for c in sheet.columns])
    for row in sheet.rows:
        target.append(row)
    for position, column in enumerate(sheet.columns, start=1):
        letter = get_column_letter(position)
        cell = target.cell(row=1, column=position)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor=REQUIRED_FILL if column.required else HEADER_FILL)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        comment = Comment(column.help, "kaohe")
        comment.width, comment.height = 320, 40 + 18 * column.help.count("\n") + 18 * (len(column.help) // 24)
        cell.comment = comment
        if column.number_format:
            for (body,) in target.iter_rows(min_row=2, max_row=max(len(sheet.rows) + 1, 2),
                                            min_col=position, max_col=position):
                body.number_format = column.number_format
        if column.check is not None:
            validation = _validation(column.check, lists)
            if validation is not None:
                validation.add(f"{letter}2:{letter}{LAST_ROW}")
                target.add_data_validation(validation)
        target.column_dimensions[letter].width = _width(column, sheet.rows, position - 1)
    target.freeze_panes = sheet.frozen
    target.row_dimensions[1].height = 30


def _validation(check: Check, lists: _ListCells) -> Any:
    validation = _rule(check, lists)
    if validation is not None:
        validation.allow_blank, validation.showErrorMessage = True, True
        validation.errorStyle = "stop" if check.strict else "warning"
        validation.errorTitle, validation.error = "请核对", check.explained
    return validation


def _rule(check: Check, lists: _ListCells) -> Any:
    """The validation's type and bounds (its messages are set by ``_validation``)."""
    from openpyxl.worksheet.datavalidation import DataValidation

    if check.kind == "list":
        return DataValidation(type="list", formula1=lists.formula(check.choices)) if check.choices else None
    if check.kind == "date":
        assert isinstance(check.low, dt.date) and isinstance(check.high, dt.date)
        return DataValidation(type="date", operator="between", formula1=_excel_date(check.low),
                              formula2=_excel_date(check.high))
    low, high = check.low, check.high
    if low is not None and high is not None:
        return DataValidation(type=check.kind, operator="between", formula1=_num(low), formula2=_num(high))
    if low is not None:
        return DataValidation(type=check.kind, operator="greaterThanOrEqual", formula1=_num(low))
    if high is not None:
        return DataValidation(type=check.kind, operator="lessThanOrEqual", formula1=_num(high))
    return DataValidation(type=check.kind, operator="between", formula1="-1E+15", formula2="1E+15")


def _num(value: float | dt.date) -> str:
    assert isinstance(value, (int, float))
    return f"{value:g}"


def _excel_date(day: dt.date) -> str:
    return f"DATE({day.year},{day.month},{day.day})"


def _shown_length(value: Any) -> int:
    """Width of a cell's text in Excel's character units: a Chinese character takes two."""
    text = value.isoformat() if isinstance(value, dt.date) else "" if value is None else str(value)
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _width(column: TemplateColumn, rows: Iterable[list[Any]], index: int) -> float:
    longest = max([_shown_length(column.header), *(_shown_length(row[index]) for row in rows)])
    return float(min(max(longest + 2, 8), 50))


def _write_instructions(target: Any, plan: Template) -> None:
    from openpyxl.styles import Alignment, Font

    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    period = plan.chosen_period or "全部（" + "、".join(plan.periods) + "）"
    lines: list[tuple[str, ...]] = [
        (f"{plan.title} 数据填报模板",),
        (f"方案编号：{plan.ruleset_id}　考核年度：{plan.year}　本模板的周期：{period}",),
        (),
        ("怎样填写",),
        *[(f"{n}. {text}",) for n, text in enumerate(plan.notes, start=1)],
        (),
        ("各工作表",),
    ]
    for sheet in plan.sheets:
        required = "、".join(c.header for c in sheet.columns if c.required)
        lines.append((f"【{sheet.name}】{sheet.purpose}必填列：{required}。",))
    if plan.units:
        lines += [(), ("数据项（数据项表的列）",), ("列名", "编号", "单位", "说明", "用于")]
        lines += [tuple(unit) for unit in plan.units]
    headings = {"怎样填写", "各工作表", "数据项（数据项表的列）", "列名"}
    for row, cells in enumerate(lines, start=1):
        for col, text in enumerate(cells, start=1):
            cell = target.cell(row=row, column=col, value=text)
            cell.alignment = wrap
            if row == 1 or text in headings or (cells and cells[0] == "列名"):
                cell.font = bold
    target.column_dimensions["A"].width = 100 if not plan.units else 30
    for letter, width in (("B", 18), ("C", 14), ("D", 30), ("E", 60)):
        target.column_dimensions[letter].width = width


def _fixed_zip(raw: bytes, replace: Mapping[str, bytes]) -> bytes:
    """The same zip with fixed timestamps and attributes, so the same plan gives the same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            entry.compress_type, entry.create_system, entry.external_attr = zipfile.ZIP_DEFLATED, 3, 0o644 << 16
            target.writestr(entry, replace.get(info.filename) or source.read(info))
    return out.getvalue()


# ---------------------------------------------------------------------------
# The command


def default_out(ruleset: Ruleset, period: str | None) -> Path:
    return Path(f"{ruleset.id}-{period or ruleset.year}-填报模板.xlsx")


def template_file(ruleset: Ruleset, registry: Registry, out: Path | None = None, period: str | None = None,
                  data_dir: Path | None = None) -> tuple[Path, bytes, Template]:
    """Where the workbook goes, its bytes and its plan; the command line writes it whole or not at all."""
    out = out or default_out(ruleset, period)
    if out.suffix.lower() != ".xlsx":
        raise KaoheError(Diagnostic("E-TEMPLATE-OUT", {
            "file": str(out), "suffix": out.suffix or Bilingual("（无）", "(none)")}, file=str(out)))
    plan = plan_template(ruleset, registry, period, data_dir)
    return out, template_bytes(plan), plan
