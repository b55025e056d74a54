"""Put a report together: the period, the facts, the comparison, the handouts; then its bytes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from kaohe.engine.evaluation.pipeline import Evaluation
from kaohe.engine.report.html.compare import compare, read_previous
from kaohe.engine.report.html.facts import Extras, chosen, extras_of
from kaohe.engine.report.html.page import Report, Sections, report_html, subject_page
from kaohe.engine.report.results import build_document

Previous = tuple[str, Mapping[str, Any]]  # (where it came from, an earlier year's results document)


def from_evaluation(evaluation: Evaluation, period: str | None = None, previous: Path | Previous | None = None,
                    lang: str = "zh", document: Mapping[str, Any] | None = None) -> Report:
    """The full report: the document's facts plus those only the evaluation knows. ``previous``:
    a results file (``--previous``), or a document already read (the store's year before)."""
    if document is None:  # only the period reported: a year of 10,000 persons need not build its quarters too
        only = [r for r in evaluation.periods if r.period.id == period] if period is not None else evaluation.periods[-1:]
        document = build_document(replace(evaluation, periods=only or evaluation.periods))
    chosen_period = chosen(document, period)
    extras = extras_of(evaluation, str(chosen_period["period"]))
    return _report(document, chosen_period, extras, previous, lang)


def from_document(document: Mapping[str, Any], period: str | None = None, previous: Path | Previous | None = None,
                  lang: str = "zh") -> Report:
    """A report from a results document alone (the ``html`` exporter): no quota places, lines or clauses."""
    return _report(document, chosen(document, period), Extras(), previous, lang)


def _report(document: Mapping[str, Any], period: Mapping[str, Any], extras: Extras,
            previous: Path | Previous | None, lang: str) -> Report:
    if isinstance(previous, Path):
        previous = (str(previous), read_previous(previous))
    comparison = compare(period["subjects"], previous[1], previous[0]) if previous is not None else None
    return Report(document, period, extras, comparison, handout_sections(document, period), lang)


def handout_sections(document: Mapping[str, Any], period: Mapping[str, Any]) -> Sections:
    """The publicity list and the feedback sheets (engine/report/handouts.py), when the period has them."""
    from kaohe.engine.report.html.handouts_html import sections_for

    return sections_for(document, period)


def html_bytes(report: Report) -> bytes:
    return report_html(report).encode("utf-8")


def subject_pages(report: Report) -> list[tuple[str, str]]:
    """(subject id, its standalone page) for every subject of the period, in document order."""
    return [(str(s["id"]), subject_page(report, s)) for s in report.subjects]
