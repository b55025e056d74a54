"""The exporters' bulk paths write exactly what their value-by-value references write: JSON records
from a template and encoded columns, CSV cells worded and quoted a column at a time, XLSX rows made
as XML a column at a time (against XlsxWriter writing the same cells one by one), and the grade
reasons of a period worded from lists (against one subject at a time)."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pytest

from kaohe.engine.evaluation.runner import run
from kaohe.engine.report.grade_reasons import grade_reason, grade_reasons, reason_texts
from kaohe.engine.report.output import Results
from kaohe.engine.report.render import export_to
from kaohe.engine.report.results import adjustment_lists, adjustment_texts, veto_lists
from kaohe.engine.report.stream_json import (
    Field,
    Records,
    field_texts,
    numbers,
    record_texts,
    shown_array,
    shown_number,
    write_json,
)
from kaohe.engine.ruleset.loader import iter_ruleset_files
from kaohe.plugins import exporters, xlsx_workbook
from kaohe.plugins.exporters import (
    csv_cell,
    csv_cells,
    csv_column,
    csv_lines,
    csv_quoted,
    write_rows,
)
from kaohe.plugins.workbook_sheets import Column, Table

ROOT = Path(__file__).resolve().parent.parent
RNG = np.random.default_rng(20251201)


def awkward_floats(n: int) -> np.ndarray:
    """Floats of every magnitude kaohe might meet, whole ones, -0.0, NaN and infinities among them."""
    values = RNG.random(n) * RNG.choice([1e-9, 1e-5, 1e-4, 1e-3, 1.0, 100.0, 1e6, 1e12, 1e15, 1e17], n)
    values[::7] = np.round(values[::7])
    values[::5] = np.round(values[::5], 2)
    values[::11], values[::13], values[::17], values[::19] = np.nan, np.inf, -0.0, -values[::19]
    return values


# ---------------------------------------------------------------------------
# JSON


def test_a_float_column_encodes_as_its_values_one_by_one() -> None:
    values = awkward_floats(50_000)
    assert field_texts(Field(array=values)) == [orjson.dumps(v) for v in numbers(values)]


def test_a_whole_number_past_2_53_is_written_as_a_float_both_ways() -> None:
    values = np.array([1e20, 2.0 ** 53, 2.0 ** 53 - 1, 1.5])
    assert field_texts(Field(array=values)) == [orjson.dumps(v) for v in numbers(values)]
    written = [json.loads(orjson.dumps(v)) for v in numbers(values)]  # orjson spells 1e20 by its version
    assert written == [1e20, 2.0 ** 53, 2 ** 53 - 1, 1.5]
    assert [type(v) for v in written] == [float, float, int, float]  # whole and exact: an integer


def test_values_encode_compact_one_by_one() -> None:
    for values in ([[], {}, {"a": [1, {"b": []}], "c": "x,\n  y"}, [1, 2], None, "文", {"k": {}}, [{"d": "]"}]],
                   ["a,\n  b", "", None, True, 1.5, 2, "“引号”", '"', "\\"]):
        assert field_texts(Field(values)) == [orjson.dumps(v) for v in values]


def a_subject_a_line(value: dict[str, Any], key: str) -> bytes:
    """``value`` as orjson indents it, except that each item of ``value[key]`` is one compact line."""
    items = [orjson.dumps(item) for item in value[key]]
    skeleton = {**value, key: [f"@item-{k}@" for k in range(len(items))]}
    text = orjson.dumps(skeleton, option=orjson.OPT_INDENT_2)
    for k, item in enumerate(items):
        text = text.replace(f'"@item-{k}@"'.encode(), item, 1)
    return text


@pytest.mark.parametrize("n", [0, 1, 2, 5000])
def test_records_write_as_the_records_themselves(n: int) -> None:
    scores = awkward_floats(n)
    shape = {"id": Field([f"P{i}" for i in range(n)]), "fixed": {"full": 5, "empty": {}},
             "score": Field(array=scores), "again": Field(array=scores), "same": Field(["scored"] * n),
             "nested": Field([[{"x": i}] * (i % 3) for i in range(n)]),
             "deep": {"inner": {"value": Field([i % 2 == 0 for i in range(n)])}}}
    records = Records(shape, n)
    out = io.BytesIO()
    write_json({"subjects": records, "tail": [1]}, out)
    expected = {"subjects": [records.record(i) for i in range(n)], "tail": [1]}
    assert out.getvalue() == a_subject_a_line(expected, "subjects")
    assert json.loads(out.getvalue()) == json.loads(orjson.dumps(expected))
    assert out.getvalue().count(b"\n") == 5 + n + (n > 0)  # a line a record, "tail" indented over three


@pytest.mark.parametrize("n", [1, 7, 5000])
def test_fields_of_few_values_written_as_pairs_are_the_records(n: int) -> None:
    """Neighbouring fields of few distinct values are joined pairwise (``_merged``); mixed types,
    True beside 1, and NaN keep their own texts."""
    bands = np.round(RNG.random(n) * 4)  # 0 … 4
    shape = {"band": Field(array=bands), "half": Field(array=bands / 2), "status": Field(
        [("scored", "missing", "capped")[i % 3] for i in range(n)]), "flag": Field([i % 2 == 0 for i in range(n)]),
        "code": Field([i % 5 for i in range(n)]), "mixed": Field([(1, True, 1.0, None)[i % 4] for i in range(n)]),
        "ratio": Field([(0.5, float("nan"))[i % 2] for i in range(n)]), "id": Field([f"P{i}" for i in range(n)]),
        "after": Field([i % 2 == 1 for i in range(n)])}
    records = Records(shape, n)
    out = io.BytesIO()
    write_json({"subjects": records}, out)
    expected = {"subjects": [records.record(i) for i in range(n)]}
    assert out.getvalue() == a_subject_a_line(expected, "subjects")
    if n > 4:  # true, 1 and 1.0 are equal in Python but three texts in JSON
        assert all(f'"mixed":{word},'.encode() in out.getvalue() for word in ("1", "true", "1.0", "null"))


@pytest.mark.parametrize("n", [0, 1, 3000])
def test_record_texts_are_each_record_encoded(n: int) -> None:
    scores = awkward_floats(n)
    shape = {"id": Field([f"P{i}" for i in range(n)]), "score": Field(array=scores), "band": Field([i % 3 for i in range(n)]),
             "note": Field([("a,b", None, "“引”")[i % 3] for i in range(n)]), "event": None,
             "fields": {"x": Field([i % 2 == 0 for i in range(n)])}}
    records = Records(shape, n)
    assert record_texts(records) == [orjson.dumps(records.record(i)) for i in range(n)]
    spelled = Records({"title": "\x00kaohe-field\x000\x00", "v": Field(list(range(n)))}, n)  # one by one
    assert record_texts(spelled) == [orjson.dumps(spelled.record(i)) for i in range(n)]


def test_a_value_spelling_a_placeholder_falls_back_to_record_by_record() -> None:
    shape = {"title": "\x00kaohe-field\x000\x00", "v": Field([1, 2])}
    out = io.BytesIO()
    write_json({"s": Records(shape, 2)}, out)
    assert out.getvalue() == a_subject_a_line({"s": [Records(shape, 2).record(i) for i in range(2)]}, "s")


def near_ties(count: int) -> np.ndarray:
    """Doubles as close as they come to a tie at the 6th decimal (k + 0.5 millionths, and the
    doubles either side), and numbers too large to hold a millionth: where np.round and Python's
    round can part."""
    k = RNG.integers(0, 10**9, count).astype(float)
    ties = (k + 0.5) / 1e6
    huge = RNG.random(count) * 1e17 + 2.0 ** 33
    return np.concatenate([ties, np.nextafter(ties, 0), np.nextafter(ties, np.inf), -ties, huge,
                           [0.0000005, 1.0000005, 2.5e-6, 1e300, -1e300, 4503599627.3704995]])


def test_shown_numbers_are_the_documents_numbers() -> None:
    """One rounding of shown numbers: a column at once (numbers, shown_array) gives what
    shown_number (Python's round) gives each value, near ties and huge values included."""
    for values in (awkward_floats(20_000), np.round(RNG.random(20_000) * 100, 2), np.full(3, np.nan),
                   near_ties(5_000)):
        got, want = numbers(values), [shown_number(v) for v in values.tolist()]
        assert [type(v) for v in got] == [type(v) for v in want]
        assert all(a == b or (a != a and b != b) for a, b in zip(got, want, strict=True))
        assert np.array_equal(shown_array(values), np.array([np.nan if w is None else w for w in want], dtype=float),
                              equal_nan=True)


@pytest.mark.parametrize("ruleset", ["rulesets/chengdu/2025.yaml", "rulesets/example/2025.yaml",
                                     "rulesets/yangquan-hitech/2022.yaml"])
def test_grade_reasons_of_a_period_are_each_subjects_reason(ruleset: str) -> None:
    evaluation = run(ROOT / ruleset, None, None)
    for result in evaluation.periods:
        vetoes = veto_lists(evaluation.ruleset, result)
        one_by_one = [grade_reason(evaluation.ruleset, result, i, vetoes[i]) for i in range(result.cohort.n)]
        assert grade_reasons(evaluation.ruleset, result, vetoes) == one_by_one


WITH_DATA = sorted(str(p.relative_to(ROOT)) for p in iter_ruleset_files(ROOT / "rulesets")
                   if (p.parent / "data").is_dir() and "tests" not in p.relative_to(ROOT).parts)


@pytest.mark.parametrize("ruleset", WITH_DATA)
def test_encoded_columns_are_the_values_encoded(ruleset: str) -> None:
    """The stream writes adjustments and grade reasons from their encoded form, never as dicts:
    the same texts as the records the document holds."""
    evaluation = run(ROOT / ruleset, None, None)
    for result in evaluation.periods:
        vetoes = veto_lists(evaluation.ruleset, result)
        for made, encoded in ((adjustment_lists(evaluation.ruleset, evaluation, result),
                               adjustment_texts(evaluation.ruleset, evaluation, result)),
                              (grade_reasons(evaluation.ruleset, result, vetoes),
                               reason_texts(evaluation.ruleset, result, vetoes))):
            words, where = encoded
            texts = words if where is None else [words[k] for k in where.tolist()]
            assert texts == [orjson.dumps(v) for v in made]


# ---------------------------------------------------------------------------
# CSV

AWKWARD_TEXTS = ["a", "", " x ", "a,b", 'q"q', "l\nn", "c\rr", '"', ",", "\t", "é中", " ", "a;b", "'=1",
                 "=SUM(A1)", "+1", "-2", "@x", "＝1", "＋", "－", "＠", "\tx", "\rx", "x\n=1"]


def test_quoted_cells_are_the_csv_modules() -> None:
    rows = [AWKWARD_TEXTS, AWKWARD_TEXTS[::-1], ["plain"] * len(AWKWARD_TEXTS)]
    columns = [list(column) for column in zip(*rows, strict=True)]
    assert [csv_column(c) for c in columns] == [[csv_cell(v) for v in c] for c in columns]  # formulas quoted
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows([[csv_cell(v) for v in row] for row in rows])
    assert csv_lines([csv_quoted(csv_column(c)) for c in columns]).decode("utf-8") == buffer.getvalue()


def test_number_cells_are_repr_and_whole_numbers() -> None:
    values = np.concatenate([awkward_floats(50_000), [1e20, -3e300, 2.0 ** 63, 2.0 ** 63 - 1024, 5e-5, 1e-4]])
    values = np.where(np.isfinite(values), np.round(values, 6) + 0.0, np.nan)  # as table.number_column shows
    expected = ["" if v != v else (str(int(v)) if v.is_integer() else repr(v)) for v in values.tolist()]
    assert csv_column(values) == expected


@pytest.mark.parametrize("rows", [1, 2, 3000])
def test_arrow_joins_the_rows_the_csv_module_writes(rows: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Long tables are joined by Arrow (and their number columns hashed by it): the csv module's bytes."""
    texts = (AWKWARD_TEXTS * (rows // len(AWKWARD_TEXTS) + 1))[:rows]
    numbers_shown = np.round(awkward_floats(rows), 6) + 0.0
    numbers_shown[~np.isfinite(numbers_shown)] = np.nan  # as table.number_column shows them
    columns: list[Any] = [texts, numbers_shown, [f"P{k}" for k in range(rows)], [None] * rows,
                          list(range(rows)), np.full(rows, np.nan), texts[::-1]]

    def number_cell(v: float) -> str:  # as test_number_cells_are_repr_and_whole_numbers
        return "" if v != v else (str(int(v)) if v.is_integer() else repr(v))

    cells = [[number_cell(v) for v in c.tolist()] if isinstance(c, np.ndarray) else [csv_cell(v) for v in c]
             for c in columns]
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows(zip(*cells, strict=True))
    expected = buffer.getvalue()
    for threshold in (10 ** 9, 1):  # by the csv module's rules, then by Arrow
        monkeypatch.setattr(exporters, "ARROW_ROWS", threshold)
        monkeypatch.setattr(exporters, "ROWS_PER_WRITE", 1000)  # several blocks
        out = io.BytesIO()
        write_rows([csv_cells(c) for c in columns], out)
        assert out.getvalue().decode("utf-8") == expected, threshold


@pytest.mark.parametrize("ruleset", ["rulesets/chengdu/2025.yaml", "rulesets/yangquan-hitech/2022.yaml",
                                     "rulesets/loudi/2024.yaml"])
def test_a_csv_joined_by_arrow_is_the_same_file(ruleset: str, monkeypatch: pytest.MonkeyPatch) -> None:
    evaluation = run(ROOT / ruleset, None, None)
    written = []
    for threshold in (10 ** 9, 1):
        monkeypatch.setattr(exporters, "ARROW_ROWS", threshold)
        out = io.BytesIO()
        export_to(Results(evaluation), "csv", out)
        written.append(out.getvalue())
    assert written[0] == written[1] and written[0].count(b"\r\n") > 1


# ---------------------------------------------------------------------------
# XLSX


def _sheets(workbook: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(workbook)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _workbook(table: Table, spliced: bool) -> bytes:
    buffer = io.BytesIO()
    workbook = xlsx_workbook.xlsxwriter.Workbook(buffer, {"constant_memory": True, "strings_to_formulas": False,
                                                          "strings_to_urls": False, "strings_to_numbers": False})
    workbook.set_properties({"author": "kaohe", "created": xlsx_workbook.FIXED_TIME})
    parts: xlsx_workbook.Spliced = {}
    xlsx_workbook.write_table(workbook, xlsx_workbook._Styles(workbook), table, parts if spliced else None)
    workbook.close()
    return xlsx_workbook.normalise_zip(buffer.getvalue(), {}, parts)


@pytest.mark.parametrize("height", [None, 30, 15])
def test_rows_made_as_xml_are_xlsxwriters_cells(height: float | None) -> None:
    n = len(AWKWARD_TEXTS) * 4
    texts = (AWKWARD_TEXTS + ["<r>rich</r>", "a & <b>", "_x0041_", "\u3000全角\u3000", "\x01ctl", "\ufffe", None]) * 4
    scores = awkward_floats(n)
    columns = [Column("text"), Column("wrapped", "wrap"), Column("number", "number", "0.00"),
               Column("shown", "number", "0.0"), Column("money", "money", "#,##0.00"), Column("auto", "auto"),
               Column("int", "int", "0"), Column("blank", "blank", width=12), Column("no -0", "number", "0.00")]
    mixed: list[Any] = [True, False, Decimal("12.50"), 3, 2.5, float("nan"), "文", None, np.int64(4), -0.0,
                        ["a"], float("inf")]
    data = [texts[:n], texts[::-1][:n], [None if k % 9 == 0 else v for k, v in enumerate(scores.tolist())],
            np.round(scores, 6), [Decimal(f"{k}.{k % 100:02d}") if k % 3 else None for k in range(n)],
            (mixed * n)[:n], [k if k % 4 else None for k in range(n)], [None] * n,
            np.where(scores == 0, 0.0, scores)]  # NaN and infinities but no -0.0: the bulk path
    table = Table("结果", "页眉", columns, [], freeze=2, notes=["注一", "注二"], row_height=height, data=data)
    assert _sheets(_workbook(table, spliced=True)) == _sheets(_workbook(table, spliced=False))


def test_a_long_text_is_cut_as_xlsxwriter_cuts_it() -> None:
    long = "字" * 40_000
    table = Table("长", "页眉", [Column("text")], [], data=[[long, "短"]])
    assert _sheets(_workbook(table, spliced=True)) == _sheets(_workbook(table, spliced=False))


def test_a_whole_number_too_big_for_64_bits_is_written_as_a_number(tmp_path) -> None:
    """An input of 1e20 once failed the JSON export (orjson writes no integer past 64 bits)."""
    import json

    from click.testing import CliRunner

    from kaohe.cli import main

    (tmp_path / "r.yaml").write_text(
        "kaohe: 1\nid: big\ntitle: 大数\nyear: 2025\nsubjects: {kind: person}\ninputs:\n  work: {title: 工作}\n"
        "indicators:\n  - {id: work, title: 工作, points: 100, rater: {use: direct, input: work}}\n"
        "data:\n  subjects: {source: csv, path: subjects.csv}\n  values: {source: csv, path: values.csv}\n",
        encoding="utf-8")
    (tmp_path / "subjects.csv").write_text("id,name\nA,甲\nB,乙\n", encoding="utf-8")
    (tmp_path / "values.csv").write_text("subject,period,work\nA,2025,1e20\nB,2025,50\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["-q", "evaluate", str(tmp_path / "r.yaml"), "--format", "json",
                                       "--out", str(tmp_path / "r.json")])
    assert result.exit_code == 0, result.output
    subjects = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["periods"][0]["subjects"]
    assert subjects[0]["indicators"]["work"]["inputs"]["work"] == 1e20
