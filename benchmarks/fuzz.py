"""Fuzz the command line, on demand (engine/testing/fuzz.py).

    python benchmarks/fuzz.py --trials 2000 --seed 0          # broken rulesets
    python benchmarks/fuzz.py --trials 2000 --seed 0 --data   # every other trial breaks a data file
    python benchmarks/fuzz.py --attack                        # every expression attack in every slot

Prints the counts per outcome (ok, internal, unlocated, slow, mismatch, nojson, escaped) and every finding
with its seed; a finding is replayed with --seed N --trials 1 (with --attack: --seed N --trials 1 --attack
replays attack N). Exits 1 when anything was found."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from kaohe.cli import main as cli
from kaohe.engine.testing.fuzz import OUTCOMES, Report, attack, fuzz

ROOT = Path(__file__).resolve().parent.parent
RULESETS = sorted(p for p in (ROOT / "rulesets").glob("**/20*.yaml")
                  if (p.parent / "data").is_dir() and "tests" not in p.parts)
SCHEMA = json.loads((ROOT / "schemas" / "ruleset.schema.json").read_text(encoding="utf-8"))


def run() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=None, help="default: 200, or with --attack every pair")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--seconds", type=float, default=2.0, help="a run over this long counts as slow")
    parser.add_argument("--data", action="store_true", help="every other trial breaks a data file instead")
    parser.add_argument("--attack", action="store_true", help="the expression attack corpus in every slot")
    args = parser.parse_args()
    started = time.perf_counter()
    report: Report
    if args.attack:
        only = None if args.trials is None else range(args.seed, args.seed + args.trials)
        report = attack(cli, RULESETS, SCHEMA, only=only, seconds=args.seconds)
    else:
        report = fuzz(cli, RULESETS, args.trials or 200, args.seed, args.seconds, data=args.data)
    counts = report.counts()
    print(f"{len(report.trials)} trials in {time.perf_counter() - started:.0f} s: "
          + ", ".join(f"{k} {counts.get(k, 0)}" for k in OUTCOMES))
    for trial in report.findings():
        print(f"  seed {trial.seed} {trial.outcome}: {trial.path} {trial.change} — {trial.detail}")
    return 1 if report.findings() else 0


if __name__ == "__main__":
    sys.exit(run())
