"""Benchmark: a province on one machine, single process against Dask partitions, Parquet out.

    python benchmarks/province.py [--persons 500000] [--workers 2] [--json]

The data of benchmarks/bench_evaluate.py (persons × 20 indicators × 4 quarters + the year, 3 events
each, units of 50), with each unit in a city of 20 units, and its method with two changes a
partitioned run needs: the bonus pool shared by the whole province is replaced by a red-card warning
(a pool over everyone cannot be split, docs/distributed.md), and 优秀 gains a province-wide cap
(``across_groups: {max_share: 0.1}``) on top of each unit's 20 %. Three whole commands, one process
each, wall time and peak memory (the Dask run's workers are counted apart: they are other processes):

- ``kaohe evaluate --format parquet`` in one process;
- ``kaohe partition --by city``;
- ``kaohe evaluate --engine dask --workers N --partition-by city --format parquet``;

and whether the two Parquet files are byte-identical. Not a test: run on demand.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import bench_evaluate  # noqa: E402
from benchmarks.city import compiled_kaohe, generate_apart, timed  # noqa: E402

UNITS_PER_CITY = 20


def ruleset_text() -> str:
    text = bench_evaluate.ruleset_text().replace("  kind: person\n", "  kind: person\n  fields: {city: {title: 地市}}\n")
    text = text.replace('eligible: "rank_pct <= 0.5"}', 'eligible: "rank_pct <= 0.5", across_groups: {max_share: 0.1}}')
    head = text.split("outcomes:")[0]
    return head + 'outcomes:\n  - {id: red, title: 红牌, use: warning, when: "total < 55", level: 红牌}\n'


def add_cities(folder: Path) -> None:
    with open(folder / "subjects.csv", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    rows[0].append("city")
    for row in rows[1:]:
        row.append(f"C{int(row[2][1:]) // UNITS_PER_CITY:03d}")
    with open(folder / "subjects.csv", "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=500_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    env = {**os.environ, "KAOHE_LANG": "zh"}
    rows: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        compiled_kaohe()
        generate_apart(folder, args.persons, f"import province\nprovince.add_cities(Path({str(folder)!r}))")
        ruleset = folder / "province.yaml"
        ruleset.write_text(ruleset_text(), encoding="utf-8")
        commands = {
            "single parquet": ["-q", "evaluate", str(ruleset), "--format", "parquet", "--out", str(folder / "one.parquet")],
            "partition": ["-q", "partition", str(ruleset), "--by", "city", "--out", str(folder / "parts")],
            "dask parquet": ["-q", "evaluate", str(ruleset), "--engine", "dask", "--workers", str(args.workers),
                             "--data", str(folder / "parts"), "--partition-by", "city", "--format", "parquet",
                             "--out", str(folder / "dask.parquet")],
        }
        for name, command in commands.items():
            seconds, mb = timed(command, env)
            rows[name] = {"seconds": round(seconds, 2), "peak_mb": round(mb)}
        digests = [hashlib.sha256((folder / f).read_bytes()).hexdigest() for f in ("one.parquet", "dask.parquet")]
    identical = digests[0] == digests[1]
    if args.json:
        print(json.dumps({"persons": args.persons, **rows, "identical": identical}, ensure_ascii=False, indent=2))
        return
    print(f"province: {args.persons:,} persons × 4 quarters + year, {args.workers} Dask workers")
    for name, row in rows.items():
        print(f"{name:16s} {row['seconds']:8.2f} s  {row['peak_mb']:7.0f} MB (this process)")
    print(f"Parquet byte-identical: {identical}")


if __name__ == "__main__":
    main()
