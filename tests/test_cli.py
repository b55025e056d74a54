"""The command line, driven through click's runner on the bundled example."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import jsonschema
import openpyxl
import pytest
from click.testing import CliRunner

from kaohe.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "rulesets" / "example"
RESULTS_SCHEMA = json.loads((ROOT / "schemas" / "results.schema.json").read_text(encoding="utf-8"))


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--lang", "zh", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def results_json() -> bytes:
    result = CliRunner().invoke(main, ["evaluate", str(EXAMPLE), "--format", "json"])
    assert result.exit_code == 0, result.output
    return result.stdout_bytes


def test_quick_start_prints_the_year_ranking():
    # the README's first command: Chengdu's 2025 year on its bundled data
    code, out, _ = invoke("evaluate", str(ROOT / "rulesets" / "chengdu"))
    assert code == 0
    assert "2025 排名" in out and "C104" in out and "优秀" in out and "年度考核奖" in out


def test_example_prints_its_year_ranking():
    code, out, _ = invoke("evaluate", str(EXAMPLE))
    assert code == 0
    assert "2025 排名" in out and "科技局" in out and "优秀" in out


def test_json_results_validate_against_the_schema(results_json: bytes):
    document = json.loads(results_json)
    jsonschema.Draft202012Validator(RESULTS_SCHEMA).validate(document)
    assert [p["period"] for p in document["periods"]] == ["2025Q1", "2025Q2", "2025Q3", "2025Q4", "2025"]
    assert document["ruleset"]["digest"].startswith("sha256:")
    assert document["data"]["digest"].startswith("sha256:")


def test_two_runs_are_byte_identical(results_json: bytes):
    again = CliRunner().invoke(main, ["evaluate", str(EXAMPLE), "--format", "json"])
    assert again.stdout_bytes == results_json


def test_pool_sums_exactly_and_veto_is_explained(results_json: bytes):
    year = json.loads(results_json)["periods"][-1]["subjects"]
    total = sum(int(s["outcomes"]["bonus_pool"]["value"]) for s in year)
    assert total == 600000
    vetoed = next(s for s in year if s["id"] == "D07")  # 重大安全事故 in 2025-08
    assert vetoed["grade"] == "不合格" and vetoed["grade_reason"]["code"] == "veto"
    assert vetoed["vetoes"] == ["safety"] and vetoed["total"] > 90


def test_out_file_matches_standard_output(tmp_path: Path, results_json: bytes):
    out = tmp_path / "results.json"
    code, _, _ = invoke("evaluate", str(EXAMPLE), "--format", "json", "--out", str(out))
    assert code == 0
    assert out.read_bytes() == results_json


def test_csv_has_chinese_headers_and_one_row_per_subject_and_period():
    result = CliRunner().invoke(main, ["evaluate", str(EXAMPLE), "--format", "csv", "--period", "2025Q2"])
    assert result.exit_code == 0
    text = result.stdout_bytes.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:4] == ["周期", "编号", "名称", "单位"]
    assert "总分" in rows[0] and "等次" in rows[0]
    assert len(rows) == 1 + 24 and {r[0] for r in rows[1:]} == {"2025Q2"}


def test_xlsx_needs_out_and_is_readable(tmp_path: Path):
    code, _, _ = invoke("evaluate", str(EXAMPLE), "--format", "xlsx")
    assert code == 2
    out = tmp_path / "results.xlsx"
    code, _, _ = invoke("evaluate", str(EXAMPLE), "--format", "xlsx", "--out", str(out))
    assert code == 0
    workbook = openpyxl.load_workbook(out)
    periods = [name for name in workbook.sheetnames if name.startswith("结果 ")]
    assert workbook.sheetnames[0] == "概况" and len(periods) == 5  # 2025Q1 … 2025Q4 and the year
    assert all(workbook[name].cell(1, 1).value == "分组" and workbook[name].max_row == 1 + 24 for name in periods)


@pytest.mark.parametrize("written", ["2025q2", "2025-Q2", "2025年第二季度", "2025年二季度"])
def test_a_period_option_takes_the_forms_the_data_takes(written: str):
    code, out, _ = invoke("evaluate", str(EXAMPLE), "--period", written, "--format", "csv")
    assert code == 0 and out == invoke("evaluate", str(EXAMPLE), "--period", "2025Q2", "--format", "csv")[1]


def test_unknown_period_and_format_are_located_errors():
    code, _, err = invoke("evaluate", str(EXAMPLE), "--period", "2025Q5")
    assert code == 1 and "E-PERIOD-UNKNOWN" in err and "2025Q4" in err
    code, _, err = invoke("evaluate", str(EXAMPLE), "--format", "jsn")
    assert code == 1 and "E-COMPONENT-UNKNOWN" in err and "json" in err


def test_output_to_a_missing_folder_fails_cleanly(tmp_path: Path):
    out = tmp_path / "nowhere" / "results.json"
    code, _, err = invoke("evaluate", str(EXAMPLE), "--format", "json", "--out", str(out))
    assert code == 1 and "E-OUTPUT-WRITE" in err
    assert not out.exists()


def test_other_data_folder(tmp_path: Path):
    data = tmp_path / "data"
    shutil.copytree(EXAMPLE / "data", data)
    values = (data / "values.csv").read_text(encoding="utf-8").replace("D01,2025,review_score", "D01,2025,review_score")
    (data / "values.csv").write_text(values, encoding="utf-8")
    code, out, _ = invoke("evaluate", str(EXAMPLE / "2025.yaml"), "--data", str(data), "--period", "2025Q1")
    assert code == 0 and "2025Q1 排名" in out


def test_bad_data_is_reported_by_file_row_and_column(tmp_path: Path):
    data = tmp_path / "data"
    shutil.copytree(EXAMPLE / "data", data)
    lines = (data / "values.csv").read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].rsplit(",", 1)[0] + ",四十"
    (data / "values.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, _, err = invoke("evaluate", str(EXAMPLE / "2025.yaml"), "--data", str(data))
    assert code == 1
    assert "values.csv:4:" in err and "E-DATA-NOT-NUMBER" in err
    assert "Traceback" not in err


def test_explain_cites_clauses_and_says_what_was_lacking():
    code, out, _ = invoke("explain", str(EXAMPLE), "D03")
    assert code == 0
    for phrase in ("考核对象：D03 工信局", "一、指标得分", "〔第三条（一）〕", "二、加分与扣分", "三、系数与总分",
                   "四、排名与等次", "五、结果运用", "年度绩效奖金"):
        assert phrase in out, phrase
    assert "还差" in out or "同分" in out or "已是最高等次" in out


def test_explain_by_name_and_period_shows_events():
    code, out, _ = invoke("explain", str(EXAMPLE), "交通局", "--period", "2025Q3")
    assert code == 0
    assert "考核周期：2025Q3" in out and "重大安全事故" in out and "一票否决" in out


def test_explain_unknown_subject_suggests_a_spelling():
    code, _, err = invoke("explain", str(EXAMPLE), "D1")
    assert code == 1 and "E-SUBJECT-UNKNOWN" in err


def test_plugins_lists_every_component_with_its_origin():
    code, out, _ = invoke("plugins", "--format", "json")
    assert code == 0
    rows = json.loads(out)
    names = {(r["kind"], r["name"]): r["origin"] for r in rows}
    for kind, name in [("rater", "attainment"), ("rater", "survey"), ("data_source", "csv"),
                       ("allocator", "two_level_pool"), ("outcome", "bottom_zero"), ("exporter", "xlsx")]:
        assert (kind, name) in names
    assert names[("rater", "survey")] == "kaohe.plugins.survey"
    code, out, _ = invoke("plugins")
    assert code == 0 and "attainment" in out and "kaohe.plugins.raters" in out


def test_plugins_gives_every_component_and_function_a_title():
    _, out, _ = invoke("plugins", "--format", "json")
    untitled = [(r["kind"], r["name"]) for r in json.loads(out) if not r["title"]]
    assert untitled == []


def test_validate_the_shipped_rulesets():
    code, out, _ = invoke("validate", str(ROOT / "rulesets"))
    assert code == 0 and "通过校验" in out


def test_ruleset_tests_pass_and_failures_fail(tmp_path: Path):
    code, out, _ = invoke("test", str(EXAMPLE))
    assert code == 0 and "0 failed" in out
    broken = tmp_path / "tests"
    broken.mkdir()
    text = (EXAMPLE / "tests" / "mechanisms.yaml").read_text(encoding="utf-8")
    text = text.replace("ruleset: ../2025.yaml", f"ruleset: {EXAMPLE / '2025.yaml'}")
    text = text.replace("total: 84.7, rank: 1", "total: 84.8, rank: 1")
    (broken / "cases.yaml").write_text(text, encoding="utf-8")
    code, out, _ = invoke("--lang", "zh", "test", str(broken / "cases.yaml"))
    assert code == 1 and "FAIL" in out and "total：预期 84.8，实际 84.7" in out and "失败 1 个" in out
    code, out, _ = invoke("--lang", "en", "test", str(broken / "cases.yaml"))
    assert code == 1 and "total: expected 84.8, got 84.7" in out and " passed, 1 failed\n" in out


def test_schema_command_prints_json():
    code, out, _ = invoke("schema", "results")
    assert code == 0 and json.loads(out)["$id"].endswith("results.schema.json")


def test_the_same_run_from_another_folder_is_byte_identical(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Paths in the results document are relative to the project root (the clone holding .git or,
    without one, the folder above the jurisdiction folder), not as typed."""
    import shutil

    project = tmp_path / "office"
    shutil.copytree(EXAMPLE, project / "example")
    (project / "kaohe.toml").write_text("", encoding="utf-8")
    runs = []
    for folder, target in ((project, "example"), (project / "example", "."), (tmp_path, str(project / "example"))):
        monkeypatch.chdir(folder)
        result = CliRunner().invoke(main, ["evaluate", target, "--format", "json"])
        assert result.exit_code == 0, result.output
        runs.append(result.stdout_bytes)
    assert runs[0] == runs[1] == runs[2]
    document = json.loads(runs[0])
    assert document["ruleset"]["file"] == "example/2025.yaml"
    assert document["data"]["tables"]["subjects"] == "example/data/subjects.csv"


@pytest.mark.parametrize("target", ["2025.yaml", "data/values.csv"])
def test_out_never_overwrites_what_the_run_read(tmp_path: Path, target: str):
    import shutil

    shutil.copytree(EXAMPLE, tmp_path / "example")
    victim = tmp_path / "example" / target
    before = victim.read_bytes()
    code, _, err = invoke("evaluate", str(tmp_path / "example"), "--format", "csv", "--out", str(victim))
    assert code == 1 and "E-OUTPUT-IS-INPUT" in err
    assert victim.read_bytes() == before


@pytest.mark.parametrize("failure", ["located", "internal"])
def test_validate_json_stays_json_when_a_command_fails(failure: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """`validate --format json` prints one JSON document even when the command itself fails (it used to
    fall back to text lines on standard error); evaluate's --format is the results', not the report's."""
    from kaohe.engine.errors import Diagnostic, KaoheError
    from kaohe.engine.ruleset import load

    def fails(paths: object) -> None:
        if failure == "internal":
            raise RuntimeError("a bug")
        raise KaoheError(Diagnostic("E-FILE-NOT-FOUND", {"file": "x.yaml"}, file="x.yaml"))

    monkeypatch.setattr(load, "validate_paths", fails)
    code, out, _ = invoke("--lang", "en", "validate", "x.yaml", "--format", "json")
    assert code == 1
    problem, = json.loads(out)["problems"]
    assert problem["code"] == ("E-INTERNAL" if failure == "internal" else "E-FILE-NOT-FOUND")
