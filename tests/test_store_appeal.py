"""Appeals (issue 11, item 6): `kaohe appeal RUN --data CORRECTED` re-evaluates a signed-off run on
corrected data, records the appeal and reports who changed grade, rank or bonus and why, leaving the
signed-off run untouched.

The acceptance test runs on SQLite and PostgreSQL (``any_store``; the PostgreSQL variant needs
KAOHE_TEST_POSTGRES_URL, which .ci/run sets)."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import Result
from sqlalchemy import create_engine, func, select, update

from kaohe.engine.store.appeal_record import appeal_digest
from kaohe.engine.store.schema import (
    appeal_changes,
    appeal_files,
    appeals,
    run_documents,
    run_results,
    runs,
)
from kaohe.engine.store.url import store_url
from tests.store_helpers import (
    invoke,
    reproducible,  # noqa: F401  (a fixture, used through pytestmark)
)

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "rulesets" / "example"
SUBJECT, QUARTER, YEAR = "D19", "2025Q1", "2025"


pytestmark = pytest.mark.usefixtures("reproducible")


def evaluate_into(store: str) -> dict[str, Any]:
    result = invoke("evaluate", str(EXAMPLE / "2025.yaml"), "--format", "json", "--store", store)
    assert result.exit_code == 0, result.stderr
    return dict(json.loads(result.stdout_bytes))


def signed_run(store: str) -> dict[str, Any]:
    document = evaluate_into(store)
    assert invoke("store", "signoff", "1", "--store", store, "--by", "王科长").exit_code == 0
    return document


def appeal(store: str, data: Path, *args: str, lang: str = "en") -> Result:
    return invoke("appeal", "1", "--data", str(data), "--store", store, "--root", str(ROOT), *args, lang=lang)


def corrected(tmp_path: Path, old: str, new: str) -> Path:
    """A copy of the example data with the one values row ``old`` replaced by ``new``."""
    folder = tmp_path / "corrected"
    shutil.copytree(EXAMPLE / "data", folder)
    values = folder / "values.csv"
    text = values.read_text(encoding="utf-8")
    assert text.count(f"\n{old}\n") == 1
    values.write_text(text.replace(f"\n{old}\n", f"\n{new}\n"), encoding="utf-8")
    return folder


def rows_of(store: str, *tables: Any) -> list[list[dict[str, Any]]]:
    engine = create_engine(store_url(store))
    with engine.connect() as connection:
        found = [[dict(r._mapping) for r in connection.execute(select(table))] for table in tables]
    engine.dispose()
    return found


def subject(document: dict[str, Any], period: str, sid: str) -> dict[str, Any]:
    found = next(s for p in document["periods"] if p["period"] == period for s in p["subjects"] if s["id"] == sid)
    return dict(found)


def test_an_appeal_names_the_subject_whose_grade_changes(any_store: str, tmp_path: Path) -> None:
    document = signed_run(any_store)
    method = yaml.safe_load((EXAMPLE / "2025.yaml").read_text(encoding="utf-8"))
    scale = {g["grade"]: g for g in method["grading"]["scales"]["year"]}
    year, quarter = subject(document, YEAR, SUBJECT), subject(document, QUARTER, SUBJECT)
    documents = quarter["indicators"]["documents"]
    # The case, read from the signed-off document: D19 (a support unit, coefficient 1.0) is 良好 at
    # 88.08, under 优秀's min of 90; in 2025Q1 its 公文办理时效 scored 8 of 20 (ontime_rate 0.82).
    assert (year["grade"], year["coefficient"], documents["inputs"]["ontime_rate"]) == ("良好", 1, 0.82)
    assert year["total"] < scale["优秀"]["min"] <= year["total"] + 2.4
    # The correction: 2025Q1 ontime_rate 0.97. The rater gives full points from 0.95 up
    # (steps.full_at), so 公文办理时效 goes 8 → 20: the quarter gains 12. The year is the mean of the
    # four quarters × periods.year.weight (0.8) plus the annual review, × the coefficient 1.0, so it
    # gains 12 / 4 × 0.8 = 2.4: 88.08 → 90.48, at least 优秀's min of 90.
    gain = (documents["full"] - documents["score"]) / 4 * method["periods"]["year"]["weight"] * year["coefficient"]
    expected_total = year["total"] + gain
    assert expected_total >= scale["优秀"]["min"]
    # 优秀 also has a quota and an eligibility rule: 12 support units × max_share 0.2, floored, is
    # 2 places, and only D24 (92.63) is above 90.48 in the group, so D19 ranks 2nd (rank_pct 2/12 ≤ 0.5).
    group = [s for p in document["periods"] if p["period"] == YEAR for s in p["subjects"] if s["group"] == "support"]
    places = math.floor(len(group) * scale["优秀"]["quota"]["max_share"])
    above = [s["id"] for s in group if s["total"] > expected_total]
    assert len(above) + 1 <= places and (len(above) + 1) / len(group) <= 0.5
    expected_grade = "优秀"

    signed_before = rows_of(any_store, runs, run_results, run_documents)
    folder = corrected(tmp_path, "D19,2025Q1,ontime_rate,0.82", "D19,2025Q1,ontime_rate,0.97")
    result = appeal(any_store, folder, "--reason", "公文办结率录入错误", "--by", "考核办")
    assert result.exit_code == 0, result.stderr
    line = next(x for x in result.stdout.splitlines() if x.strip().startswith(f"{YEAR} {SUBJECT} "))
    assert f"grade {year['grade']} → {expected_grade}" in line
    assert "ontime_rate 0.82 → 0.97" in result.stdout.split(line, 1)[1].splitlines()[1]  # the why, below it

    # recorded: the appeal, its files and changes; the same report read back
    (row,), files, changes = rows_of(any_store, appeals, appeal_files, appeal_changes)
    assert (row["run_id"], row["appealed_by"], row["reason"]) == (1, "考核办", "公文办结率录入错误")
    assert row["appealed_at"] == "2025-01-01T00:00:00Z"
    assert row["run_digest"] == signed_before[0][0]["digest"]
    assert {f["path"].rsplit("/", 1)[1] for f in files} == {"subjects.csv", "values.csv", "events.csv", "ratings.csv"}
    assert json.loads(row["document"])["data"]["digest"] != document["data"]["digest"]
    change = next(c for c in changes if (c["period"], c["subject_id"]) == (YEAR, SUBJECT))
    assert (change["old_grade"], change["new_grade"]) == (year["grade"], expected_grade)
    assert abs(float(change["new_total"]) - expected_total) <= 0.01
    assert json.loads(change["inputs"]) == [{"table": "values", "period": QUARTER, "field": "ontime_rate",
                                             "old": 0.82, "new": 0.97}]
    assert row["digest"] == appeal_digest(row, files, sorted(
        ({k: v for k, v in c.items() if k != "appeal_id"} for c in changes), key=lambda c: c["seq"]))
    listed = json.loads(invoke("store", "appeals", "1", "--store", any_store, "--format", "json").stdout)
    assert [a["id"] for a in listed] == [1] and listed[0]["changes_count"] == len(changes)

    # the signed-off run is untouched and still verifies
    assert rows_of(any_store, runs, run_results, run_documents) == signed_before
    verified = invoke("store", "verify", "--store", any_store, "--root", str(ROOT), "--recompute")
    assert verified.exit_code == 0, verified.stderr


def test_the_report_speaks_chinese_and_markdown(tmp_path: Path) -> None:
    db = str(tmp_path / "results.db")
    signed_run(db)
    folder = corrected(tmp_path, "D19,2025Q1,ontime_rate,0.82", "D19,2025Q1,ontime_rate,0.97")
    zh = appeal(db, folder, "--format", "md", lang="zh")
    assert zh.exit_code == 0, zh.stderr
    assert "## 复核 1：运行 1" in zh.stdout and "等次 良好 → 优秀" in zh.stdout
    assert "数据项 2025Q1 ontime_rate 0.82 → 0.97" in zh.stdout
    again = invoke("store", "appeals", "--store", db, "--format", "md", lang="zh")
    assert again.stdout == zh.stdout  # the stored report is the one printed when lodged


def test_show_lists_a_runs_appeals_and_short_names_agree(tmp_path: Path) -> None:
    db = str(tmp_path / "results.db")
    signed_run(db)
    assert "复核 appeals: 无 none" in invoke("store", "show", "1", "--store", db).stdout
    folder = corrected(tmp_path, "D19,2025Q1,ontime_rate,0.82", "D19,2025Q1,ontime_rate,0.97")
    assert invoke("store", "appeal", "1", "--data", str(folder), "--store", db, "--root", str(ROOT)).exit_code == 0
    shown = json.loads(invoke("store", "show", "1", "--store", db, "--format", "json").stdout)
    assert [a["id"] for a in shown["appeals"]] == [1]
    assert "复核 appeal 1:" in invoke("store", "show", "1", "--store", db).stdout
    assert invoke("appeals", "--store", db, "--format", "json").stdout == \
        invoke("store", "appeals", "--store", db, "--format", "json").stdout


def appeal_count(store: str) -> int:
    engine = create_engine(store_url(store))
    with engine.connect() as connection:
        count = int(connection.execute(select(func.count()).select_from(appeals)).scalar_one())
    engine.dispose()
    return count


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_an_unsigned_run_is_refused(tmp_path: Path, lang: str) -> None:
    db = str(tmp_path / "results.db")
    evaluate_into(db)
    folder = corrected(tmp_path, "D19,2025Q1,ontime_rate,0.82", "D19,2025Q1,ontime_rate,0.97")
    result = appeal(db, folder, lang=lang)
    assert result.exit_code == 1 and "E-STORE-APPEAL-UNSIGNED" in result.stderr
    assert ("尚未确认" if lang == "zh" else "is not signed off") in result.stderr
    assert result.stderr.startswith(f"sqlite:///{db}")  # located at the store
    assert appeal_count(db) == 0


def test_bad_input_is_located_and_writes_nothing(tmp_path: Path) -> None:
    db = str(tmp_path / "results.db")
    signed_run(db)
    broken = corrected(tmp_path, "D19,2025Q1,ontime_rate,0.82", "D19,2025Q1,ontime_rate,八成")
    a_file = tmp_path / "a-file.csv"
    a_file.write_text("x\n", encoding="utf-8")
    cases = [(["appeal", "7", "--data", str(broken)], "E-STORE-RUN-UNKNOWN"),
             (["appeal", "1", "--data", str(tmp_path / "missing")], "E-STORE-APPEAL-DATA"),
             (["appeal", "1", "--data", str(a_file)], "E-STORE-APPEAL-DATA"),
             (["appeal", "1", "--data", str(EXAMPLE / "data")], "E-STORE-APPEAL-SAME"),
             (["appeal", "1", "--data", str(broken)], "values.csv:")]  # the usual located data diagnostic
    for args, expected in cases:
        result = invoke(*args, "--store", db, "--root", str(ROOT))
        assert result.exit_code == 1 and expected in result.stderr, (args, result.stderr)
    assert appeal_count(db) == 0


def test_a_changed_ruleset_file_is_named(tmp_path: Path) -> None:
    db = str(tmp_path / "results.db")
    signed_run(db)
    project = tmp_path / "project"
    shutil.copytree(EXAMPLE, project / "rulesets" / "example")
    method = project / "rulesets" / "example" / "2025.yaml"
    method.write_text(method.read_text(encoding="utf-8").replace("pool: 600000", "pool: 700000"), encoding="utf-8")
    folder = corrected(tmp_path, "D19,2025Q1,ontime_rate,0.82", "D19,2025Q1,ontime_rate,0.97")
    result = invoke("appeal", "1", "--data", str(folder), "--store", db, "--root", str(project))
    assert result.exit_code == 1 and "E-STORE-APPEAL-FILE" in result.stderr
    assert "rulesets/example/2025.yaml" in result.stderr and "values.csv" not in result.stderr
    assert appeal_count(db) == 0


def test_a_store_from_a_newer_kaohe_is_refused(tmp_path: Path) -> None:
    db = str(tmp_path / "results.db")
    signed_run(db)
    from sqlalchemy import column, table

    engine = create_engine(store_url(db))
    with engine.begin() as connection:
        connection.execute(update(table("alembic_version", column("version_num"))).values(version_num="9999"))
    engine.dispose()
    folder = corrected(tmp_path, "D19,2025Q1,ontime_rate,0.82", "D19,2025Q1,ontime_rate,0.97")
    result = appeal(db, folder)
    assert result.exit_code == 1 and "E-STORE-NEWER" in result.stderr
