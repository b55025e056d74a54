"""The results store (issue 11, item 1): `kaohe evaluate --store`, `kaohe store runs|show`,
the kaohe.toml setting, and the migrations guarding a store's schema. Everything here
runs on a temporary SQLite file; the code under test uses no SQLite-only SQL."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from click.testing import Result
from sqlalchemy import create_engine

from kaohe.engine.store.database import opened
from kaohe.engine.store.migrate import head_revision
from kaohe.engine.store.read import get_run, list_runs, run_document, run_rows
from kaohe.engine.store.schema import metadata
from kaohe.engine.store.url import StoreTarget, masked, store_url
from tests.store_helpers import (
    EPOCH,
    invoke,
    reproducible,  # noqa: F401  (a fixture, used through pytestmark)
    warning_ruleset,
)

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "rulesets" / "example"


pytestmark = pytest.mark.usefixtures("reproducible")



def evaluate_into(db: Path, *args: str) -> Result:
    result = invoke("evaluate", str(EXAMPLE), "--format", "json", "--store", str(db), *args)
    assert result.exit_code == 0, result.stderr
    return result


def target(db: Path) -> StoreTarget:
    return StoreTarget(store_url(str(db)))


def run_count(db: Path) -> int:
    with sqlite3.connect(db) as connection:
        return int(connection.execute("select count(*) from runs").fetchone()[0])


def number_text(value: object) -> str | None:
    return None if value is None else json.dumps(value)


# ---------------------------------------------------------------------------
# Recording and reading back


def test_rows_match_the_results_document_for_every_subject_and_period(tmp_path: Path) -> None:
    db = tmp_path / "results.db"
    document = json.loads(evaluate_into(db).stdout_bytes)
    expected = [(p["period"], s["id"], number_text(s["total"]), s["grade"], s["rank"],
                 bool(s["vetoes"]), s["excluded"])
                for p in document["periods"] for s in p["subjects"]]
    with opened(target(db)) as store:
        rows = run_rows(store, 1)
        run = get_run(store, 1)
    got = [(r["period"], r["subject_id"], r["total"], r["grade"], r["rank"], r["vetoed"], r["excluded"])
           for r in rows]
    assert got == expected
    assert len({p["period"] for p in document["periods"]}) == 5 and len(rows) == 5 * 24
    assert run["subjects_count"] == len({s["id"] for p in document["periods"] for s in p["subjects"]})
    assert run["ruleset_id"] == "example" and run["ruleset_year"] == 2025
    assert run["ruleset_path"] == "rulesets/example/2025.yaml" and run["jurisdiction"] == "rulesets/example"
    assert run["ruleset_digest"] == document["ruleset"]["digest"]
    assert run["engine_version"] == document["engine"]["version"]
    assert run["recorded_at"] == "2025-01-01T00:00:00Z" and run["recorded_by"] == "考核办 tester"
    assert run["status"] == "recorded" and run["previous_digest"] is None and run["digest"] is None
    assert run["period_filter"] is None


def test_digests_name_the_files_read_and_the_document_written(tmp_path: Path) -> None:
    import hashlib

    db = tmp_path / "results.db"
    out = evaluate_into(db).stdout_bytes
    with opened(target(db)) as store:
        run = get_run(store, 1)
    assert run["results_digest"] == "sha256:" + hashlib.sha256(out).hexdigest()
    data = [f for f in run["files"] if f["role"] == "data"]
    assert [f["path"] for f in data] == sorted(f"rulesets/example/data/{t}.csv"
                                               for t in ("events", "ratings", "subjects", "values"))
    for f in run["files"]:
        assert f["sha256"] == hashlib.sha256((ROOT / f["path"]).read_bytes()).hexdigest()
    lines = "".join(f"{f['path']} {f['sha256']}\n" for f in data)
    assert run["data_digest"] == "sha256:" + hashlib.sha256(lines.encode()).hexdigest()


def test_json_results_are_byte_identical_with_and_without_store(tmp_path: Path) -> None:
    db = tmp_path / "results.db"
    plain = invoke("evaluate", str(EXAMPLE), "--format", "json")
    stored = evaluate_into(db)
    assert plain.stdout_bytes == stored.stdout_bytes
    assert "run 1" in stored.stderr and "run" not in plain.stderr
    with opened(target(db)) as store:
        assert run_document(store, 1).encode("utf-8") == plain.stdout_bytes
    shown = invoke("store", "show", "1", "--store", str(db), "--document")
    assert shown.exit_code == 0 and shown.stdout_bytes == plain.stdout_bytes


def test_the_table_format_records_the_same_document(tmp_path: Path) -> None:
    db = tmp_path / "results.db"
    table = invoke("evaluate", str(EXAMPLE), "--store", str(db))
    assert table.exit_code == 0 and "ranking" in table.stdout  # the table follows --lang en
    plain = invoke("evaluate", str(EXAMPLE), "--format", "json")
    with opened(target(db)) as store:
        assert run_document(store, 1).encode("utf-8") == plain.stdout_bytes


def test_two_runs_get_two_ids_and_list_newest_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "results.db"
    evaluate_into(db)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(EPOCH) + 60))
    evaluate_into(db, "--period", "2025Q2")
    listed = invoke("store", "runs", "--store", str(db), "--format", "json")
    assert listed.exit_code == 0
    rows = json.loads(listed.stdout)
    assert [r["id"] for r in rows] == [2, 1]
    assert rows[0]["period_filter"] == "2025Q2" and rows[1]["period_filter"] is None
    assert rows[0]["recorded_at"] == "2025-01-01T00:01:00Z"
    assert set(rows[0]) == {"id", "recorded_at", "recorded_by", "ruleset_id", "ruleset_year",
                            "period_filter", "status", "subjects_count"}
    text = invoke("store", "runs", "--store", str(db))
    assert text.exit_code == 0 and "example (2025)" in text.stdout and "2025Q2" in text.stdout


def test_same_time_runs_list_by_id(tmp_path: Path) -> None:
    db = tmp_path / "results.db"
    evaluate_into(db)
    evaluate_into(db)
    with opened(target(db)) as store:
        assert [r["id"] for r in list_runs(store)] == [2, 1]


def test_show_summarises_a_run(tmp_path: Path) -> None:
    db = tmp_path / "results.db"
    document = json.loads(evaluate_into(db).stdout_bytes)
    shown = invoke("store", "show", "1", "--store", str(db), "--format", "json")
    assert shown.exit_code == 0
    summary = json.loads(shown.stdout)
    year = next(p for p in document["periods"] if p["period"] == "2025")
    grades: dict[str, int] = {}
    for s in year["subjects"]:
        grades[s["grade"]] = grades.get(s["grade"], 0) + 1
    assert {"period": "2025", "kind": "year", "subjects": len(year["subjects"]), "grades": grades} \
        in summary["periods"]
    text = invoke("store", "show", "1", "--store", str(db))
    assert text.exit_code == 0 and summary["results_digest"] in text.stdout


def test_warnings_are_recorded(tmp_path: Path) -> None:
    folder = tmp_path / "warn"
    warning_ruleset(folder)
    db = tmp_path / "results.db"
    result = invoke("evaluate", str(folder / "ruleset.yaml"), "--format", "json", "--store", str(db))
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout_bytes)
    expected = [(w["code"], w["subjects"]) for p in document["periods"] for w in p["warnings"]]
    assert expected
    with sqlite3.connect(db) as connection:
        got = connection.execute("select code, subjects from run_warnings order by seq").fetchall()
    assert [(code, json.loads(subjects)) for code, subjects in got] == expected
    shown = json.loads(invoke("store", "show", "1", "--store", str(db), "--format", "json").stdout)
    assert shown["warnings"] == len(expected)


# ---------------------------------------------------------------------------
# Nothing recorded when nothing should be


def test_a_failing_evaluation_records_nothing(tmp_path: Path) -> None:
    db = tmp_path / "results.db"
    evaluate_into(db)
    failed = invoke("evaluate", str(EXAMPLE), "--period", "2099Q9", "--store", str(db))
    assert failed.exit_code == 1 and "E-PERIOD-UNKNOWN" in failed.stderr
    assert run_count(db) == 1
    fresh = tmp_path / "fresh.db"
    failed = invoke("evaluate", str(EXAMPLE), "--period", "2099Q9", "--store", str(fresh))
    assert failed.exit_code == 1 and not fresh.exists()


def test_a_failing_write_records_nothing(tmp_path: Path) -> None:
    from kaohe.engine.errors import KaoheError
    from kaohe.engine.evaluation.runner import run
    from kaohe.engine.store.record import RunRecord, exported_json, run_record
    from kaohe.engine.store.write import insert_run

    evaluation = run(EXAMPLE)
    record = run_record(evaluation, exported_json(evaluation), None)
    # the last row repeats the first: the insert fails after the runs row went in
    broken = RunRecord(record.run, record.document, record.files, [*record.results, record.results[0]])
    db = tmp_path / "results.db"
    with opened(target(db)) as store:
        with pytest.raises(KaoheError) as caught:
            insert_run(store, broken)
        assert caught.value.diagnostics[0].code == "E-STORE-WRITE"
        assert insert_run(store, record) == 1
    assert run_count(db) == 1


def test_no_store_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke("evaluate", str(EXAMPLE), "--format", "json")
    assert result.exit_code == 0 and list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------------------
# kaohe.toml


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "office"
    shutil.copytree(EXAMPLE, root / "rulesets" / "example", ignore=shutil.ignore_patterns("tests"))
    (root / "kaohe.toml").write_text('# the office\nstore = "store/results.db"\n', encoding="utf-8")
    (root / "store").mkdir()
    return root


def test_the_kaohe_toml_setting_is_honoured(project: Path, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # the setting's path is relative to kaohe.toml, not the working folder
    result = invoke("evaluate", str(project / "rulesets" / "example"), "--format", "json")
    assert result.exit_code == 0, result.stderr
    db = project / "store" / "results.db"
    assert run_count(db) == 1 and list(elsewhere.iterdir()) == []
    with opened(target(db)) as store:
        assert get_run(store, 1)["ruleset_path"] == "rulesets/example/2025.yaml"
    monkeypatch.chdir(project / "rulesets")  # reading commands find the project from the working folder
    listed = invoke("store", "runs", "--format", "json")
    assert listed.exit_code == 0 and [r["id"] for r in json.loads(listed.stdout)] == [1]


def test_store_option_wins_over_kaohe_toml(project: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    evaluate = invoke("evaluate", str(project / "rulesets" / "example"), "--store", str(other))
    assert evaluate.exit_code == 0
    assert run_count(other) == 1 and not (project / "store" / "results.db").exists()


def test_a_broken_kaohe_toml_is_located(project: Path) -> None:
    (project / "kaohe.toml").write_text('# the office\n\nstore = 3\n', encoding="utf-8")
    result = invoke("evaluate", str(project / "rulesets" / "example"))
    assert result.exit_code == 1 and "kaohe.toml:3::store" in result.stderr and "E-STORE-CONFIG" in result.stderr
    (project / "kaohe.toml").write_text('store = "unclosed\n', encoding="utf-8")
    result = invoke("evaluate", str(project / "rulesets" / "example"))
    assert result.exit_code == 1 and "kaohe.toml:1" in result.stderr and "E-STORE-CONFIG" in result.stderr


def test_reading_without_a_store_says_how_to_name_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke("store", "runs")
    assert result.exit_code == 1 and "E-STORE-NONE" in result.stderr and "--store" in result.stderr


# ---------------------------------------------------------------------------
# Opening: bad URLs, newer and foreign stores, migrations


@pytest.mark.parametrize("url", ["nosuchdialect://host/db", "sqlite:///{tmp}/no/such/folder/r.db",
                                 "postgresql://kaohe:s3cret@127.0.0.1:1/kaohe"])
def test_a_store_that_cannot_be_opened_is_e_store_open(tmp_path: Path, url: str) -> None:
    result = invoke("evaluate", str(EXAMPLE), "--store", url.format(tmp=tmp_path))
    assert result.exit_code == 1
    # postgresql:// without its driver installed says which one to install
    assert ("E-STORE-OPEN" in result.stderr or "E-STORE-DRIVER" in result.stderr) and "s3cret" not in result.stderr
    if "s3cret" in url:
        assert "kaohe:***@" in result.stderr


def test_reading_a_missing_file_does_not_create_it(tmp_path: Path) -> None:
    db = tmp_path / "typo.db"
    result = invoke("store", "runs", "--store", str(db))
    assert result.exit_code == 1 and "E-STORE-MISSING" in result.stderr and not db.exists()


def test_an_unknown_run_is_located(tmp_path: Path) -> None:
    db = tmp_path / "results.db"
    evaluate_into(db)
    result = invoke("--lang", "zh", "store", "show", "7", "--store", str(db))
    assert result.exit_code == 1 and "E-STORE-RUN-UNKNOWN" in result.stderr and "7" in result.stderr


def test_a_store_from_a_newer_kaohe_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "results.db"
    evaluate_into(db)
    with sqlite3.connect(db) as connection:
        connection.execute("update alembic_version set version_num = '9999_future'")
    before = db.read_bytes()
    for args in (("evaluate", str(EXAMPLE), "--store", str(db)), ("store", "runs", "--store", str(db))):
        result = invoke(*args)
        assert result.exit_code == 1 and "E-STORE-NEWER" in result.stderr, result.stderr
        assert "9999_future" in result.stderr and "upgrade kaohe" in result.stderr
    zh = invoke("--lang", "zh", "store", "runs", "--store", str(db))
    assert "请升级 kaohe" in zh.stderr
    assert db.read_bytes() == before


def test_a_foreign_database_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "other.db"
    with sqlite3.connect(db) as connection:
        connection.execute("create table payroll (id integer)")
    result = invoke("evaluate", str(EXAMPLE), "--store", str(db))
    assert result.exit_code == 1 and "E-STORE-UNKNOWN" in result.stderr and "payroll" in result.stderr
    with sqlite3.connect(db) as connection:
        tables = {r[0] for r in connection.execute("select name from sqlite_master where type = 'table'")}
    assert tables == {"payroll"}


def test_an_empty_file_is_upgraded_to_the_newest_revision(tmp_path: Path) -> None:
    db = tmp_path / "empty.db"
    db.write_bytes(b"")
    with opened(target(db), create=False) as store, store.engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_heads() == (head_revision(),)
        assert list_runs(store) == []


def test_an_older_store_is_upgraded_in_place(tmp_path: Path) -> None:
    from alembic import command

    from kaohe.engine.store.migrate import alembic_config

    db = tmp_path / "old.db"
    engine = create_engine(store_url(str(db)))
    with engine.begin() as connection:  # a store left at the base revision (before 0001)
        command.stamp(alembic_config(connection), "base")
    engine.dispose()
    evaluate_into(db)
    assert run_count(db) == 1


def test_the_migrations_build_exactly_the_schema_module(tmp_path: Path) -> None:
    db = tmp_path / "results.db"
    with opened(target(db)) as store, store.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), metadata) == []


def test_reopening_keeps_recorded_runs(tmp_path: Path) -> None:
    db = tmp_path / "results.db"
    evaluate_into(db)
    with opened(target(db)):
        pass
    assert run_count(db) == 1


# ---------------------------------------------------------------------------
# Naming a store


def test_a_bare_path_is_a_sqlite_file() -> None:
    assert store_url("results.db") == "sqlite:///results.db"
    assert store_url("/srv/kaohe/results.db") == "sqlite:////srv/kaohe/results.db"
    assert store_url("results.db", Path("/office")) == "sqlite:////office/results.db"
    assert store_url("postgresql://u@h/db", Path("/office")) == "postgresql://u@h/db"


def test_passwords_are_masked() -> None:
    assert masked("postgresql://kaohe:s3cret@db.example/kaohe") == "postgresql://kaohe:***@db.example/kaohe"
    assert "s3cret" not in masked("post gres://kaohe:s3cret@db/kaohe")


def test_a_bad_source_date_epoch_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    db = tmp_path / "results.db"
    result = invoke("evaluate", str(EXAMPLE), "--store", str(db))
    assert result.exit_code == 1 and "E-STORE-EPOCH" in result.stderr
    assert not db.exists() or run_count(db) == 0


def test_sqlite_transactions_cover_schema_changes(tmp_path: Path) -> None:
    # a migration killed halfway must leave no half-made store: CREATE TABLE rolls back too
    from kaohe.engine.store.database import connectable

    db = tmp_path / "results.db"
    engine = connectable(target(db))
    with pytest.raises(RuntimeError), engine.begin() as connection:
        connection.exec_driver_sql("create table half (x integer)")
        raise RuntimeError("killed")
    engine.dispose()
    with sqlite3.connect(db) as connection:
        assert connection.execute("select count(*) from sqlite_master").fetchone()[0] == 0


def test_short_names_are_the_same_commands(tmp_path: Path) -> None:
    db = tmp_path / "results.db"
    assert evaluate_into(db).exit_code == 0
    for short, long in ((["runs"], ["store", "runs"]), (["history", "D01"], ["store", "history", "D01"])):
        assert invoke(*short, "--store", str(db), "--format", "json").stdout == \
            invoke(*long, "--store", str(db), "--format", "json").stdout
    assert invoke("verify", "--store", str(db)).exit_code == invoke("store", "verify", "--store", str(db)).exit_code
