"""History and results read from the store (issue 11, items 2, 3 and 7): ``history: {source: store}``,
``results: {source: results}`` and ``kaohe store history``. Every expected value is worked out by hand
in a comment next to it; stores are temporary SQLite files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from kaohe.cli import main
from kaohe.engine.store.database import opened
from kaohe.engine.store.signoff import sign_off
from kaohe.engine.store.url import StoreTarget, store_url
from tests.store_helpers import (
    invoke,
    reproducible,  # noqa: F401  (a fixture, used through pytestmark)
)

ROOT = Path(__file__).resolve().parent.parent
DISTRICT = ROOT / "rulesets" / "province-district"


pytestmark = pytest.mark.usefixtures("reproducible")



def evaluate(ruleset: Path, db: Path | None = None, *more: str) -> Result:
    store = ("--store", str(db)) if db is not None else ()
    return invoke("evaluate", str(ruleset), "--format", "json", *store, *more)


def year(result: Result, period: str) -> dict[str, dict[str, Any]]:
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout_bytes)
    entry = next(p for p in document["periods"] if p["period"] == period)
    return {s["id"]: s for s in entry["subjects"]}


def flagged(subjects: dict[str, dict[str, Any]], outcome: str) -> list[str]:
    return [i for i, s in subjects.items() if s["outcomes"][outcome]["value"]]


def sign(db: Path, run_id: int) -> None:
    with opened(StoreTarget(store_url(str(db)))) as store:
        sign_off(store, run_id, "主任 signer")


# ---------------------------------------------------------------------------
# Acceptance: the district's 2025 reads 2024 from the store (README "往年结果来自结果库")

FROM_STORE = "\ndata:\n  history: {source: store, years: 1}   # 往年结果：结果库中本区往年已确认的年度结果\n"


@pytest.fixture
def district_office(tmp_path: Path) -> Path:
    """The README's office: the framework and the district copied, 2025.yaml switched to the store."""
    office = tmp_path / "office"
    for name in ("province", "province-district"):
        shutil.copytree(ROOT / "rulesets" / name, office / name, ignore=shutil.ignore_patterns("tests"))
    (office / "kaohe.toml").write_text("# 某区考核办\n", encoding="utf-8")
    year_2025 = office / "province-district" / "2025.yaml"
    assert "\ndata:" not in year_2025.read_text(encoding="utf-8")  # the district declares no data: key of its own
    with year_2025.open("a", encoding="utf-8") as handle:
        handle.write(FROM_STORE)
    return office / "province-district"


def test_district_2025_reads_2024_from_the_store(district_office: Path, tmp_path: Path) -> None:
    db = tmp_path / "district.db"
    year_2025 = district_office / "2025.yaml"
    # no signed-off 2024 yet: 2024 is a gap (warned); years_run(grade == '优秀') is 0 for everyone, so
    # nobody meets "优秀 and years_run >= 1" (award_priority) or ">= 2" (promotion_priority)
    before = evaluate(year_2025, db)
    assert "W-STORE-HISTORY-GAP" in before.stderr and "2024" in before.stderr
    empty = year(before, "2025")
    assert flagged(empty, "award_priority") == [] and flagged(empty, "promotion_priority") == []
    # 2025 优秀 (README: 全区优秀 3 个): QZ05, QZ13, QZ22
    assert sorted(i for i, s in empty.items() if s["grade"] == "优秀") == ["QZ05", "QZ13", "QZ22"]

    recorded = year(evaluate(district_office / "2024.yaml", db), "2024")  # run 2
    # a run recorded but not signed off is not history: still nobody flagged
    assert flagged(year(evaluate(year_2025, db), "2025"), "award_priority") == []
    sign(db, 2)
    after = evaluate(year_2025, db)
    assert "W-STORE-HISTORY-GAP" not in after.stderr
    subjects = year(after, "2025")
    # 2024 优秀 (2024.yaml's own results, as data/history.csv's 2024 rows record them): QZ05 95.99,
    # QZ11 92.67, QZ13 95.60, QZ18 92.66. 2025 优秀 ∩ 2024 优秀 = {QZ05, QZ13} → years_run = 1 → award_priority;
    # QZ22 was 良好 in 2024 → years_run 0 → not flagged. The store holds one year only, so years_run <= 1
    # and promotion_priority (>= 2) flags nobody (with data/history.csv QZ05 also has 2023 and is flagged).
    assert sorted(i for i, s in recorded.items() if s["grade"] == "优秀") == ["QZ05", "QZ11", "QZ13", "QZ18"]
    assert flagged(subjects, "award_priority") == ["QZ05", "QZ13"]
    assert flagged(subjects, "promotion_priority") == []
    csv_version = year(evaluate(DISTRICT / "2025.yaml"), "2025")
    assert flagged(csv_version, "promotion_priority") == ["QZ05"]


LOUDI_FROM_STORE = ("\nremove: [data.history]   # 2024.yaml 的往年结果表（CSV）让位于结果库\n"
                    "data:\n  history: {source: store, years: 1}\n")


@pytest.fixture
def loudi_office(tmp_path: Path) -> Path:
    """The README's Loudi office: the framework and Loudi copied, 2025.yaml switched to the store."""
    office = tmp_path / "office"
    for name in ("province", "loudi"):
        shutil.copytree(ROOT / "rulesets" / name, office / name, ignore=shutil.ignore_patterns("tests", "leaders"))
    (office / "kaohe.toml").write_text("# 娄底市考核办\n", encoding="utf-8")
    with (office / "loudi" / "2025.yaml").open("a", encoding="utf-8") as handle:
        handle.write(LOUDI_FROM_STORE)
    return office / "loudi"


def hand_kept_excellent(year_: str) -> set[str]:
    """The units data/history.csv (kept by hand before the store existed) records as 优秀 in ``year_``."""
    lines = (ROOT / "rulesets" / "loudi" / "data" / "history.csv").read_text(encoding="utf-8").splitlines()
    return {row[0] for row in (line.split(",") for line in lines[1:]) if row[1] == year_ and row[2] == "优秀"}


def test_loudi_2025_reads_2024_from_the_store(loudi_office: Path, tmp_path: Path) -> None:
    db = tmp_path / "loudi.db"
    year_2025 = loudi_office / "2025.yaml"
    # no signed-off 2024: years_run(grade == '优秀') is 0, so nobody is "优秀 and years_run >= 1"
    before = evaluate(year_2025, db)
    assert "W-STORE-HISTORY-GAP" in before.stderr
    assert flagged(year(before, "2025"), "award_priority") == []
    recorded = year(evaluate(loudi_office / "2024.yaml", db), "2024")  # run 2
    sign(db, 2)
    after = year(evaluate(year_2025, db), "2025")
    excellent_2025 = {i for i, s in after.items() if s["grade"] == "优秀"}
    excellent_2024 = {i for i, s in recorded.items() if s["grade"] == "优秀"}
    # the signed-off 2024 agrees with the hand-kept file on who was 优秀 among 2025's 优秀 units, so the
    # store and the CSV give the same award_priority: 2025 优秀 ∩ 2024 优秀 (years_run = 1)
    assert excellent_2024 & excellent_2025 == hand_kept_excellent("2024") & excellent_2025
    assert sorted(flagged(after, "award_priority")) == sorted(excellent_2025 & excellent_2024)
    assert flagged(after, "award_priority")  # someone is flagged: the comparison is not vacuous
    # promotion_priority needs years_run >= 2 (2023 and 2024): the store holds 2024 only → nobody, while
    # the CSV (which has 2023) flags the units 优秀 in 2023, 2024 and 2025
    assert flagged(after, "promotion_priority") == []
    csv_version = year(evaluate(ROOT / "rulesets" / "loudi" / "2025.yaml"), "2025")
    three = excellent_2025 & hand_kept_excellent("2024") & hand_kept_excellent("2023")
    assert sorted(flagged(csv_version, "promotion_priority")) == sorted(three) and three


def test_no_store_is_a_located_error(district_office: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(district_office)
    result = evaluate(district_office / "2025.yaml")
    assert result.exit_code == 1 and "E-STORE-HISTORY-NONE" in result.stderr and "--store" in result.stderr
    line = district_office.joinpath("2025.yaml").read_text(encoding="utf-8").splitlines().index(
        "  history: {source: store, years: 1}   # 往年结果：结果库中本区往年已确认的年度结果") + 1
    assert f"2025.yaml:{line}:" in result.stderr and "$.data.history" in result.stderr
    zh = CliRunner().invoke(main, ["--lang", "zh", "evaluate", str(district_office / "2025.yaml")])
    assert "没有指定结果库" in zh.stderr


# ---------------------------------------------------------------------------
# A small jurisdiction: three units, grades 优秀 >= 90, else 合格


RULESET = """kaohe: 1
id: units
title: 单位考核
year: {year}
subjects: {{kind: unit}}
inputs: {{a: {{title: 完成值}}}}
periods: {{cycle: year}}
history_fields: {{grade: {{title: 等次}}, total: {{title: 总分}}}}
indicators:
  - {{id: x, title: 完成情况, points: 100, rater: {{use: formula, expr: a}}}}
grading:
  scales:
    year:
      - {{grade: 优秀, min: 90}}
      - {{grade: 合格}}
outcomes:
  - {{id: run, title: 截至上年连续优秀年数, use: formula, value: "years_run(grade == '优秀')"}}
  - {{id: best, title: 往年最高分, use: formula, value: "years_max(total)"}}
data:
  subjects: {{source: csv, path: data/subjects{year}.csv}}
  values: {{source: csv, path: data/values{year}.csv}}
{history}"""


def office(tmp_path: Path) -> Path:
    root = tmp_path / "office"
    (root / "units" / "data").mkdir(parents=True, exist_ok=True)
    (root / "kaohe.toml").write_text("# office\n", encoding="utf-8")
    return root / "units"


def write_year(folder: Path, year: int, values: dict[str, float], history: str = "") -> Path:
    (folder / "data" / f"subjects{year}.csv").write_text(
        "id,name\n" + "".join(f"{i},{i}名\n" for i in values), encoding="utf-8")
    (folder / "data" / f"values{year}.csv").write_text(
        "subject,period,a\n" + "".join(f"{i},{year},{v}\n" for i, v in values.items()), encoding="utf-8")
    path = folder / f"{year}.yaml"
    path.write_text(RULESET.format(year=year, history=history), encoding="utf-8")
    return path


def record_signed(folder: Path, db: Path, year_: int, values: dict[str, float]) -> int:
    result = evaluate(write_year(folder, year_, values), db)
    assert result.exit_code == 0, result.stderr
    with opened(StoreTarget(store_url(str(db)))) as store:
        run_id = max(r["id"] for r in __import__("kaohe.engine.store.read", fromlist=["list_runs"]).list_runs(store))
        sign_off(store, run_id, "主任")
    return run_id


def outcome(subjects: dict[str, dict[str, Any]], subject: str, name: str) -> Any:
    return subjects[subject]["outcomes"][name]["value"]


def test_years_gaps_and_the_latest_sign_off(tmp_path: Path) -> None:
    folder, db = office(tmp_path), tmp_path / "r.db"
    record_signed(folder, db, 2022, {"U1": 95, "U2": 80})
    record_signed(folder, db, 2024, {"U1": 50, "U2": 92})  # run 2: later corrected by run 3
    record_signed(folder, db, 2024, {"U1": 93, "U2": 92})  # run 3, signed off last: the 2024 that counts
    path = write_year(folder, 2025, {"U1": 99, "U2": 99, "U3": 99},
                      "  history: {source: store, years: 3}\n")
    result = evaluate(path, db)
    # years: 3 → 2022, 2023, 2024 are needed; 2023 has no signed-off run → warned, and a gap
    assert "W-STORE-HISTORY-GAP" in result.stderr and "2023" in result.stderr and "2022" not in result.stderr
    subjects = year(result, "2025")
    # U1: 2022 优秀 95, 2023 gap, 2024 优秀 93 (run 3, not run 2's 50) → years_run 1, years_max 95
    assert outcome(subjects, "U1", "run") == 1 and outcome(subjects, "U1", "best") == 95
    # U2: 2022 合格 80, 2023 gap, 2024 优秀 92 → years_run 1, years_max 92
    assert outcome(subjects, "U2", "run") == 1 and outcome(subjects, "U2", "best") == 92
    # U3: in no earlier run → years_run 0, years_max missing
    assert outcome(subjects, "U3", "run") == 0 and outcome(subjects, "U3", "best") is None


def test_a_missing_first_year_of_the_window_still_counts_as_a_gap(tmp_path: Path) -> None:
    folder, db = office(tmp_path), tmp_path / "r.db"
    record_signed(folder, db, 2024, {"U1": 95})
    (folder / "2025.yaml").unlink(missing_ok=True)
    path = write_year(folder, 2025, {"U1": 95}, "  history: {source: store, years: 2}\n")
    text = RULESET.replace('value: "years_run', 'value: "years_all').replace("截至上年连续优秀年数", "往年都优秀")
    path.write_text(text.format(year=2025, history="  history: {source: store, years: 2}\n"), encoding="utf-8")
    subjects = year(evaluate(path, db), "2025")
    # 2023 (first year of the window) has no run: a year without a result, which years_all counts as not
    # 优秀 (missing 'break'), so U1 (2024 优秀 only) is not 优秀 in every year → 0 (false)
    assert outcome(subjects, "U1", "run") == 0
    # without years the history starts at the first signed-off year, 2024: U1 优秀 in all of it → 1
    path.write_text(text.format(year=2025, history="  history: {source: store}\n"), encoding="utf-8")
    assert outcome(year(evaluate(path, db), "2025"), "U1", "run") == 1


def test_renamed_and_merged_subjects(tmp_path: Path) -> None:
    folder, db = office(tmp_path), tmp_path / "r.db"
    record_signed(folder, db, 2024, {"A1": 91, "B1": 85, "C1": 96, "D1": 70})
    (folder / "data" / "renamed.csv").write_text("old_id,new_id\nA1,N1\nB1,N1\nC1,C2\n", encoding="utf-8")
    history = "  history: {source: store, renamed: data/renamed.csv, merged: %s}\n"
    for merged, run, best in (("better", 1, 91), ("worse", 0, 85)):
        path = write_year(folder, 2025, {"N1": 95, "C2": 95}, history % merged)
        subjects = year(evaluate(path, db), "2025")
        # N1 = A1 (91 优秀) + B1 (85 合格) merged: better takes A1 → years_run 1, max 91;
        # worse takes B1 → years_run 0, max 85. C2 is C1 renamed (96 优秀) → 1 and 96 either way.
        # D1 is not in 2025's subjects table: left out.
        assert outcome(subjects, "N1", "run") == run and outcome(subjects, "N1", "best") == best, merged
        assert outcome(subjects, "C2", "run") == 1 and outcome(subjects, "C2", "best") == 96


def test_a_merge_without_a_declared_choice_is_refused(tmp_path: Path) -> None:
    folder, db = office(tmp_path), tmp_path / "r.db"
    record_signed(folder, db, 2024, {"A1": 91, "B1": 85})
    (folder / "data" / "renamed.csv").write_text("old_id,new_id\nA1,N1\nB1,N1\n", encoding="utf-8")
    path = write_year(folder, 2025, {"N1": 95}, "  history: {source: store, renamed: data/renamed.csv}\n")
    result = evaluate(path, db)
    assert result.exit_code == 1 and "E-STORE-HISTORY-MERGED" in result.stderr and "merged: better" in result.stderr
    assert "2025.yaml:" in result.stderr and "$.data.history" in result.stderr


def test_a_field_the_store_does_not_hold_is_refused(tmp_path: Path) -> None:
    folder, db = office(tmp_path), tmp_path / "r.db"
    path = write_year(folder, 2025, {"U1": 95}, "  history: {source: store, fields: {grade: grade}}\n")
    path.write_text(path.read_text(encoding="utf-8").replace("total: {title: 总分}", "flag: {title: 标记}")
                    .replace("years_max(total)", "years_count(flag == '是')"), encoding="utf-8")
    result = evaluate(path, db)
    assert result.exit_code == 1 and "E-STORE-HISTORY-FIELD" in result.stderr and "flag" in result.stderr


# ---------------------------------------------------------------------------
# Results as a data source


LEADERS = """kaohe: 1
id: leaders
title: 领导班子考核
year: 2025
subjects:
  kind: unit   # 领导班子按单位考核 a team is assessed like a unit
  fields: {{unit_total: {{title: 单位总分}}, unit_grade: {{title: 单位等次}}}}
periods: {{cycle: year}}
indicators:
  - {{id: unit_part, title: 单位实绩, points: 100, rater: {{use: formula, expr: unit_total}}}}
outcomes:
  - {{id: unit_excellent, title: 单位优秀, use: flag, when: "unit_grade == '优秀'"}}
data:
  subjects: {{source: csv, path: data/teams.csv}}
  results: {{source: results, ruleset: {ruleset}, key: unit, fields: {{unit_total: total, unit_grade: grade}}{more}}}
"""


def leaders(tmp_path: Path, ruleset: str = "../units/2025.yaml", more: str = "") -> Path:
    folder = tmp_path / "office" / "leaders"
    (folder / "data").mkdir(parents=True, exist_ok=True)
    (folder / "data" / "teams.csv").write_text("id,name,unit\nT1,甲班子,U1\nT2,乙班子,U2\nT9,新班子,U9\n",
                                               encoding="utf-8")
    path = folder / "2025.yaml"
    path.write_text(LEADERS.format(ruleset=ruleset, more=more), encoding="utf-8")
    return path


def test_results_evaluated_on_the_fly_join_by_key(tmp_path: Path) -> None:
    write_year(office(tmp_path), 2025, {"U1": 95, "U2": 80})
    result = evaluate(leaders(tmp_path))
    subjects = year(result, "2025")
    # T1's unit U1: total 95, 优秀 → unit_part 95, flagged; T2's U2: 80 合格 → 80, not flagged
    assert subjects["T1"]["total"] == 95 and outcome(subjects, "T1", "unit_excellent") is True
    assert subjects["T2"]["total"] == 80 and outcome(subjects, "T2", "unit_excellent") is False
    # T9's unit U9 has no result: warned, its fields blank
    assert "W-RESULTS-UNMATCHED" in result.stderr and "T9" in result.stderr


def test_results_from_the_store_take_the_signed_off_run(tmp_path: Path) -> None:
    folder, db = office(tmp_path), tmp_path / "r.db"
    path = leaders(tmp_path, more=", from: store")
    write_year(folder, 2025, {"U1": 95, "U2": 80})
    missing = evaluate(path, db)
    assert missing.exit_code == 1 and "E-RESULTS-NOT-SIGNED" in missing.stderr
    record_signed(folder, db, 2025, {"U1": 91, "U2": 99})  # signed off: U1 91, U2 99
    write_year(folder, 2025, {"U1": 10, "U2": 10})  # today's data differ: the store's run is what counts
    subjects = year(evaluate(path, db), "2025")
    assert subjects["T1"]["total"] == 91 and subjects["T2"]["total"] == 99


def test_a_cycle_is_a_located_error(tmp_path: Path) -> None:
    folder = office(tmp_path)
    path = write_year(folder, 2025, {"U1": 95})
    path.write_text(path.read_text(encoding="utf-8") + "  results: {source: results, ruleset: ../leaders/2025.yaml, "
                    "fields: {team_total: total}}\n", encoding="utf-8")
    result = evaluate(leaders(tmp_path))
    assert result.exit_code == 1 and "E-RESULTS-CYCLE" in result.stderr
    assert "leaders/2025.yaml → units/2025.yaml → leaders/2025.yaml" in result.stderr
    assert "units/2025.yaml:" in result.stderr and "$.data.results.ruleset" in result.stderr


def test_a_missing_ruleset_or_key_is_located(tmp_path: Path) -> None:
    office(tmp_path)
    result = evaluate(leaders(tmp_path, ruleset="../nowhere/2025.yaml"))
    assert result.exit_code == 1 and "E-RESULTS-RULESET" in result.stderr and "$.data.results.ruleset" in result.stderr
    write_year(office(tmp_path), 2025, {"U1": 95})
    path = leaders(tmp_path)
    path.write_text(path.read_text(encoding="utf-8").replace("key: unit", "key: department"), encoding="utf-8")
    result = evaluate(path)
    assert result.exit_code == 1 and "E-RESULTS-KEY" in result.stderr and "department" in result.stderr


# ---------------------------------------------------------------------------
# kaohe store history SUBJECT


def test_store_history_lists_a_subject_across_runs(tmp_path: Path) -> None:
    folder, db = office(tmp_path), tmp_path / "r.db"
    record_signed(folder, db, 2024, {"U1": 95})
    assert evaluate(write_year(folder, 2025, {"U1": 80}), db).exit_code == 0  # run 2, not signed off
    shown = invoke("store", "history", "U1", "--store", str(db), "--format", "json")
    assert shown.exit_code == 0
    rows = json.loads(shown.stdout)
    assert [(r["ruleset_year"], r["period"], r["total"], r["grade"], r["rank"], r["run_id"], r["status"])
            for r in rows] == [(2024, "2024", "95", "优秀", 1, 1, "signed-off"), (2025, "2025", "80", "合格", 1, 2, "recorded")]
    text = invoke("store", "history", "U1", "--store", str(db))
    assert text.exit_code == 0 and "signed-off" in text.stdout and "U1名" in text.stdout
    unknown = invoke("store", "history", "ZZ", "--store", str(db))
    assert unknown.exit_code == 1 and "E-STORE-SUBJECT-UNKNOWN" in unknown.stderr
