"""Data sources and typed data tables: every failure mode is a located,
coded diagnostic; every format gives the same typed tables."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import openpyxl
import pytest

from kaohe.engine.components import DataSource, RawTable
from kaohe.engine.data.load import Values, dataset_from_tables, load_dataset
from kaohe.engine.data.sheet import LIMIT
from kaohe.engine.errors import KaoheError
from kaohe.engine.hookspecs import hookimpl
from kaohe.engine.registry import build_registry, make_plugin_manager

DATA = Path(__file__).parent / "data"
GOOD = {"source": "csv", "path": "good/subjects.csv"}


@pytest.fixture(scope="module")
def registry():
    return build_registry(make_plugin_manager(entry_points=False))


def load(registry, base: Path = DATA, **specs):
    specs.setdefault("subjects", GOOD)
    return load_dataset(specs, base, registry, inputs=["x", "y"], event_fields=["task", "amount", "note"])


def failure(registry, base: Path = DATA, **specs) -> list:
    with pytest.raises(KaoheError) as caught:
        load(registry, base, **specs)
    return caught.value.diagnostics


def csv_spec(name: str) -> dict:
    return {"source": "csv", "path": f"bad/{name}"}


# ---------------------------------------------------------------------------
# Happy paths


def test_csv_with_bom_gives_typed_subjects_sorted_by_id(registry):
    subjects = load(registry).subjects
    # the BOM must not leak into the first column's name ("\ufeffid")
    assert subjects.ids.tolist() == ["P01", "P02", "P03"]
    assert subjects.index == {"P01": 0, "P02": 1, "P03": 2}
    assert subjects.name.tolist() == ["张三", "李四", "王五"]
    assert subjects.unit.tolist() == ["U1", "U1", "U2"]
    assert subjects.cls.tolist() == ["chief", "staff", "staff"]
    assert subjects.joined.dtype == np.dtype("datetime64[D]")
    assert np.isnat(subjects.joined[0]) and str(subjects.joined[2]) == "2025-03-12"
    assert str(subjects.left[1]) == "2025-06-30" and np.isnat(subjects.left[2])
    coefficient = subjects.extra["coefficient"]
    assert coefficient.dtype == np.float64 and np.isnan(coefficient[0])
    assert coefficient[1:].tolist() == [0.9, 1.1]
    assert subjects.extra["post"].tolist() == ["科长", "科员", "科员"]


def test_long_values_and_pivot_columns(registry):
    values = load(registry, values={"source": "csv", "path": "good/values_long.csv"}).values
    assert values.subject.dtype == np.int32 and values.value.dtype == np.float64  # positions in 32 bits: big tables
    assert values.period.tolist() == ["2025Q1", "2025Q1", "2025Q1", "2025Q2", "2025"]  # 2025-q2 normalised
    assert values.periods() == ["2025", "2025Q1", "2025Q2"]
    assert values.inputs() == ["x", "y"]
    # subjects P01, P02, P03 are rows 0, 1, 2
    np.testing.assert_array_equal(values.column("2025Q1", "x"), [10.0, 20.5, np.nan])
    np.testing.assert_array_equal(values.column("2025Q1", "y"), [3.0, np.nan, np.nan])
    np.testing.assert_array_equal(values.column("2025Q2", "x"), [np.nan, np.nan, 7.0])
    np.testing.assert_array_equal(values.column("2025", "y"), [np.nan, -1.0, np.nan])
    assert np.isnan(values.column("2025Q3", "x")).all()
    assert np.isnan(values.column("2025Q1", "absent")).all()


def test_wide_long_and_json_values_give_the_same_digest(registry):
    long = load(registry, values={"source": "csv", "path": "good/values_long.csv"})
    wide = load(registry, values={"source": "csv", "path": "good/values_wide.csv"})
    from_json = load(registry, values={"source": "json", "path": "good/values.json"})
    assert long.digest.startswith("sha256:") and len(long.digest) == 7 + 64
    assert wide.digest == long.digest == from_json.digest
    for period, name in [("2025Q1", "x"), ("2025Q1", "y"), ("2025Q2", "x"), ("2025", "y")]:
        np.testing.assert_array_equal(wide.values.column(period, name), long.values.column(period, name))
    other = load(registry, values={"source": "csv", "path": "good/values_long.csv"},
                 events={"source": "csv", "path": "good/events.csv"})
    assert other.digest != long.digest


def test_digest_ignores_column_order_and_origin(registry, tmp_path: Path):
    lines = (DATA / "good" / "values_long.csv").read_text(encoding="utf-8").splitlines()
    swapped = [",".join(reversed(line.split(","))) for line in lines]
    (tmp_path / "good").mkdir()
    (tmp_path / "good" / "subjects.csv").write_bytes((DATA / "good" / "subjects.csv").read_bytes())
    (tmp_path / "moved.csv").write_text("\n".join(swapped) + "\n", encoding="utf-8")
    a = load(registry, values={"source": "csv", "path": "good/values_long.csv"})
    b = load(registry, tmp_path, values={"source": "csv", "path": "moved.csv"})
    assert a.digest == b.digest
    assert a.origins["values"] != b.origins["values"]


def test_events_csv_types_every_column(registry):
    events = load(registry, events={"source": "csv", "path": "good/events.csv"}).events
    assert events.subject.tolist() == [0, 1, 0]
    assert [str(d) for d in events.date] == ["2025-02-03", "2025-03-05", "2025-03-05"]
    assert events.period.tolist() == ["", "", ""]  # no period column: the engine derives it
    assert events.type.tolist() == ["红牌", "招商签约", "红牌"]
    assert np.isnan(events.points[0]) and events.points[1] == 1.5
    assert events.confirmed.tolist() == [True, False, True]  # blank → True, 否 → False, yes → True
    assert events.row.tolist() == [2, 3, 4]
    assert events.fields["task"].tolist() == ["DB-1", "", "DB-2"]
    assert events.fields["amount"].dtype == np.float64
    np.testing.assert_array_equal(events.fields["amount"], [3.0, np.nan, 4.5])


def test_json_rows_object_matches_csv_and_names_origin(registry):
    from_json = load(registry, events={"source": "json", "path": "good/events.json"})
    from_csv = load(registry, events={"source": "csv", "path": "good/events.csv"})
    assert from_json.origins["events"].endswith("events.json#rows")
    assert from_json.events.row.tolist() == [1, 2, 3]
    assert from_json.digest == from_csv.digest  # row numbers are not data


def test_ratings_scores_and_votes(registry):
    ratings = load(registry, ratings={"source": "csv", "path": "good/ratings.csv"}).ratings
    assert ratings.subject.tolist() == [0, 0, 1]
    assert ratings.period.tolist() == ["2025Q1"] * 3
    assert ratings.indicator.tolist() == ["democratic", "democratic", ""]
    assert ratings.group.tolist() == ["leader", "leader", "peer"]
    assert ratings.rater.tolist() == ["L1", "L2", "R1"]
    np.testing.assert_array_equal(ratings.score, [np.nan, 90.0, 80.0])
    assert ratings.vote.tolist() == ["好", None, None]


def test_multiline_cell_keeps_physical_line_numbers(registry):
    problems = failure(registry, events={"source": "csv", "path": "good/events_multiline.csv"})
    # header line 1, the quoted note spans lines 2-3, so the 2025-02-30 row is line 4
    (problem,) = problems
    assert (problem.code, problem.line, problem.column, problem.path) == ("E-DATA-BAD-DATE", 4, 2, "date")


def test_default_tables_are_found_under_data(registry, tmp_path: Path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "subjects.csv").write_text("id,name\nA,甲\n", encoding="utf-8")
    (tmp_path / "data" / "values.json").write_text(
        json.dumps([{"subject": "A", "period": "2025", "input": "x", "value": 5}]), encoding="utf-8")
    dataset = load_dataset({}, tmp_path, registry)
    assert dataset.subjects.ids.tolist() == ["A"]
    assert dataset.values.column("2025", "x").tolist() == [5.0]
    assert len(dataset.events) == 0 and len(dataset.ratings) == 0
    assert set(dataset.origins) == {"subjects", "values"}


def test_inline_source_and_dataset_from_tables(registry):
    inline = registry.get("data_source", "inline")
    subjects = inline.read({"rows": [{"id": "B", "name": "乙"}, {"id": 7, "name": "丙"}],
                            "origin": "case.yaml#subjects"}, Path("."))
    assert subjects.origin == "case.yaml#subjects" and subjects.row_numbers == [1, 2]
    values = inline.read({"rows": [{"subject": "B", "period": "2025Q1", "x": 1.5},
                                   {"subject": "7", "period": "2025Q1", "y": 2}]}, Path("."))
    assert values.origin == "<inline>"
    dataset = dataset_from_tables({"subjects": subjects, "values": values}, inputs=["x", "y"])
    assert dataset.subjects.ids.tolist() == ["7", "B"]  # the number 7 is the id "7"
    np.testing.assert_array_equal(dataset.values.column("2025Q1", "x"), [np.nan, 1.5])
    np.testing.assert_array_equal(dataset.values.column("2025Q1", "y"), [2.0, np.nan])


def test_xlsx_sheet_rows_dates_and_empty_rows(registry, tmp_path: Path):
    book = openpyxl.Workbook()
    book.active.title = "说明"
    book.active["A1"] = "这张表不是数据"
    sheet = book.create_sheet("督办")
    sheet.append(["subject", "date", "type", "points", "confirmed"])
    sheet.append(["P01", dt.datetime(2025, 2, 3, 9, 30), "红牌", None, "是"])
    sheet.append([None, None, None, None, None])  # an empty row is skipped
    sheet.append(["P02", dt.date(2025, 3, 5), "招商签约", 2, False])
    sheet.append(["P03", 45754, "红牌", 1.5, 1])  # a date cell Excel stored as a serial number
    book.save(tmp_path / "events.xlsx")
    (tmp_path / "good").mkdir()
    (tmp_path / "good" / "subjects.csv").write_bytes((DATA / "good" / "subjects.csv").read_bytes())
    events = load(registry, tmp_path, events={"source": "xlsx", "path": "events.xlsx", "sheet": "督办"}).events
    # serial 45754 = 1899-12-30 + 45754 days = 2025-04-07
    assert [str(d) for d in events.date] == ["2025-02-03", "2025-03-05", "2025-04-07"]
    assert events.row.tolist() == [2, 4, 5]  # sheet row numbers, the empty row 3 skipped
    np.testing.assert_array_equal(events.points, [np.nan, 2.0, 1.5])
    assert events.confirmed.tolist() == [True, False, True]


def test_xlsx_bad_cell_is_located_by_sheet_row(registry, tmp_path: Path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["subject", "period", "input", "value"])
    sheet.append([])
    sheet.append(["P01", "2025Q1", "x", 3])
    sheet.append(["P01", "2025Q1", "y", "三"])
    book.save(tmp_path / "values.xlsx")
    (problem,) = failure(registry, DATA, values={"source": "xlsx", "path": str(tmp_path / "values.xlsx")})
    assert (problem.code, problem.line, problem.column, problem.path) == ("E-DATA-NOT-NUMBER", 4, 4, "value")
    assert problem.file.endswith("values.xlsx")


def test_xlsx_unknown_sheet_and_not_a_workbook(registry, tmp_path: Path):
    book = openpyxl.Workbook()
    book.active.title = "督办"
    book.save(tmp_path / "events.xlsx")
    (tmp_path / "fake.xlsx").write_text("not a zip", encoding="utf-8")
    (problem,) = failure(registry, tmp_path, subjects={"source": "xlsx", "path": "events.xlsx", "sheet": "督办表"})
    assert problem.code == "E-DATA-SHEET" and problem.params["suggest"] == "督办"
    (problem,) = failure(registry, tmp_path, subjects={"source": "xlsx", "path": "fake.xlsx"})
    assert problem.code == "E-DATA-NOT-XLSX"


# ---------------------------------------------------------------------------
# Failure modes: code, file, line (and column / path where a cell is to blame)

CASES = [
    # (table, fixture, code, line, column, path)
    ("subjects", "subjects_duplicate_id.csv", "E-DATA-DUPLICATE-ID", 4, 1, "id"),
    ("subjects", "subjects_missing_name.csv", "E-DATA-MISSING-COLUMN", 1, None, "name"),
    ("subjects", "subjects_empty_name.csv", "E-DATA-EMPTY-CELL", 3, 2, "name"),
    ("subjects", "subjects_bad_date.csv", "E-DATA-BAD-DATE", 2, 3, "joined"),
    ("subjects", "subjects_left_before_joined.csv", "E-DATA-DATE-ORDER", 2, 4, "left"),
    ("subjects", "subjects_duplicate_column.csv", "E-DATA-DUPLICATE-COLUMN", 1, 4, "unit"),
    ("subjects", "subjects_unnamed_column.csv", "E-DATA-UNNAMED-COLUMN", 3, 3, ""),
    ("subjects", "subjects_empty.csv", "E-DATA-NO-HEADER", 1, None, ""),
    ("values", "values_not_number.csv", "E-DATA-NOT-NUMBER", 3, 4, "value"),
    ("values", "values_unknown_subject.csv", "E-DATA-UNKNOWN-SUBJECT", 3, 1, "subject"),
    ("values", "values_bad_period.csv", "E-DATA-BAD-PERIOD", 2, 2, "period"),
    ("values", "values_duplicate_row.csv", "E-DATA-DUPLICATE-ROW", 4, 3, "input"),
    ("values", "values_unknown_input.csv", "E-DATA-UNKNOWN-INPUT", 2, 3, "input"),
    ("values", "values_empty_value.csv", "E-DATA-EMPTY-CELL", 2, 4, "value"),
    ("values", "values_extra_cells.csv", "E-DATA-EXTRA-CELLS", 2, 5, ""),
    ("values", "values_unknown_column.csv", "E-DATA-UNKNOWN-COLUMN", 1, 5, "note"),
    ("values", "values_missing_period.csv", "E-DATA-MISSING-COLUMN", 1, None, "period"),
    ("values", "values_wide_not_number.csv", "E-DATA-NOT-NUMBER", 3, 4, "y"),
    ("values", "values_wide_unknown_input.csv", "E-DATA-UNKNOWN-INPUT", 1, 4, "yy"),
    ("values", "values_wide_duplicate.csv", "E-DATA-DUPLICATE-ROW", 4, 3, "x"),
    ("events", "events_bad_date.csv", "E-DATA-BAD-DATE", 3, 2, "date"),
    ("events", "events_empty_type.csv", "E-DATA-EMPTY-CELL", 2, 3, "type"),
    ("events", "events_bad_bool.csv", "E-DATA-BAD-BOOL", 2, 4, "confirmed"),
    ("events", "events_unknown_column.csv", "E-DATA-UNKNOWN-COLUMN", 1, 4, "tsak"),
    ("events", "events_bad_points.csv", "E-DATA-NOT-NUMBER", 2, 4, "points"),
    ("ratings", "ratings_empty.csv", "E-DATA-RATING-EMPTY", 2, None, ""),
    ("ratings", "ratings_duplicate_row.csv", "E-DATA-DUPLICATE-ROW", 3, 4, "rater"),
    ("ratings", "ratings_missing_rater.csv", "E-DATA-MISSING-COLUMN", 1, None, "rater"),
]


@pytest.mark.parametrize(("table", "fixture", "code", "line", "column", "path"), CASES,
                         ids=[c[1] for c in CASES])
def test_failure_is_located(registry, table, fixture, code, line, column, path):
    (problem,) = failure(registry, **{table: csv_spec(fixture)})
    assert problem.code == code
    assert problem.file == str(DATA / "bad" / fixture)
    assert (problem.line, problem.column, problem.path) == (line, column, path)
    zh, en = problem.message("zh"), problem.message("en")
    assert "{" not in zh and "{" not in en  # every placeholder filled


def test_messages_name_the_cell_and_the_fix(registry):
    (problem,) = failure(registry, values=csv_spec("values_not_number.csv"))
    assert problem.location().endswith("values_not_number.csv:3:4::value")
    assert "十二" in problem.message("zh") and "不是数字" in problem.message("zh")
    assert "not a number" in problem.message("en")
    (problem,) = failure(registry, values=csv_spec("values_unknown_subject.csv"))
    assert problem.params["suggest"] == "P01"  # P1 → did you mean P01
    (problem,) = failure(registry, values=csv_spec("values_unknown_input.csv"))
    assert problem.params["suggest"] == "x"
    (problem,) = failure(registry, values=csv_spec("values_duplicate_row.csv"))
    assert problem.params["first"] == 2 and "P01 / 2025Q1 / x" in problem.message("en")


def test_all_problems_of_all_tables_are_raised_together(registry):
    problems = failure(registry, values=csv_spec("values_not_number.csv"),
                       events=csv_spec("events_bad_date.csv"), ratings=csv_spec("ratings_empty.csv"))
    assert sorted(p.code for p in problems) == ["E-DATA-BAD-DATE", "E-DATA-NOT-NUMBER", "E-DATA-RATING-EMPTY"]


def test_missing_files_and_sources(registry, tmp_path: Path):
    (problem,) = failure(registry, values={"source": "csv", "path": "bad/nowhere.csv"})
    assert problem.code == "E-DATA-FILE" and problem.file == str(DATA / "bad" / "nowhere.csv")
    assert str((DATA / "bad" / "nowhere.csv").absolute()) in problem.message("en")
    with pytest.raises(KaoheError) as caught:
        load_dataset({}, tmp_path, registry)
    (problem,) = caught.value.diagnostics
    assert problem.code == "E-DATA-FILE" and "subjects" in problem.message("zh")
    (problem,) = failure(registry, values={"source": "cvs", "path": "good/values_long.csv"})
    assert problem.code == "E-DATA-UNKNOWN-SOURCE" and problem.params["suggest"] == "csv"


def test_garbled_files(registry):
    # the default encoding reads a GBK file as GBK and warns (tests/test_office_data.py); a named one is kept
    (problem,) = failure(registry, subjects={"source": "csv", "path": "bad/subjects_gbk.csv", "encoding": "utf-8"})
    assert problem.code == "E-DATA-ENCODING" and "gbk" in problem.message("zh")
    gbk = load(registry, subjects={"source": "csv", "path": "bad/subjects_gbk.csv", "encoding": "gbk"})
    assert gbk.subjects.name.tolist() == ["张三"]
    (problem,) = failure(registry, values={"source": "json", "path": "bad/json_syntax.json"})
    assert (problem.code, problem.line) == ("E-DATA-JSON-SYNTAX", 2)
    (problem,) = failure(registry, values={"source": "json", "path": "bad/json_shape.json"})
    assert problem.code == "E-DATA-JSON-SHAPE"
    (problem,) = failure(registry, values={"source": "json", "path": "bad/json_row_not_object.json"})
    assert (problem.code, problem.line) == ("E-DATA-ROW-NOT-MAPPING", 2)
    (problem,) = failure(registry, values={"source": "json", "path": "bad/json_nested.json"})
    assert (problem.code, problem.line, problem.path) == ("E-DATA-CELL-NOT-SCALAR", 1, "value")


def test_many_bad_cells_are_counted_not_dropped(registry, tmp_path: Path):
    rows = "".join(f"P01,2025-{m:02d},x,bad{m}\n" for m in range(1, 13)) * 6  # 72 bad values
    (tmp_path / "values.csv").write_text("subject,period,input,value\n" + rows, encoding="utf-8")
    problems = failure(registry, DATA, values={"source": "csv", "path": str(tmp_path / "values.csv")})
    listed = [p for p in problems if p.code == "E-DATA-NOT-NUMBER"]
    (more,) = [p for p in problems if p.code == "E-DATA-MORE"]
    assert len(listed) == LIMIT and listed[0].line == 2
    assert more.params == {"code": "E-DATA-NOT-NUMBER", "count": 72 - LIMIT}


def test_inline_problems_name_the_case(registry):
    raw = {
        "subjects": RawTable(["id", "name"], [["A", "甲"]], "case.yaml::t#subjects", [1]),
        "events": RawTable(["subject", "date", "type"], [["A", "2025-01-01", "红牌"], ["B", "soon", "红牌"]],
                           "case.yaml::t#events", [1, 2]),
    }
    with pytest.raises(KaoheError) as caught:
        dataset_from_tables(raw)
    found = sorted((p.code, p.file, p.line, p.path) for p in caught.value.diagnostics)
    assert found == [("E-DATA-BAD-DATE", "case.yaml::t#events", 2, "date"),
                     ("E-DATA-UNKNOWN-SUBJECT", "case.yaml::t#events", 2, "subject")]


@pytest.mark.parametrize(("cell", "expected"), [
    ("2025-03-01", "2025-03-01"), ("2025/3/1", "2025-03-01"), ("2025.3.1", "2025-03-01"),
    ("2025年3月1日", "2025-03-01"), ("20250301", "2025-03-01"), (20250301, "2025-03-01"),
    (dt.date(2025, 3, 1), "2025-03-01"), ("2025-03-01T08:00:00", "2025-03-01"),
])
def test_date_spellings(cell, expected):
    raw = {"subjects": RawTable(["id", "name", "joined"], [["A", "甲", cell]], "t", [2])}
    assert str(dataset_from_tables(raw).subjects.joined[0]) == expected


def test_pivot_of_a_values_table_built_directly_matches_a_plain_loop():
    rng = np.random.default_rng(3)
    n, rows = 40, 500
    subject = rng.integers(0, n, rows)
    period = rng.choice(np.array(["2025Q1", "2025Q2", "2025"], dtype=object), rows)
    name = rng.choice(np.array(["a", "b", "c", "d"], dtype=object), rows)
    keys = {}
    for i in range(rows):  # keep the last of repeated keys so the table has unique keys
        keys[(int(subject[i]), period[i], name[i])] = i
    chosen = np.array(sorted(keys.values()))
    value = rng.normal(size=rows)
    values = Values(subject[chosen], period[chosen], name[chosen], value[chosen], n)
    for p in ["2025Q1", "2025Q2", "2025"]:
        for x in ["a", "b", "c", "d"]:
            expected = np.full(n, np.nan)
            for (s, pp, xx), i in keys.items():
                if (pp, xx) == (p, x):
                    expected[s] = value[i]
            np.testing.assert_array_equal(values.column(p, x), expected)
    assert values.periods() == ["2025", "2025Q1", "2025Q2"] and values.inputs() == ["a", "b", "c", "d"]


def test_tables_without_subjects_are_an_error():
    raw = {"values": RawTable(["subject", "period", "x"], [["A", "2025", 1]], "t", [1])}
    with pytest.raises(KaoheError) as caught:
        dataset_from_tables(raw)
    assert [p.code for p in caught.value.diagnostics] == ["E-DATA-NO-SUBJECTS"]


def test_a_failing_third_party_source_becomes_a_diagnostic():
    class Broken(DataSource):
        name = "broken"
        title = "坏数据源"
        description = "Always fails (a test plugin)."

        def read(self, params, base_dir):
            raise RuntimeError("connection refused")

    class Plugin:
        @hookimpl
        def register_data_sources(self, register):
            register(Broken)

    registry = build_registry(make_plugin_manager(extra=[Plugin()], entry_points=False))
    with pytest.raises(KaoheError) as caught:
        load_dataset({"subjects": {"source": "broken"}}, DATA, registry)
    (problem,) = caught.value.diagnostics
    assert problem.code == "E-DATA-SOURCE" and "connection refused" in problem.message("en")


def test_builtin_sources_describe_every_parameter(registry):
    for name in ("csv", "xlsx", "json", "inline"):
        source = registry.get("data_source", name)
        assert source.title and source.description
        schema = source.params_schema
        assert schema["type"] == "object" and schema["additionalProperties"] is False
        for prop in schema["properties"].values():
            assert prop["title"] and " / " in prop["description"]


def test_full_width_digits_read_other_scripts_refused() -> None:
    """Docs (数据错误): full-width digits typed with a Chinese input method are numbers; Arabic-Indic digits and
    Python's 1_000 (both of which float() accepts) are refused, at their positions."""
    from kaohe.engine.data.tables import numbers

    values, bad = numbers(["１２", "－３．５", "١٢", "1_000", "7", ""])
    assert values[:2].tolist() == [12, -3.5] and values[4] == 7
    assert bad == [2, 3]


def test_a_broken_subjects_table_gives_one_note_not_a_thousand_follow_on_errors() -> None:
    """Every ratings row looked like a duplicate (all subjects unknown) when the subjects table lacked its
    id column; now the real error and one located note."""
    from kaohe.engine.components import RawTable
    from kaohe.engine.data.load import dataset_from_tables
    from kaohe.engine.errors import KaoheError

    rows = [["P1", "2025Q1", "leader", f"R{k}", 90] for k in range(200)]
    raw = {"subjects": RawTable(["ident", "name"], [["P1", "甲"]], "subjects.csv", [2]),
           "ratings": RawTable(["subject", "period", "group", "rater", "score"], rows, "ratings.csv",
                               list(range(2, 202)))}
    with pytest.raises(KaoheError) as caught:
        dataset_from_tables(raw)
    codes = [(d.code, d.file) for d in caught.value.diagnostics]
    assert ("E-DATA-MISSING-COLUMN", "subjects.csv") in codes and ("E-DATA-SKIPPED", "subjects.csv") in codes
    assert len(codes) == 2


def test_a_quote_that_never_closes_is_located_at_its_line(tmp_path: Path) -> None:
    """A stray " on line 3 swallows the file into one cell (past the csv field limit: an unlocated,
    English-only E-DATA-SOURCE before); now the line where the quote opened, in both languages."""
    from kaohe.engine.errors import KaoheError
    from kaohe.plugins.data_sources import CsvSource

    big = '"' + "x" * 200_000
    (tmp_path / "v.csv").write_text(f'subject,period,x\nU1,2025,1\nU2,2025,"5\nU3,2025,3\nU9,2025,{big}\n',
                                    encoding="utf-8")
    with pytest.raises(KaoheError) as caught:
        CsvSource().read({"path": "v.csv"}, tmp_path)
    (problem,) = caught.value.diagnostics
    assert problem.code == "E-DATA-CSV-QUOTE" and problem.line == 3
    assert "双引号" in problem.message("zh") and "quote" in problem.message("en")


def test_an_undecodable_byte_is_located_at_its_line(tmp_path: Path) -> None:
    from kaohe.engine.errors import KaoheError
    from kaohe.plugins.data_sources import CsvSource

    (tmp_path / "s.csv").write_bytes("id,name\nU1,一\n".encode() + "U2,二".encode("gbk") + b"\n")
    with pytest.raises(KaoheError) as caught:
        CsvSource().read({"path": "s.csv"}, tmp_path)
    (problem,) = caught.value.diagnostics
    assert problem.code == "E-DATA-ENCODING" and (problem.line, problem.column) == (3, 4)


def test_the_data_digest_is_worked_out_only_when_asked_for(monkeypatch: pytest.MonkeyPatch) -> None:
    """A run writing CSV never reads the digest, so it hashes nothing; JSON states it, hashed once,
    the same digest as one worked out at once."""
    from click.testing import CliRunner

    from kaohe.cli import main
    from kaohe.engine.data import tables

    calls: list[int] = []
    real = tables.dataset_digest

    def counted(*args: object, **kwargs: object) -> str:
        calls.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(tables, "dataset_digest", counted)
    example = str(Path(__file__).resolve().parent.parent / "rulesets" / "example")
    assert CliRunner().invoke(main, ["evaluate", example, "--format", "csv"]).exit_code == 0
    assert calls == []
    result = CliRunner().invoke(main, ["evaluate", example, "--format", "json"])
    assert result.exit_code == 0 and calls == [1]
    from kaohe.engine.evaluation.runner import run

    dataset = run(example).dataset
    assert json.loads(result.stdout)["data"]["digest"] == dataset.digest == real(
        dataset.subjects, dataset.values, dataset.events, dataset.ratings, dataset.history, dataset.items)


@pytest.mark.parametrize("written, why", [
    ("2026-02-30", "2026 年 2 月只有 28 天"),  # in the right form: the day is what is wrong
    ("2024-02-30", "2024 年 2 月只有 29 天"),
    ("2026-13-01", "没有 13 月，月份是 1–12"),
    ("下周一", "请写成 2025-03-31 的形式"),
])
def test_a_date_that_is_no_date_says_why(written: str, why: str) -> None:
    from kaohe.engine.data.sheet import date_problem

    assert date_problem(written).zh == why


def test_an_id_typed_full_width_or_in_another_case_is_suggested() -> None:
    from kaohe.engine.data.sheet import _guesser

    guess = _guesser(["U01", "U02", "U03"])
    assert (guess("Ｕ０１"), guess("u03"), guess("X99")) == ("U01", "U03", "")


def test_a_wide_row_repeated_whole_is_one_mistake() -> None:
    """Pasting a department's row twice repeats every input: said once, at the repeated row."""
    from kaohe.engine.components import RawTable
    from kaohe.engine.data.load import dataset_from_tables
    from kaohe.engine.errors import KaoheError

    raw = {"subjects": RawTable(["id", "name"], [["P1", "甲"]], "subjects.csv", [2]),
           "values": RawTable(["subject", "period", "x", "y", "z"],
                              [["P1", "2025Q1", 1, 2, 3], ["P1", "2025Q1", 1, 2, 3]], "values.csv", [2, 3])}
    with pytest.raises(KaoheError) as caught:
        dataset_from_tables(raw)
    found = [(d.code, d.line, d.path) for d in caught.value.diagnostics if d.severity == "error"]
    assert found == [("E-DATA-DUPLICATE-ROW", 3, "x")]
