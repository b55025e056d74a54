"""Benchmark of ``kaohe report`` (issue 14): the HTML report of a city of 10,000 persons.

    python benchmarks/report.py [--persons 10000] [--repeat 3] [--json] [--keep FILE]

The data is bench_evaluate.py's generated cohort (persons × 20 indicators ×
4 quarters + the year, seeded: the same files on every run). Measured, each the
median of ``--repeat`` timings:

(a) load + evaluate (what every command pays), (b) the subjects' columns of the period
reported (the year; the report reads no other; a subject's record is made when its section is),
(c) the report's facts (engine/report/html/facts.py, incl. the distance to the next
grade of every subject), (d) the HTML text (b and c included), (e) the whole ``kaohe report … --out``
command in a subprocess, Python start-up included; and the file's size.
The goal: (e) under 10 s for 10,000 persons. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_evaluate import generate, ruleset_text  # noqa: E402

from kaohe.engine.evaluation.pipeline import evaluate  # noqa: E402
from kaohe.engine.evaluation.runner import load_data  # noqa: E402
from kaohe.engine.registry import default_registry  # noqa: E402
from kaohe.engine.report.html.build import from_evaluation, html_bytes  # noqa: E402
from kaohe.engine.report.html.facts import extras_of  # noqa: E402
from kaohe.engine.report.html.subjects import of_result  # noqa: E402
from kaohe.engine.ruleset.load import load_ruleset  # noqa: E402

CPU: dict[str, float] = {}  # CPU time of each in-process step: what it costs on an idle machine


def timed(action: Callable[[], Any], repeat: int, name: str = "") -> tuple[float, Any]:
    times, cpu, result = [], [], None
    for _ in range(repeat):
        clock, used = time.perf_counter(), time.process_time()
        result = action()
        times.append(time.perf_counter() - clock)
        cpu.append(time.process_time() - used)
    if name:
        CPU[name] = statistics.median(cpu)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="print figures as JSON")
    parser.add_argument("--keep", type=Path, default=None, help="also copy the report here")
    args = parser.parse_args()
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "kaohe.toml").write_text("", encoding="utf-8")
        generate(folder, args.persons)
        (folder / "bench.yaml").write_text(ruleset_text(), encoding="utf-8")
        registry = default_registry()

        def load_and_evaluate() -> Any:
            ruleset = load_ruleset(folder / "bench.yaml", registry)
            return evaluate(ruleset, load_data(ruleset, None, registry), registry)

        figures["load + evaluate"], evaluation = timed(load_and_evaluate, args.repeat, "load + evaluate")
        year = evaluation.periods[-1]  # what kaohe report reads: the period reported, as columns
        figures["subjects' columns (the year only)"], _ = timed(lambda: of_result(evaluation, year), args.repeat,
                                                                "subjects' columns (the year only)")
        figures["facts (quotas, lines, distances)"], _ = timed(lambda: extras_of(evaluation, None), args.repeat,
                                                                   "facts (quotas, lines, distances)")
        figures["html text"], data = timed(
            lambda: html_bytes(from_evaluation(evaluation)), args.repeat, "html text")
        out = folder / "report.html"
        command = [sys.executable, "-m", "kaohe.cli", "-q", "report", str(folder / "bench.yaml"), "--out", str(out)]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        figures["kaohe report (subprocess)"], _ = timed(
            lambda: subprocess.run(command, check=True, capture_output=True), args.repeat)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        # CPU time is what the command costs on an idle machine: wall time grows with other load
        figures["kaohe report (subprocess), CPU time"] = (
            (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)) / args.repeat
        size = out.stat().st_size
        if args.keep:
            args.keep.write_bytes(out.read_bytes())
    result = {"persons": args.persons, "load_average": round(os.getloadavg()[0], 1), "cpus": os.cpu_count(),
              "timings_s": {k: round(v, 3) for k, v in figures.items()},
              "cpu_s": {k: round(v, 3) for k, v in CPU.items()},
              "html_mb": round(size / 1024 ** 2, 1), "html_bytes_in_memory": len(data)}
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return
    print(f"kaohe report, {args.persons} persons (median of {args.repeat}; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")
    for name, seconds in figures.items():
        cpu = f"   (CPU {CPU[name]:.3f} s)" if name in CPU else ""
        print(f"  {name:<36} {seconds:7.3f} s{cpu}")
    print(f"  {'report.html':<36} {size / 1024 ** 2:7.1f} MB")


if __name__ == "__main__":
    main()
