"""Benchmark: the printable XLSX workbook of a generated city.

    python benchmarks/bench_workbook.py [--persons 10000] [--twice]

The cohort of bench_evaluate.py (persons × 20 indicators × 4 quarters + the year), with a
publicity list and a feedback talk added so every sheet of the workbook is written. Times building
the results document and writing the workbook; ``--twice`` writes it again and checks the bytes
are the same. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_evaluate  # noqa: E402

from kaohe.engine.evaluation.pipeline import evaluate  # noqa: E402
from kaohe.engine.evaluation.runner import load_data  # noqa: E402
from kaohe.engine.registry import default_registry  # noqa: E402
from kaohe.engine.report.results import build_document  # noqa: E402
from kaohe.engine.ruleset.load import load_ruleset  # noqa: E402
from kaohe.plugins.exporters import XlsxExporter  # noqa: E402

HANDOUTS = """  - {id: publicity, title: 优秀公示, use: rank_list, when: "grade == '优秀'", days: 5, objections: 人事处}
  - {id: talk, title: 反馈谈话, use: feedback, dimensions: [k0, k1, k2, k3], talk_by: 部门负责人}
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=10_000)
    parser.add_argument("--twice", action="store_true", help="write it again and compare the bytes")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        bench_evaluate.generate(folder, args.persons)
        (folder / "bench.yaml").write_text(bench_evaluate.ruleset_text() + HANDOUTS, encoding="utf-8")
        registry = default_registry()
        ruleset = load_ruleset(folder / "bench.yaml", registry)
        evaluation = evaluate(ruleset, load_data(ruleset, None, registry), registry)
    clock = time.perf_counter()
    document = build_document(evaluation)
    print(f"{'results document':24s} {time.perf_counter() - clock:8.2f} s")
    clock = time.perf_counter()
    data = XlsxExporter().export(document)
    print(f"{'xlsx workbook':24s} {time.perf_counter() - clock:8.2f} s  {len(data) / 1e6:.1f} MB")
    if args.twice:
        again = XlsxExporter().export(document)
        print("same bytes" if again == data else "DIFFERENT BYTES")
    print(f"peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
