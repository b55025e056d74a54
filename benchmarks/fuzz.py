"""Fuzz the command line with broken rulesets, on demand (engine/testing/fuzz.py).

    python benchmarks/fuzz.py --trials 2000 --seed 0

Prints the counts per outcome (ok, internal, unlocated, slow) and every finding with its seed, so a finding
can be replayed with --seed N --trials 1."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from kaohe.cli import main as cli
from kaohe.engine.testing.fuzz import fuzz

ROOT = Path(__file__).resolve().parent.parent
RULESETS = sorted(p for p in (ROOT / "rulesets").glob("*/20*.yaml") if (p.parent / "data").is_dir())


def run() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--data", action="store_true", help="every other trial breaks a data file instead")
    args = parser.parse_args()
    started = time.perf_counter()
    report = fuzz(cli, RULESETS, args.trials, args.seed, args.seconds, data=args.data)
    counts = report.counts()
    print(f"{args.trials} trials in {time.perf_counter() - started:.0f} s: "
          + ", ".join(f"{k} {counts.get(k, 0)}" for k in ("ok", "internal", "unlocated", "slow")))
    for trial in report.findings():
        print(f"  seed {trial.seed} {trial.outcome}: {trial.path} {trial.change} — {trial.detail}")
    return 1 if report.findings() else 0


if __name__ == "__main__":
    sys.exit(run())
