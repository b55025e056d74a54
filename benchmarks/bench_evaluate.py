"""Benchmark: a generated cohort of persons × 20 indicators × 4 quarters + the year.

    python benchmarks/bench_evaluate.py [--persons 100000] [--json]

Generates CSV data in a temporary folder, then times each stage end to end:
load the ruleset, load the CSVs, evaluate (score, adjust, grade, allocate),
build the results document and write JSON. Prints subjects per second and
peak memory. Also times hand-written numpy doing the same scoring work for
comparison. Not part of the test suite: speed is measured here, on demand.
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kaohe.engine.evaluation.pipeline import evaluate  # noqa: E402
from kaohe.engine.evaluation.runner import load_data  # noqa: E402
from kaohe.engine.registry import default_registry  # noqa: E402
from kaohe.engine.report.results import build_document  # noqa: E402
from kaohe.engine.ruleset.load import load_ruleset  # noqa: E402

QUARTERS = ("2025Q1", "2025Q2", "2025Q3", "2025Q4")
RATERS = ("direct", "attainment", "bands", "formula", "ratio_to_best")


def ruleset_text(cohort: bool = False) -> str:
    """The benchmark method; with ``cohort`` its formula leaves compare with the
    group (cohort functions) instead of a fixed target, the same work otherwise."""
    inputs = "\n".join(f"  v{i}: {{title: 数据{i}}}\n  t{i}: {{title: 目标{i}}}" for i in range(20))
    leaves = []
    for i in range(20):
        kind = RATERS[i % len(RATERS)]
        rater = {
            "direct": f"{{use: direct, input: v{i}}}",
            "attainment": f"{{use: attainment, actual: v{i}, target: t{i}, cap: 1.2}}",
            "bands": f"{{use: bands, input: v{i}, bands: [{{to: 3, points: 1}}, {{from: 3, to: 4, points: 3}}, {{from: 4, points: 5}}]}}",
            "formula": "{use: formula, expr: \"" + (
                f"min(v{i} / t{i}, 1) * 5 * (1 + 0 * zscore(v{i}, 'group') * mean(t{i}, 'group'))" if cohort
                else f"min(v{i} / t{i}, 1) * 5") + "\"}",
            "ratio_to_best": f"{{use: ratio_to_best, input: v{i}}}",
        }[kind]
        leaves.append(f"      - {{id: k{i}, title: 指标{i}, points: 5, rater: {rater}}}")
    return f"""kaohe: 1
id: bench
title: 基准测试
year: 2025
subjects:
  kind: person
  classes: {{staff: {{title: 科员, coefficient: 1.0}}, chief: {{title: 科长, coefficient: 1.1}}}}
inputs:
{inputs}
periods: {{cycle: quarter, year: {{from_periods: mean, weight: 1.0}}}}
data:
  subjects: {{source: csv, path: subjects.csv}}
  values: {{source: csv, path: values.csv}}
  events: {{source: csv, path: events.csv}}
indicators:
  - id: all
    title: 全部指标
    points: 100
    children:
{chr(10).join(leaves)}
deductions:
  - {{id: late, title: 迟报, when: "event.type == '迟报'", points: 0.5, cap: 2}}
bonuses:
  - {{id: praise, title: 点赞, when: "event.type == '点赞'", points: 1, cap: 3}}
grading:
  group_by: unit
  tie_break: [total, id]
  grades:
    - {{grade: 优秀, min: 85, factor: 1.2, quota: {{max_share: 0.2, rounding: floor}}, eligible: "rank_pct <= 0.5"}}
    - {{grade: 合格, min: 60, factor: 1.0}}
    - {{grade: 不合格, factor: 0}}
outcomes:
  - {{id: pool, title: 奖金, use: proportional_pool, pool: 100000000, weight: "coefficient * grade_factor"}}
"""


def generate(folder: Path, persons: int, seed: int = 7, year: int = 2025) -> None:
    """subjects.csv, values.csv (4 quarters of ``year``) and events.csv in ``folder``; same seed, same files."""
    rng = np.random.default_rng(seed)
    quarters = QUARTERS if year == 2025 else tuple(f"{year}Q{q}" for q in range(1, 5))
    ids = np.char.add("P", np.char.zfill(np.arange(persons).astype(str), 6))
    units = np.char.add("U", (np.arange(persons) // 50).astype(str))
    classes = np.where(rng.random(persons) < 0.2, "chief", "staff")
    with open(folder / "subjects.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "name", "unit", "class"])
        writer.writerows(zip(ids, ids, units, classes, strict=True))
    header = ["subject", "period"] + [f"v{i}" for i in range(20)] + [f"t{i}" for i in range(20)]
    with open(folder / "values.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for quarter in quarters:
            values = np.round(rng.uniform(1, 6, size=(persons, 20)), 2)
            targets = np.full((persons, 20), 5)
            block = np.column_stack([ids, np.full(persons, quarter), values, targets])
            writer.writerows(block.tolist())
    events = persons * 3
    subjects = rng.integers(0, persons, events)
    days = rng.integers(0, 365, events)
    dates = (np.datetime64(f"{year}-01-01") + days).astype(str)
    kinds = np.where(rng.random(events) < 0.5, "迟报", "点赞")
    with open(folder / "events.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["subject", "date", "type"])
        writer.writerows(zip(ids[subjects], dates, kinds, strict=True))


def numpy_baseline(persons: int, seed: int = 7) -> float:
    """Hand-written numpy for the scoring part only (4 quarters, 20 indicators)."""
    rng = np.random.default_rng(seed)
    values = rng.uniform(1, 6, size=(4, persons, 20))
    start = time.perf_counter()
    for quarter in values:
        scores = np.empty_like(quarter)
        for i in range(20):
            v = quarter[:, i]
            kind = RATERS[i % len(RATERS)]
            if kind == "direct":
                scores[:, i] = np.clip(v, 0, 5)
            elif kind == "attainment":
                scores[:, i] = 5 * np.clip(v / 5, 0, 1.2)
            elif kind == "bands":
                scores[:, i] = np.where(v >= 4, 5, np.where(v >= 3, 3, 1))
            elif kind == "formula":
                scores[:, i] = np.minimum(v / 5, 1) * 5
            else:
                scores[:, i] = 5 * v / v.max()
        scores.sum(axis=1)
    return time.perf_counter() - start


def scoring_only(ruleset, dataset, registry) -> float:
    """The raters and the tree sums alone, comparable with the numpy baseline."""
    from kaohe.engine.data.periods import Period
    from kaohe.engine.evaluation.cohort import build_cohort
    from kaohe.engine.evaluation.scoring import score_tree

    cohorts = [build_cohort(ruleset, dataset, Period(2025, "quarter", q)) for q in range(1, 5)]
    groups = np.zeros(cohorts[0].n, dtype=np.int64)
    for cohort in cohorts:  # the ranking groups (group_by: unit), as the pipeline sets them
        cohort.groups = cohort.units
    for cohort in cohorts:  # warm the input columns, as the baseline starts from arrays in memory
        for name in ruleset.inputs:
            cohort.value(name)
    start = time.perf_counter()
    for cohort in cohorts:
        score_tree(ruleset, cohort, registry, dataset.ratings, groups)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--json", action="store_true", help="print figures as JSON")
    args = parser.parse_args()
    timings: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        generate(folder, args.persons)
        (folder / "bench.yaml").write_text(ruleset_text(), encoding="utf-8")
        registry = default_registry()
        clock = time.perf_counter()
        ruleset = load_ruleset(folder / "bench.yaml", registry)
        timings["load ruleset"] = time.perf_counter() - clock
        clock = time.perf_counter()
        dataset = load_data(ruleset, None, registry)
        timings["load csv"] = time.perf_counter() - clock
        clock = time.perf_counter()
        evaluation = evaluate(ruleset, dataset, registry)
        timings["evaluate"] = time.perf_counter() - clock
        timings["scoring only (4 quarters)"] = scoring_only(ruleset, dataset, registry)
        (folder / "bench_cohort.yaml").write_text(ruleset_text(cohort=True), encoding="utf-8")
        with_cohort = load_ruleset(folder / "bench_cohort.yaml", registry)
        timings["scoring with cohort functions"] = scoring_only(with_cohort, dataset, registry)
        clock = time.perf_counter()
        payload = json.dumps(build_document(evaluation), ensure_ascii=False)
        (folder / "results.json").write_text(payload, encoding="utf-8")
        timings["results json"] = time.perf_counter() - clock
    timings["numpy baseline (scoring only)"] = numpy_baseline(args.persons)
    total = sum(v for k, v in timings.items() if not k.startswith(("numpy", "scoring")))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    figures = {
        "persons": args.persons, "timings_s": {k: round(v, 3) for k, v in timings.items()},
        "end_to_end_s": round(total, 3),
        "evaluate_subjects_per_s": round(args.persons / timings["evaluate"]),
        "end_to_end_subjects_per_s": round(args.persons / total), "peak_memory_mb": round(peak_mb),
    }
    if args.json:
        print(json.dumps(figures, ensure_ascii=False, indent=2))
        return
    for name, seconds in timings.items():
        print(f"{name:32s} {seconds:8.3f} s")
    print(f"{'end to end':32s} {total:8.3f} s")
    ratio = timings["scoring with cohort functions"] / timings["scoring only (4 quarters)"]
    print(f"cohort functions / plain scoring: {ratio:.2f}× (the formula leaves also take a group mean and a z-score)")
    print(f"evaluate: {figures['evaluate_subjects_per_s']:,} subjects/s · end to end: "
          f"{figures['end_to_end_subjects_per_s']:,} subjects/s · peak memory {figures['peak_memory_mb']} MB")


if __name__ == "__main__":
    main()
