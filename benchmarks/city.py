"""Benchmark: a city of 10,000 persons × 4 quarters + the year, every output format, whole commands.

    python benchmarks/city.py [--persons 10000] [--formats json,csv,xlsx,parquet,table] [--explain] [--repeat N]

Generates the data of ``bench_evaluate.py`` (20 indicators, 3 events a person, quotas and a bonus
pool), then runs ``kaohe evaluate … --format F --out FILE`` once per format as its own process and
reports its wall time and peak memory (the child's own ``ru_maxrss``, reported at its exit), plus
``kaohe explain --all`` with ``--explain``; ``--repeat N`` runs each command N times, the formats in
turn, and reports the fastest run (on a shared machine the others mostly measure its other work).
Before each command the file system is flushed (``os.sync``), outside the timing: a command that
syncs its output (explain's 10,000 files, on a disk mounted with ``discard``) would otherwise pay
for freeing the previous run's files. The hand-written numpy comparison of the same kind of work
is ``benchmarks/peer.py``. Not a test: run on demand.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_evaluate  # noqa: E402

FORMATS = ("json", "csv", "xlsx", "parquet", "table")


# peak memory: the larger of the process's and its helper's (a forked child writing half a city's
# JSON periods, engine/report/forked.py), each its own resident set, shared pages counted in both
KAOHE = [sys.executable, "-c",
         "import atexit, resource, sys\n"
         "atexit.register(lambda: sys.stderr.write('\\nMAXRSS_KB %d\\n' % max("
         "resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)))\n"
         "from kaohe.cli import program\nprogram()"]  # the program the kaohe script runs


def compiled_kaohe() -> None:
    """kaohe's bytecode written before anything is timed: an installed package has it (pip compiles
    on install), but with PYTHONDONTWRITEBYTECODE set (as on the machine these figures come from)
    every command would compile kaohe's modules first, about 0.3 s, and time the compiler."""
    import compileall

    for part in ("engine", "plugins", "cli.py"):
        target = ROOT / part
        (compileall.compile_file if target.is_file() else compileall.compile_dir)(str(target), quiet=1)


def generate_apart(folder: Path, persons: int, then: str = "") -> None:
    """bench_evaluate's data made in a process of its own, then ``then`` (Python run there): Linux
    keeps a process's peak memory (ru_maxrss) across fork and exec, so a benchmark that made 500,000
    persons' data itself would lend every command it times its own peak."""
    here = Path(__file__).resolve().parent
    code = (f"import sys; sys.path[:0] = [{str(here)!r}, {str(here.parent)!r}]\n"
            f"from pathlib import Path\nimport bench_evaluate\n"
            f"bench_evaluate.generate(Path({str(folder)!r}), {persons})\n{then}")
    subprocess.run([sys.executable, "-c", code], check=True)


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak resident MB of one kaohe process."""
    start = time.perf_counter()
    done = subprocess.run([*KAOHE, *command], env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode:
        raise SystemExit(f"kaohe {' '.join(command)} failed:\n{done.stderr[-2000:]}")
    kb = next(int(line.split()[1]) for line in done.stderr.splitlines() if line.startswith("MAXRSS_KB"))
    return seconds, kb / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=10_000)
    parser.add_argument("--formats", default=",".join(FORMATS))
    parser.add_argument("--explain", action="store_true", help="also time kaohe explain --all --out DIR")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each command; the fastest is reported")
    args = parser.parse_args()
    env = {**os.environ, "KAOHE_LANG": "zh", "COLUMNS": "160"}
    rows: dict[str, dict[str, float]] = {}
    compiled_kaohe()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        generate_apart(folder, args.persons)
        ruleset = folder / "bench.yaml"
        ruleset.write_text(bench_evaluate.ruleset_text(), encoding="utf-8")
        runs: dict[str, list[tuple[float, float]]] = {}
        for _ in range(max(1, args.repeat)):
            for fmt in args.formats.split(","):
                out = folder / f"results.{'txt' if fmt == 'table' else fmt}"
                # each run writes a new file: replacing the last run's (144 MB of JSON) would time the
                # file system freeing it (some 0.1 s), which a first run does not pay
                out.unlink(missing_ok=True)
                os.sync()  # the last run's writes and frees flushed before, not by, this one's
                runs.setdefault(fmt, []).append(
                    timed(["-q", "evaluate", str(ruleset), "--format", fmt, "--out", str(out)], env))
                rows[fmt] = {"bytes": out.stat().st_size}
        for fmt, measured in runs.items():
            seconds, mb = min(measured)
            rows[fmt] = {"seconds": round(seconds, 2), "peak_mb": round(mb), **rows[fmt]}
        if args.explain:  # each run into a new folder; explain syncs once, so flush what came before
            measured = []
            for k in range(max(1, args.repeat)):
                os.sync()
                measured.append(timed(["-q", "explain", str(ruleset), "--all", "--out", str(folder / f"ex{k}")], env))
            seconds, mb = min(measured)
            rows["explain --all"] = {"seconds": round(seconds, 2), "peak_mb": round(mb),
                                     "bytes": sum(p.stat().st_size for p in (folder / "ex0").iterdir())}
    if args.json:
        print(json.dumps({"persons": args.persons, **rows}, ensure_ascii=False, indent=2))
        return
    print(f"city: {args.persons:,} persons × 4 quarters + year (one process per command)")
    for name, row in rows.items():
        print(f"{name:14s} {row['seconds']:7.2f} s  {row['peak_mb']:6.0f} MB  {row['bytes'] / 1e6:8.1f} MB written")


if __name__ == "__main__":
    main()
