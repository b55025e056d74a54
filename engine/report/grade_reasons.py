"""Why each subject got its grade (``grade_reason`` of schemas/results.schema.json): the code
(band, quota, eligibility, veto, bar, excluded, none), the grade its score earned where it was
moved down, the veto that decided it, and the sentence the results, the workbook, the report and
``kaohe explain`` show. Worded from the period's columns: a grade by its score band once per
distinct sentence, the rest one by one.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np
import orjson

from kaohe.engine.evaluation.pipeline import PeriodResult
from kaohe.engine.language.distinct import distinct_rows
from kaohe.engine.language.expressions import Expression
from kaohe.engine.report.stream_json import Encoded, JsonNumber, numbers, shown_number
from kaohe.engine.ruleset.model import Grade, Ruleset

NO_GRADES = "本周期不评定等次"


def grade_reason(ruleset: Ruleset, result: PeriodResult, i: int, vetoes: list[Any]) -> dict[str, Any]:
    grades = result.grades
    if grades is None:
        return {"code": "none", "text": NO_GRADES}
    code = grades.reason[i]
    grade = grades.grade[i]
    scale = ruleset.grading.grades_for(result.period.kind) if ruleset.grading else ()
    reason: dict[str, Any] = {"code": code}
    if grades.demoted_from[i] is not None:
        reason["from"] = grades.demoted_from[i]
    if code in ("veto", "bar") and vetoes:
        reason["rule"] = vetoes[0].id
    reason["text"] = _reason_text(code, grade, grades.demoted_from[i], scale, result, i, vetoes)
    return reason


def grade_reasons(ruleset: Ruleset, result: PeriodResult, vetoes: list[list[Any]]) -> list[dict[str, Any]]:
    """``grade_reason`` of every subject of the period (``vetoes``: ``veto_lists``)."""
    reasons = reason_columns(ruleset, result, vetoes)
    return [*map(grade_reasons_from(reasons), range(result.cohort.n))]


def grade_reasons_from(reasons: Reasons) -> Callable[[int], dict[str, Any]]:
    """Subject ``i``'s ``grade_reason`` record from the period's reason columns."""

    def reason(i: int) -> dict[str, Any]:
        record: dict[str, Any] = {"code": reasons.codes[i]}
        if reasons.demoted_from[i] is not None:
            record["from"] = reasons.demoted_from[i]
        if reasons.rules[i] is not None:
            record["rule"] = reasons.rules[i]
        record["text"] = reasons.texts[i]
        return record

    return reason


def reason_texts(ruleset: Ruleset, result: PeriodResult, vetoes: list[list[Any]]) -> Encoded:
    """``grade_reasons`` as compact JSON, a text per subject, put together from its encoded parts
    (a reason's text is mostly its own: the total is in it), never made as a dict: the keys in
    ``grade_reasons_from``'s order, ``from`` and ``rule`` only where set."""
    reasons = reason_columns(ruleset, result, vetoes)
    word = functools.lru_cache(maxsize=None)(orjson.dumps)  # codes, grades and vetoes: few of each
    texts = [
        b'{"code":' + word(code) + (b"" if was is None else b',"from":' + word(was))
        + (b"" if rule is None else b',"rule":' + word(rule)) + b',"text":' + orjson.dumps(text) + b"}"
        for code, was, rule, text in zip(reasons.codes, reasons.demoted_from, reasons.rules, reasons.texts,
                                         strict=True)]
    return texts, None


class Reasons(NamedTuple):
    """The grade reasons of a period as columns: what ``grade_reason`` says of each subject."""

    codes: list[str]
    demoted_from: list[Any]  # the grade its score earned, where it was moved down; else None
    rules: list[str | None]  # the veto that decided it (codes veto, bar); else None
    texts: list[str]


def reason_columns(ruleset: Ruleset, result: PeriodResult, vetoes: list[list[Any]]) -> Reasons:
    """``grade_reasons`` as columns, the columns read once: a grade by its score band (the common
    case) is worded once per distinct (total, grade, line) and spread, the rest one by one."""
    n = result.cohort.n
    grades = result.grades
    if grades is None:
        return Reasons(["none"] * n, [None] * n, [None] * n, [NO_GRADES] * n)
    scale = ruleset.grading.grades_for(result.period.kind) if ruleset.grading else ()
    codes, given, demoted = grades.reason.tolist(), grades.grade.tolist(), grades.demoted_from.tolist()
    rules = [found[0].id if code in ("veto", "bar") and found else None
             for code, found in zip(codes, vetoes, strict=True)]
    banded = np.array([code not in _WORDED_ONE_BY_ONE for code in codes], dtype=bool)
    texts = _BandTexts(scale, result).texts(given, np.flatnonzero(banded), n)
    for i in np.flatnonzero(~banded).tolist():
        texts[i] = _reason_text(codes[i], given[i], demoted[i], scale, result, i, vetoes[i])
    return Reasons(codes, demoted, rules, texts)


_WORDED_ONE_BY_ONE = frozenset({"excluded", "veto", "bar", "quota", "eligibility"})


def _computed_line(line: Any) -> str:
    return f"（{line.text}）" if isinstance(line, Expression) else ""


class _BandTexts:
    """The last case of ``_reason_text`` (a grade by its score band) from the period's columns."""

    def __init__(self, scale: tuple[Grade, ...], result: PeriodResult):
        lines = result.grades.thresholds if result.grades else {}
        self.lines = {g: np.asarray(v, dtype=float) for g, v in lines.items()}
        self.total = np.asarray(result.total, dtype=float)
        lines_of = {g.name: g.min for g in scale}
        self.computed = {g: _computed_line(lines_of.get(g)) for g in lines}
        self.scale_lines = [self.lines[g.name] for g in scale if g.name in self.lines]

    def texts(self, grades: list[Any], rows: np.ndarray, n: int) -> list[str]:
        """Each of ``rows``' text (the other places of the ``n`` left empty): worded once per
        distinct total, grade and line that decide it."""
        if not len(rows):
            return [""] * n
        chosen = [grades[i] for i in rows.tolist()]
        names = sorted(set(chosen), key=str)
        code_of = {name: k for k, name in enumerate(names)}
        grade_code = np.fromiter(map(code_of.__getitem__, chosen), dtype=np.int64, count=len(chosen))
        own = np.full(len(rows), np.nan)
        for k, name in enumerate(names):
            if name in self.lines:
                mine = grade_code == k
                own[mine] = self.lines[name][rows[mine]]
        below = np.full(len(rows), np.inf)  # the lowest line drawn for the subject: the one it is under
        drawn_any = np.zeros(len(rows), dtype=bool)
        for drawn in self.scale_lines:
            below = np.fmin(below, drawn[rows])  # fmin: a line not drawn (NaN) for a subject is skipped
            drawn_any |= ~np.isnan(drawn[rows])
        line = np.where(np.isnan(own), np.where(drawn_any, below, np.nan), own)
        first, where = distinct_rows(self.total[rows], grade_code, line, np.isnan(own))
        # each distinct sentence worded once, its numbers shown in bulk (as _num shows each)
        words = [self._text(names[g], total, o, at) for g, total, o, at in zip(
            grade_code[first].tolist(), numbers(self.total[rows[first]]), numbers(own[first]),
            numbers(line[first]), strict=True)]
        texts = np.full(n, "", dtype=object)
        texts[rows] = np.array(words, dtype=object)[where]
        spread: list[str] = texts.tolist()
        return spread

    def _text(self, grade: Any, total: JsonNumber, own: JsonNumber, line: JsonNumber) -> str:
        if own is not None:
            return f"总分 {total} ≥ {grade}分数线 {own}{self.computed[grade]}"
        return f"总分 {total} 低于分数线 {line}" if line is not None else f"评为{grade}"


def _reason_text(code: str, grade: Any, was: Any, scale: tuple[Grade, ...], result: PeriodResult,
                 i: int, vetoes: list[Any]) -> str:
    total = shown_number(result.total[i])
    by_name = {g.name: g for g in scale}
    if code == "excluded":
        why = result.cohort.exclude_reason[i]
        return {"not_on_post": "本周期不在岗，不参加排名和等次评定",
                "no_periods": "全年没有参加任何周期的考核，不参加年度排名和等次评定"}.get(
            why, "符合不参加排名的条件（subjects.exclude），不参加排名和等次评定")
    if code == "veto":
        return f"一票否决（{'、'.join(v.title for v in vetoes)}），等次定为{grade}；总分 {total} 照常显示"
    if code == "bar":
        return f"{'、'.join(v.title for v in vetoes)}：最高只能评{grade}（按分数本可评{was}）"
    across = result.grades.across.get(was) if result.grades else None
    if code == "quota" and across is not None and across.refused[i]:
        rule = by_name[was].across
        assert rule is not None, "only a grade with across_groups is refused across groups"
        return (f"{was}跨组名额已满：{rule.describe(int(across.size[i]), int(across.places[i]))}，"
                f"本对象按排名先后在名额之外，顺延为{grade}")
    if code == "quota":
        quota = by_name[was].quota
        assert quota is not None, "only a grade with a quota demotes for its quota"
        places = result.grades.quota_allowed.get(was) if result.grades else None
        allowed = int(places[i]) if places is not None else 0
        size = int(result.ranking.group_size[i])
        sizes = result.grades.quota_sizes.get(was) if result.grades else None
        share = float(sizes.share[i]) if sizes is not None and sizes.share is not None else None
        most = float(sizes.max_count[i]) if sizes is not None and sizes.max_count is not None else None
        return (f"{was}名额已满：{quota.describe(size, allowed, share, most)}，"
                f"本对象排第 {int(result.ranking.rank[i])} 名，顺延为{grade}")
    if code == "eligibility":
        eligible = by_name[was].eligible
        assert eligible is not None, "only a grade with a condition demotes for it"
        return f"不符合{was}的入围条件（{eligible.text}），评为{grade}"
    lines = result.grades.thresholds if result.grades else {}
    threshold = lines[grade][i] if grade in lines else None
    if threshold is not None and not np.isnan(threshold):
        line = by_name[grade].min
        computed = f"（{line.text}）" if isinstance(line, Expression) else ""
        return f"总分 {total} ≥ {grade}分数线 {shown_number(threshold)}{computed}"
    above = [float(lines[g.name][i]) for g in scale if g.name in lines and not np.isnan(lines[g.name][i])]
    return f"总分 {total} 低于分数线 {shown_number(min(above))}" if above else f"评为{grade}"
