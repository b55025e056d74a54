"""Mutation check of the shipped rulesets: which single policy-value changes no test case detects.

    python benchmarks/mutation.py [rulesets/chengdu ...] [--json] [--min-score 0.8]

Without folders: every jurisdiction under rulesets/ that has tests/. Changes
one policy value at a time in each ruleset file the cases use (after
extends), runs that jurisdiction's cases against it and reports per
jurisdiction: mutations, invalid, killed, survived, score and every survivor
as ``file::$.json.path: old → new`` (``--json``: the same as JSON). The
report on standard output is the same on every run; progress and the time
taken go to standard error. Exit code 0, or 1 with ``--min-score`` when a
jurisdiction scores below it. Same as ``kaohe test --mutate``; see
docs/mutation.md. Not part of the test suite: run on demand.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kaohe.engine.errors import KaoheError  # noqa: E402
from kaohe.engine.testing.mutation import (  # noqa: E402
    below,
    check_mutations,
    jurisdictions,
    render_json,
    render_text,
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folders", nargs="*", type=Path, help="jurisdiction folders (default: rulesets/)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--min-score", type=float, default=None,
                        help="exit 1 when a jurisdiction's score is below this (0–1)")
    args = parser.parse_args(argv)
    folders = args.folders
    if not folders:  # paths in the report relative to the checkout, wherever this runs from
        os.chdir(ROOT)
        folders = [Path("rulesets")]
    start = time.perf_counter()

    def progress(file: str) -> None:
        print(f"{time.perf_counter() - start:7.1f} s  {file}", file=sys.stderr, flush=True)

    try:
        reports = check_mutations(jurisdictions(folders), progress=progress)
    except KaoheError as exc:
        print(exc.format("en"), file=sys.stderr)
        return 1
    sys.stdout.write(render_json(reports) if args.json else render_text(reports))
    print(f"done in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    return 1 if args.min_score is not None and below(reports, args.min_score) else 0


if __name__ == "__main__":
    sys.exit(main())
