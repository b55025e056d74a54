"""The XLSX rows made in Arrow (plugins/xlsx_workbook.py: numbers worded in bulk, texts joined
element by element, sheets deflated on threads of their own) are the very bytes XlsxWriter writes
for the same cells one by one, on awkward inputs; and the numbers' bulk ``%.16G`` is Python's."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from kaohe.engine.evaluation.runner import run
from kaohe.engine.report.output import Results
from kaohe.engine.report.render import export_to
from kaohe.plugins import xlsx_workbook
from kaohe.plugins.workbook_sheets import Column, Table

ROOT = Path(__file__).resolve().parent.parent

RNG = np.random.default_rng(20251202)


def _sheets(workbook: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(workbook)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _workbook(tables: list[Table], spliced: bool) -> bytes:
    """The tables' workbook, rows made as XML (spliced) or written by XlsxWriter cell by cell."""
    buffer = io.BytesIO()
    workbook = xlsx_workbook.xlsxwriter.Workbook(buffer, {"constant_memory": True, "strings_to_formulas": False,
                                                          "strings_to_urls": False, "strings_to_numbers": False,
                                                          "nan_inf_to_errors": False})
    workbook.set_properties({"author": "kaohe", "created": xlsx_workbook.FIXED_TIME})
    styles = xlsx_workbook._Styles(workbook)
    parts: xlsx_workbook.Spliced = {}
    for table in tables:
        xlsx_workbook.write_table(workbook, styles, table, parts if spliced else None)
    workbook.close()
    return xlsx_workbook.normalise_zip(buffer.getvalue(), {}, parts)


def _same_both_ways(*tables: Table) -> None:
    made, written = _workbook(list(tables), spliced=True), _workbook(list(tables), spliced=False)
    assert _sheets(made) == _sheets(written)
    # and the zip itself: the sheets deflated elsewhere are the entries zipfile would have made
    with zipfile.ZipFile(io.BytesIO(made)) as archive:
        assert archive.testzip() is None
        assert [i.compress_type for i in archive.infolist()] == [zipfile.ZIP_DEFLATED] * len(archive.infolist())


AWKWARD_TEXTS: list[Any] = [
    "甲", "plain", " leading", "trailing ", "\u3000全角\u3000", "\tTab", "line\nbreak", "a & <b> \"q\"", "_x0041_",
    "_X004a_ and _x00zz_", "\x01ctl\x1f", "\x0b\x0c", "\ufffe\uffff", "<r>rich</r>", "<r>half", "", " ", None,
    "😀 astral", "e\u0301", "x" * 20_000, "字" * 40_000,
]
AWKWARD_FLOATS = [0.0, -0.0, 1.0, -1.0, 0.1, 0.3, 0.1 + 0.2, 8.95, 87.13, 9.999999, 1e-4, 9.99999e-5, 1e-5, 1e-300,
                  5e-324, 123456789.123456, 999999999.999999, 1e9, 1e15, 2.0 ** 53, 2.0 ** 63, 1e16, 1e20, 1.5e300,
                  1.7976931348623157e308, -3e300, float("nan"), float("inf"), float("-inf"), 1 / 3, 2 / 3, 100.0,
                  0.07, 12.345678, -0.000123]


def _floats(n: int) -> np.ndarray:
    """Floats of every magnitude, as shown (rounded to 0-6 decimals) and not, with the awkward ones."""
    values = RNG.random(n) * RNG.choice([1e-9, 1e-5, 1e-4, 1e-3, 0.1, 1.0, 9.9, 100.0, 1e6, 1e9, 1e12, 1e17], n)
    for decimals in range(7):
        values[decimals::9] = np.round(values[decimals::9], decimals)
    values[::5] = -values[::5]
    return np.concatenate([np.array(AWKWARD_FLOATS), values])


def _mixed(n: int) -> list[Any]:
    mixed: list[Any] = [True, False, Decimal("12.50"), Decimal("-0"), Decimal("0"), 3, 0, 2.5, -0.0, 0.0,
                        float("nan"), "文", None, np.int64(4), ["a"], float("inf"), Decimal("1E+2"), "_x0041_"]
    return (mixed * (n // len(mixed) + 1))[:n]


@pytest.mark.parametrize("height", [None, 30, 15])
def test_awkward_cells_are_xlsxwriters(height: float | None) -> None:
    texts = AWKWARD_TEXTS * 5
    n = len(texts)
    floats = _floats(n)[:n]
    columns = [Column("text"), Column("wrapped", "wrap"), Column("number", "number", "0.00"),
               Column("list", "number", "0.0"), Column("money", "money", "#,##0.00"), Column("auto", "auto"),
               Column("int", "int", "0"), Column("blank", "blank", width=12), Column("plain", "text"),
               Column("no -0", "number", "0.00"), Column("nothing", "number")]
    data = [texts, texts[::-1], floats, [None if k % 4 == 0 else v for k, v in enumerate(floats.tolist())],
            [Decimal(f"{k}.{k % 100:02d}") if k % 3 else None for k in range(n)], _mixed(n),
            [k if k % 4 else None for k in range(n)], [None] * n, [f"P{k:06d}" for k in range(n)],
            np.where(floats == 0, 0.0, floats), np.full(n, np.nan)]
    _same_both_ways(Table("结果", "页眉", columns, [], freeze=2, notes=["注一", "注二"], row_height=height, data=data))


def test_cells_made_a_block_at_a_time_are_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    """Blocks of 7 rows joined 3 at a time: a text column plain in one block and not in the next,
    numbers with -0.0 in one block only."""
    monkeypatch.setattr(xlsx_workbook, "ROWS_PER_BLOCK", 7)
    monkeypatch.setattr(xlsx_workbook, "ROWS_PER_CHUNK", 3)
    texts = ["a"] * 9 + AWKWARD_TEXTS[:12]
    n = len(texts)
    numbers = _floats(n)[:n]
    numbers[15] = -0.0
    columns = [Column("text"), Column("number", "number", "0.00"), Column("auto", "auto"), Column("int", "int", "0")]
    data = [texts, numbers, _mixed(n), [k if k % 5 else None for k in range(n)]]
    _same_both_ways(Table("块", "页眉", columns, [], freeze=1, data=data))


def test_plain_columns_many_rows_and_chunks() -> None:
    """Rows past a chunk, a column holding no cell in one chunk and some in the next, numbers from
    lists of ints and floats, texts all plain (the joined path)."""
    n = xlsx_workbook.ROWS_PER_CHUNK * 2 + 7
    scores = np.round(RNG.random(n) * 100, 2)
    sparse = [None] * n
    sparse[-3:] = ["后", "面", "有"]
    columns = [Column("编号"), Column("分数", "number", "0.00"), Column("名次", "int", "0"), Column("稀", "text"),
               Column("整数", "number", "0.00"), Column("说明", "wrap")]
    data = [[f"P{k:06d}" for k in range(n)], scores, list(range(n)), sparse,
            [int(v) if k % 2 else float(v) for k, v in enumerate(scores)], ["说明文字较长需要换行显示" * 2] * n]
    _same_both_ways(Table("大", "页眉", columns, [], freeze=1, data=data))


def test_tables_empty_one_row_and_no_cells() -> None:
    columns = [Column("a"), Column("b", "number", "0.00"), Column("c", "auto")]
    _same_both_ways(Table("一", "页眉", columns, [], data=[["x"], np.array([-0.0]), [None]]),
                    Table("注", "页眉", columns, [["行", 1.5, True]], notes=["只有注"]))
    # an empty table's sheet is the same; its number formats are not made (no cell uses them), as
    # before rows were made in Arrow
    empty = Table("空", "页眉", columns, [], data=[[], np.array([]), []])
    made, written = _sheets(_workbook([empty], spliced=True)), _sheets(_workbook([empty], spliced=False))
    assert {k: v for k, v in made.items() if k != "xl/styles.xml"} == {
        k: v for k, v in written.items() if k != "xl/styles.xml"}
    # rows without a cell are written as empty row elements, in the sheet's extent (XlsxWriter
    # leaves them out), as before
    blank = Table("无", "页眉", columns, [], data=[[None, None], np.array([np.nan, np.nan]), [None, None]])
    made, written = _sheets(_workbook([blank], spliced=True)), _sheets(_workbook([blank], spliced=False))
    sheet = "xl/worksheets/sheet1.xml"
    assert b'<row r="2"></row><row r="3"></row>' in made[sheet]
    assert made[sheet].replace(b'<row r="2"></row><row r="3"></row>', b"").replace(
        b'<dimension ref="A1:C3"/>', b'<dimension ref="A1:C1"/>') == written[sheet]


def test_the_benchmark_sized_number_columns_are_pythons() -> None:
    values = _floats(300_000)
    expected = [f"{v:.16G}" if np.isfinite(v) else None for v in values.tolist()]
    assert xlsx_workbook.number_texts(values).to_pylist() == expected


@pytest.mark.parametrize("decimals", range(7))
def test_shown_numbers_of_every_decade_are_pythons(decimals: int) -> None:
    """Numbers rounded as shown, in every decade the bulk path takes, the tops of decades (where a
    16th digit often differs) and the numbers either side of each power of ten among them."""
    scale = 10.0 ** RNG.integers(-4, 10, 50_000)
    values = np.round(RNG.random(50_000) * scale * RNG.choice([1.0, 9.999, -1.0], 50_000), decimals) + 0.0
    powers = 10.0 ** np.arange(-5, 11)
    values = np.concatenate([values, powers, np.nextafter(powers, 0), np.nextafter(powers, np.inf),
                             np.round(powers * 0.999999, decimals), -powers])
    expected = [f"{v:.16G}" for v in values.tolist()]
    assert xlsx_workbook.number_texts(values).to_pylist() == expected


def test_negative_zero_and_non_finite_numbers() -> None:
    values = np.array([-0.0, 0.0, np.nan, np.inf, -np.inf, -0.0, 5.0])
    assert xlsx_workbook.number_texts(values).to_pylist() == ["-0", "0", None, None, None, "-0", "5"]
    known: dict[float, str] = {}
    cells = xlsx_workbook._number_cells(values, ' s="3"', known)
    assert cells.to_pylist() == ['" s="3"><v>-0</v></c>', '" s="3"><v>0</v></c>', None, None, None,
                                 '" s="3"><v>-0</v></c>', '" s="3"><v>5</v></c>']
    assert known.get(0.0) in (None, "0")  # -0.0 never worded as 0.0's text, nor 0.0 as "-0"


def test_a_zipfile_without_the_handles_internals_gets_the_same_workbook(monkeypatch: pytest.MonkeyPatch) -> None:
    """Sheets deflated on threads (by ISA-L) are handed to zipfile's write handle; a zipfile whose
    handle keeps its compressor elsewhere gets them inflated and written the public way (deflated
    by zlib): every entry the same, in the same order, and the same bytes on a rerun."""
    import zipfile

    evaluation = run(ROOT / "rulesets/chengdu/2025.yaml", None, None)
    handed = io.BytesIO()
    export_to(Results(evaluation), "xlsx", handed)
    monkeypatch.setattr(xlsx_workbook, "takes_stream", lambda handle: False)
    public, again = io.BytesIO(), io.BytesIO()
    export_to(Results(evaluation), "xlsx", public)
    export_to(Results(evaluation), "xlsx", again)
    assert public.getvalue() == again.getvalue()
    with zipfile.ZipFile(handed) as fast, zipfile.ZipFile(public) as slow:
        assert fast.namelist() == slow.namelist()
        assert all(fast.read(name) == slow.read(name) for name in fast.namelist())
        assert [i.date_time for i in fast.infolist()] == [i.date_time for i in slow.infolist()]
