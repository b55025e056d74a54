"""The results store records a run from the evaluation's columns and the streamed JSON, never the
document built whole: the rows are those the stored document states, on every shipped ruleset; the
stored text is the very bytes ``--format json`` writes; ``verify --recompute`` takes a stored text laid
out differently (a run recorded before a change of the JSON layout) for the same results it holds,
and still names a changed result."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from sqlalchemy import create_engine, select, update

from kaohe.engine.evaluation.runner import run
from kaohe.engine.ruleset.loader import iter_ruleset_files
from kaohe.engine.ruleset.project import project_root
from kaohe.engine.store.record import (
    column_result_rows,
    column_warning_rows,
    exported_json,
    result_rows,
    warning_rows,
)
from kaohe.engine.store.schema import run_documents, run_results, runs
from kaohe.engine.store.url import store_url
from tests.store_helpers import (
    invoke,
    reproducible,  # noqa: F401  (a fixture, used through pytestmark)
    warning_ruleset,
)

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "rulesets" / "example"
WITH_DATA = sorted(p for p in iter_ruleset_files(ROOT / "rulesets") if (p.parent / "data").is_dir()
                   and "tests" not in p.relative_to(ROOT).parts)

pytestmark = pytest.mark.usefixtures("reproducible")


# ---------------------------------------------------------------------------
# Rows from columns are the rows the stored document states


def document_rows(stored: bytes) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The rows as the store made them before: walking the (stored) document."""
    document = json.loads(stored)
    return result_rows(document), warning_rows(document)


def test_there_are_shipped_rulesets_with_data() -> None:
    assert len(WITH_DATA) >= 8


@pytest.mark.parametrize("ruleset", WITH_DATA, ids=lambda p: str(p.relative_to(ROOT / "rulesets")))
def test_rows_from_columns_are_the_stored_documents(ruleset: Path) -> None:
    evaluation = run(ruleset, None, None)
    results, warnings = document_rows(exported_json(evaluation))
    assert results  # every shipped ruleset has subjects
    assert column_result_rows(evaluation) == results
    assert column_warning_rows(evaluation, project_root(evaluation.ruleset.base_dir)) == warnings


def small_ruleset(folder: Path) -> Path:
    """U1 reaches 9235/10000 of its target: 92.35; U2 1/3: 33.33 (totals at the
    ruleset's precision, 2 decimals unless it says); U3 has no
    actual value: 0 and a W-MISSING-DEFAULT-ZERO warning naming it."""
    folder.mkdir()
    (folder / "subjects.csv").write_text("id,name\nU1,一\nU2,二\nU3,三\n", encoding="utf-8")
    (folder / "values.csv").write_text("subject,period,a,t\nU1,2025,9235,10000\nU2,2025,1,3\nU3,2025,,10\n",
                                       encoding="utf-8")
    ruleset = folder / "ruleset.yaml"
    ruleset.write_text(
        "kaohe: 1\nid: small\ntitle: 小\nyear: 2025\nsubjects: {kind: unit}\n"
        "inputs: {a: {title: 实际}, t: {title: 目标}}\nperiods: {cycle: year}\n"
        "indicators:\n  - {id: x, title: 完成率, points: 100, rater: {use: attainment, actual: a, target: t, cap: 1.2}}\n"
        "data:\n  subjects: {source: csv, path: subjects.csv}\n  values: {source: csv, path: values.csv}\n",
        encoding="utf-8")
    return ruleset


def test_rows_from_columns_by_hand(tmp_path: Path) -> None:
    evaluation = run(small_ruleset(tmp_path / "small"))
    rows = column_result_rows(evaluation)
    assert [(r["seq"], r["period"], r["period_kind"], r["subject_id"], r["subject_name"], r["total"], r["rank"],
             r["grade"], r["vetoed"], r["excluded"]) for r in rows] == [
        (0, "2025", "year", "U1", "一", "92.35", 1, None, False, False),
        (1, "2025", "year", "U2", "二", "33.33", 2, None, False, False),
        (2, "2025", "year", "U3", "三", "0", 3, None, False, False),
    ]
    warnings = column_warning_rows(evaluation, project_root(evaluation.ruleset.base_dir))
    assert [(w["seq"], w["period"], w["code"], w["subjects"]) for w in warnings] == [
        (0, "2025", "W-MISSING-DEFAULT-ZERO", '["U3"]')]
    assert (rows, warnings) == document_rows(exported_json(evaluation))


def test_a_warning_is_recorded_from_the_columns(tmp_path: Path) -> None:
    db = tmp_path / "results.db"
    result = invoke("evaluate", str(warning_ruleset(tmp_path / "warn")), "--format", "json", "--store", str(db))
    assert result.exit_code == 0, result.stderr
    with create_engine(store_url(str(db))).connect() as connection:
        from kaohe.engine.store.schema import run_warnings

        stored = [dict(r._mapping) for r in connection.execute(select(run_warnings))]
    assert [(w["seq"], w["code"], w["subjects"]) for w in stored] == [(0, "W-MISSING-DEFAULT-ZERO", '["U2"]')]
    assert [{k: v for k, v in w.items() if k != "run_id"} for w in stored] == document_rows(result.stdout_bytes)[1]


# ---------------------------------------------------------------------------
# The JSON written is the JSON recorded


def stored_document(db: Path | str, run_id: int = 1) -> str:
    engine = create_engine(store_url(str(db)))
    with engine.connect() as connection:
        text = connection.execute(select(run_documents.c.document).where(run_documents.c.run_id == run_id))
        document: str = text.scalar_one()
    engine.dispose()
    return document


def test_json_out_is_the_stored_document(tmp_path: Path) -> None:
    out, db = tmp_path / "results.json", tmp_path / "results.db"
    result = invoke("evaluate", str(EXAMPLE), "--format", "json", "--out", str(out), "--store", f"sqlite:///{db}")
    assert result.exit_code == 0, result.stderr
    assert out.read_bytes() == stored_document(db).encode("utf-8")
    assert out.read_bytes() == exported_json(run(EXAMPLE))  # the exporter's bytes, with or without a store
    assert verify(db).exit_code == 0  # the rows agree with the document


def test_the_stored_text_reads_back_whole_on_either_dialect(tmp_path: Path, any_store: str) -> None:
    """SQLite is handed the UTF-8 bytes cast to text, PostgreSQL the text (write.document_value)."""
    out = tmp_path / "results.json"
    result = invoke("evaluate", str(EXAMPLE), "--format", "json", "--out", str(out), "--store", any_store)
    assert result.exit_code == 0, result.stderr
    text = stored_document(any_store)
    assert isinstance(text, str) and text.encode("utf-8") == out.read_bytes()
    assert "考核" in text  # Chinese text survives as text, not bytes
    assert verify(any_store).exit_code == 0


def test_another_format_records_the_json_exporters_bytes(tmp_path: Path) -> None:
    out, db = tmp_path / "results.csv", tmp_path / "results.db"
    result = invoke("evaluate", str(EXAMPLE), "--format", "csv", "--out", str(out), "--store", str(db))
    assert result.exit_code == 0, result.stderr
    alone = tmp_path / "alone.csv"
    assert invoke("evaluate", str(EXAMPLE), "--format", "csv", "--out", str(alone)).exit_code == 0
    assert out.read_bytes() == alone.read_bytes()  # the output is as without a store
    assert stored_document(db).encode("utf-8") == exported_json(run(EXAMPLE))


def test_a_utf16_sqlite_file_stores_the_text(tmp_path: Path) -> None:
    """A SQLite file made with ``PRAGMA encoding = 'UTF-16le'`` would read UTF-8 bytes cast to text
    as UTF-16: it gets the text itself."""
    db, out = tmp_path / "utf16.db", tmp_path / "results.json"
    with sqlite3.connect(db) as connection:
        connection.execute("pragma encoding = 'UTF-16le'")
        connection.execute("create table t (x)")  # the file (and its encoding) exists once it has a page
        connection.execute("drop table t")
    connection.close()
    result = invoke("evaluate", str(EXAMPLE), "--format", "json", "--out", str(out), "--store", str(db))
    assert result.exit_code == 0, result.stderr
    assert stored_document(db).encode("utf-8") == out.read_bytes()


# ---------------------------------------------------------------------------
# verify --recompute: a different layout is not a different result


def verify(db: Path | str, *args: str) -> Result:
    return invoke("store", "verify", "1", "--store", str(db), "--root", str(ROOT), *args)


def rewrite(db: Path, document: str, total: tuple[str, str] | None = None) -> None:
    """A stored text replaced by hand (its results digest too, so the store is consistent with
    itself); ``total``: a row's total changed from one text to another with it."""
    engine = create_engine(store_url(str(db)))
    with engine.begin() as connection:
        connection.execute(update(run_documents).values(document=document))
        digest = "sha256:" + hashlib.sha256(document.encode("utf-8")).hexdigest()
        connection.execute(update(runs).values(results_digest=digest))
        if total is not None:
            connection.execute(update(run_results).where(run_results.c.total == total[0]).values(total=total[1]))
    engine.dispose()


LAYOUTS = {"indented": {"indent": 2}, "compact": {"separators": (",", ":")}}


def recorded(tmp_path: Path) -> tuple[Path, str]:
    db = tmp_path / "results.db"
    result = invoke("evaluate", str(EXAMPLE), "--format", "json", "--store", str(db), "--period", "2025Q1")
    assert result.exit_code == 0, result.stderr
    return db, stored_document(db)


def test_a_run_recomputes_to_its_own_bytes(tmp_path: Path) -> None:
    db, _ = recorded(tmp_path)
    result = verify(db, "--recompute")
    assert result.exit_code == 0, result.stderr
    assert "W-STORE-VERIFY-LAYOUT" not in result.stderr and "RECOMPUTE" not in result.stderr


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_stored_text_laid_out_differently_recomputes(tmp_path: Path, layout: str) -> None:
    db, text = recorded(tmp_path)
    relaid = json.dumps(json.loads(text), ensure_ascii=False, **LAYOUTS[layout]) + "\n"  # type: ignore[arg-type]
    assert relaid != text
    rewrite(db, relaid)
    assert verify(db).exit_code == 0
    result = verify(db, "--recompute")
    assert result.exit_code == 0, result.stderr
    assert "W-STORE-VERIFY-LAYOUT" in result.stderr and "E-STORE-VERIFY" not in result.stderr
    assert "laid out differently" in result.stderr


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_changed_result_laid_out_differently_still_differs(tmp_path: Path, layout: str) -> None:
    db, text = recorded(tmp_path)
    document = json.loads(text)
    subject = next(s for s in document["periods"][0]["subjects"] if s["id"] == "D01")
    assert subject["total"] == 86.69  # D01's total in 2025Q1 (tests/test_store_signoff.py)
    subject["total"] = 88.69
    rewrite(db, json.dumps(document, ensure_ascii=False, **LAYOUTS[layout]) + "\n",  # type: ignore[arg-type]
            total=("86.69", "88.69"))
    assert verify(db).exit_code == 0  # consistent with itself
    result = verify(db, "--recompute")
    assert result.exit_code == 1
    assert "E-STORE-VERIFY-RECOMPUTE" in result.stderr and "W-STORE-VERIFY-LAYOUT" not in result.stderr
    assert "recomputing run 1: subject D01, period 2025Q1: total 86.69 now, 88.69 stored" in result.stderr


def test_a_stored_number_is_the_text_json_writes() -> None:
    """record.number_text writes an int or a finite float by its repr, without json.dumps's call:
    the same text json.dumps gives, which the digests of signed-off runs were taken over."""
    from hypothesis import given
    from hypothesis import strategies as st

    from kaohe.engine.store.record import number_text

    @given(st.one_of(st.integers(), st.floats(allow_nan=True, allow_infinity=True), st.booleans(), st.none()))
    def same(value: object) -> None:
        assert number_text(value) == (None if value is None else json.dumps(value))

    same()
