"""``kaohe report`` after the evaluation: build the report and write it (HTML, one PDF, or a PDF per subject)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kaohe.engine.evaluation.pipeline import Evaluation
from kaohe.engine.report.atomic import write_atomic
from kaohe.engine.report.html.build import Previous, from_evaluation, html_bytes, subject_pages


@dataclass(frozen=True)
class Written:
    """What was produced: the bytes when nothing was written (standard output), else the files and sizes."""

    period: str
    subjects: int
    payload: bytes | None
    files: tuple[tuple[Path, int], ...]


def write_report(evaluation: Evaluation, period: str | None, fmt: str, out: Path | None, split: bool,
                 previous: Path | Previous | None, lang: str) -> Written:
    report = from_evaluation(evaluation, period, previous, lang)
    chosen, count = report.period, report.subjects.n
    if fmt == "pdf" and split:
        from kaohe.engine.report.html.pdf import write_split

        assert out is not None, "the command asks for --out with --split"
        return Written(chosen, count, None, tuple(write_split(subject_pages(report), out)))
    if fmt == "pdf":
        from kaohe.engine.report.html.pdf import pdf_of

        data = pdf_of(html_bytes(report).decode("utf-8"))
    else:
        data = html_bytes(report)
    if out is None:
        return Written(chosen, count, data, ())
    write_atomic(out, data)
    return Written(chosen, count, None, ((out, len(data)),))
