"""Monthly follow-up periods, per-period event limits with rejections, and
the feedback / event_list outcomes (general mechanisms the jurisdiction
rulesets use: Chengdu's 实绩申报 ≤ 5 per quarter, Yangquan's 月度跟进 and 销号清单)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kaohe.engine.evaluation.pipeline import evaluate
from kaohe.engine.evaluation.runner import inline_dataset
from kaohe.engine.registry import default_registry
from kaohe.engine.report.results import build_document
from kaohe.engine.ruleset.load import load_ruleset

RULESET = """\
kaohe: 1
id: followup
title: 跟进机制测试
year: 2025
subjects: {kind: person}
inputs:
  work: {title: 工作实绩}
  style: {title: 工作作风}
event_fields:
  task: {title: 任务来源}
  owner: {title: 责任人}
  deadline: {title: 时限}
  closed: {title: 是否销号}
periods: {cycle: quarter, monitor: [month], year: {from_periods: mean, weight: 1.0}}
indicators:
  - {id: work, title: 工作实绩, points: 60, rater: {use: direct, input: work}}
  - {id: style, title: 工作作风, points: 40, rater: {use: direct, input: style}}
bonuses:
  - id: self_report
    title: 实绩自主申报
    when: "event.type == '实绩申报' and event.confirmed"
    require: "event.task != ''"
    reject_message: 未注明任务来源，不予计入
    max_events: 5
    points: "1 if n <= 5 else 100"
outcomes:
  - {id: monthly_warning, title: 月度预警, use: warning, periods: [month], when: "total < 60", level: 黄牌}
  - {id: talk, title: 反馈谈话, use: feedback, periods: [quarter]}
  - id: close_out
    title: 销号清单
    use: event_list
    periods: [quarter]
    when: "event.type == '督办问题' and event.closed != '是'"
    fields: [task, owner, deadline]
  - id: good_reports
    title: 实绩公示
    use: event_list
    periods: [quarter]
    when: "event.type == '实绩申报'"
    only: "total >= 85"
    fields: [task]
"""


def reports(count: int, subject: str = "P1", task: str = "T") -> list[dict]:
    return [{"subject": subject, "date": f"2025-02-{day + 1:02d}", "type": "实绩申报", "task": task}
            for day in range(count)]


@pytest.fixture()
def run(tmp_path: Path):
    file = tmp_path / "followup.yaml"
    file.write_text(RULESET, encoding="utf-8")
    ruleset = load_ruleset(file)

    def go(values: list[dict], events: list[dict], period: str) -> dict:
        data = {"subjects": [{"id": "P1", "name": "甲"}, {"id": "P2", "name": "乙"}],
                "values": values, "events": events}
        evaluation = evaluate(ruleset, inline_dataset(ruleset, data, "inline"), default_registry(), only=period)
        subjects = build_document(evaluation)["periods"][0]["subjects"]
        return {s["id"]: s for s in subjects}

    return go


def quarter_values(work: float = 50, style: float = 30) -> list[dict]:
    return [{"subject": s, "period": "2025Q1", "work": work, "style": style} for s in ("P1", "P2")]


def test_sixth_self_report_is_rejected_with_a_message(run):
    # 6 confirmed reports with a task: 5 count (1 point each, n numbers only counted ones), the 6th is rejected
    result = run(quarter_values(), reports(6), "2025Q1")["P1"]
    items = [a for a in result["adjustments"] if a["rule"] == "self_report"]
    assert [a["points"] for a in items] == [1, 1, 1, 1, 1, 0]
    assert items[5]["rejected"] == "超过每个周期最多 5 项的上限（第 6 项），不予计入"
    assert items[5]["event"]["date"] == "2025-02-06"
    assert result["bonus"] == 5 and result["total"] == 85


def test_report_without_task_source_is_rejected_and_does_not_use_a_place(run):
    events = reports(1, task="") + reports(5)[1:] + [{"subject": "P1", "date": "2025-03-01", "type": "实绩申报",
                                                      "task": "T6"}]
    result = run(quarter_values(), events, "2025Q1")["P1"]
    rejected = [a["rejected"] for a in result["adjustments"] if a["rejected"]]
    assert rejected == ["未注明任务来源，不予计入"]
    assert result["bonus"] == 5  # the report with a source on 03-01 takes the freed place


def test_unconfirmed_reports_neither_count_nor_appear(run):
    events = [{**e, "confirmed": "否"} for e in reports(3)]
    result = run(quarter_values(), events, "2025Q1")["P1"]
    assert result["adjustments"] == [] and result["bonus"] == 0


def test_monthly_followup_warns_without_touching_the_year(run):
    values = quarter_values(50, 30) + [
        {"subject": "P1", "period": "2025-02", "work": 30, "style": 20},   # 50 < 60 -> yellow card in February
        {"subject": "P2", "period": "2025-02", "work": 55, "style": 35},
    ]
    february = run(values, [], "2025-02")
    assert february["P1"]["outcomes"]["monthly_warning"]["value"] == "黄牌"
    assert february["P2"]["outcomes"]["monthly_warning"]["value"] is None
    assert "talk" not in february["P1"]["outcomes"]  # quarterly outcome
    quarter = run(values, [], "2025Q1")
    assert quarter["P1"]["total"] == 80 and "monthly_warning" not in quarter["P1"]["outcomes"]


def test_feedback_names_strongest_and_weakest_dimension(run):
    # P1: work 54/60 = 90%, style 20/40 = 50% -> weakest 工作作风
    values = [{"subject": "P1", "period": "2025Q1", "work": 54, "style": 20},
              {"subject": "P2", "period": "2025Q1", "work": 30, "style": 40}]
    result = run(values, [], "2025Q1")
    assert result["P1"]["outcomes"]["talk"]["value"] == "工作作风"
    assert result["P1"]["outcomes"]["talk"]["note"] == "反馈：长处 工作实绩（得分率 90%）；短板 工作作风（得分率 50%），建议针对性培训"
    assert result["P2"]["outcomes"]["talk"]["value"] == "工作实绩"


def test_event_list_lists_open_items_with_their_fields(run):
    events = [
        {"subject": "P1", "date": "2025-01-10", "type": "督办问题", "task": "审批超时", "owner": "张三",
         "deadline": "2025-03-31", "closed": "否"},
        {"subject": "P1", "date": "2025-02-10", "type": "督办问题", "task": "台账缺失", "owner": "李四",
         "deadline": "2025-02-28", "closed": "是"},
        {"subject": "P2", "date": "2025-03-01", "type": "督办问题", "task": "回复超期", "owner": "王五",
         "deadline": "2025-04-15", "closed": ""},
    ]
    result = run(quarter_values(), events, "2025Q1")
    assert result["P1"]["outcomes"]["close_out"] == {"value": 1, "note": "清单（1 项）：1. 审批超时，张三，2025-03-31"}
    assert result["P2"]["outcomes"]["close_out"]["value"] == 1


def test_event_list_expression_is_checked_at_load(tmp_path: Path):
    from kaohe.engine.errors import KaoheError

    file = tmp_path / "bad.yaml"
    file.write_text(RULESET.replace("event.closed != '是'", "event.closd != '是'"), encoding="utf-8")
    with pytest.raises(KaoheError) as caught:
        load_ruleset(file)
    (problem,) = caught.value.diagnostics
    assert problem.code == "E-EXPR-UNKNOWN-FIELD" and problem.params["suggest"] == "closed"


def test_event_list_only_lists_for_subjects_meeting_a_condition(run):
    # P1 total 80 + 2 reports = 82 < 85: not listed (value empty); P2 80 + 5 = 85: listed
    events = reports(2, "P1", "T1") + reports(5, "P2", "T2")
    result = run(quarter_values(), events, "2025Q1")
    assert result["P1"]["outcomes"]["good_reports"] == {"value": None, "note": None}
    assert result["P2"]["outcomes"]["good_reports"]["value"] == 5
    assert result["P2"]["outcomes"]["good_reports"]["note"].startswith("清单（5 项）：1. T2；2. T2")
