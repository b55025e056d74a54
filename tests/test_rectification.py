"""Rectification items (整改 / 督办) with a life across periods (issue 11, item 4).

Every expected value is worked out by hand in the comments; the docs' worked
example (docs/ruleset-format.md, 整改督办事项) is read from the docs themselves.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from kaohe.cli import main
from kaohe.engine.errors import KaoheError
from kaohe.engine.evaluation.pipeline import Evaluation, evaluate
from kaohe.engine.evaluation.runner import inline_dataset, load_data
from kaohe.engine.registry import default_registry
from kaohe.engine.report.results import build_document
from kaohe.engine.ruleset.load import load_ruleset

ROOT = Path(__file__).resolve().parent.parent
DOCS = (ROOT / "docs" / "ruleset-format.md").read_text(encoding="utf-8")
SECTION = DOCS[DOCS.index("## 整改督办事项 Rectification items"):DOCS.index("## 排名与等次 Grading")]
BLOCKS = re.findall(r"```(\w*)\n(.*?)```", SECTION, flags=re.S)
DOC_RULESET = next(text for lang, text in BLOCKS if lang == "yaml")
DOC_ITEMS = next(text for lang, text in BLOCKS if lang == "" and text.startswith("id,subject,opened"))


def folder(tmp_path: Path, ruleset: str = DOC_RULESET, items: str = DOC_ITEMS) -> Path:
    (tmp_path / "kaohe.toml").write_text("", encoding="utf-8")
    (tmp_path / "data").mkdir(exist_ok=True)
    (tmp_path / "data" / "subjects.csv").write_text("id,name\nU1,审批局\nU2,财政局\n", encoding="utf-8")
    (tmp_path / "data" / "items.csv").write_text(items, encoding="utf-8")
    (tmp_path / "2025.yaml").write_text(ruleset, encoding="utf-8")
    return tmp_path / "2025.yaml"


def run(path: Path) -> Evaluation:
    registry = default_registry()
    ruleset = load_ruleset(path, registry)
    return evaluate(ruleset, load_data(ruleset, None, registry), registry)


def subject(evaluation: Evaluation, period: str, sid: str) -> dict[str, Any]:
    document = build_document(evaluation)
    found = next(p for p in document["periods"] if p["period"] == period)
    record: dict[str, Any] = next(s for s in found["subjects"] if s["id"] == sid)
    return record


def note(record: dict[str, Any], outcome: str) -> str | None:
    text: str | None = record["outcomes"][outcome]["note"]
    return text


# ---------------------------------------------------------------------------
# The docs' worked example, quarter by quarter


@pytest.fixture(scope="module")
def docs_example(tmp_path_factory: pytest.TempPathFactory) -> Evaluation:
    return run(folder(tmp_path_factory.mktemp("docs")))


def test_the_docs_example(docs_example: Evaluation) -> None:
    # U1: Q1 ZG-03 31 days -> 3.1, capped per item at 2 -> 98; Q2 2 + 2 + 2 = 6 over the quarter's 5 -> 95;
    # Q3 ZG-01 46 days -> 2, ZG-03 92 days -> 2 -> 96; Q4 ZG-03 92 days -> 2 -> 98.
    # U2: ZG-04 due 06-30, closed 07-10: 10 days late in Q3 -> 1 -> 99; otherwise 100.
    expected = {"2025Q1": (98, 100), "2025Q2": (95, 100), "2025Q3": (96, 99), "2025Q4": (98, 100)}
    for period, totals in expected.items():
        assert tuple(docs_example.period(period).total.tolist()) == totals, period
    # U1 always has an overdue open item (ZG-03) -> at most 较好; U2 never has one at a quarter's end
    for period in expected:
        assert docs_example.period(period).grades.grade.tolist() == ["较好", "好"], period  # type: ignore[union-attr]


def test_an_item_is_carried_until_the_quarter_it_is_closed_in(docs_example: Evaluation) -> None:
    # ZG-01: opened 02-10, closed 08-15 -> open at the ends of Q1 and Q2, closed in Q3, gone in Q4
    q1, q2, q3, q4 = (subject(docs_example, f"2025Q{q}", "U1") for q in range(1, 5))
    assert "ZG-01，审批超时，张三，2025-03-31，未到期" in (note(q1, "open_items") or "")
    assert "ZG-01，审批超时，张三，2025-03-31，逾期" in (note(q2, "open_items") or "")
    assert "ZG-01" not in (note(q3, "open_items") or "")
    assert note(q3, "closed_items") == "本季度销号（1 项）：1. ZG-01，2025-08-15，137"
    assert all("ZG-01" not in (note(q4, o) or "") for o in ("open_items", "overdue_items", "closed_items"))
    # the 销号 list of each quarter: Q1 ZG-02 (closed on its deadline: 0 days), Q2 ZG-05 (05-20 − 04-30 = 20)
    assert note(q1, "closed_items") == "本季度销号（1 项）：1. ZG-02，2025-03-20，0"
    assert note(q2, "closed_items") == "本季度销号（1 项）：1. ZG-05，2025-05-20，20"
    # the overdue list at Q2's end: ZG-03 06-30 − 02-28 = 122 days, ZG-01 06-30 − 03-31 = 91 days
    assert note(q2, "overdue_items") == "逾期未销号（2 项）：1. ZG-03，王五，2025-02-28，122；2. ZG-01，张三，2025-03-31，91"
    assert q2["outcomes"]["open_items"]["value"] == 2


def test_from_items_inputs_per_quarter(docs_example: Evaluation) -> None:
    # U1 at Q1's end: open ZG-01, ZG-03; overdue ZG-03 only (ZG-01 is due on the last day) -> 31 days
    q1 = docs_example.period("2025Q1").cohort
    assert q1.value("items_open").tolist() == [2, 0]
    assert q1.value("items_overdue").tolist() == [1, 0]
    # overdue days summed over the items in the quarter with any: ZG-03 31 (ZG-02 closed on time: 0)
    assert q1.value("overdue_days").tolist() == [31, 0]
    # Q3: ZG-01 closed 137 days overdue, ZG-03 214 (09-30 − 02-28); U2 ZG-04 closed 10 days late
    q3 = docs_example.period("2025Q3").cohort
    assert q3.value("overdue_days").tolist() == [137 + 214, 10]
    assert q3.value("items_overdue").tolist() == [1, 0]


def test_per_day_deduction_with_item_and_quarter_caps(docs_example: Evaluation) -> None:
    q2 = subject(docs_example, "2025Q2", "U1")
    # in opening order: ZG-03 (01-05) 91 days -> 9.1 -> 2; ZG-01 (02-10) 91 days -> 2; ZG-05 (04-01) 20 days
    # -> 2.0 -> 2; the quarter's cap 5 leaves the latest opened, ZG-05, 1
    assert [(a["item"]["id"], a["points"], a["capped"]) for a in q2["adjustments"]] == [
        ("ZG-03", -2, True), ("ZG-01", -2, True), ("ZG-05", -1, True)]
    assert q2["deduction"] == 5
    assert q2["adjustments"][0]["item"] == {"id": "ZG-03", "opened": "2025-01-05", "deadline": "2025-02-28",
                                            "closed": None, "owner": "王五", "row": 4,
                                            "fields": {"problem": "窗口投诉"}}
    # Q3: ZG-01 is charged only its days in Q3: 137 up to its closing day − 91 up to Q2's end = 46 -> 4.6 -> 2
    q3 = subject(docs_example, "2025Q3", "U1")
    assert [(a["item"]["id"], a["points"]) for a in q3["adjustments"]] == [("ZG-03", -2), ("ZG-01", -2)]


def test_a_grade_blocked_by_an_overdue_item(docs_example: Evaluation) -> None:
    q1 = subject(docs_example, "2025Q1", "U1")
    assert q1["total"] == 98 and q1["grade"] == "较好"  # 98 ≥ 90 would be 好
    assert q1["grade_reason"]["code"] == "bar" and q1["vetoes"] == ["overdue_bar"]
    # U2 in Q3 closed ZG-04 ten days late: deducted 1, but nothing is overdue at the quarter's end
    q3 = subject(docs_example, "2025Q3", "U2")
    assert (q3["total"], q3["grade"], q3["vetoes"]) == (99, "好", [])


# ---------------------------------------------------------------------------
# Overdue days at the boundaries

BOUNDARY = """\
kaohe: 1
id: boundary
title: 逾期天数边界
year: 2025
subjects: {kind: unit}
periods: {cycle: quarter}
inputs:
  days: {title: 逾期天数, from_items: {when: "item.id != ''", value: "item.overdue_days", how: sum}}
  in_period: {title: 本季逾期天数, from_items: {when: "item.id != ''", value: "item.overdue_days_in_period", how: sum}}
  overdue: {title: 逾期未销号, from_items: {when: "item.overdue", how: count}}
  closed: {title: 本季销号, from_items: {when: "item.closed_in_period", how: count}}
  alive: {title: 在册, from_items: {when: "item.id != ''", how: count}}
indicators:
  - {id: work, title: 工作, points: 100, rater: {use: formula, expr: "100"}}
"""

CASES = [
    # (opened, deadline, closed) in Q1 (01-01 … 03-31); expected (days, in_period, overdue, closed, alive)
    (("2025-01-10", "2025-03-31", ""), (0, 0, 0, 0, 1)),  # due on the period's last day: not yet overdue
    (("2025-01-10", "2025-03-30", ""), (1, 1, 1, 0, 1)),  # one day past the deadline at 03-31
    (("2025-01-10", "2025-02-15", "2025-02-15"), (0, 0, 0, 1, 1)),  # closed on the deadline: on time
    (("2025-01-10", "2025-02-15", "2025-02-16"), (1, 1, 0, 1, 1)),  # closed the day after: 1 day late
    (("2025-01-10", "2025-02-15", "2025-03-31"), (44, 44, 0, 1, 1)),  # 03-31 − 02-15 = 13 + 31 = 44, closed
    (("2025-01-10", "2025-02-15", "2025-04-01"), (44, 44, 1, 0, 1)),  # closed after the period: open at 03-31
    (("2025-04-01", "2025-04-01", ""), (0, 0, 0, 0, 0)),  # opened after the period: not in it
    (("2024-10-01", "2024-11-30", "2024-12-31"), (0, 0, 0, 0, 0)),  # closed before the period began: gone
    # opened last year, still open: 03-31 − 2024-11-30 = 121 days, of which 90 in Q1 (31 days in 2024)
    (("2024-10-01", "2024-11-30", ""), (121, 90, 1, 0, 1)),
]


@pytest.mark.parametrize(("dates", "expected"), CASES, ids=[",".join(d) for d, _ in CASES])
def test_overdue_days_at_the_boundaries(tmp_path: Path, dates: tuple[str, str, str],
                                        expected: tuple[int, ...]) -> None:
    file = tmp_path / "boundary.yaml"
    file.write_text(BOUNDARY, encoding="utf-8")
    registry = default_registry()
    ruleset = load_ruleset(file, registry)
    opened, deadline, closed = dates
    data = {"subjects": [{"id": "U1", "name": "甲"}],
            "items": [{"id": "A", "subject": "U1", "opened": opened, "deadline": deadline, "closed": closed}]}
    cohort = evaluate(ruleset, inline_dataset(ruleset, data, "inline"), registry, only="2025Q1").period("2025Q1").cohort
    got = tuple(int(cohort.value(name)[0]) for name in ("days", "in_period", "overdue", "closed", "alive"))
    assert got == expected


def test_in_period_days_add_up_to_the_days_overdue(tmp_path: Path) -> None:
    # due 02-15, closed 11-20: 11-20 − 02-15 = 278 days (13 + 31 + 30 + 31 + 30 + 31 + 31 + 30 + 31 + 20);
    # by quarter 44 (to 03-31), 91, 92, 51 (10-01 … 11-20): each overdue day counted once
    file = tmp_path / "boundary.yaml"
    file.write_text(BOUNDARY, encoding="utf-8")
    registry = default_registry()
    ruleset = load_ruleset(file, registry)
    data = {"subjects": [{"id": "U1", "name": "甲"}],
            "items": [{"id": "A", "subject": "U1", "opened": "2025-01-10", "deadline": "2025-02-15",
                       "closed": "2025-11-20"}]}
    evaluation = evaluate(ruleset, inline_dataset(ruleset, data, "inline"), registry)
    per_quarter = [int(evaluation.period(f"2025Q{q}").cohort.value("in_period")[0]) for q in range(1, 5)]
    assert per_quarter == [44, 91, 92, 51] and sum(per_quarter) == 278
    assert int(evaluation.period("2025Q4").cohort.value("days")[0]) == 278


def test_a_per_item_cap_over_the_year(tmp_path: Path) -> None:
    # the docs' alternative: 0.1 a day, at most 2 per item over the year, as the increase of the capped
    # running total. ZG-03 (due 02-28, open): Q1 31 days -> min(3.1, 2) − 0 = 2, later quarters 2 − 2 = 0
    text = DOC_RULESET.replace('points: "0.1 * item.overdue_days_in_period"',
                               'points: "min(0.1 * item.overdue_days, 2) - min(0.1 * item.overdue_days_before, 2)"')
    items = "id,subject,opened,deadline,closed,owner,problem\nZG-03,U1,2025-01-05,2025-02-28,,王五,窗口投诉\n"
    evaluation = run(folder(tmp_path, text, items))
    assert [float(evaluation.period(f"2025Q{q}").adjustments.deduction[0]) for q in range(1, 5)] == [2, 0, 0, 0]


def test_a_veto_per_item(tmp_path: Path) -> None:
    # per: item vetoes read each item: more than 60 days overdue at the quarter's end bars 好.
    # ZG-03 at Q1's end: 31 days (no veto); at Q2's end: 122 days (veto)
    text = DOC_RULESET.replace('    per: subject\n    when: "items_overdue > 0"',
                               '    per: item\n    when: "item.overdue_days > 60"')
    items = "id,subject,opened,deadline,closed,owner,problem\nZG-03,U1,2025-01-05,2025-02-28,,王五,窗口投诉\n"
    evaluation = run(folder(tmp_path, text, items))
    assert evaluation.period("2025Q1").grades.grade.tolist() == ["好", "好"]  # type: ignore[union-attr]  # 98
    assert evaluation.period("2025Q2").grades.grade.tolist() == ["较好", "好"]  # type: ignore[union-attr]


def test_explain_names_the_item(tmp_path: Path) -> None:
    path = folder(tmp_path)
    result = CliRunner().invoke(main, ["explain", str(path), "U1", "--period", "2025Q1"])
    assert result.exit_code == 0, result.output
    assert "整改逾期 2 分：整改事项 ZG-03（时限 2025-02-28，未销号，整改事项表第 4 行）；因封顶少计" in result.output


# ---------------------------------------------------------------------------
# Bad item data: every problem located at its cell, in both languages

BAD = [
    # (row written, code, column position, zh words, en words)
    ("ZG-07,U1,2025-03-01,2025-01-31,,张三,x", "E-DATA-ITEM-DEADLINE", 4, "早于交办日期", "before it was opened"),
    ("ZG-07,U1,2025-03-01,2025-03-31,2025-02-01,张三,x", "E-DATA-ITEM-CLOSED", 5, "销号日期", "closed on 2025-02-01"),
    ("ZG-07,U1,2025-03-01,2025-13-01,,张三,x", "E-DATA-BAD-DATE", 4, "不是有效日期", "not a valid date"),
    ("ZG-07,U1,下周一,2025-03-31,,张三,x", "E-DATA-BAD-DATE", 3, "不是有效日期", "not a valid date"),
    ("ZG-01,U1,2025-03-01,2025-03-31,,张三,x", "E-DATA-ITEM-DUPLICATE", 1, "第一次在第 2 行", "first in row 2"),
]


@pytest.mark.parametrize(("row", "code", "column", "zh", "en"), BAD, ids=[b[1] + str(b[2]) for b in BAD])
def test_bad_item_data_is_located(tmp_path: Path, row: str, code: str, column: int, zh: str, en: str) -> None:
    path = folder(tmp_path, items=DOC_ITEMS + row + "\n")
    line = len(DOC_ITEMS.splitlines()) + 1  # the header is line 1
    with pytest.raises(KaoheError) as raised:
        run(path)
    found = [d for d in raised.value.diagnostics if d.code == code]
    assert len(found) == 1, raised.value.diagnostics
    assert (Path(found[0].file or "").name, found[0].line, found[0].column) == ("items.csv", line, column)
    for lang, words in (("zh", zh), ("en", en)):
        result = CliRunner().invoke(main, ["--lang", lang, "evaluate", str(path), "--format", "csv"])
        assert result.exit_code == 1
        located = [x for x in result.stderr.splitlines() if x.endswith(f"({code})")]
        assert located and f"items.csv:{line}:{column}:" in located[0] and words in located[0], result.stderr


def test_item_fields_must_be_declared(tmp_path: Path) -> None:
    path = folder(tmp_path, items=DOC_ITEMS.replace("problem", "problme", 1))
    with pytest.raises(KaoheError) as raised:
        run(path)
    assert [d.code for d in raised.value.diagnostics] == ["E-DATA-UNKNOWN-COLUMN"]


def test_item_names_are_checked_at_load(tmp_path: Path) -> None:
    path = folder(tmp_path, DOC_RULESET.replace('when: "item.overdue",', 'when: "item.overdu",'))
    with pytest.raises(KaoheError) as raised:
        load_ruleset(path, default_registry())
    assert "E-EXPR-UNKNOWN-FIELD" in [d.code for d in raised.value.diagnostics]


def test_data_without_items_keeps_its_digest(tmp_path: Path) -> None:
    registry = default_registry()
    path = folder(tmp_path)
    ruleset = load_ruleset(path, registry)
    with_items = load_data(ruleset, None, registry).digest
    (tmp_path / "data" / "items.csv").write_text("id,subject,opened,deadline\n", encoding="utf-8")
    without = load_data(ruleset, None, registry).digest
    (tmp_path / "data" / "items.csv").unlink()
    assert load_data(ruleset, None, registry).digest == without != with_items
