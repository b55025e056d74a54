"""Benchmark: the peer workload, kaohe against hand-written numpy doing the same job in the same run.

    python benchmarks/peer.py [--persons 100000] [--repeat 3] [--json]

The workload a rules engine such as OpenFisca also does: 100,000 persons, one
quarter, 10 indicators each scoring an input capped at its full marks (10 points),
and 300,000 events: 迟报 deducts 0.5 each, at most 2 a quarter; 点赞 adds 1 each,
at most 3 a quarter. total = subtotal + bonus − deduction.

Three measurements, each against the numpy script doing exactly that part:
- scoring: the ten indicators and their sum (data already in memory);
- scoring + adjustments: also the capped deductions and bonuses, per event;
- end to end to CSV: read subjects.csv, values.csv and events.csv, evaluate,
  write one CSV row per person (kaohe: ``kaohe evaluate --format csv --out``
  in-process, so the interpreter start is not counted on either side).
The best of ``--repeat`` runs is reported for each side, and kaohe's first run beside it. Not a
test: run on demand.

What each side's timed part does not do: the numpy script starts from arrays made before its
timing (the values as a dense matrix, each event's subject as an integer, a 迟报 flag per event),
needs no date order (all its points are equal, so which ones a cap removes does not matter) and
builds no per-event table. kaohe's timed part evaluates ``event.type == '迟报'``, puts the events
in date order, and builds the 300,000 adjustment rows (rule, subject, raw and kept points, event,
capped, rejected) every report reads. What kaohe keeps per dataset (the codes of the event texts,
the date order) is built in its first run, which is why that one is shown too.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

INDICATORS = 10
FULL = 10.0
EVENTS_PER_PERSON = 3


def ruleset_text() -> str:
    inputs = "\n".join(f"  v{i}: {{title: 数据{i}}}" for i in range(INDICATORS))
    leaves = "\n".join(f"      - {{id: k{i}, title: 指标{i}, points: {FULL:g}, rater: {{use: direct, input: v{i}}}}}"
                       for i in range(INDICATORS))
    return f"""kaohe: 1
id: peer
title: 同类引擎基准
year: 2025
subjects: {{kind: person}}
inputs:
{inputs}
periods: {{cycle: quarter}}
data:
  subjects: {{source: csv, path: subjects.csv}}
  values: {{source: csv, path: values.csv}}
  events: {{source: csv, path: events.csv}}
indicators:
  - id: all
    title: 全部指标
    points: {INDICATORS * FULL:g}
    children:
{leaves}
deductions:
  - {{id: late, title: 迟报, when: "event.type == '迟报'", points: 0.5, cap: 2}}
bonuses:
  - {{id: praise, title: 点赞, when: "event.type == '点赞'", points: 1, cap: 3}}
"""


def generate(folder: Path, persons: int, seed: int = 11) -> None:
    rng = np.random.default_rng(seed)
    ids = np.char.add("P", np.char.zfill(np.arange(persons).astype(str), 6))
    with open(folder / "subjects.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "name"])
        writer.writerows(zip(ids.tolist(), ids.tolist(), strict=True))
    values = np.round(rng.uniform(0, 12, size=(persons, INDICATORS)), 2)
    with open(folder / "values.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["subject", "period", *[f"v{i}" for i in range(INDICATORS)]])
        writer.writerows(np.column_stack([ids, np.full(persons, "2025Q1"), values]).tolist())
    n_events = persons * EVENTS_PER_PERSON
    who = rng.integers(0, persons, n_events)
    days = (np.datetime64("2025-01-01") + rng.integers(0, 90, n_events)).astype(str)
    kinds = np.where(rng.random(n_events) < 0.5, "迟报", "点赞")
    with open(folder / "events.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["subject", "date", "type"])
        writer.writerows(zip(ids[who].tolist(), days.tolist(), kinds.tolist(), strict=True))


# ---------------------------------------------------------------------------
# hand-written numpy


def capped_per_subject(subject: np.ndarray, points: float, cap: float, n: int) -> np.ndarray:
    """Equal points per event, at most ``cap`` a subject: the count times points, capped."""
    return np.minimum(np.bincount(subject, minlength=n) * points, cap)


def numpy_scoring(values: np.ndarray) -> np.ndarray:
    return np.clip(values, 0.0, FULL).sum(axis=1)


def numpy_scoring_adjustments(values: np.ndarray, subject: np.ndarray, late: np.ndarray) -> np.ndarray:
    n = len(values)
    subtotal = numpy_scoring(values)
    deduction = capped_per_subject(subject[late], 0.5, 2.0, n)
    bonus = capped_per_subject(subject[~late], 1.0, 3.0, n)
    return subtotal + bonus - deduction


def numpy_end_to_end(folder: Path, out: Path) -> None:
    with open(folder / "subjects.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))[1:]
    ids = [r[0] for r in rows]
    names = [r[1] for r in rows]
    index = {k: i for i, k in enumerate(ids)}
    with open(folder / "values.csv", encoding="utf-8", newline="") as handle:
        value_rows = list(csv.reader(handle))[1:]
    values = np.full((len(ids), INDICATORS), np.nan)
    positions = np.fromiter((index[r[0]] for r in value_rows), dtype=np.int64, count=len(value_rows))
    values[positions] = np.array([r[2:] for r in value_rows], dtype=float)
    with open(folder / "events.csv", encoding="utf-8", newline="") as handle:
        event_rows = list(csv.reader(handle))[1:]
    subject = np.fromiter((index[r[0]] for r in event_rows), dtype=np.int64, count=len(event_rows))
    late = np.fromiter((r[2] == "迟报" for r in event_rows), dtype=bool, count=len(event_rows))
    scores = np.clip(np.nan_to_num(values), 0.0, FULL)
    subtotal = scores.sum(axis=1)
    deduction = capped_per_subject(subject[late], 0.5, 2.0, len(ids))
    bonus = capped_per_subject(subject[~late], 1.0, 3.0, len(ids))
    total = np.round(subtotal + bonus - deduction, 2)
    with open(out, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["编号", "名称", *[f"指标{i}" for i in range(INDICATORS)], "小计", "加分", "扣分", "总分"])
        writer.writerows(zip(ids, names, *np.round(scores, 6).T.tolist(), np.round(subtotal, 6).tolist(),
                             bonus.tolist(), deduction.tolist(), total.tolist(), strict=True))


# ---------------------------------------------------------------------------
# kaohe


def kaohe_parts(folder: Path) -> tuple[Callable[[], object], Callable[[], object], dict[str, np.ndarray]]:
    """(scoring, scoring + adjustments) over data loaded once, and the arrays numpy starts from."""
    from kaohe.engine.data.periods import Period
    from kaohe.engine.evaluation.adjust import CapState, apply_adjustments
    from kaohe.engine.evaluation.cohort import build_cohort
    from kaohe.engine.evaluation.pipeline import _effective_dates, _events_in
    from kaohe.engine.evaluation.runner import load_data
    from kaohe.engine.evaluation.scoring import score_tree
    from kaohe.engine.registry import default_registry
    from kaohe.engine.ruleset.load import load_ruleset

    registry = default_registry()
    ruleset = load_ruleset(folder / "peer.yaml", registry)
    dataset = load_data(ruleset, None, registry)
    period = Period(2025, "quarter", 1)
    groups = np.zeros(len(dataset.subjects), dtype=np.int64)

    def scoring() -> object:
        cohort = build_cohort(ruleset, dataset, period)
        return score_tree(ruleset, cohort, registry, dataset.ratings, groups)

    def scoring_adjustments() -> object:
        cohort = build_cohort(ruleset, dataset, period)
        view = _events_in(dataset.events, _effective_dates(dataset.events), period)
        tree = score_tree(ruleset, cohort, registry, dataset.ratings, groups, view)
        return apply_adjustments(ruleset, cohort, tree, view, CapState())

    cohort = build_cohort(ruleset, dataset, period)
    arrays = {
        "values": np.column_stack([cohort.value(f"v{i}") for i in range(INDICATORS)]),
        "subject": dataset.events.subject.astype(np.int64),
        "late": np.asarray(dataset.events.type) == "迟报",
    }
    return scoring, scoring_adjustments, arrays


def kaohe_end_to_end(folder: Path, out: Path) -> None:
    from click.testing import CliRunner

    from kaohe.cli import main

    result = CliRunner().invoke(main, ["-q", "evaluate", str(folder / "peer.yaml"), "--period", "2025Q1",
                                       "--format", "csv", "--out", str(out)], catch_exceptions=False)
    if result.exit_code:
        raise SystemExit(result.output)


def best(repeat: int, job: Callable[[], object]) -> float:
    return timings(repeat, job)[0]


def timings(repeat: int, job: Callable[[], object]) -> tuple[float, float]:
    """(best, first) of ``repeat`` runs."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        job()
        times.append(time.perf_counter() - start)
    return min(times), times[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        generate(folder, args.persons)
        (folder / "peer.yaml").write_text(ruleset_text(), encoding="utf-8")
        scoring, scoring_adjustments, arrays = kaohe_parts(folder)
        values, subject, late = arrays["values"], arrays["subject"], arrays["late"]
        rows = {
            "scoring": (timings(args.repeat, scoring), best(args.repeat, lambda: numpy_scoring(values))),
            "scoring + adjustments": (timings(args.repeat, scoring_adjustments),
                                      best(args.repeat, lambda: numpy_scoring_adjustments(values, subject, late))),
            "end to end to CSV": (timings(args.repeat, lambda: kaohe_end_to_end(folder, folder / "k.csv")),
                                  best(args.repeat, lambda: numpy_end_to_end(folder, folder / "n.csv"))),
        }
    figures = {name: {"kaohe_s": round(k, 4), "numpy_s": round(n, 4), "ratio": round(k / n, 2),
                      "kaohe_first_s": round(first, 4)}
               for name, ((k, first), n) in rows.items()}
    if args.json:
        print(json.dumps({"persons": args.persons, **figures}, ensure_ascii=False, indent=2))
        return
    out = io.StringIO()
    out.write(f"peer workload, {args.persons:,} persons, best of {args.repeat}\n")
    for name, f in figures.items():
        out.write(f"{name:24s} kaohe {f['kaohe_s']:8.3f} s   numpy {f['numpy_s']:8.3f} s   {f['ratio']:6.2f}×"
                  f"   (kaohe's first run {f['kaohe_first_s']:.3f} s)\n")
    print(out.getvalue(), end="")


if __name__ == "__main__":
    main()
