"""Partitioned evaluation (docs/distributed.md): the data split by a subjects column into Parquet
partitions, evaluated partition by partition (in this process, and on a local Dask cluster of two
worker processes), the places across groups decided after the partitions; the Parquet results are
the single-process file byte for byte, and refusals of what cannot be split are located."""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from kaohe.cli import main
from kaohe.engine.distributed.run import evaluate_partitioned, serial_map
from kaohe.engine.errors import KaoheError
from kaohe.engine.registry import default_registry
from kaohe.engine.ruleset.load import load_ruleset

CITY = """\
kaohe: 1
id: city
title: 分区计算
year: 2025
subjects:
  kind: person
  fields: {city: {title: 地市}}
inputs:
  work: {title: 工作实绩}
periods: {cycle: quarter, year: {from_periods: mean, weight: 1.0}}
data:
  subjects: {source: csv, path: subjects.csv}
  values: {source: csv, path: values.csv}
  events: {source: csv, path: events.csv}
indicators:
  - {id: work, title: 工作实绩, points: 100, rater: {use: direct, input: work}}
deductions:
  - {id: late, title: 迟报, when: "event.type == '迟报'", points: 1, cap: 3}
grading:
  group_by: unit
  grades:
    - {grade: 优秀, min: 85, quota: {max_share: 0.4}, across_groups: {max_share: 0.2}}
    - {grade: 良好, min: 75, across_groups: {max_share: 0.3}}
    - {grade: 合格, min: 60}
    - {grade: 不合格}
outcomes:
  - {id: red, title: 红牌, use: warning, when: "total < 62", level: 红牌}
"""


def write_city(folder: Path, text: str = CITY) -> Path:
    """3 cities × 2 units × 10 persons; scores spread 60–99 by a fixed formula, late reports for some."""
    ids = [f"P{c}{u}{k:02d}" for c in range(3) for u in range(2) for k in range(10)]
    with open(folder / "subjects.csv", "w", newline="", encoding="utf-8") as handle:
        rows = [[i, f"人员{i}", f"U{i[1:3]}", "staff", f"C{i[1]}"] for i in ids]
        csv.writer(handle).writerows([["id", "name", "unit", "class", "city"], *rows])
    with open(folder / "values.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["subject", "period", "work"])
        for q in range(1, 5):
            writer.writerows([i, f"2025Q{q}", 60 + (n * 7 + q * 11) % 40] for n, i in enumerate(ids))
    with open(folder / "events.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["subject", "date", "type"])
        writer.writerows([ids[(n * 5) % 60], f"2025-{1 + n % 12:02d}-15", "迟报"] for n in range(40))
    ruleset = folder / "city.yaml"
    ruleset.write_text(text, encoding="utf-8")
    return ruleset


def invoke(*args: str) -> str:
    result = CliRunner().invoke(main, ["--lang", "en", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, bytes]:
    folder = tmp_path_factory.mktemp("city")
    ruleset = write_city(folder)
    invoke("-q", "evaluate", str(ruleset), "--format", "parquet", "--out", str(folder / "single.parquet"))
    invoke("-q", "partition", str(ruleset), "--by", "city", "--out", str(folder / "parts"))
    return ruleset, folder / "parts", (folder / "single.parquet").read_bytes()


def test_the_partitions_hold_every_row_once(city: tuple[Path, Path, bytes]) -> None:
    _, parts, _ = city
    assert sorted(p.name for p in (parts / "values.parquet").iterdir()) == ["city=C0", "city=C1", "city=C2"]
    assert sum(pq.read_table(f).num_rows for f in (parts / "values.parquet").rglob("*.parquet")) == 60 * 4
    c1 = pq.read_table(parts / "subjects.parquet" / "city=C1" / "part-0.parquet").column("id").to_pylist()
    assert c1 == [f"P1{u}{k:02d}" for u in range(2) for k in range(10)]


def test_partitions_in_turn_give_the_single_process_file(city: tuple[Path, Path, bytes], tmp_path: Path) -> None:
    ruleset, parts, single = city
    compiled = load_ruleset(ruleset, default_registry())
    partitioned = evaluate_partitioned(compiled, default_registry(), parts, "city", serial_map)
    # 优秀 refusals move people into 良好, whose own places cross groups: a round to settle each, one to confirm
    assert partitioned.rounds >= 3
    from kaohe.engine.distributed.run import write_results

    with open(tmp_path / "serial.parquet", "wb") as handle:
        write_results(partitioned, handle)
    assert (tmp_path / "serial.parquet").read_bytes() == single


def test_the_cap_over_all_groups_binds(city: tuple[Path, Path, bytes]) -> None:
    _, _, single = city
    import io

    rows = pq.read_table(io.BytesIO(single)).to_pylist()
    for period in ("2025Q1", "2025Q2", "2025Q3", "2025Q4", "2025"):
        grades = [r["grade"] for r in rows if r["period"] == period]
        units = {(r["unit"]) for r in rows if r["period"] == period and r["grade"] == "优秀"}
        # 60 ranked: 优秀 at most floor(60 × 0.2) = 12 in all (each unit alone would allow floor(10 × 0.4) = 4 × 6 = 24)
        assert grades.count("优秀") <= 12 and units
        assert grades.count("良好") <= 18  # floor(60 × 0.3)
    q1 = [r for r in rows if r["period"] == "2025Q1"]
    assert sum(r["grade"] == "优秀" for r in q1) == 12  # Q1 has more than 12 at 85 or above within their units' 4
    assert any("跨组名额已满：全体 60 名 × 0.2（向下取整） = 12 名" in r["grade_reason"] for r in q1)


def test_a_local_dask_cluster_of_two_processes_gives_the_same_bytes(city: tuple[Path, Path, bytes],
                                                                    tmp_path: Path) -> None:
    ruleset, parts, single = city
    out = tmp_path / "dask.parquet"
    output = invoke("evaluate", str(ruleset), "--engine", "dask", "--workers", "2", "--data", str(parts),
                    "--partition-by", "city", "--format", "parquet", "--out", str(out))
    assert "60 subjects, 3 partitions" in output
    assert out.read_bytes() == single


def test_the_worked_example_through_partitions(tmp_path: Path) -> None:
    # tests/test_across_groups.py's case, partitioned by class (= the ranking groups): B02 (96) is the
    # fourth holder in the overall order, beyond floor(10 × 0.3) = 3 places → 良好
    text = (Path(__file__).parent / "test_across_groups.py").read_text(encoding="utf-8")
    ruleset_text = text.split('RULESET = """\\\n')[1].split('"""')[0]
    ruleset_text += "data:\n  subjects: {source: csv, path: subjects.csv}\n  values: {source: csv, path: values.csv}\n"
    scores = {"A01": 99, "A02": 97, "A03": 95, "A04": 80, "A05": 70, "B01": 98, "B02": 96, "B03": 94, "B04": 85,
              "B05": 60}
    (tmp_path / "subjects.csv").write_text("id,name,class,region\n" + "".join(
        f"{s},{s},{s[0]},东\n" for s in scores), encoding="utf-8")
    (tmp_path / "values.csv").write_text("subject,period,work\n" + "".join(
        f"{s},2025,{v}\n" for s, v in scores.items()), encoding="utf-8")
    (tmp_path / "r.yaml").write_text(ruleset_text, encoding="utf-8")
    invoke("-q", "partition", str(tmp_path / "r.yaml"), "--by", "class", "--out", str(tmp_path / "parts"))
    compiled = load_ruleset(tmp_path / "r.yaml", default_registry())
    partitioned = evaluate_partitioned(compiled, default_registry(), tmp_path / "parts", "class", serial_map)
    ids = partitioned.periods[0][1].to_pylist()
    grades = partitioned.periods[0][partitioned.column_ids.index("grade")].to_pylist()
    assert dict(zip(ids, grades, strict=True)) == {
        "A01": "优秀", "A02": "优秀", "A03": "良好", "A04": "良好", "A05": "合格",
        "B01": "优秀", "B02": "良好", "B03": "良好", "B04": "良好", "B05": "合格",
    }


def refusal(tmp_path: Path, text: str, key: str = "city") -> KaoheError:
    ruleset = write_city(tmp_path, text)
    invoke("-q", "partition", str(ruleset), "--by", key, "--out", str(tmp_path / "parts"))
    compiled = load_ruleset(ruleset, default_registry())
    with pytest.raises(KaoheError) as caught:
        evaluate_partitioned(compiled, default_registry(), tmp_path / "parts", key, serial_map)
    return caught.value


def test_a_pool_shared_by_everyone_is_refused_at_its_line(tmp_path: Path) -> None:
    text = CITY + "  - {id: pool, title: 奖金, use: proportional_pool, pool: 10000, weight: \"1\"}\n"
    problem = refusal(tmp_path, text).diagnostics[0]
    assert problem.code == "E-PARTITION-OUTCOME" and problem.line == text.count("\n")
    assert "pool" in problem.message("en")


def test_a_comparison_with_the_whole_period_is_refused_at_its_expression(tmp_path: Path) -> None:
    text = CITY.replace('when: "total < 62"', "when: \"total < percentile(total, 0.1)\"")
    problem = refusal(tmp_path, text).diagnostics[0]
    assert problem.code == "E-PARTITION-SCOPE"
    lines = text.splitlines()
    assert problem.line == lines.index(next(line for line in lines if "percentile" in line)) + 1
    assert "'all'" in problem.message("en")


def test_a_ranking_group_split_over_partitions_is_refused(tmp_path: Path) -> None:
    text = CITY.replace("group_by: unit", "group_by: class")  # one group 'staff' in every city
    problem = refusal(tmp_path, text).diagnostics[0]
    assert problem.code == "E-PARTITION-GROUP"
    assert "'staff'" in problem.message("en") and "C0" in problem.message("en")


def test_only_parquet_is_written_by_a_partitioned_run(city: tuple[Path, Path, bytes]) -> None:
    ruleset, parts, _ = city
    result = CliRunner().invoke(main, ["--lang", "en", "evaluate", str(ruleset), "--engine", "dask", "--data",
                                       str(parts), "--format", "csv"])
    assert result.exit_code != 0 and "E-PARTITION-FORMAT" in result.output


def test_a_plugin_rater_that_does_not_say_it_stays_in_its_group_is_refused(tmp_path: Path) -> None:
    from kaohe.engine.components import Rater, RaterResult
    from kaohe.engine.distributed.run import check_splittable
    from kaohe.engine.hookspecs import hookimpl
    from kaohe.engine.registry import build_registry, make_plugin_manager

    class Whole(Rater):
        name = "whole_period"
        title = "全体比较"
        description = "compares with everyone (for the test)"
        params_schema = {"type": "object", "properties": {"input": {"type": "string"}}}

        def score(self, params, ctx) -> RaterResult:  # pragma: no cover - never evaluated here
            raise NotImplementedError

    class Plugin:
        @hookimpl
        def register_raters(self, register):
            register.rater(Whole)

    registry = build_registry(make_plugin_manager(extra=[Plugin()], entry_points=False))
    text = CITY.replace("rater: {use: direct, input: work}", "rater: {use: whole_period, input: work}")
    ruleset = write_city(tmp_path, text)
    with pytest.raises(KaoheError) as caught:
        check_splittable(load_ruleset(ruleset, registry), registry)
    problem = caught.value.diagnostics[0]
    assert problem.code == "E-PARTITION-RATER" and problem.line == 16
    assert "whole_period" in problem.message("en")


def test_partitions_of_a_file_read_as_columns_are_those_of_one_read_as_rows(tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from kaohe.plugins import data_sources

    monkeypatch.setattr(data_sources, "ARROW_CSV_BYTES", 1)  # Arrow reads files this small too
    ruleset = write_city(tmp_path)
    with open(tmp_path / "values.csv", "a", encoding="utf-8") as handle:
        handle.writelines(f"P{c}{u}{k:02d},{y}Q{q},{50 + k}\n" for y in range(2000, 2025) for q in range(1, 5)
                          for c in range(3) for u in range(2) for k in range(10))
    invoke("-q", "partition", str(ruleset), "--by", "city", "--out", str(tmp_path / "columns"))
    monkeypatch.setattr(data_sources, "_read_plain_csv", lambda *read: None)
    invoke("-q", "partition", str(ruleset), "--by", "city", "--out", str(tmp_path / "rows"))
    files = sorted(p.relative_to(tmp_path / "rows") for p in (tmp_path / "rows").rglob("*.parquet") if p.is_file())
    assert files == sorted(p.relative_to(tmp_path / "columns") for p in (tmp_path / "columns").rglob("*.parquet")
                           if p.is_file())
    assert len(files) == 9  # 3 tables × 3 cities
    for file in files:
        assert pq.ParquetFile(tmp_path / "rows" / file).read().equals(pq.ParquetFile(tmp_path / "columns" / file).read()), file


def test_a_running_cluster_is_used_by_its_scheduler_address(city: tuple[Path, Path, bytes], tmp_path: Path) -> None:
    from dask.distributed import LocalCluster

    ruleset, parts, single = city
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        out = tmp_path / "remote.parquet"
        invoke("-q", "evaluate", str(ruleset), "--engine", "dask", "--scheduler", cluster.scheduler_address,
               "--data", str(parts), "--partition-by", "city", "--format", "parquet", "--out", str(out))
        assert out.read_bytes() == single  # evaluated through the running cluster's scheduler
