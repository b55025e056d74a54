"""``kaohe explain``: a subject's result told point by point, in Chinese (``--all``: every subject).

Reads only the evaluation's columns and the results document record of the
subject, so what it says is exactly what the results file holds.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import numpy as np

from kaohe.engine import progress
from kaohe.engine.errors import Diagnostic, KaoheError, did_you_mean
from kaohe.engine.evaluation.pipeline import Evaluation, PeriodResult
from kaohe.engine.registry import Registry, default_registry
from kaohe.engine.report.render import chosen_period
from kaohe.engine.report.results import PeriodColumns, subject_record
from kaohe.engine.report.stream_json import shown_number
from kaohe.engine.ruleset.model import Indicator, Ruleset

STATUS_ZH = {
    "scored": "", "missing_zero": "（缺少数据，按 0 分计）", "missing_excluded": "（缺少数据，不计入并按其余指标折算）",
    "not_applicable": "（不适用）", "rollup": "（各周期平均）", "not_in_force": "（未生效）",
}
PROGRESS_EVERY = 500  # subjects explained between two progress steps
ROUNDING_ZH = {"half_up": "四舍五入", "half_even": "银行家舍入", "down": "截断", "up": "进位"}


def find_subject(evaluation: Evaluation, key: str) -> int:
    subjects = evaluation.dataset.subjects
    if key in subjects.index:
        return subjects.index[key]
    matches = np.flatnonzero(subjects.name == key)
    if len(matches) == 1:
        return int(matches[0])
    known = [*subjects.ids.tolist(), *subjects.name.tolist()]
    raise KaoheError(Diagnostic("E-SUBJECT-UNKNOWN", {"subject": key, "suggest": did_you_mean(key, known)}))


def explain_subject(evaluation: Evaluation, key: str, period: str | None = None,
                    registry: Registry | None = None) -> str:
    """The explanation; rater titles come from ``registry`` (default: the
    installed plugins), which should be the one the evaluation used."""
    index = find_subject(evaluation, key)
    return Explainer(evaluation, period, registry).explain(index)


def explain_all(evaluation: Evaluation, period: str | None = None,
                registry: Registry | None = None) -> Iterator[tuple[str, str]]:
    """(subject id, explanation) of every subject of the period, from one evaluation: the period's
    columns and each group's lowest total per grade are gathered once, not once per subject."""
    explainer = Explainer(evaluation, period, registry)
    ids = explainer.result.cohort.ids.tolist()
    for index in range(len(ids)):
        if index % PROGRESS_EVERY == 0:
            progress.step(f"说明 {index}/{len(ids)}", f"explaining {index}/{len(ids)}", index, len(ids))
        yield str(ids[index]), explainer.explain(index)


class Explainer:
    """What every explanation of one period shares."""

    def __init__(self, evaluation: Evaluation, period: str | None, registry: Registry | None):
        self.evaluation = evaluation
        self.registry = registry or default_registry()
        self.result = chosen_period(evaluation, period)
        self.columns = PeriodColumns(evaluation.ruleset, self.result)
        self.lowest = lowest_totals(self.result)

    def explain(self, index: int) -> str:
        ruleset, result = self.evaluation.ruleset, self.result
        record = subject_record(ruleset, self.evaluation, result, index, self.columns)
        lines = _header(ruleset, result, record)
        lines += _indicators(ruleset, record, self.registry)
        if result.rollup is not None:
            lines += _rollup(ruleset, record)
        lines += _adjustments(ruleset, record)
        lines += _total(ruleset, record)
        lines += _grade(ruleset, result, record, index, self.lowest)
        lines += _outcomes(result, record)
        lines += _history(ruleset, result, index)
        lines += _warnings(result, index)
        return "\n".join(lines) + "\n"


def _history(ruleset: Ruleset, result: PeriodResult, index: int) -> list[str]:
    """The earlier years the years functions (连续几年优秀) read for this subject, a year without
    its row said so: an appeal over a promotion flag starts here."""
    frame = result.cohort.past_years
    if frame is None:
        return []
    environments, assessed = frame.environments("year")
    lines = ["", "六、往年结果（往年结果表，years_* 函数读取）"]
    if not environments:
        return [*lines, "  往年结果表中没有以前年度的记录"]
    first = result.period.year - len(environments)
    titles = dict(zip(ruleset.declared.history_fields, ruleset.declared.history_titles, strict=True))
    for offset, (env, took) in enumerate(zip(environments, assessed, strict=True)):
        if not took[index]:
            lines.append(f"  {first + offset}：没有记录或各项为空（按未参加考核计）")
            continue
        values = [(name, env[name][index]) for name in ruleset.declared.history_fields]
        shown = "，".join(f"{titles.get(name, name)} {_fmt(_plain_value(v))}" for name, v in values if not _blank(v))
        lines.append(f"  {first + offset}：{shown}")
    return lines


def _blank(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, float) and math.isnan(value))


def _plain_value(value: Any) -> Any:
    """A history cell as written: numpy scalars as Python numbers (91.0 as 91)."""
    value = value.item() if isinstance(value, np.generic) else value
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _warnings(result: PeriodResult, index: int) -> list[str]:
    """The period's warnings that concern this subject, with where to look."""
    mine = [w.diagnostic for w in result.warnings if index in w.rows]
    if not mine:
        return []
    return ["", "提醒（结果照常计算，请核对）/ warnings", *(f"  {d.format('zh')}" for d in mine)]


def _header(ruleset: Ruleset, result: PeriodResult, record: dict[str, Any]) -> list[str]:
    cls = ruleset.classes.get(record["class"])
    source = ruleset.source.get("document", "")
    lines = [
        f"考核对象：{record['id']} {record['name']}" + (f"（{cls.title}）" if cls else ""),
        f"考核方案：{ruleset.title}（{ruleset.year}）{('· 依据 ' + source) if source else ''}",
        f"考核周期：{result.period.id}　在岗月数：{record['months_on_post']}",
    ]
    if record["excluded"]:
        lines.append(f"说明：{record['grade_reason']['text']}")
    return lines + [""]


def _indicators(ruleset: Ruleset, record: dict[str, Any], registry: Registry) -> list[str]:
    lines = ["一、指标得分"]
    for indicator in ruleset.walk():
        entry = record["indicators"].get(indicator.id)
        if entry is None or entry["status"] == "not_applicable":
            continue
        depth = _depth(ruleset, indicator)
        pad = "  " * (depth + 1)
        clause = f" 〔{indicator.clause}〕" if indicator.clause else ""
        score = "—" if entry["score"] is None else f"{entry['score']:g}"
        lines.append(f"{pad}{indicator.title}{clause}：{score} / {entry['full']:g}{STATUS_ZH.get(entry['status'], '')}")
        if indicator.leaf and "rater" in entry:
            lines.append(f"{pad}    评分方法：{_rater_title(entry['rater'], registry)}；{_facts(entry)}")
    lines.append(f"  指标小计：{record['subtotal']}{_rescaled(ruleset, record)}")
    return lines + [""]


LEFT_OUT = ("not_in_force", "missing_excluded")  # statuses whose full marks the rest is rescaled over


def _rescaled(ruleset: Ruleset, record: dict[str, Any]) -> str:
    """How the top-level scores became the subtotal when some were left out (not yet in force, no
    data with missing: exclude) and the rest was rescaled to the full scale: 79.49 × 100 ÷ 95."""
    if record.get("rollup") is not None or record["subtotal"] is None:
        return ""
    top = [(i.title, record["indicators"][i.id]) for i in ruleset.indicators if i.id in record["indicators"]]
    titles = [title for title, e in top if e["status"] in LEFT_OUT]
    out = [e for _, e in top if e["status"] in LEFT_OUT]
    kept = sum(e["score"] for _, e in top if e["score"] is not None and e["status"] not in LEFT_OUT)
    counted = sum(e["full"] for _, e in top if e["status"] not in LEFT_OUT and e["status"] != "not_applicable")
    if not out or not counted or abs(kept - float(record["subtotal"])) < 1e-6:
        return ""
    scale = counted + sum(e["full"] for e in out)
    return (f"（{'、'.join(titles)}本周期不计入，其余指标合计 {_fmt(round(kept, 6))} "
            f"按 {_fmt(scale)} ÷ {_fmt(counted)} 折算：{_fmt(round(kept, 6))} × {_fmt(scale)} ÷ {_fmt(counted)} "
            f"= {record['subtotal']}）")


def _depth(ruleset: Ruleset, indicator: Indicator) -> int:
    depth = 0
    while indicator.parent is not None:
        indicator = ruleset.by_id[indicator.parent]
        depth += 1
    return depth


def _rater_title(name: str | None, registry: Registry) -> str:
    rater = registry.get("rater", name or "")
    return f"{rater.title}（{name}）" if rater is not None and rater.title else str(name)


# rater details whose values read better in words
DETAIL_WORDS = {("target_source", "own"): "本单位近年平均（挑战目标）", ("target_source", "peer"): "同组分位值"}


def _facts(entry: dict[str, Any]) -> str:
    facts = [f"{k}={_fmt(v)}" for k, v in entry.get("inputs", {}).items()]
    facts += [f"{k}={DETAIL_WORDS.get((k, v), _fmt(v))}" for k, v in entry.get("detail", {}).items()]
    text = "输入 " + "，".join(facts) if facts else "无输入"
    if entry.get("capped"):
        text += "；触及封顶或保底"
    return text


def _fmt(value: Any) -> str:
    if value is None:
        return "缺失"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _rollup(ruleset: Ruleset, record: dict[str, Any]) -> list[str]:
    rollup = record["rollup"]
    periods = "，".join(f"{k} {'未参加' if v is None else _fmt(v)}" for k, v in rollup["periods"].items())
    combine = {"mean": "平均", "sum": "合计", "last": "取最后一期"}[ruleset.rollup.combine if ruleset.rollup else "mean"]
    lines = ["一（续）、年度汇总", f"  各周期得分（加减分后、乘系数前）：{periods}；{combine} × 权重 {rollup['weight']:g}"]
    for key, value in rollup["annual"].items():
        lines.append(f"  年度组成部分 {ruleset.by_id[key].title}：折合 {_fmt(value)} 分")
    if rollup["bonus"] or rollup["deduction"]:
        lines.append(f"  其中各周期的加分 {_fmt(rollup['bonus'])}、扣分 {_fmt(rollup['deduction'])}（同样{combine} × 权重）"
                     "计入下面的加分、扣分合计，指标小计不含加减分")
    return lines + [""]


def _adjustments(ruleset: Ruleset, record: dict[str, Any]) -> list[str]:
    lines = ["二、加分与扣分"]
    carried = record.get("rollup") or {}
    if not record["adjustments"]:
        lines.append("  本年度无加减分事项；各周期的加减分已按年度汇总计入（见各周期的 explain）"
                     if carried.get("bonus") or carried.get("deduction") else "  无")
    by_id = {r.id: r for r in ruleset.rules}
    for item in record["adjustments"]:
        rule = by_id[item["rule"]]
        sign = "" if item["points"] == 0 else "+ " if item["points"] > 0 else "− "  # 0 has no sign
        event = item["event"]
        cause = f"事件 {event['date']} {event['type']}（数据第 {event['row']} 行）" if event else _item_cause(item)
        clause = f" 〔{rule.clause}〕" if rule.clause else ""
        target = f"，从指标“{ruleset.by_id[rule.target].title}”中扣除（扣完为止）" if rule.target else ""
        capped = "；因封顶少计" if item["capped"] and not item.get("rejected") else ""
        if item.get("rejected"):
            lines.append(f"  ✗ {rule.title}：{cause}——{item['rejected']}{clause}")
            continue
        lines.append(f"  {sign}{rule.title} {abs(item['points']):g} 分：{cause}{target}{capped}{clause}")
    lines.append(f"  加分合计 {record['bonus']:g}，扣分合计 {record['deduction']:g}")
    return lines + [""]


def _item_cause(adjustment: dict[str, Any]) -> str:
    """A per-item adjustment names its rectification item; others were computed from data."""
    item = adjustment.get("item")
    if not item:
        return "按数据计算"
    closed = f"{item['closed']} 销号" if item["closed"] else "未销号"
    return f"整改事项 {item['id']}（时限 {item['deadline']}，{closed}，整改事项表第 {item['row']} 行）"


def _total(ruleset: Ruleset, record: dict[str, Any]) -> list[str]:
    return [
        "三、系数与总分",
        f"  （{record['subtotal']:g} + {record['bonus']:g} − {record['deduction']:g}）× 系数 {record['coefficient']:g}"
        f" = {record['total']}（保留 {ruleset.precision} 位小数，{ROUNDING_ZH[ruleset.rounding]}）",
        "",
    ]


def _veto_effect(grade: str | None, ceiling: str | None, scale: list[str]) -> str:
    """What a veto does in this period's grade table: a grade it lacks means its lowest (``grade``)
    or no cap at all (``max_grade``), as grading applies them."""
    if grade:
        return f"等次定为{grade}" if grade in scale or not scale else \
            f"等次定为本周期等次表中最低的{scale[-1]}（本周期的等次表没有{grade}）"
    if ceiling in scale:
        return f"最高只能评{ceiling}"
    return f"本周期的等次表没有{ceiling}，不限制等次" if scale else f"最高只能评{ceiling}"


def _grade(ruleset: Ruleset, result: PeriodResult, record: dict[str, Any], index: int,
           lowest: dict[tuple[str, str], float] | None = None) -> list[str]:
    lines = ["四、排名与等次"]
    if record["rank"] is not None:
        lines.append(f"  组内排名：第 {record['rank']} 名 / 共 {record['group_size']} 名（分组 {record['group']}）")
    lines.append(f"  等次：{record['grade'] or '—'}；理由：{record['grade_reason']['text']}")
    by_id = {v.id: v for v in ruleset.vetoes}
    scale = [g.name for g in ruleset.grading.grades_for(result.period.kind)] if ruleset.grading else []
    for veto_id in record["vetoes"]:
        veto = by_id[veto_id]
        effect = _veto_effect(veto.grade, veto.max_grade, scale)
        clause = f" 〔{veto.clause}〕" if veto.clause else ""
        lines.append(f"  触发一票否决“{veto.title}”：{effect}{clause}")
    gap = lacking_for_next(ruleset, result, index, lowest)
    if gap:
        lines.append(f"  {gap}")
    return lines + [""]


def lowest_totals(result: PeriodResult) -> dict[tuple[str, str], float]:
    """(ranking group, grade) -> the lowest total with that grade in that group, for every pair at once
    (``lacking_for_next`` of every subject of a large period: one pass instead of one per subject)."""
    grades = result.grades
    lowest: dict[tuple[str, str], float] = {}
    if grades is None:
        return lowest
    for group, grade, total in zip(result.ranking.group.tolist(), grades.grade.tolist(), result.total.tolist(),
                                   strict=True):
        if grade is not None and not math.isnan(total):
            key = (str(group), str(grade))
            lowest[key] = min(total, lowest.get(key, math.inf))
    return lowest


def lacking_for_next(ruleset: Ruleset, result: PeriodResult, i: int,
                     lowest: dict[tuple[str, str], float] | None = None) -> str:
    """How far the subject was from the next better grade; ``lowest``: ``lowest_totals(result)``,
    when many subjects of the period are asked about."""
    grades = result.grades
    if grades is None or grades.grade[i] is None or not ruleset.grading:
        return ""
    scale = ruleset.grading.grades_for(result.period.kind)
    names = [g.name for g in scale]
    level = names.index(grades.grade[i])
    if level == 0:
        return "已是最高等次"
    better = scale[level - 1]
    total = float(result.total[i])
    if grades.reason[i] in ("veto", "bar"):
        return f"因一票否决，不能评{better.name}"
    lines = grades.thresholds.get(better.name)
    line = float(lines[i]) if lines is not None else None
    if line is not None and not math.isnan(line) and total < line:
        return f"距{better.name}分数线 {line:g} 还差 {shown_number(line - total)} 分"
    if lowest is None:
        lowest = {}
        same_group = (result.ranking.group == result.ranking.group[i]) & (grades.grade == better.name)
        if same_group.any():
            lowest[(str(result.ranking.group[i]), better.name)] = float(result.total[same_group].min())
    found = lowest.get((str(result.ranking.group[i]), better.name))
    if found is not None:
        last = found
        if last > total:
            return f"距组内最后一名{better.name}（{shown_number(last)} 分）还差 {shown_number(last - total)} 分"
        if last == total:
            return f"与组内最后一名{better.name}同分（{shown_number(last)}），按排名依据在其之后"
        # higher than the last of the better grade: kept out by its quota or a condition, not by the score
        return f"总分高于组内最后一名{better.name}（{shown_number(last)} 分），但{_kept_out(better.name, grades.reason[i])}"
    return f"达到{better.name}分数线，但{_kept_out(better.name, grades.reason[i])}"


def _kept_out(better: str, reason: str | None) -> str:
    """Why a subject past the better grade's line did not get it: the grade's places were taken
    (a quota, possibly of 0 places) or the subject did not meet its condition."""
    return f"{better}名额已满" if reason == "quota" else "未满足其条件"


def _outcomes(result: PeriodResult, record: dict[str, Any]) -> list[str]:
    lines = ["五、结果运用"]
    if not record["outcomes"]:
        lines.append("  本周期无结果运用")
    for oid, value in record["outcomes"].items():
        spec = result.outcomes[oid].spec
        raw = value["value"]
        # a count of 1 or 0 (an item list) is a number: 1 == True would show it as 是
        shown = ("是" if raw else "否") if isinstance(raw, bool | np.bool_) else "—" if raw is None else raw
        unit = "元" if result.outcomes[oid].kind == "allocator" and value["value"] is not None else ""
        note = f"（{value['note']}）" if value.get("note") and str(value["note"]) != str(shown) else ""  # 红牌（红牌）
        clause = f" 〔{spec.clause}〕" if spec.clause else ""
        lines.append(f"  {spec.title}：{shown}{unit}{note}{clause}")
    return lines
