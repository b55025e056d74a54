"""Put a report together: the period, the facts, the comparison, the handouts; then its bytes."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from kaohe.engine.evaluation.pipeline import Evaluation
from kaohe.engine.report.handouts import class_titles
from kaohe.engine.report.html.compare import compare, read_previous
from kaohe.engine.report.html.facts import Extras, chosen, extras_of
from kaohe.engine.report.html.page import Report, Sections, report_html, subject_page
from kaohe.engine.report.html.subjects import Subjects, of_period, of_result
from kaohe.engine.report.results import document_head

Previous = tuple[str, Mapping[str, Any]]  # (where it came from, an earlier year's results document)


def from_evaluation(evaluation: Evaluation, period: str | None = None, previous: Path | Previous | None = None,
                    lang: str = "zh") -> Report:
    """The full report of one period, read from the evaluation's columns, plus the facts only the
    evaluation knows. ``previous``: a results file (``--previous``), or a document already read
    (the store's year before)."""
    head = document_head(evaluation)
    result = evaluation.periods[chosen([r.period.id for r in evaluation.periods], period, head["ruleset"]["file"])]
    return _report(head, of_result(evaluation, result), extras_of(evaluation, result.period.id), previous, lang)


def from_document(document: Mapping[str, Any], period: str | None = None, previous: Path | Previous | None = None,
                  lang: str = "zh") -> Report:
    """A report from a results document alone (a plugin's document): no quota places, lines or clauses."""
    periods = document.get("periods") or []
    index = chosen([str(p["period"]) for p in periods], period, (document.get("ruleset") or {}).get("file"))
    extras = Extras(classes=class_titles(document))  # the one fact of Extras a document holds
    return _report(document, of_period(periods[index]), extras, previous, lang)


def _report(meta: Mapping[str, Any], subjects: Subjects, extras: Extras,
            previous: Path | Previous | None, lang: str) -> Report:
    if isinstance(previous, Path):
        previous = (str(previous), read_previous(previous))
    comparison = compare(subjects, previous[1], previous[0]) if previous is not None else None
    return Report(meta, subjects, extras, comparison, handout_sections(meta, subjects), lang)


def handout_sections(meta: Mapping[str, Any], subjects: Subjects) -> Sections:
    """The publicity list and the feedback sheets (engine/report/handouts.py), when the period has them."""
    from kaohe.engine.report.html.handouts_html import sections_for

    return sections_for(meta, subjects)


def html_bytes(report: Report) -> bytes:
    return report_html(report).encode("utf-8")


def subject_pages(report: Report) -> list[tuple[str, str]]:
    """(subject id, its standalone page) for every subject of the period, in results order."""
    ids = report.subjects["id"]
    return [(str(ids[i]), subject_page(report, record)) for i, record in enumerate(report.subjects.records())]
