"""Chengdu 考事 ↔ 考人: the sections' organisational results (rulesets/chengdu/units/) read by the person ruleset.

The person ruleset reads ``data.results`` from ``units/<year>.yaml`` by the ``unit`` column; a section
rated 较差 bars its staff from the year grade 优秀 (``not unit_grade == '较差'`` in the 优秀 ``eligible``).
The expected section scores are recomputed here from the CSV files with the formula the units ruleset
states (100 × Σ(weight × min(done / target, 1)) ÷ Σweight, two decimals half up), not copied from kaohe.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from kaohe.engine.evaluation.pipeline import evaluate
from kaohe.engine.evaluation.runner import load_data
from kaohe.engine.registry import default_registry
from kaohe.engine.report.results import build_document
from kaohe.engine.ruleset.load import load_ruleset

ROOT = Path(__file__).resolve().parent.parent
CHENGDU = ROOT / "rulesets" / "chengdu"


def rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def grade_of(score: float) -> str:  # units/2024.yaml: 优秀 ≥ 90、良好 ≥ 80、一般 ≥ 60、较差
    return "优秀" if score >= 90 else "良好" if score >= 80 else "一般" if score >= 60 else "较差"


def section_scores(year: str) -> dict[str, float]:
    numerator, weights = defaultdict(float), defaultdict(float)
    for r in rows(CHENGDU / "units" / "data" / "events.csv"):
        if r["type"] == "任务" and r["date"].startswith(year):
            w = float(r["weight"])
            numerator[r["subject"]] += w * min(float(r["done"]) / float(r["target"]), 1.0)
            weights[r["subject"]] += w
    return {s: float(Decimal(repr(100 * numerator[s] / weights[s])).quantize(Decimal("0.01"), ROUND_HALF_UP))
            for s in weights}


def test_section_task_lists_are_the_persons_lists_summed_by_source():
    # 目标任务源头管理：一个来源、一张清单——科室的每项任务 = 本科室个人同一来源清单项之和
    unit_of = {r["id"]: r["unit"] for r in rows(CHENGDU / "data" / "subjects.csv")}
    summed: dict[tuple, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for r in rows(CHENGDU / "data" / "events.csv"):
        if r["type"] == "任务":
            item = summed[(unit_of[r["subject"]], r["date"][:4], r["task"])]
            item[0] += float(r["target"])
            item[1] += float(r["done"])
            item[2] += float(r["weight"])
    shipped = {(r["subject"], r["date"][:4], r["task"]): [float(r["target"]), float(r["done"]), float(r["weight"])]
               for r in rows(CHENGDU / "units" / "data" / "events.csv")}
    assert shipped == dict(summed)
    assert {r["id"] for r in rows(CHENGDU / "units" / "data" / "subjects.csv")} == set(unit_of.values())


@pytest.mark.parametrize("year", ["2024", "2025"])
def test_each_person_reads_the_result_of_their_own_section(year: str):
    expected = section_scores(year)
    assert len(expected) == 6
    dataset = load_data(load_ruleset(CHENGDU / f"{year}.yaml"))
    assert not [w for w in dataset.warnings if "W-RESULTS" in str(w)]
    subjects = dataset.subjects
    for person, unit, total, grade in zip(subjects.ids, subjects.unit, subjects.extra["unit_total"],
                                          subjects.extra["unit_grade"], strict=True):
        assert total == pytest.approx(expected[unit]), (person, unit)
        assert grade == grade_of(expected[unit]), (person, unit)


def test_a_section_rated_poor_bars_its_staff_from_excellent():
    # 全年数据中没有“较差”的科室（6 个科室 2025 年都在 60–74 分，一般）；把排名最前的优秀人员所在科室改成“较差”：
    # 该科室的优秀人员因入围条件降为称职（理由 eligibility），分数不变，该科室不再有优秀，优秀总人数不会增加。
    registry = default_registry()
    ruleset = load_ruleset(CHENGDU / "2025.yaml")
    dataset = load_data(ruleset, registry=registry)

    def year_grades() -> dict[str, dict]:
        document = build_document(evaluate(ruleset, dataset, registry))
        entry = next(p for p in document["periods"] if p["period"] == "2025")
        return {s["id"]: s for s in entry["subjects"]}

    before = year_grades()
    unit_of = dict(zip(dataset.subjects.ids, dataset.subjects.unit, strict=True))
    section = next(unit_of[i] for i, s in sorted(before.items(), key=lambda kv: kv[1]["rank"] or 999)
                   if s["grade"] == "优秀")
    barred = [i for i, s in before.items() if s["grade"] == "优秀" and unit_of[i] == section]
    grades = dataset.subjects.extra["unit_grade"]
    for k, unit in enumerate(dataset.subjects.unit):
        if unit == section:
            grades[k] = "较差"
    after = year_grades()
    assert barred
    for person in barred:
        assert after[person]["grade"] == "称职" and after[person]["grade_reason"]["code"] == "eligibility"
        assert after[person]["total"] == before[person]["total"]  # 联动只限等次，不改分数
    assert not [i for i, s in after.items() if s["grade"] == "优秀" and unit_of[i] == section]
    count = lambda grades_by_id: sum(s["grade"] == "优秀" for s in grades_by_id.values())  # noqa: E731
    assert count(after) <= count(before)
