"""Sign-off and tamper evidence (issue 11, item 5): `kaohe store signoff`, `kaohe store verify`,
the hash chain, and the store under concurrent writers and a killed one.

The important tests run on SQLite and on PostgreSQL (``any_store`` in tests/conftest.py: the
PostgreSQL variant needs KAOHE_TEST_POSTGRES_URL, which .ci/run sets, and gets a database of
its own). Hand edits are made the way someone with database access would: an UPDATE through
SQLAlchemy, outside kaohe."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from sqlalchemy import create_engine, delete, select, update

from kaohe.engine.store.chain import canonical, read_content
from kaohe.engine.store.database import opened
from kaohe.engine.store.schema import run_documents, run_files, run_results, run_warnings, runs
from kaohe.engine.store.signoff import sign_off
from kaohe.engine.store.url import StoreTarget, store_url
from tests.store_helpers import (
    EPOCH,
    invoke,
    reproducible,  # noqa: F401  (a fixture, used through pytestmark)
    warning_ruleset,
)

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "rulesets" / "example"


pytestmark = pytest.mark.usefixtures("reproducible")



def evaluate_into(store: str, *args: str, ruleset: Path = EXAMPLE) -> None:
    result = invoke("evaluate", str(ruleset), "--format", "json", "--store", store, *args)
    assert result.exit_code == 0, result.stderr


def signoff(store: str, run: int, *args: str) -> Result:
    return invoke("store", "signoff", str(run), "--store", store, *args)


def verify(store: str, *args: str, lang: str = "en") -> Result:
    return invoke("store", "verify", "--store", store, "--root", str(ROOT), *args, lang=lang)


def url_of(store: str) -> str:
    return store_url(store)


def execute(store: str, statement: Any) -> None:
    """A hand edit: a statement run outside kaohe, as someone with database access would."""
    engine = create_engine(url_of(store))
    with engine.begin() as connection:
        connection.execute(statement)
    engine.dispose()


def runs_rows(store: str) -> list[dict[str, Any]]:
    engine = create_engine(url_of(store))
    with engine.connect() as connection:
        rows = [dict(r._mapping) for r in connection.execute(select(runs).order_by(runs.c.id))]
    engine.dispose()
    return rows


def two_signed_runs(store: str) -> list[str]:
    evaluate_into(store)
    evaluate_into(store, "--period", "2025Q2")
    digests = []
    for run in (1, 2):
        result = signoff(store, run, "--by", "王科长")
        assert result.exit_code == 0, result.stderr
        digests.append(result.stdout.strip())
    return digests


# ---------------------------------------------------------------------------
# The store itself on both dialects (tests/test_store.py covers the rest on SQLite)


def test_a_run_reads_back_as_recorded(any_store: str) -> None:
    from kaohe.engine.store.read import get_run, run_document, run_rows

    result = invoke("evaluate", str(EXAMPLE), "--format", "json", "--store", any_store)
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout_bytes)
    expected = [(p["period"], s["id"], None if s["total"] is None else json.dumps(s["total"]), s["grade"],
                 s["rank"], bool(s["vetoes"]), s["excluded"]) for p in document["periods"] for s in p["subjects"]]
    with opened(StoreTarget(url_of(any_store)), create=False) as store:
        rows = run_rows(store, 1)
        assert run_document(store, 1).encode("utf-8") == result.stdout_bytes
        assert get_run(store, 1)["recorded_at"] == "2025-01-01T00:00:00Z"
    assert [(r["period"], r["subject_id"], r["total"], r["grade"], r["rank"], r["vetoed"], r["excluded"])
            for r in rows] == expected


def test_the_migrations_build_the_schema_module(any_store: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from kaohe.engine.store.schema import metadata

    with opened(StoreTarget(url_of(any_store))) as store, store.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), metadata) == []


def test_a_newer_store_is_refused(any_store: str) -> None:
    from sqlalchemy import column, table

    evaluate_into(any_store)
    execute(any_store, update(table("alembic_version", column("version_num"))).values(version_num="9999_future"))
    result = invoke("evaluate", str(EXAMPLE), "--store", any_store)
    assert result.exit_code == 1 and "E-STORE-NEWER" in result.stderr and "9999_future" in result.stderr
    assert signoff(any_store, 1).exit_code == 1
    assert [(r["id"], r["status"]) for r in runs_rows(any_store)] == [(1, "recorded")]


# ---------------------------------------------------------------------------
# Sign-off


def test_signoff_freezes_the_run_and_chains_it(any_store: str) -> None:
    first, second = two_signed_runs(any_store)
    rows = runs_rows(any_store)
    assert [r["status"] for r in rows] == ["signed-off", "signed-off"]
    assert [r["signed_by"] for r in rows] == ["王科长", "王科长"]
    assert [r["signed_at"] for r in rows] == ["2025-01-01T00:00:00Z"] * 2  # SOURCE_DATE_EPOCH
    assert [r["signoff_seq"] for r in rows] == [1, 2]
    assert [r["digest"] for r in rows] == [first, second]
    assert rows[0]["previous_digest"] is None and rows[1]["previous_digest"] == first
    assert first.startswith("sha256:") and len(first) == 71 and first != second


def test_the_digest_covers_every_row_the_document_and_the_previous_digest(any_store: str) -> None:
    _, second = two_signed_runs(any_store)
    with opened(StoreTarget(url_of(any_store))) as store, store.engine.connect() as connection:
        content = read_content(connection, 2)
    assert content is not None
    covered = json.loads(canonical(content))
    assert "sha256:" + hashlib.sha256(canonical(content)).hexdigest() == second
    assert covered["format"] == "kaohe-signoff/1"
    assert len(covered["results"]) == 24 and covered["results"][0]["seq"] == 0
    assert set(covered["results"][0]) == {c.name for c in run_results.columns}
    assert covered["document"] == content.document and covered["files"] == content.files
    assert covered["run"]["previous_digest"] == runs_rows(any_store)[0]["digest"]
    assert "digest" not in covered["run"] and covered["run"]["signed_by"] == "王科长"


def test_the_signoff_order_is_the_chain_order(tmp_path: Path) -> None:
    store = str(tmp_path / "results.db")
    for _ in range(3):
        evaluate_into(store, "--period", "2025Q1")
    for run in (3, 1, 2):
        assert signoff(store, run).exit_code == 0
    rows = {r["id"]: r for r in runs_rows(store)}
    assert [rows[r]["signoff_seq"] for r in (3, 1, 2)] == [1, 2, 3]
    assert rows[1]["previous_digest"] == rows[3]["digest"] and rows[2]["previous_digest"] == rows[1]["digest"]
    assert rows[3]["signed_by"] == "考核办 tester"  # without --by: KAOHE_USER
    assert verify(store).exit_code == 0


def test_signing_off_twice_is_refused(any_store: str) -> None:
    evaluate_into(any_store)
    assert signoff(any_store, 1).exit_code == 0
    before = runs_rows(any_store)
    en = signoff(any_store, 1, "--by", "someone else")
    assert en.exit_code == 1 and "E-STORE-SIGNED" in en.stderr
    assert "already signed off by 考核办 tester at 2025-01-01T00:00:00Z" in en.stderr and en.stdout == ""
    zh = invoke("store", "signoff", "1", "--store", any_store, lang="zh")
    assert zh.exit_code == 1 and "已于 2025-01-01T00:00:00Z 由 考核办 tester 确认" in zh.stderr
    assert runs_rows(any_store) == before


def test_signing_off_an_unknown_run_is_located(any_store: str) -> None:
    evaluate_into(any_store)
    result = signoff(any_store, 7)
    assert result.exit_code == 1 and "E-STORE-RUN-UNKNOWN" in result.stderr and "no run 7" in result.stderr
    assert runs_rows(any_store)[0]["status"] == "recorded"


def test_signoff_never_creates_a_store(tmp_path: Path) -> None:
    db = tmp_path / "typo.db"
    result = signoff(str(db), 1)
    assert result.exit_code == 1 and "E-STORE-MISSING" in result.stderr and not db.exists()


def test_sign_off_is_one_transaction(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # a failure after the run was claimed leaves it recorded, not half signed
    import kaohe.engine.store.signoff as module

    store = str(tmp_path / "results.db")
    evaluate_into(store)

    def broken(_content: object) -> str:
        raise RuntimeError("power cut")

    monkeypatch.setattr(module, "run_digest", broken)
    with opened(StoreTarget(url_of(store))) as opened_store, pytest.raises(RuntimeError):
        sign_off(opened_store, 1, "王科长")
    row = runs_rows(store)[0]
    assert (row["status"], row["signed_by"], row["signoff_seq"], row["digest"]) == ("recorded", None, None, None)


# ---------------------------------------------------------------------------
# Verify: intact, and every kind of hand edit named


def test_an_intact_store_verifies(any_store: str) -> None:
    _, latest = two_signed_runs(any_store)
    evaluate_into(any_store)  # a third run, not signed off
    result = verify(any_store)
    assert result.exit_code == 0, result.stderr
    assert "verdict: intact" in result.stdout and latest in result.stdout and result.stderr == ""
    report = json.loads(verify(any_store, "--format", "json").stdout)
    assert report["intact"] is True and report["first_changed"] is None
    assert report["latest_digest"] == latest and report["unsigned_runs"] == 1
    assert [(r["id"], r["signoff_seq"], r["intact"]) for r in report["runs"]] == [(1, 1, True), (2, 2, True)]


def test_a_hand_edited_score_is_named(any_store: str) -> None:
    two_signed_runs(any_store)
    execute(any_store, update(run_results).where(run_results.c.run_id == 2, run_results.c.subject_id == "D03")
            .values(total="99.5"))
    result = verify(any_store)
    assert result.exit_code == 1
    assert "run 2 (sign-off 2) no longer matches the digest" in result.stderr
    assert "run 2, subject D03, period 2025Q2: total 99.5 in the row, 93.79 in the document" in result.stderr
    assert "::run_results/2/2025Q2/D03/total" in result.stderr and "E-STORE-VERIFY-ROW" in result.stderr
    assert "first at run 2" in result.stdout
    zh = verify(any_store, lang="zh")
    assert "运行 2，对象 D03，周期 2025Q2：总分在结果行中是 99.5，在结果文档中是 93.79" in zh.stderr
    report = json.loads(verify(any_store, "--format", "json").stdout)
    assert report["intact"] is False and report["first_changed"] == 2
    assert [r["intact"] for r in report["runs"]] == [True, False]
    codes = [p["code"] for p in report["runs"][1]["problems"]]
    assert codes == ["E-STORE-VERIFY-DIGEST", "E-STORE-VERIFY-ROW"]


def test_a_hand_edited_document_is_named(any_store: str) -> None:
    two_signed_runs(any_store)
    engine = create_engine(url_of(any_store))
    with engine.begin() as connection:
        text = connection.execute(select(run_documents.c.document).where(run_documents.c.run_id == 1)).scalar_one()
        edited = re.sub(r'("total": ?)86\.69\b', r"\g<1>88.69", text, count=1)  # either JSON layout
        assert edited != text
        connection.execute(update(run_documents).where(run_documents.c.run_id == 1).values(document=edited))
    engine.dispose()
    result = verify(any_store)
    assert result.exit_code == 1 and "E-STORE-VERIFY-DOCUMENT" in result.stderr
    assert "run 1: the stored results document no longer matches its recorded results digest" in result.stderr
    assert "total 86.69 in the row, 88.69 in the document" in result.stderr
    assert "first at run 1" in result.stdout


def test_a_rewritten_digest_breaks_the_next_link(tmp_path: Path) -> None:
    store = str(tmp_path / "results.db")
    two_signed_runs(store)
    execute(store, update(run_results).where(run_results.c.run_id == 1, run_results.c.subject_id == "D01")
            .values(grade="优秀"))
    # the editor also recomputes run 1's digest, so run 1 alone looks consistent…
    with opened(StoreTarget(url_of(store))) as opened_store, opened_store.engine.connect() as connection:
        from kaohe.engine.store.chain import run_digest

        content = read_content(connection, 1)
        assert content is not None
        forged = run_digest(content)
    execute(store, update(runs).where(runs.c.id == 1).values(digest=forged))
    result = verify(store)
    assert result.exit_code == 1
    # …but its rows still disagree with its document, and run 2 still links to the old digest
    assert "run 1, subject D01, period 2025Q1: grade 优秀 in the row" in result.stderr
    assert "E-STORE-VERIFY-LINK" in result.stderr and "(run 1) has " + forged in result.stderr


def test_a_deleted_signed_off_run_is_found(tmp_path: Path) -> None:
    store = str(tmp_path / "results.db")
    two_signed_runs(store)
    for table in (run_results, run_warnings, run_files, run_documents):
        execute(store, delete(table).where(table.c.run_id == 1))
    execute(store, delete(runs).where(runs.c.id == 1))
    result = verify(store)
    assert result.exit_code == 1
    assert "sign-off 1 is missing" in result.stderr and "E-STORE-VERIFY-LINK" in result.stderr


def test_a_status_set_back_by_hand_is_found(tmp_path: Path) -> None:
    store = str(tmp_path / "results.db")
    two_signed_runs(store)
    execute(store, update(runs).where(runs.c.id == 2).values(status="recorded"))
    result = verify(store)
    assert result.exit_code == 1 and "E-STORE-VERIFY-STATUS" in result.stderr and "run 2" in result.stderr


def test_deleted_and_added_rows_are_named(tmp_path: Path) -> None:
    store = str(tmp_path / "results.db")
    two_signed_runs(store)
    execute(store, delete(run_results).where(run_results.c.run_id == 2, run_results.c.subject_id == "D05"))
    result = verify(store, "2")
    assert result.exit_code == 1
    assert "the document has subject D05 period 2025Q2, but the results table has no row" in result.stderr
    assert "run 1 " not in result.stdout  # only the run asked for


def test_a_hand_edited_warning_is_named(tmp_path: Path) -> None:
    folder = tmp_path / "warn"
    warning_ruleset(folder)
    store = str(tmp_path / "results.db")
    evaluate_into(store, ruleset=folder / "ruleset.yaml")
    assert signoff(store, 1).exit_code == 0
    execute(store, update(run_warnings).where(run_warnings.c.seq == 0).values(message_en="nothing to see"))
    result = verify(store)
    assert result.exit_code == 1 and "E-STORE-VERIFY-DIGEST" in result.stderr
    assert "run 1, warning 1 (" in result.stderr and "E-STORE-VERIFY-WARNING" in result.stderr


def test_an_unsigned_run_is_checked_against_its_document_and_said_unproven(tmp_path: Path) -> None:
    store = str(tmp_path / "results.db")
    evaluate_into(store)
    result = verify(store, "1")
    assert result.exit_code == 0 and "W-STORE-VERIFY-UNSIGNED" in result.stderr
    assert "kaohe store signoff 1" in result.stderr
    execute(store, update(run_results).where(run_results.c.run_id == 1, run_results.c.subject_id == "D02")
            .values(rank=1))
    result = verify(store, "1")
    assert result.exit_code == 1 and "subject D02, period 2025Q1: rank 1 in the row" in result.stderr


def test_verifying_an_unknown_run_is_located(tmp_path: Path) -> None:
    store = str(tmp_path / "results.db")
    evaluate_into(store)
    result = verify(store, "5")
    assert result.exit_code == 1 and "E-STORE-RUN-UNKNOWN" in result.stderr


def test_digests_are_the_same_on_sqlite_and_postgresql(tmp_path: Path, postgres_url: str) -> None:
    sqlite = str(tmp_path / "results.db")
    assert two_signed_runs(sqlite) == two_signed_runs(postgres_url)


# ---------------------------------------------------------------------------
# Verify --recompute


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "office"
    shutil.copytree(EXAMPLE, root / "rulesets" / "example", ignore=shutil.ignore_patterns("tests"))
    (root / "kaohe.toml").write_text('store = "results.db"\n', encoding="utf-8")
    return root


def test_recompute_reproduces_the_stored_document(any_store: str) -> None:
    two_signed_runs(any_store)
    result = verify(any_store, "--recompute")
    assert result.exit_code == 0, result.stderr
    assert "recomputed from the recorded files" in result.stdout


def test_recompute_names_a_changed_data_file(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project)  # the project root (and its store) come from the working folder
    evaluate_into(str(project / "results.db"), ruleset=project / "rulesets" / "example")
    assert invoke("store", "signoff", "1").exit_code == 0
    assert invoke("store", "verify", "--recompute").exit_code == 0
    values = project / "rulesets" / "example" / "data" / "values.csv"
    values.write_text(values.read_text(encoding="utf-8").replace("3947", "5947"), encoding="utf-8")
    result = invoke("store", "verify", "--recompute")
    assert result.exit_code == 1 and "E-STORE-VERIFY-FILE" in result.stderr
    assert "run 1 read rulesets/example/data/values.csv, which has changed since" in result.stderr
    assert "E-STORE-VERIFY-RECOMPUTE" not in result.stderr  # the file says it all
    values.unlink()
    result = invoke("store", "verify", "--recompute")
    assert result.exit_code == 1 and "E-STORE-VERIFY-FILE-MISSING" in result.stderr


def test_recompute_names_results_the_files_do_not_give(tmp_path: Path) -> None:
    # rows and document rewritten together, results digest too: only recomputing shows it
    store = str(tmp_path / "results.db")
    evaluate_into(store)
    engine = create_engine(url_of(store))
    with engine.begin() as connection:
        text = connection.execute(select(run_documents.c.document)).scalar_one()
        edited = re.sub(r'("total": ?)86\.69\b', r"\g<1>88.69", text, count=1)  # either JSON layout
        connection.execute(update(run_documents).values(document=edited))
        connection.execute(update(runs).values(results_digest="sha256:" + hashlib.sha256(edited.encode()).hexdigest()))
        connection.execute(update(run_results).where(run_results.c.total == "86.69").values(total="88.69"))
    engine.dispose()
    assert verify(store, "1").exit_code == 0  # consistent with itself
    result = verify(store, "1", "--recompute")
    assert result.exit_code == 1 and "E-STORE-VERIFY-RECOMPUTE" in result.stderr
    assert "recomputing run 1: subject D01, period 2025Q1: total 86.69 now, 88.69 stored" in result.stderr


# ---------------------------------------------------------------------------
# Concurrency: several writers, and a writer killed mid-write

ENV = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "KAOHE_USER": "并发 tester"}


def kaohe(*args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "kaohe.cli", *args], env=ENV,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def finish(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err.decode("utf-8", "replace")


def test_concurrent_evaluations_into_a_fresh_store_all_land_whole(tmp_path: Path) -> None:
    # several processes create the same new SQLite file at once, then write a run each
    store = str(tmp_path / "results.db")
    finish([kaohe("evaluate", str(EXAMPLE), "--store", store, "--format", "json") for _ in range(4)])
    rows = runs_rows(store)
    assert sorted(r["id"] for r in rows) == [1, 2, 3, 4]
    engine = create_engine(url_of(store))
    with engine.connect() as connection:
        for run in (1, 2, 3, 4):
            count = connection.execute(select(run_results.c.seq).where(run_results.c.run_id == run)).all()
            assert len(count) == 120
    engine.dispose()


def test_concurrent_sign_offs_form_one_chain(any_store: str) -> None:
    for _ in range(4):
        evaluate_into(any_store, "--period", "2025Q1")
    finish([kaohe("store", "signoff", str(run), "--store", any_store) for run in (1, 2, 3, 4)])
    rows = sorted(runs_rows(any_store), key=lambda r: r["signoff_seq"])
    assert [r["signoff_seq"] for r in rows] == [1, 2, 3, 4]
    assert [r["previous_digest"] for r in rows] == [None, *(r["digest"] for r in rows[:-1])]
    assert verify(any_store).exit_code == 0


def big_ruleset(folder: Path, subjects: int) -> Path:
    folder.mkdir()
    (folder / "subjects.csv").write_text("id,name\n" + "".join(f"U{i},单位{i}\n" for i in range(subjects)),
                                         encoding="utf-8")
    (folder / "values.csv").write_text("subject,period,a,t\n" + "".join(f"U{i},2025,{i % 97},100\n"
                                                                        for i in range(subjects)),
                                       encoding="utf-8")
    (folder / "ruleset.yaml").write_text(
        "kaohe: 1\nid: big\ntitle: 大\nyear: 2025\nsubjects: {kind: unit}\n"
        "inputs: {a: {title: 实际}, t: {title: 目标}}\nperiods: {cycle: year}\n"
        "indicators:\n  - {id: x, title: 完成率, points: 100, rater: {use: attainment, actual: a, target: t, cap: 1.2}}\n"
        "data:\n  subjects: {source: csv, path: subjects.csv}\n  values: {source: csv, path: values.csv}\n",
        encoding="utf-8")
    return folder / "ruleset.yaml"


def test_a_writer_killed_mid_write_leaves_the_store_consistent(tmp_path: Path) -> None:
    store = tmp_path / "results.db"
    evaluate_into(str(store))
    assert signoff(str(store), 1).exit_code == 0
    ruleset = big_ruleset(tmp_path / "big", 8000)
    journal = Path(f"{store}-journal")  # SQLite's rollback journal exists only while a write is under way
    writer = kaohe("evaluate", str(ruleset), "--store", str(store), "--format", "json")
    deadline = time.monotonic() + 120
    while not journal.exists() and writer.poll() is None and time.monotonic() < deadline:
        time.sleep(0.001)
    killed_mid_write = journal.exists() and writer.poll() is None
    writer.send_signal(signal.SIGKILL)
    writer.communicate(timeout=60)
    assert killed_mid_write, "the writer finished before it could be killed mid-write"
    # the next opening rolls the hot journal back: run 1 alone, intact, and the store takes new runs
    assert [r["id"] for r in runs_rows(str(store))] == [1]
    assert verify(str(store)).exit_code == 0
    evaluate_into(str(store), "--period", "2025Q1")
    assert [r["id"] for r in runs_rows(str(store))] == [1, 2]
