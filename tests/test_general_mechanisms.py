"""Item-list scoring (event_items), fixed-count quotas (max_count), pro-rated
mid-year indicators (outside_effective: prorate), and the formula and
deferred_pay outcomes — general mechanisms the jurisdiction rulesets use
(Shaoyang's 三化 task lists, P town's OKR key results and promotion places,
Loudi's epidemic indicator from 1 July and 任期考核 + 延期支付)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from kaohe.engine.errors import KaoheError
from kaohe.engine.evaluation.cohort import build_cohort
from kaohe.engine.evaluation.derived import derive_inputs
from kaohe.engine.evaluation.pipeline import _effective_dates, _events_in, evaluate, planned_periods
from kaohe.engine.evaluation.runner import inline_dataset
from kaohe.engine.registry import default_registry
from kaohe.engine.report.results import build_document
from kaohe.engine.ruleset.load import load_ruleset

RULESET = """\
kaohe: 1
id: general
title: 通用机制测试
year: 2025
subjects: {kind: unit}
inputs:
  work: {title: 工作实绩}
  epidemic: {title: 疫情防控}
event_fields:
  weight: {title: 权重}
  target: {title: 目标}
  done: {title: 完成}
  owner: {title: 责任人}
periods: {cycle: quarter, year: {from_periods: mean, weight: 1.0}}
indicators:
  - {id: work, title: 工作实绩, points: 60, rater: {use: direct, input: work}}
  - id: tasks
    title: 任务清单
    points: 20
    rater: {use: event_items, when: "event.type == '任务'", rate: "event.done / event.target", weight: "event.weight",
            empty: zero}
  - id: epidemic
    title: 疫情防控
    points: 20
    effective: {from: 2025-08-01}
    outside_effective: prorate
    rater: {use: direct, input: epidemic}
grading:
  grades:
    - {grade: 优秀, min: 50, quota: {max_share: 0.5, max_count: 1}}
    - {grade: 合格}
outcomes:
  - {id: pool, title: 奖金, use: proportional_pool, pool: 10000, weight: "total", periods: [quarter]}
  - {id: leader, title: 领导班子实绩得分, use: formula, value: "total * 0.6", precision: 1, periods: [quarter]}
  - {id: deferred, title: 延期支付, use: deferred_pay, amount: pool, share: 0.3, until: 任期考核, periods: [quarter]}
  - {id: risk, title: 风险预警函, use: warning, indicators: [work, tasks], below: 0.6, level: 风险预警函,
     message: 发风险预警函, periods: [quarter]}
"""


@pytest.fixture()
def ruleset(tmp_path: Path):
    file = tmp_path / "general.yaml"
    file.write_text(RULESET, encoding="utf-8")
    return load_ruleset(file)


def run(ruleset, values: list[dict], events: list[dict], period: str) -> dict:
    subjects = [{"id": f"U{i}", "name": f"单位{i}"} for i in (1, 2, 3, 4)]
    data = {"subjects": subjects, "values": values, "events": events}
    evaluation = evaluate(ruleset, inline_dataset(ruleset, data, "inline"), default_registry(), only=period)
    return {s["id"]: s for s in build_document(evaluation)["periods"][0]["subjects"]}


def work(period: str, points: dict[str, float]) -> list[dict]:
    return [{"subject": s, "period": period, "work": v, "epidemic": 20} for s, v in points.items()]


def task(subject: str, date: str, weight: float, target: float, done: float) -> dict:
    return {"subject": subject, "date": date, "type": "任务", "weight": weight, "target": target, "done": done}


def test_event_items_scores_the_weighted_achievement_of_the_period_tasks(ruleset):
    # U1: (2 × 1.0 + 1 × 0.5) / 3 = 0.8333 → 20 × 0.8333 = 16.67; over-achievement capped at 1
    # U2: one task 150% done → rate capped 1 → 20; U3 no task → empty: zero → 0
    events = [task("U1", "2025-01-10", 2, 10, 10), task("U1", "2025-02-10", 1, 4, 2),
              task("U2", "2025-03-01", 1, 10, 15), task("U1", "2025-04-01", 5, 1, 0)]  # Q2: not this quarter
    result = run(ruleset, work("2025Q1", {"U1": 50, "U2": 50, "U3": 50, "U4": 50}), events, "2025Q1")
    u1 = result["U1"]["indicators"]["tasks"]
    assert u1["score"] == pytest.approx(16.666667)
    assert u1["detail"]["items"] == 2 and u1["detail"]["weight_sum"] == 3
    u2 = result["U2"]["indicators"]["tasks"]
    assert u2["score"] == 20 and u2["capped"] is True
    assert result["U3"]["indicators"]["tasks"]["score"] == 0


def test_event_items_reports_a_negative_weight_with_its_row(ruleset):
    events = [task("U1", "2025-01-10", -1, 10, 10)]
    with pytest.raises(KaoheError) as caught:
        run(ruleset, work("2025Q1", {"U1": 50}), events, "2025Q1")
    assert caught.value.diagnostics[0].code == "E-RATER-ITEM-WEIGHT"
    assert caught.value.diagnostics[0].params["row"] == 1  # first row of the inline events table


def test_max_count_caps_a_grade_below_its_share(ruleset):
    # 4 units, 优秀 min 50, share 0.5 → 2 places, but max_count 1 → only the best keeps 优秀
    result = run(ruleset, work("2025Q1", {"U1": 58, "U2": 57, "U3": 56, "U4": 10}), [], "2025Q1")
    assert [result[u]["grade"] for u in ("U1", "U2", "U3", "U4")] == ["优秀", "合格", "合格", "合格"]
    assert "至多 1 名 = 1 名" in result["U2"]["grade_reason"]["text"]


def test_prorated_indicator_counts_with_its_share_of_the_quarter(ruleset):
    # Q3 = Jul, Aug, Sep; in force from 1 Aug → 2/3 of the quarter.
    # U1: work 60/60, tasks none → 0/20, epidemic 20/20 at weight 20 × 2/3:
    # (60 + 0 + 20 × 2/3) × 100 / (60 + 20 + 20 × 2/3) = 73.333 × 100 / 93.333 = 78.57
    result = run(ruleset, work("2025Q3", {"U1": 60}), [], "2025Q3")
    assert result["U1"]["total"] == pytest.approx(78.57)
    epidemic = result["U1"]["indicators"]["epidemic"]
    assert epidemic["detail"]["in_force_share"] == pytest.approx(2 / 3)
    # Q2 (before 1 Aug): the indicator drops out: 60 × 100 / 80 = 75
    assert run(ruleset, work("2025Q2", {"U1": 60}), [], "2025Q2")["U1"]["total"] == 75


def test_formula_and_deferred_pay_parts_sum_to_the_amount(ruleset):
    # totals 60 (U1: 60 + 0 tasks + epidemic not in force → 60 × 100 / 80 = 75), ...
    result = run(ruleset, work("2025Q1", {"U1": 60, "U2": 30, "U3": 15, "U4": 15}), [], "2025Q1")
    totals = {u: result[u]["total"] for u in result}
    assert totals == {"U1": 75, "U2": 37.5, "U3": 18.75, "U4": 18.75}
    assert result["U1"]["outcomes"]["leader"]["value"] == 45  # 75 × 0.6
    assert result["U3"]["outcomes"]["leader"]["value"] == 11.3  # 11.25 → 11.3 (half up, 1 decimal)
    # pool 10000 by total: U1 = 10000 × 75 / 150 = 5000; deferred 30% = 1500, paid now 3500
    assert result["U1"]["outcomes"]["pool"]["value"] == "5000"
    assert result["U1"]["outcomes"]["deferred"]["value"] == "1500"
    assert "当期发放 3500 元" in result["U1"]["outcomes"]["deferred"]["note"]
    # U3: 10000 × 18.75 / 150 = 1250 → deferred 375
    for unit in result:
        pool = Decimal(result[unit]["outcomes"]["pool"]["value"])
        deferred = Decimal(result[unit]["outcomes"]["deferred"]["value"])
        note = result[unit]["outcomes"]["deferred"]["note"]
        assert f"当期发放 {pool - deferred} 元" in note


def test_warning_names_the_indicators_under_the_line(ruleset):
    # U1: work 60/60 = 100%, tasks 10/10 done → 100%: no letter
    # U2: work 30/60 = 50% < 60%, tasks none → 0%: both named; U3: work 36/60 = 60% is not below 60%
    events = [task("U1", "2025-01-10", 1, 10, 10), task("U3", "2025-01-10", 1, 10, 10)]
    result = run(ruleset, work("2025Q1", {"U1": 60, "U2": 30, "U3": 36}), events, "2025Q1")
    assert result["U1"]["outcomes"]["risk"]["value"] is None
    assert result["U2"]["outcomes"]["risk"] == {
        "value": "风险预警函", "note": "发风险预警函：工作实绩 50%、任务清单 0%（得分率低于 60%）"}
    assert result["U3"]["outcomes"]["risk"]["value"] is None


DERIVED = """\
kaohe: 1
id: derived
title: 自动采集数据汇总
year: 2025
subjects: {kind: unit}
event_fields:
  response_hours: {title: 响应时长}
  handled: {title: 是否办结}
inputs:
  response: {title: 平均响应时长, from_events: {when: "event.type == '12345工单'", value: "event.response_hours"}}
  handled: {title: 办结率, from_events: {when: "event.type == '网格事件'", value: "event.handled == '是'", how: share}}
  tickets: {title: 工单件数, from_events: {when: "event.type == '12345工单'", how: count}}
  slowest: {title: 最长响应, from_events: {when: "event.type == '12345工单'", value: "event.response_hours", how: max}}
periods: {cycle: quarter, monitor: [month]}
indicators:
  - {id: speed, title: 响应速度, points: 50, rater: {use: formula, expr: "50 - response"}}
  - {id: grid, title: 网格办结, points: 50, rater: {use: formula, expr: "handled * 50"}}
"""


def test_inputs_from_event_records_aggregate_per_period(tmp_path: Path):
    file = tmp_path / "derived.yaml"
    file.write_text(DERIVED, encoding="utf-8")
    ruleset = load_ruleset(file)
    events = [
        {"subject": "U1", "date": "2025-01-05", "type": "12345工单", "response_hours": 2},
        {"subject": "U1", "date": "2025-02-05", "type": "12345工单", "response_hours": 4},
        {"subject": "U1", "date": "2025-03-05", "type": "12345工单", "response_hours": 9},
        {"subject": "U1", "date": "2025-03-06", "type": "12345工单"},  # no hours: counted, not averaged
        *[{"subject": "U1", "date": f"2025-01-1{d}", "type": "网格事件", "handled": h}
          for d, h in enumerate(["是", "是", "否", "是"])],
    ]
    data = {"subjects": [{"id": "U1", "name": "甲"}, {"id": "U2", "name": "乙"}], "events": events}
    dataset = inline_dataset(ruleset, data, "inline")

    def record(period: str) -> dict:
        evaluation = evaluate(ruleset, dataset, default_registry(), only=period)
        return {s["id"]: s for s in build_document(evaluation)["periods"][0]["subjects"]}

    quarter = record("2025Q1")
    # mean of 2, 4, 9 = 5 → 50 − 5 = 45; 3 of 4 handled = 0.75 → 37.5
    assert quarter["U1"]["indicators"]["speed"]["score"] == 45
    assert quarter["U1"]["indicators"]["grid"]["score"] == 37.5
    assert quarter["U1"]["total"] == 82.5
    january = record("2025-01")["U1"]
    assert january["indicators"]["speed"]["score"] == 48  # only the 2-hour ticket
    # U2 has no records: mean and share are missing (indicator missing policy: zero)
    assert quarter["U2"]["indicators"]["speed"]["status"] == "missing_zero"
    period = next(p for p in planned_periods(ruleset) if p.id == "2025Q1")
    cohort = build_cohort(ruleset, dataset, period)
    derive_inputs(ruleset, cohort, _events_in(dataset.events, _effective_dates(dataset.events), period))
    cohort_inputs = {name: cohort.value(name).tolist() for name in ("tickets", "slowest")}
    assert cohort_inputs["tickets"] == [4.0, 0.0]
    assert cohort_inputs["slowest"][0] == 9 and np.isnan(cohort_inputs["slowest"][1])


def test_from_events_needs_a_value_unless_counting(tmp_path: Path):
    file = tmp_path / "bad.yaml"
    file.write_text(DERIVED.replace("value: \"event.handled == '是'\", how: share", "how: share"), encoding="utf-8")
    with pytest.raises(KaoheError) as caught:
        load_ruleset(file)
    assert [d.code for d in caught.value.diagnostics] == ["E-INPUT-FROM-EVENTS-VALUE"]
    assert caught.value.diagnostics[0].line == 11


def test_a_declared_subject_field_absent_from_the_data_is_missing(tmp_path: Path):
    # a framework declares excellent_years; a jurisdiction whose subjects table lacks the column
    # gets missing values (conditions false), not a runtime error
    file = tmp_path / "fields.yaml"
    file.write_text("""\
kaohe: 1
id: fields
title: 对象字段
year: 2025
subjects: {kind: unit, fields: {excellent_years: {title: 此前连续优秀年数}}}
inputs:
  work: {title: 工作}
indicators:
  - {id: work, title: 工作, points: 100, rater: {use: direct, input: work}}
outcomes:
  - {id: priority, title: 优先评优, use: flag, when: "excellent_years >= 1"}
""", encoding="utf-8")
    ruleset = load_ruleset(file)
    data = {"subjects": [{"id": "U1", "name": "甲"}], "values": [{"subject": "U1", "period": "2025", "work": 90}]}
    evaluation = evaluate(ruleset, inline_dataset(ruleset, data, "inline"), default_registry())
    record = build_document(evaluation)["periods"][0]["subjects"][0]
    assert record["total"] == 90 and record["outcomes"]["priority"]["value"] is False


COEFFICIENT_RULESET = """\
kaohe: 1
id: coef
title: 按人数分档的系数
year: 2025
subjects:
  kind: unit
  classes:
    frontline: {title: 一线部门, coefficient: "1.2 if headcount >= 50 else 1.1"}
    office: {title: 机关部门}
  fields:
    headcount: {title: 人数}
inputs:
  x: {title: 得分}
indicators:
  - {id: x, title: 得分, points: 100, rater: {use: direct, input: x}}
"""


def coefficient_run(tmp_path: Path, headcounts: list[object]):
    file = tmp_path / "coef.yaml"
    file.write_text(COEFFICIENT_RULESET, encoding="utf-8")
    ruleset = load_ruleset(file, default_registry())
    subjects = [{"id": f"U{i}", "name": f"U{i}", "class": c, "headcount": h}
                for i, (c, h) in enumerate(zip(["frontline", "frontline", "office"], headcounts, strict=True), 1)]
    data = {"subjects": subjects, "values": [{"subject": s["id"], "period": "2025", "x": 80} for s in subjects]}
    return evaluate(ruleset, inline_dataset(ruleset, data, "inline"), default_registry()).period("2025")


def test_a_class_coefficient_computed_per_subject(tmp_path: Path) -> None:
    # docs: 80 people → 1.2 → 96; 30 people → 1.1 → 88; the office class has no coefficient → 1 → 80
    result = coefficient_run(tmp_path, [80, 30, 12])
    assert result.cohort.coefficient.tolist() == pytest.approx([1.2, 1.1, 1.0])
    assert result.total.tolist() == pytest.approx([96, 88, 80])


def test_a_coefficient_that_cannot_be_computed_is_located(tmp_path: Path) -> None:
    file = tmp_path / "coef.yaml"
    file.write_text(COEFFICIENT_RULESET.replace('"1.2 if headcount >= 50 else 1.1"', '"1 + headcount / 400"'),
                    encoding="utf-8")
    ruleset = load_ruleset(file, default_registry())
    data = {"subjects": [{"id": "U1", "name": "一", "class": "frontline", "headcount": 80},
                         {"id": "U2", "name": "二", "class": "frontline"}],
            "values": [{"subject": s, "period": "2025", "x": 80} for s in ("U1", "U2")]}
    with pytest.raises(KaoheError) as caught:  # U2 has no headcount: 1 + missing / 400 is missing
        evaluate(ruleset, inline_dataset(ruleset, data, "inline"), default_registry())
    (problem,) = caught.value.diagnostics
    assert problem.code == "E-COEFFICIENT-VALUE" and problem.params["subject"] == "U2"


def test_a_coefficient_not_above_zero_is_located(tmp_path: Path) -> None:
    file = tmp_path / "coef.yaml"
    file.write_text(COEFFICIENT_RULESET.replace('"1.2 if headcount >= 50 else 1.1"', '"headcount / 100 - 0.5"'),
                    encoding="utf-8")
    ruleset = load_ruleset(file, default_registry())
    data = {"subjects": [{"id": "U1", "name": "一", "class": "frontline", "headcount": 30}],
            "values": [{"subject": "U1", "period": "2025", "x": 80}]}
    with pytest.raises(KaoheError) as caught:
        evaluate(ruleset, inline_dataset(ruleset, data, "inline"), default_registry())
    (problem,) = caught.value.diagnostics
    # 30 / 100 − 0.5 = −0.2
    assert problem.code == "E-COEFFICIENT-VALUE" and problem.params["value"] == "-0.2"
    assert problem.path == "$.subjects.classes.frontline.coefficient" and problem.line == 8


def test_the_year_shows_the_deductions_its_quarters_carry(tmp_path: Path) -> None:
    """Docs (年度汇总公式): quarters 90 and 80, 4 deducted in Q2 → adjusted 90, 76, mean 83;
    the year shows subtotal (90 + 80) / 2 = 85 and deduction (0 + 4) / 2 = 2: 85 − 2 = 83."""
    text = """\
kaohe: 1
id: carried
title: 年度显示各季度扣分
year: 2025
subjects: {kind: unit}
inputs:
  x: {title: 得分}
periods: {cycle: quarter, year: {from_periods: mean}}
indicators:
  - {id: x, title: 得分, points: 100, rater: {use: direct, input: x}}
deductions:
  - {id: late, title: 迟报, when: "event.type == '迟报'", points: 4}
"""
    file = tmp_path / "carried.yaml"
    file.write_text(text, encoding="utf-8")
    ruleset = load_ruleset(file, default_registry())
    data = {"subjects": [{"id": "U1", "name": "一", "joined": "2025-01-01", "left": "2025-06-30"}],
            "values": [{"subject": "U1", "period": "2025Q1", "x": 90}, {"subject": "U1", "period": "2025Q2", "x": 80}],
            "events": [{"subject": "U1", "date": "2025-05-06", "type": "迟报"}]}
    evaluation = evaluate(ruleset, inline_dataset(ruleset, data, "inline"), default_registry())
    year = evaluation.period("2025")
    assert year.tree.subtotal.tolist() == pytest.approx([85])
    assert (year.adjustments.bonus.tolist(), year.adjustments.deduction.tolist()) == ([0], [2])
    assert year.total.tolist() == [83]
    record = build_document(evaluation)["periods"][-1]["subjects"][0]
    assert (record["subtotal"], record["deduction"], record["rollup"]["deduction"]) == (85, 2, 2)


def test_a_quarter_not_assessed_counts_in_no_year_indicator(tmp_path: Path) -> None:
    """Docs (年度汇总公式: 某周期不参加排名的对象，那一期不计入; 各周期指标的得分显示为各期平均):
    P2 joins on 1 April, so Q1 does not assess P2 (0 months on post). P2 scores 90 in Q2–Q4:
    the year total is (90 + 90 + 90) / 3 = 90, and the year's work indicator shows the same 90,
    not (0 + 90 + 90 + 90) / 4 = 67.5. A year warning at 70 % of work therefore spares P2 (90 %)
    and catches no one; the roll-up shows Q1 as not assessed (null), not as 0."""
    text = """\
kaohe: 1
id: absent
title: 缺席季度不计入年度指标
year: 2026
subjects: {kind: person}
inputs:
  work: {title: 工作实绩评分}
periods: {cycle: quarter, year: {from_periods: mean, weight: 1}}
indicators:
  - {id: work, title: 工作实绩, points: 100, rater: {use: direct, input: work}, missing: zero}
outcomes:
  - {id: low, title: 工作实绩偏低, use: warning, periods: [year], indicators: [work], below: 0.7, level: 黄牌}
"""
    file = tmp_path / "absent.yaml"
    file.write_text(text, encoding="utf-8")
    ruleset = load_ruleset(file, default_registry())
    values = [{"subject": "P1", "period": f"2026Q{q}", "work": 80} for q in range(1, 5)]
    values += [{"subject": "P2", "period": f"2026Q{q}", "work": 90} for q in range(2, 5)]
    data = {"subjects": [{"id": "P1", "name": "甲"}, {"id": "P2", "name": "乙", "joined": "2026-04-01"}],
            "values": values}
    evaluation = evaluate(ruleset, inline_dataset(ruleset, data, "inline"), default_registry())
    year = evaluation.period("2026")
    assert year.total.tolist() == [80, 90]
    assert year.tree.scores["work"].tolist() == [80, 90]
    assert year.outcomes["low"].values.tolist() == [None, None]
    p2 = build_document(evaluation)["periods"][-1]["subjects"][1]
    assert p2["indicators"]["work"]["score"] == 90
    assert p2["rollup"]["periods"] == {"2026Q1": None, "2026Q2": 90, "2026Q3": 90, "2026Q4": 90}


def test_the_explanation_shows_the_rescaling_of_an_indicator_not_yet_in_force(tmp_path: Path) -> None:
    """Docs (生效日期: 不计入，上级按其余指标折算): flood (5 points) is in force from 1 April, so Q1
    counts work (76 of 95) and rescales: 76 × 100 ÷ 95 = 80. The explanation says how 76 became 80."""
    from kaohe.engine.report.explain import explain_subject

    text = """\
kaohe: 1
id: rescale
title: 折算
year: 2026
subjects: {kind: unit}
inputs:
  w: {title: 工作}
  f: {title: 防汛}
periods: {cycle: quarter}
indicators:
  - {id: work, title: 工作实绩, points: 95, rater: {use: direct, input: w}}
  - {id: flood, title: 防汛救灾, points: 5, effective: {from: 2026-04-01}, rater: {use: direct, input: f}}
"""
    file = tmp_path / "rescale.yaml"
    file.write_text(text, encoding="utf-8")
    ruleset = load_ruleset(file, default_registry())
    data = {"subjects": [{"id": "U1", "name": "一"}], "values": [{"subject": "U1", "period": "2026Q1", "w": 76}]}
    evaluation = evaluate(ruleset, inline_dataset(ruleset, data, "inline"), default_registry(), only="2026Q1")
    assert evaluation.period("2026Q1").tree.subtotal.tolist() == pytest.approx([80])
    said = explain_subject(evaluation, "U1", "2026Q1")
    assert "指标小计：80（防汛救灾本周期不计入，其余指标合计 76 按 100 ÷ 95 折算：76 × 100 ÷ 95 = 80）" in said
