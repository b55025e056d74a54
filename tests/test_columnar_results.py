"""Results as columns and streams: CSV from the evaluation's columns and JSON written subject by subject
give exactly the bytes the whole document gives, on every shipped ruleset; a stream really streams;
a failing exporter leaves nothing behind."""

from __future__ import annotations

import io
import json
import os
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest

from kaohe.engine.errors import Diagnostic, KaoheError
from kaohe.engine.evaluation.runner import run
from kaohe.engine.report import table
from kaohe.engine.report.atomic import write_atomic, write_atomic_with
from kaohe.engine.report.output import Results
from kaohe.engine.report.render import export_document, export_to
from kaohe.engine.report.results import build_document
from kaohe.engine.report.stream_json import Lazy, write_json
from kaohe.engine.ruleset.loader import iter_ruleset_files
from kaohe.plugins.exporters import csv_column, result_table

ROOT = Path(__file__).resolve().parent.parent
WITH_DATA = sorted(p for p in iter_ruleset_files(ROOT / "rulesets") if (p.parent / "data").is_dir()
                   and "tests" not in p.relative_to(ROOT).parts)


@pytest.fixture(scope="module", params=WITH_DATA, ids=lambda p: str(p.relative_to(ROOT / "rulesets")))
def evaluated(request: pytest.FixtureRequest) -> tuple[Any, dict[str, Any]]:
    evaluation = run(request.param, None, None)
    return evaluation, build_document(evaluation)


def test_there_are_shipped_rulesets_with_data() -> None:
    assert len(WITH_DATA) >= 8


def test_the_table_from_columns_is_the_table_from_the_document(evaluated: tuple[Any, dict[str, Any]]) -> None:
    evaluation, document = evaluated
    header, rows = result_table(document)
    assert table.header(evaluation) == header
    from_columns = [list(row) for columns in table.period_columns(evaluation)
                    for row in zip(*[table.cells(c) for c in columns], strict=True)]
    assert from_columns == rows


@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx"])
def test_streamed_output_is_the_documents_bytes(evaluated: tuple[Any, dict[str, Any]], fmt: str) -> None:
    evaluation, document = evaluated
    streamed = io.BytesIO()
    export_to(Results(evaluation), fmt, streamed)
    assert streamed.getvalue() == export_document(document, fmt)


@pytest.mark.parametrize("behind", [False, True], ids=["in-memory", "file-written-behind"])
def test_json_joined_by_arrow_is_the_documents_bytes(evaluated: tuple[Any, dict[str, Any]], behind: bool,
                                                     monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A long period's records are joined by Arrow (stream_json._arrow_records); forced here for every
    period of every shipped ruleset, with a chunk of three records: the bytes of the whole document.
    Into a file (write_atomic_with: behind.WrittenBehind) each chunk is joined on the writer's thread."""
    from kaohe.engine.report import stream_json

    monkeypatch.setattr(stream_json, "ARROW_RECORDS", 1)
    monkeypatch.setattr(stream_json, "ARROW_IMPORT_RECORDS", 1)
    monkeypatch.setattr(stream_json, "ARROW_CHUNK", 3)
    evaluation, document = evaluated
    if behind:
        write_atomic_with(tmp_path / "results.json", lambda handle: export_to(Results(evaluation), "json", handle))
        written = (tmp_path / "results.json").read_bytes()
    else:
        streamed = io.BytesIO()
        export_to(Results(evaluation), "json", streamed)
        written = streamed.getvalue()
    assert written == export_document(document, "json")


@pytest.mark.parametrize("values", [
    [3.25, 0.07, 0.07, -1.5, 100.0, 0.0, -0.0], [0.1, 0.2, 0.30000000000000004, 0.3], [2.0 ** 60, 3.0, 1.0],
    [1e300, -1e300, 5.0], [1e15 + 0.25, 2.0], [0.123456, 1 / 3, 2.5], [float("nan"), 1.0, float("inf")],
    [7.0 * k for k in range(50_000)], [4503599627370495.0, 0.01]])
def test_distinct_values_of_a_float_column_are_numpys(values: list[float]) -> None:
    """Hundredths and whole numbers are counted in a table (stream_json._distinct_values), the rest
    sorted: either way what np.unique gives, each value found again at its place."""
    import numpy as np

    from kaohe.engine.report.stream_json import _distinct_values

    column = np.array(values)
    distinct, where = _distinct_values(column)
    expected, places = np.unique(column, return_inverse=True)
    assert np.array_equal(distinct, expected, equal_nan=True) and np.array_equal(where, places.reshape(-1))
    assert np.array_equal(distinct[where], column, equal_nan=True)


def test_records_all_alike_are_joined_by_arrow_as_in_python(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every field the same in every record: the template is the whole record, no column left to join."""
    from kaohe.engine.report import stream_json
    from kaohe.engine.report.stream_json import Field, Records

    value = {"subjects": Records({"a": Field([1] * 5), "b": Field(["x"] * 5), "c": None}, 5)}
    python = io.BytesIO()
    write_json(value, python)
    monkeypatch.setattr(stream_json, "ARROW_RECORDS", 1)
    monkeypatch.setattr(stream_json, "ARROW_IMPORT_RECORDS", 1)
    arrow = io.BytesIO()
    write_json(value, arrow)
    assert arrow.getvalue() == python.getvalue()
    assert json.loads(python.getvalue()) == {"subjects": [{"a": 1, "b": "x", "c": None}] * 5}


def test_json_is_indented_with_a_subject_a_line(evaluated: tuple[Any, dict[str, Any]]) -> None:
    """The layout: json.dumps(indent=2) of the document, except that each subject is one compact line."""
    _, document = evaluated
    subjects: list[str] = []

    def placeholder(subject: dict[str, Any]) -> str:
        subjects.append(json.dumps(subject, ensure_ascii=False, separators=(",", ":"), allow_nan=False))
        return f"@subject-{len(subjects) - 1}@"

    skeleton = {**document, "periods": [{**p, "subjects": [placeholder(s) for s in p["subjects"]]}
                                        for p in document["periods"]]}
    expected = json.dumps(skeleton, ensure_ascii=False, indent=2, allow_nan=False) + "\n"
    for k, text in enumerate(subjects):
        expected = expected.replace(f'"@subject-{k}@"', text, 1)
    written = export_document(document, "json")
    assert written == expected.encode("utf-8")
    assert json.loads(written) == document
    assert sum(p["subjects"] != [] for p in document["periods"]) > 0  # there were subjects to lay out


@pytest.mark.parametrize("value", [
    {"a": Lazy([]), "b": {}, "c": []},
    {"periods": Lazy([{"p": 1, "subjects": Lazy([{"x": [1, 2, {"y": None}]}, {"x": []}])},
                      {"p": 2, "subjects": Lazy([])}], plain=False), "tail": "尾"},
    [Lazy([1, "二", 3.5]), {"k": Lazy([{"deep": {"er": [True, False]}}])}],
])
def test_a_lazy_structure_writes_as_the_materialised_one(value: Any) -> None:
    def materialise(v: Any) -> Any:
        if isinstance(v, Lazy):
            return [materialise(x) for x in v]
        if isinstance(v, dict):
            return {k: materialise(x) for k, x in v.items()}
        if isinstance(v, list):
            return [materialise(x) for x in v]
        return v

    out = io.BytesIO()
    write_json(value, out)  # the Lazy items here are lists, so they can be read again below
    assert out.getvalue() == orjson.dumps(materialise(value), option=orjson.OPT_INDENT_2)  # no Records here


def test_each_item_is_written_before_the_next_is_made() -> None:
    out = io.BytesIO()

    def items() -> Any:
        for k in range(3):
            if k:  # the previous record is already in the output when this one is asked for
                assert f'"n": {k - 1}'.encode() in out.getvalue()
            yield {"n": k}

    write_json({"subjects": Lazy(items())}, out)
    assert json.loads(out.getvalue()) == {"subjects": [{"n": 0}, {"n": 1}, {"n": 2}]}


def test_number_columns_format_as_csv_cells() -> None:
    import numpy as np

    column = table.number_column(np.array([95.0, 87.123456789, np.nan, np.inf, 0.1 + 0.2, -0.0, 1e-06]))
    assert csv_column(column) == ["95", "87.123457", "", "", "0.3", "0", "1e-06"]


def test_a_failing_stream_leaves_the_file_as_it_was(tmp_path: Path) -> None:
    target = tmp_path / "results.csv"
    write_atomic(target, b"old")

    def fill(handle: Any) -> None:
        handle.write(b"half a file")
        raise KaoheError(Diagnostic("E-EXPORT-VALUE", {"format": "csv", "problem": "test"}))

    with pytest.raises(KaoheError):
        write_atomic_with(target, fill)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["results.csv"]  # no temporary file left


# ---------------------------------------------------------------------------
# Parquet


def test_parquet_holds_the_table_typed(evaluated: tuple[Any, dict[str, Any]]) -> None:
    import pyarrow.parquet as pq

    evaluation, document = evaluated
    streamed = io.BytesIO()
    export_to(Results(evaluation), "parquet", streamed)
    assert streamed.getvalue() == export_document(document, "parquet")  # same bytes from either path
    read = pq.read_table(io.BytesIO(streamed.getvalue()))
    assert pq.ParquetFile(io.BytesIO(streamed.getvalue())).metadata.num_row_groups == len(document["periods"])
    _, rows = result_table(document)
    assert read.num_rows == len(rows)
    totals = [s["total"] for p in document["periods"] for s in p["subjects"]]
    assert read.column("total").to_pylist() == [None if t is None else float(t) for t in totals]
    ranks = [s["rank"] for p in document["periods"] for s in p["subjects"]]
    assert read.column("rank").to_pylist() == ranks
    for outcome in document["outcomes"]:
        if outcome["kind"] != "allocator":
            continue
        column = read.column(f"outcome.{outcome['id']}").to_pylist()
        expected = [s["outcomes"].get(outcome["id"], {}).get("value") for p in document["periods"]
                    for s in p["subjects"]]
        from decimal import Decimal

        assert column == [None if v is None else Decimal(v) for v in expected]  # money exact, not float


def test_many_files_are_written_whole_or_the_folder_is_left_as_it_was(tmp_path: Path) -> None:
    from kaohe.engine.report.atomic import write_files_atomic

    folder = tmp_path / "说明"
    assert write_files_atomic(folder, [("a.txt", b"one"), ("b.txt", b"two")]) == 6
    assert sorted(p.name for p in folder.iterdir()) == ["a.txt", "b.txt"]

    def failing() -> Any:
        yield "a.txt", b"new"
        raise KaoheError(Diagnostic("E-EXPORT-VALUE", {"format": "txt", "problem": "test"}))

    with pytest.raises(KaoheError):
        write_files_atomic(folder, failing())
    assert (folder / "a.txt").read_bytes() == b"one"  # nothing moved in: the old file stands
    assert sorted(p.name for p in tmp_path.iterdir()) == ["说明"]  # the staging folder is gone


def test_many_files_into_a_new_empty_or_full_folder(tmp_path: Path) -> None:
    """A new folder (and an empty one) is the staging folder renamed, with the permissions a folder
    made there gets (not mkdtemp's 0o700); a folder holding files keeps those it is not given."""
    from kaohe.engine.report.atomic import write_files_atomic

    mask = os.umask(0o022)
    os.umask(mask)
    new = tmp_path / "a" / "b" / "new"
    assert write_files_atomic(new, [("x.txt", b"1"), ("y.txt", b"22")]) == 3
    assert sorted(p.name for p in new.iterdir()) == ["x.txt", "y.txt"]
    assert new.stat().st_mode & 0o777 == 0o777 & ~mask
    empty = tmp_path / "empty"
    empty.mkdir()
    os.chmod(empty, 0o750)
    write_files_atomic(empty, [("x.txt", b"1")])
    assert [p.name for p in empty.iterdir()] == ["x.txt"] and empty.stat().st_mode & 0o777 == 0o750
    full = tmp_path / "full"
    full.mkdir()
    (full / "keep.txt").write_bytes(b"mine")
    (full / "x.txt").write_bytes(b"old")
    write_files_atomic(full, [("x.txt", b"new"), ("z.txt", b"3")])
    assert {p.name: p.read_bytes() for p in full.iterdir()} == {"keep.txt": b"mine", "x.txt": b"new", "z.txt": b"3"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "empty", "full"]  # no staging folder left
    (tmp_path / "file").write_bytes(b"")
    with pytest.raises(KaoheError) as raised:
        write_files_atomic(tmp_path / "file", [("x.txt", b"1")])
    assert raised.value.diagnostics[0].code == "E-OUTPUT-WRITE"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "empty", "file", "full"]


def test_compute_arguments_are_typed_scalars_so_pyarrow_looks_for_no_module() -> None:
    """A Python str given to an Arrow compute function makes pyarrow look for python-dateutil on every
    call (columnar.text_scalar): writing a city's workbook must look for no module again and again."""
    import collections
    import sys

    evaluation = run(ROOT / "rulesets" / "chengdu", None, None)
    export_to(Results(evaluation), "xlsx", io.BytesIO())  # every module the exporter needs, imported

    looked: collections.Counter[str] = collections.Counter()

    class Spy:
        def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
            looked[name] += 1

    sys.meta_path.insert(0, Spy())  # type: ignore[arg-type]
    try:
        for fmt in ("xlsx", "json", "csv"):
            export_to(Results(evaluation), fmt, io.BytesIO())
    finally:
        sys.meta_path.pop(0)
    assert not looked, looked


# ---------------------------------------------------------------------------
# periods written by two processes (engine/report/forked.py)


def forced_fork(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every document's periods written by two processes, however few its subjects."""
    from kaohe.engine.report import forked

    monkeypatch.setattr(forked, "FEW_SUBJECTS", 1)
    monkeypatch.setattr(forked, "available", lambda: True)


def children() -> list[str]:
    return Path(f"/proc/self/task/{os.getpid()}/children").read_text().split()


needs_fork = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the helper is forked on Linux only")


@needs_fork
def test_periods_written_by_two_processes_are_the_documents_bytes(evaluated: tuple[Any, dict[str, Any]],
                                                                  monkeypatch: pytest.MonkeyPatch,
                                                                  tmp_path: Path) -> None:
    evaluation, document = evaluated
    forced_fork(monkeypatch)
    write_atomic_with(tmp_path / "results.json", lambda handle: export_to(Results(evaluation), "json", handle))
    assert (tmp_path / "results.json").read_bytes() == export_document(document, "json")
    assert not children()  # the helper is gone


def _counting_made(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[int]]:
    """Which items the parent copied from the helper, and which it made itself when the helper had
    taken them."""
    from kaohe.engine.report import forked

    seen: dict[str, list[int]] = {"copied": [], "made_here": []}
    real_write = forked.Made.write

    def counted(self: Any, out: Any, write: Any) -> None:
        place = self._child.place_of(self.index)
        seen["copied" if place is not None and self._child.holds(*place) else "made_here"].append(self.index)
        real_write(self, out, write)

    monkeypatch.setattr(forked.Made, "write", counted)
    return seen


@needs_fork
def test_the_helpers_periods_are_copied_in_order(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The parent waits before its first period, so the helper takes the last periods (from the back):
    the parent copies them in, in the document's order, the same bytes."""
    import time

    from kaohe.engine.report import forked

    evaluation = run(ROOT / "rulesets" / "chengdu", None, None)
    expected = export_document(build_document(evaluation), "json")
    forced_fork(monkeypatch)
    seen = _counting_made(monkeypatch)
    real_take = forked._Claims.take_front

    def late(self: Any, index: int) -> bool:
        if index == 0:
            time.sleep(0.5)  # the helper meanwhile takes what it makes in that time
        return real_take(self, index)

    monkeypatch.setattr(forked._Claims, "take_front", late)
    write_atomic_with(tmp_path / "results.json", lambda handle: export_to(Results(evaluation), "json", handle))
    assert (tmp_path / "results.json").read_bytes() == expected
    last = len(evaluation.periods) - 1
    assert seen["copied"] and seen["copied"][-1] == last and seen["copied"] == sorted(seen["copied"])
    assert not seen["made_here"] and not children()


@needs_fork
@pytest.mark.parametrize("failure", ["exits", "takes-one-and-hangs", "fails-after-one"])
def test_a_failing_helper_leaves_its_periods_to_the_parent(failure: str, monkeypatch: pytest.MonkeyPatch,
                                                           tmp_path: Path) -> None:
    """The helper dies at once, takes the last period and never answers, or dies writing its second:
    the parent makes what it left, the same bytes, and no helper process is left behind."""
    import time

    from kaohe.engine.report import forked

    evaluation = run(ROOT / "rulesets" / "chengdu", None, None)
    periods = len(evaluation.periods)
    assert periods >= 4
    expected = export_document(build_document(evaluation), "json")
    forced_fork(monkeypatch)
    seen = _counting_made(monkeypatch)
    if failure == "exits":
        monkeypatch.setattr(forked, "_child_main", lambda *args: os._exit(3))
    elif failure == "takes-one-and-hangs":
        monkeypatch.setattr(forked, "PATIENCE", 0.5)

        def hang(items: Any, write: Any, spill: Any, reports: int, claims: Any) -> None:
            claims.take_back(periods)
            time.sleep(600)

        monkeypatch.setattr(forked, "_child_main", hang)
    else:
        real_main = forked._child_main

        def one_then_exit(items: Any, write: Any, spill: Any, reports: int, claims: Any) -> None:
            def write_once(item: Any, sink: Any) -> None:
                if getattr(write_once, "done", False):
                    os._exit(4)
                write(item, sink)
                write_once.done = True  # type: ignore[attr-defined]

            real_main(items, write_once, spill, reports, claims)

        monkeypatch.setattr(forked, "_child_main", one_then_exit)
    write_atomic_with(tmp_path / "results.json", lambda handle: export_to(Results(evaluation), "json", handle))
    assert (tmp_path / "results.json").read_bytes() == expected
    if failure == "exits":  # it took nothing: the parent took every period
        assert seen == {"copied": [], "made_here": []}
    elif failure == "takes-one-and-hangs":  # the last period waited for, then made here
        assert seen == {"copied": [], "made_here": [periods - 1]}
    else:  # the last one copied, if the helper got to it first; the second made here, if it took it
        assert seen["copied"] in ([], [periods - 1]) and set(seen["made_here"]) <= {periods - 2}
    assert not children()
