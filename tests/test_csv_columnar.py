"""A plain CSV read by Arrow into columns (plugins/data_sources.py ``_read_plain_csv``,
engine/data/columnar.py) gives exactly what the csv module gives: the same cells, line numbers
and header, the same typed dataset and results, the same located errors; files it cannot read the
same way (quotes, lone CRs, ragged rows, not UTF-8) are left to the csv module."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from kaohe.engine.data.columnar import plain_numbers
from kaohe.engine.errors import KaoheError
from kaohe.engine.evaluation.runner import run
from kaohe.engine.report.results import build_document
from kaohe.plugins import data_sources
from kaohe.plugins.data_sources import _read_csv, _read_plain_csv

ROWS = 4000


@pytest.fixture(autouse=True)
def arrow_for_any_size(monkeypatch: pytest.MonkeyPatch) -> None:
    """Arrow reads files from 4 MB on (``ARROW_CSV_BYTES``); these test files are smaller."""
    monkeypatch.setattr(data_sources, "ARROW_CSV_BYTES", 1)


def by_csv_module(file: Path) -> tuple[list[str], list[list[str]], list[int], int | None]:
    with file.open(encoding="utf-8-sig", newline="") as handle:
        table = _read_csv(csv.reader(handle), str(file))
    return table.columns, [list(r) for r in table.rows], table.row_numbers, table.header_line


def written(file: Path, text: str) -> Path:
    file.write_bytes(text.encode("utf-8"))
    return file


def office_text(newline: str = "\n") -> str:
    lines = ["\ufeffsubject,period,x,y,备注,"]
    for k in range(ROWS):
        x = ["12.5", " 7 ", "", "97%", "１２", "-3e2", "+4", ".5", "5.", "abc"][k % 10]
        lines.append(f"P{k:05d},2025Q1,{x},{k},说明{k % 7},")
        if k % 997 == 0:
            lines.append("")  # a blank line: no record, but it counts as a line
    return newline.join(lines) + newline


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_the_cells_and_lines_are_the_csv_modules(tmp_path: Path, newline: str) -> None:
    file = written(tmp_path / "values.csv", office_text(newline))
    fast = _read_plain_csv(file, ",")
    assert fast is not None
    header, rows, numbers, header_line = by_csv_module(file)
    assert (fast.columns, fast.row_numbers, fast.header_line) == (header, numbers, header_line)
    assert [list(r) for r in fast.rows] == rows
    assert fast.rows[998] == rows[998] and [list(r) for r in fast.rows[5:9]] == rows[5:9]


@pytest.mark.parametrize("text", [
    'a,b\n"x, y",2\n' * 3000,  # a quote: cells may hold the delimiter or span lines
    "a,b\r1,2\r" * 5000,  # old Mac line ends
    "a,b\n" + "1,2\n" * 5000 + "1,2,3\n",  # a ragged row: the csv module reports it
    "a,b\n" + "1,2\n" * 5000 + ",\n",  # a row of only delimiters is no row to the csv module
    "a,b\n" + "1,2\n" * 5000 + ",\n" + "3,4\n",  # … also between rows, with no empty cell elsewhere
    "\na,b\n" + "1,2\n" * 5000,  # the header below a blank line
])
def test_what_arrow_would_read_otherwise_is_left_to_the_csv_module(tmp_path: Path, text: str) -> None:
    assert _read_plain_csv(written(tmp_path / "t.csv", text), ",") is None


def test_a_file_not_in_utf8_is_left_to_the_csv_module(tmp_path: Path) -> None:
    file = tmp_path / "gbk.csv"
    file.write_bytes(("a,b\n" + "考核,2\n" * 8000).encode("gb18030"))
    assert _read_plain_csv(file, ",") is None


def test_only_plain_decimal_text_is_read_in_c() -> None:
    import pyarrow as pa

    assert plain_numbers(pa.array(["1", " 2.5 ", "", "-3e2", "+4", ".5", "5."])).tolist()[3:] == [-300.0, 4.0, 0.5, 5.0]
    for odd in ("97%", "１２", "nan", "inf", "1_000", "1e400", "5,200", "0x10"):
        assert plain_numbers(pa.array(["1", odd])) is None, odd


def bench(folder: Path, persons: int) -> Path:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from benchmarks import bench_evaluate

    bench_evaluate.generate(folder, persons)
    ruleset = folder / "bench.yaml"
    ruleset.write_text(bench_evaluate.ruleset_text(), encoding="utf-8")
    return ruleset


def test_the_results_do_not_depend_on_the_reader(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ruleset = bench(tmp_path, 600)
    fast = build_document(run(ruleset))
    monkeypatch.setattr(data_sources, "_read_plain_csv", lambda *read: None)
    assert build_document(run(ruleset)) == fast


def test_a_bad_cell_is_located_alike(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ruleset = bench(tmp_path, 600)
    values = tmp_path / "values.csv"
    lines = values.read_text(encoding="utf-8").splitlines()
    cells = lines[1234].split(",")
    cells[5] = "12.3.4"
    lines[1234] = ",".join(cells)
    values.write_text("\n".join(lines) + "\n", encoding="utf-8")

    def problems() -> list[tuple[str, int | None, int | None, str]]:
        with pytest.raises(KaoheError) as caught:
            run(ruleset)
        return [(d.code, d.line, d.column, d.message("en")) for d in caught.value.diagnostics]

    fast = problems()
    assert fast[0][:3] == ("E-DATA-NOT-NUMBER", 1235, 6)
    monkeypatch.setattr(data_sources, "_read_plain_csv", lambda *read: None)
    assert problems() == fast


def test_the_stream_of_a_large_values_file_stays_columnar(tmp_path: Path) -> None:
    file = written(tmp_path / "values.csv", "subject,period,x\n" + "".join(f"P{k},2025Q1,{k}.5\n" for k in range(9000)))
    fast = _read_plain_csv(file, ",")
    assert fast is not None and len(fast.rows) == 9000
    assert not isinstance(fast.rows, list)  # no list of row lists was made


def test_a_small_file_is_left_to_the_csv_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(data_sources, "ARROW_CSV_BYTES", 4 << 20)
    file = written(tmp_path / "values.csv", office_text())  # about 100 KB: not worth importing Arrow
    assert file.stat().st_size < 4 << 20 and _read_plain_csv(file, ",") is None


def test_a_byte_order_mark_is_dropped_only_where_the_encoding_drops_it(tmp_path: Path) -> None:
    file = written(tmp_path / "values.csv", office_text())  # starts with a BOM
    assert _read_plain_csv(file, ",", bom=True) is not None
    assert _read_plain_csv(file, ",", bom=False) is None  # utf-8: the csv module keeps it in the header


@pytest.mark.parametrize(("cell", "too_long"), [("中" * 4000, False), ("a" * 4096, False), ("中" * 10_001, True),
                                                ("a" * 10_001, True), ("中" * 10_000, False)])
def test_a_long_cell_is_measured_in_characters(tmp_path: Path, cell: str, too_long: bool) -> None:
    """Arrow's columns are measured off their offsets (bytes) up to 4096, in characters past it: a
    Chinese cell of 10,000 characters (30,000 bytes) is allowed, one of 10,001 is not."""
    from kaohe.engine.data.columnar import longest
    from kaohe.engine.data.sheet import MAX_CELL_CHARS

    file = written(tmp_path / "values.csv", f"subject,period,note\nP1,2025Q1,{cell}\nP2,2025Q1,x\n")
    fast = _read_plain_csv(file, ",")
    assert fast is not None
    widest = max(longest(column) for column in fast.rows.columns)  # type: ignore[attr-defined]
    assert widest >= len(cell) and (widest > MAX_CELL_CHARS) == too_long
    if len(cell.encode()) > 4096:
        assert widest == len(cell)  # counted exactly once it could matter
