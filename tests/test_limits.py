"""Declared resource limits (docs/trust.md, 资源限制 Resource limits): one small test per limit.

Each checks the code, where it points, that both the Chinese and the English message name the limit,
and, through the command line, exit code 1. Size limits are monkeypatched small rather than written out.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

import kaohe.engine.data.load as data_load
import kaohe.engine.data.sheet as sheet
import kaohe.engine.ruleset.loader as loader
from kaohe.cli import main
from kaohe.engine.components import RawTable
from kaohe.engine.data.load import dataset_from_tables
from kaohe.engine.errors import Diagnostic, KaoheError
from kaohe.engine.language import expressions
from kaohe.plugins.data_sources import CsvSource

RULESET = """\
kaohe: 1
id: limits
title: 资源限制
year: 2025
subjects: {kind: unit}
inputs:
  x: {title: 得分}
indicators:
  - {id: x, title: 得分, points: 100, missing: zero, rater: {use: formula, expr: "EXPR"}}
data:
  subjects: {source: SOURCE, path: data/subjects.SOURCE}
"""


def project(tmp_path: Path, expr: str = "x", source: str = "csv", extra: str = "") -> Path:
    """tmp/kaohe.toml + tmp/j/2025.yaml with data/subjects.csv (two subjects) or .xlsx."""
    (tmp_path / "kaohe.toml").write_text("", encoding="utf-8")
    folder = tmp_path / "j"
    (folder / "data").mkdir(parents=True)
    text = RULESET.replace("EXPR", expr).replace("SOURCE", source) + extra
    (folder / "2025.yaml").write_text(text, encoding="utf-8")
    (folder / "data" / "subjects.csv").write_text("id,name\nU1,甲\nU2,乙\n", encoding="utf-8")
    if source == "xlsx":
        book = openpyxl.Workbook()
        book.active.append(["id", "name"])
        book.active.append(["U1", "甲"])
        book.active.append(["U2", "乙"])
        book.save(folder / "data" / "subjects.xlsx")
    return folder / "2025.yaml"


def cli(*args: str) -> dict[str, tuple[int, str]]:
    """Exit code and standard error of the command in each language."""
    out = {}
    for lang in ("zh", "en"):
        result = CliRunner().invoke(main, ["--lang", lang, *args])
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        out[lang] = (result.exit_code, result.stderr)
    return out


def names_limit(problem: Diagnostic, *limit: str) -> None:
    """Both messages name the limit (each of ``limit`` appears in each)."""
    for lang in ("zh", "en"):
        text = problem.message(lang)
        assert all(part in text for part in limit), (lang, text)
    assert problem.code in problem.format("zh")


def refused(call: Callable[..., object], *args: object) -> Diagnostic:
    with pytest.raises(KaoheError) as caught:
        call(*args)
    assert len(caught.value.diagnostics) >= 1
    return caught.value.diagnostics[0]


# ---------------------------------------------------------------------------
# Rulesets


def test_ruleset_file_size_is_checked_before_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = project(tmp_path)
    size = path.stat().st_size
    monkeypatch.setattr(loader, "MAX_FILE_BYTES", 100)
    read = []
    monkeypatch.setattr(Path, "read_text", lambda *a, **k: read.append(a) or "")
    problem = refused(loader.load_yaml, path, "j/2025.yaml")
    assert problem.code == "E-YAML-FILE-TOO-LARGE" and problem.file == "j/2025.yaml" and not read
    names_limit(problem, "100 B", f"{size} B", "MAX_FILE_BYTES")
    monkeypatch.undo()
    monkeypatch.setattr(loader, "MAX_FILE_BYTES", 100)
    for lang, (code, err) in cli("validate", str(path)).items():
        assert code == 1 and "E-YAML-FILE-TOO-LARGE" in err and err.startswith(str(path)), (lang, err)
        assert "100 B" in err


def test_ruleset_text_size_is_checked_too(monkeypatch: pytest.MonkeyPatch) -> None:
    """Text not read from a file by the loader (a git revision, kaohe fmt) is measured in UTF-8 bytes."""
    monkeypatch.setattr(loader, "MAX_FILE_BYTES", 40)
    problem = refused(loader.load_yaml_text, "kaohe: 1\ntitle: " + "考" * 20 + "\n", "r.yaml")
    assert problem.code == "E-YAML-FILE-TOO-LARGE" and problem.file == "r.yaml"
    names_limit(problem, "40 B", "77 B")


def test_sizes_are_shown_in_binary_units() -> None:
    assert [loader.size_text(n) for n in (512, 2048, 5 * 2**20, 20_979_531, 3 * 2**30)] == [
        "512 B", "2 KiB", "5 MiB", "20 MiB", "3 GiB"]
    assert loader.size_text(int(1.5 * 2**20)) == "1.5 MiB"


def test_yaml_node_count_stops_composing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Composing itself stops past MAX_NODES (a dense list under the size limit took minutes)."""
    monkeypatch.setattr(loader, "MAX_NODES", 50)
    problem = refused(loader.load_yaml_text, "kaohe: 1\nx: [" + "1, " * 100 + "1]\n", "r.yaml")
    assert problem.code == "E-YAML-TOO-LARGE" and problem.file == "r.yaml" and problem.line == 2
    names_limit(problem, "50")


def test_yaml_node_count_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = project(tmp_path, extra="source: [" + ", ".join(["a"] * 300) + "]\n")
    monkeypatch.setattr(loader, "MAX_NODES", 200)
    for code, err in cli("validate", str(path)).values():
        assert code == 1 and "E-YAML-TOO-LARGE" in err and f"{path}:" in err and "200" in err


def nested(depth: int) -> str:
    """A ruleset-like text whose deepest node is ``depth`` levels down (the top mapping is level 1)."""
    levels = depth - 1
    return "kaohe: 1\nx: " + "[" * levels + "]" * levels + "\n"


def test_yaml_nesting_depth_is_declared_not_the_stack() -> None:
    """MAX_DEPTH levels load; one more is refused where it starts (it used to be Python's recursion
    limit, some 300 levels depending on the caller, while the message said 200)."""
    assert loader.load_yaml_text(nested(loader.MAX_DEPTH), "r.yaml").data["kaohe"] == 1
    problem = refused(loader.load_yaml_text, nested(loader.MAX_DEPTH + 1), "r.yaml")
    assert problem.code == "E-YAML-TOO-LARGE" and problem.file == "r.yaml"
    assert (problem.line, problem.column) == (2, 3 + loader.MAX_DEPTH)
    names_limit(problem, str(loader.MAX_DEPTH))


def test_yaml_number_digits(tmp_path: Path) -> None:
    problem = refused(loader.load_yaml_text, "kaohe: 1\nx: " + "9" * 31 + "\n", "r.yaml")
    assert problem.code == "E-YAML-NUMBER" and (problem.file, problem.line, problem.column) == ("r.yaml", 2, 4)
    names_limit(problem, str(loader.MAX_NUMBER_DIGITS))
    path = project(tmp_path, extra="total_points: " + "1" * 40 + "\n")
    for code, err in cli("validate", str(path)).values():
        assert code == 1 and "E-YAML-NUMBER" in err and f"{path}:12:" in err and "30" in err


@pytest.mark.parametrize("written", [".nan", ".inf", "-.Inf"])
def test_yaml_numbers_must_be_finite(written: str) -> None:
    """NaN passes every range check of the schema (each comparison is false): refused where written."""
    problem = refused(loader.load_yaml_text, f"kaohe: 1\nquantile: {written}\n", "r.yaml")
    assert problem.code == "E-YAML-NOT-FINITE" and (problem.line, problem.column) == (2, 11)
    assert written in problem.message("zh") and written in problem.message("en")


def test_validation_reads_a_ruleset_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """kaohe validate loads a file three times (checks, then versions.py twice): it is composed once."""
    path = project(tmp_path, extra="".join(f"# {'x' * 70}\n" for _ in range(2000)))
    composed = []
    real = loader._CountingLoader.get_single_node

    def counting(self: loader._CountingLoader) -> object:
        composed.append(1)
        return real(self)

    monkeypatch.setattr(loader._CountingLoader, "get_single_node", counting)
    result = CliRunner().invoke(main, ["--lang", "en", "validate", str(path)])
    assert result.exit_code == 0, result.output
    assert len(composed) == 1


# ---------------------------------------------------------------------------
# Expressions


@pytest.mark.parametrize(("expr", "code", "limit"), [
    pytest.param("x + " * 300 + "x", "E-EXPR-TOO-LARGE", str(expressions.MAX_LENGTH), id="length"),
    pytest.param("+".join(["x"] * 150), "E-EXPR-TOO-LARGE", str(expressions.MAX_NODES), id="nodes"),
    pytest.param("x ** 17", "E-EXPR-POWER", str(expressions.MAX_EXPONENT), id="exponent"),
    pytest.param("x + 1e16", "E-EXPR-NUMBER", "1e+15", id="number"),
])
def test_expression_limits(tmp_path: Path, expr: str, code: str, limit: str) -> None:
    path = project(tmp_path, expr=expr)
    for lang, (exit_code, err) in cli("validate", str(path)).items():
        assert exit_code == 1 and f"({code})" in err and f"{path}:9:" in err, (lang, err)
        assert limit in err, (lang, err)


# ---------------------------------------------------------------------------
# Data files


def test_data_file_size_is_checked_before_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = project(tmp_path)
    monkeypatch.setattr(data_load, "MAX_DATA_FILE_BYTES", 10)
    monkeypatch.delenv(data_load.DATA_LIMIT_ENV, raising=False)
    monkeypatch.setattr(CsvSource, "read", lambda *a: pytest.fail("read a file over the limit"))
    file = path.parent / "data" / "subjects.csv"
    problem = refused(data_load.check_file_size, file)
    assert problem.code == "E-DATA-FILE-TOO-LARGE" and problem.file == str(file)
    names_limit(problem, "10 B", f"{file.stat().st_size} B", "MAX_DATA_FILE_BYTES", "KAOHE_MAX_DATA_MB")
    for lang, (code, err) in cli("evaluate", str(path)).items():
        assert code == 1 and "(E-DATA-FILE-TOO-LARGE)" in err and err.startswith(f"{file}:"), (lang, err)
        assert "10 B" in err


def test_data_file_size_limit_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = project(tmp_path)
    monkeypatch.setenv(data_load.DATA_LIMIT_ENV, "0.000001")  # 1 byte
    assert data_load.max_data_file_bytes() == (1, "KAOHE_MAX_DATA_MB=0.000001")
    for code, err in cli("evaluate", str(path)).values():
        assert code == 1 and "(E-DATA-FILE-TOO-LARGE)" in err and "KAOHE_MAX_DATA_MB=0.000001" in err
    monkeypatch.setenv(data_load.DATA_LIMIT_ENV, "2048")
    assert data_load.max_data_file_bytes() == (2048 * 2**20, "KAOHE_MAX_DATA_MB=2048")
    for bad in ("", "0", "-5", "lots", "nan", "inf"):
        monkeypatch.setenv(data_load.DATA_LIMIT_ENV, bad)
        assert data_load.max_data_file_bytes() == (data_load.MAX_DATA_FILE_BYTES, "MAX_DATA_FILE_BYTES")
    monkeypatch.setenv(data_load.DATA_LIMIT_ENV, "")
    for code, _ in cli("evaluate", str(path)).values():
        assert code == 0


def test_running_out_of_memory_reading_data_is_located(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = project(tmp_path)
    file = path.parent / "data" / "subjects.csv"

    def exhausted(*_: object) -> RawTable:
        raise MemoryError

    monkeypatch.setattr(CsvSource, "read", exhausted)
    for lang, (code, err) in cli("evaluate", str(path)).items():
        assert code == 1 and "(E-DATA-TOO-LARGE)" in err and "E-INTERNAL" not in err, (lang, err)
        assert err.startswith(f"{file}:") and str(file) in err.split(": ", 1)[1]
        assert "KAOHE_MAX_DATA_MB" in err


def test_running_out_of_memory_typing_data_is_located(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = project(tmp_path)
    file = path.parent / "data" / "subjects.csv"

    def exhausted(*_: object) -> None:
        raise MemoryError

    monkeypatch.setattr(data_load, "build_subjects", exhausted)
    for lang, (code, err) in cli("evaluate", str(path)).items():
        assert code == 1 and "(E-DATA-TOO-LARGE)" in err and "E-INTERNAL" not in err, (lang, err)
        assert err.startswith(f"{file}:")


# ---------------------------------------------------------------------------
# Cells


def test_cell_size_csv(tmp_path: Path) -> None:
    path = project(tmp_path)
    file = path.parent / "data" / "subjects.csv"
    file.write_text("id,name\nU1,甲\nU2," + "长" * (sheet.MAX_CELL_CHARS + 1) + "\n", encoding="utf-8")
    for lang, (code, err) in cli("evaluate", str(path)).items():
        assert code == 1 and f"{file}:3:2::name:" in err and "(E-DATA-CELL-TOO-LARGE)" in err, (lang, err)
        assert "10000" in err and "10001" in err and "长" * 60 + "…" in err and "长" * 61 not in err


def test_cell_size_counts_every_cell_and_the_header() -> None:
    long = "x" * (sheet.MAX_CELL_CHARS + 1)
    raw = {"subjects": RawTable(["id", "name", long], [["U1", long, ""], ["U2", "乙", ""]], "s.csv", [2, 3], 1)}
    with pytest.raises(KaoheError) as caught:
        dataset_from_tables(raw)
    found = [(d.code, d.line, d.column) for d in caught.value.diagnostics]
    assert ("E-DATA-CELL-TOO-LARGE", 1, 3) in found and ("E-DATA-CELL-TOO-LARGE", 2, 2) in found
    names_limit(caught.value.diagnostics[-1], str(sheet.MAX_CELL_CHARS))


def test_cell_size_at_the_limit_is_fine() -> None:
    raw = {"subjects": RawTable(["id", "name"], [["U1", "x" * sheet.MAX_CELL_CHARS], ["U2", 3]], "s.csv",
                                [2, 3], 1)}
    assert len(dataset_from_tables(raw).subjects) == 2


def test_cell_size_past_the_csv_field_limit(tmp_path: Path) -> None:
    """A cell the csv module refuses (over 131,072 characters) with no open quote: the same code, located."""
    (tmp_path / "s.csv").write_text("id,name\nU1,甲\nU2," + "x" * (csv.field_size_limit() + 10) + "\n",
                                    encoding="utf-8")
    problem = refused(CsvSource().read, {"path": "s.csv"}, tmp_path)
    assert problem.code == "E-DATA-CELL-TOO-LARGE" and (problem.line, problem.column) == (3, 2)
    assert problem.path == "name" and problem.file == str(tmp_path / "s.csv")
    names_limit(problem, str(sheet.MAX_CELL_CHARS), "x" * 60 + "…")


def test_cell_size_xlsx(tmp_path: Path) -> None:
    path = project(tmp_path, source="xlsx")
    file = path.parent / "data" / "subjects.xlsx"
    book = openpyxl.load_workbook(file)
    book.active["B3"] = "x" * 20_000
    book.save(file)
    for lang, (code, err) in cli("evaluate", str(path)).items():
        assert code == 1 and f"{file}:3:2::name:" in err and "(E-DATA-CELL-TOO-LARGE)" in err, (lang, err)
        assert "20000" in err


def test_running_out_of_memory_in_a_workbook_is_not_a_format_error(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    path = project(tmp_path, source="xlsx")
    file = path.parent / "data" / "subjects.xlsx"

    def exhausted(*_: object, **__: object) -> None:
        raise MemoryError

    monkeypatch.setattr(openpyxl, "load_workbook", exhausted)
    for lang, (code, err) in cli("evaluate", str(path)).items():
        assert code == 1 and "(E-DATA-TOO-LARGE)" in err and "E-DATA-NOT-XLSX" not in err, (lang, err)
        assert err.startswith(f"{file}:")
