"""The publicity list and the feedback-talk sheets read from a results document
(engine/report/handouts.py).

The ruleset tests/fixtures/handouts/2025.yaml scores four people on three dimensions, 2025Q1
(full marks 工作实绩 20, 重点任务 30, 作风 10):

    P1 张三 一科 科员       18 + 21 +  9 = 48   rates 90% 70%  90%   → 一般
    P2 王五 一科 科级干部   20 + 27 +  5 = 52   rates 100% 90% 50%   → 好
    P3 李四 二科 科员       10 + 30 + 10 = 50   rates 50% 100% 100%  → 好
    P4 赵六 二科 科员       12 + 15 +  6 = 33   rates 60% 50%  60%   → 较差

Ranks 1 P2, 2 P3, 3 P1, 4 P4 (好 from 49, 一般 from 40). The publicity list (grade == '好') holds P2
and P3; P2's achievements are its two events in date order (02-10 before 03-05).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from kaohe.engine.errors import KaoheError
from kaohe.engine.evaluation.runner import run
from kaohe.engine.report.handouts import (
    feedback_sheets,
    period_title,
    publicity_list,
    publicity_lists,
)
from kaohe.engine.report.results import build_document

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "handouts" / "2025.yaml"


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return build_document(run(FIXTURE, period="2025Q1"))


def test_the_document_records_what_the_handouts_need(document: dict[str, Any]) -> None:
    assert document["ruleset"]["subject_kind"] == "person" and document["ruleset"]["precision"] == 2
    assert document["classes"] == [{"id": "staff", "title": "科员"}, {"id": "chief", "title": "科级干部"}]
    publicity = next(o for o in document["outcomes"] if o["id"] == "publicity")
    assert publicity["handout"] == {"channel": "内网平台", "days": 5, "objections": "局政治处（电话 12345678）",
                                    "achievements": "achievements"}
    bonus = next(o for o in document["outcomes"] if o["id"] == "bonus")
    assert "handout" not in bonus  # only rank_list and feedback carry settings


def test_publicity_list_rows_in_ranking_order(document: dict[str, Any]) -> None:
    publicity = publicity_list(document, "2025Q1")
    assert publicity is not None
    assert (publicity.title, publicity.period_title, publicity.subject_kind) == (
        "实绩公示（评为“好”）", "2025年第一季度", "person")
    assert [(r.rank, r.id, r.name, r.unit, r.class_title, r.total, r.grade) for r in publicity.rows] == [
        (1, "P2", "王五", "一科", "科级干部", 52, "好"),
        (2, "P3", "李四", "二科", "科员", 50, "好"),
    ]
    # the event_list's note without its "公示实绩（2 项）：" head; events by date
    assert publicity.rows[0].achievements == "1. 完成调解 12 件；2. 普法讲座"
    assert publicity.rows[1].achievements == "1. 社区矫正评估"
    assert publicity.achievements_title == "申报实绩"


def test_publicity_notice_says_what_the_ruleset_declares(document: dict[str, Any]) -> None:
    publicity = publicity_list(document, "2025Q1")
    assert publicity is not None
    assert publicity.notice() == (
        "公示期：　　年　　月　　日至　　年　　月　　日（5 个工作日）",
        "公示方式：内网平台",
        "公示期间如有异议，请向局政治处（电话 12345678）反映。",
    )


def test_what_the_ruleset_leaves_open_is_a_blank(document: dict[str, Any]) -> None:
    bare = copy.deepcopy(document)
    next(o for o in bare["outcomes"] if o["id"] == "publicity").pop("handout")
    publicity = publicity_list(bare, "2025Q1")
    assert publicity is not None
    assert publicity.notice() == ("公示期：　　年　　月　　日至　　年　　月　　日",
                                  "公示期间如有异议，请向＿＿＿＿＿＿＿＿反映。")
    assert publicity.rows[0].achievements is None and publicity.achievements_title is None


def test_calendar_days(document: dict[str, Any]) -> None:
    changed = copy.deepcopy(document)
    next(o for o in changed["outcomes"] if o["id"] == "publicity")["handout"]["day_kind"] = "calendar"
    publicity = publicity_list(changed, "2025Q1")
    assert publicity is not None and publicity.notice()[0].endswith("（5 天）")


def test_feedback_sheets_unit_by_unit(document: dict[str, Any]) -> None:
    sheets = feedback_sheets(document, "2025Q1")
    # units in the order their best member ranks (一科 has P2, first), ranking order within a unit
    assert [(s.unit, s.id) for s in sheets] == [("一科", "P2"), ("一科", "P1"), ("二科", "P3"), ("二科", "P4")]


def test_feedback_sheet_of_one_person(document: dict[str, Any]) -> None:
    p1 = next(s for s in feedback_sheets(document, "2025Q1") if s.id == "P1")
    assert (p1.name, p1.unit, p1.class_title, p1.total, p1.rank, p1.group_size, p1.grade) == (
        "张三", "一科", "科员", 48, 3, 4, "一般")
    assert p1.grade_reason == "总分 48 ≥ 一般分数线 40"
    assert [(line.title, line.score, line.full, line.rate) for line in p1.scores] == [
        ("工作实绩（业务工作完成情况）", 18, 20.0, 0.9), ("重点任务", 21, 30.0, 0.7), ("作风", 9, 10.0, 0.9)]
    # 工作实绩 and 作风 tie at 90%: the first one, as the outcome chose
    assert [line.id for line in p1.strengths] == ["work"]
    assert [line.id for line in p1.weaknesses] == ["tasks"]
    assert p1.training_need == "重点任务" and p1.training == "“小切口”专业培训"
    assert p1.talk_by == "部门负责人" and p1.topics == ("思想动态", "工作实绩")
    assert p1.signatures == ("被谈话人签字", "谈话人签字", "谈话日期")
    assert p1.period_title == "2025年第一季度" and p1.title == "季度反馈谈话"


def test_strengths_and_weaknesses_agree_with_the_outcome(document: dict[str, Any]) -> None:
    for sheet in feedback_sheets(document, "2025Q1"):
        assert sheet.weaknesses[0].title == sheet.training_need
        assert f"长处 {sheet.strengths[0].title}" in (sheet.note or "")
    p3 = next(s for s in feedback_sheets(document, "2025Q1") if s.id == "P3")
    assert (p3.strengths[0].id, p3.weaknesses[0].id) == ("tasks", "work")  # 100% (first of two) and 50%


def test_no_list_in_a_period_without_one(document: dict[str, Any]) -> None:
    quiet = copy.deepcopy(document)
    for s in quiet["periods"][0]["subjects"]:
        del s["outcomes"]["publicity"], s["outcomes"]["talk"]
    assert publicity_list(quiet, "2025Q1") is None and publicity_lists(quiet, "2025Q1") == []
    assert feedback_sheets(quiet, "2025Q1") == []


def test_an_unknown_period_is_a_diagnostic(document: dict[str, Any]) -> None:
    with pytest.raises(KaoheError) as caught:
        publicity_list(document, "2025Q5")
    [diagnostic] = caught.value.diagnostics
    assert diagnostic.code == "E-HANDOUT-PERIOD"
    assert "2025Q1" in diagnostic.message("zh") and "2025Q5" in diagnostic.message("en")


def test_achievements_naming_no_outcome_is_a_diagnostic(document: dict[str, Any]) -> None:
    wrong = copy.deepcopy(document)
    next(o for o in wrong["outcomes"] if o["id"] == "publicity")["handout"]["achievements"] = "achievement"
    with pytest.raises(KaoheError) as caught:
        publicity_list(wrong, "2025Q1")
    [diagnostic] = caught.value.diagnostics
    assert diagnostic.code == "E-HANDOUT-ACHIEVEMENTS"
    assert "achievements" in diagnostic.message("zh")  # did you mean
    assert diagnostic.file == "tests/fixtures/handouts/2025.yaml"


def test_an_older_document_without_titles_falls_back_to_ids(document: dict[str, Any]) -> None:
    old = copy.deepcopy(document)
    del old["classes"], old["ruleset"]["precision"]
    publicity = publicity_list(old, "2025Q1")
    assert publicity is not None and publicity.rows[0].class_title == "chief" and publicity.precision == 2


@pytest.mark.parametrize(("period", "title"), [("2025", "2025年度"), ("2025Q4", "2025年第四季度"),
                                               ("2025-03", "2025年3月"), ("2025-11", "2025年11月")])
def test_period_title(period: str, title: str) -> None:
    assert period_title(period) == title


def test_chengdu_publicity_says_where_it_is_published() -> None:
    root = Path(__file__).resolve().parent.parent
    document = build_document(run(root / "rulesets" / "chengdu", period="2025Q2"))
    publicity = publicity_list(document, "2025Q2")
    assert publicity is not None and publicity.channel == "内网平台"  # seed 002: 在内网平台公示
    assert publicity.days is None and publicity.objections is None  # the seed does not say: left blank
    assert all(row.grade == "好" for row in publicity.rows)
    assert publicity.achievements_title == "实绩公示清单（评为“好”的申报实绩）"
    talks = feedback_sheets(document, "2025Q2")
    assert len(talks) == len(document["periods"][0]["subjects"])
    assert talks[0].talk_by == "部门负责人" and talks[0].topics == ("思想动态", "工作实绩", "能力素质", "作风养成")
