"""Terminal rendering (rich, so Chinese characters line up) and export dispatch."""

from __future__ import annotations

import io
from typing import Any

from rich.console import Console
from rich.table import Table

from kaohe.engine.errors import Diagnostic, KaoheError, did_you_mean
from kaohe.engine.evaluation.pipeline import Evaluation, PeriodResult
from kaohe.engine.registry import KIND_TITLES, Registry, default_registry
from kaohe.engine.report.results import _num, build_document


def table(headers: list[str], rows: list[list[object]], title: str | None = None) -> str:
    grid = Table(title=title, show_lines=False, header_style="bold")
    for header in headers:
        grid.add_column(header)
    for row in rows:
        grid.add_row(*["" if cell is None else str(cell) for cell in row])
    buffer = io.StringIO()
    Console(file=buffer, width=160, force_terminal=False, color_system=None).print(grid)
    return buffer.getvalue()


def chosen_period(evaluation: Evaluation, period: str | None) -> PeriodResult:
    if period is not None:
        return evaluation.period(period)
    return evaluation.periods[-1]


def ranking_table(evaluation: Evaluation, period: str | None = None) -> str:
    result = chosen_period(evaluation, period)
    ruleset = evaluation.ruleset
    cohort, ranking, grades = result.cohort, result.ranking, result.grades
    outcome_ids = list(result.outcomes)
    headers = ["分组", "排名", "编号", "名称", "类别", "小计", "加分", "扣分", "系数", "总分", "等次",
               *[o.spec.title for o in result.outcomes.values()]]
    order = ranking.display_order(cohort.excluded).tolist()
    rows = []
    for i in order:
        rows.append([
            ranking.group[i], "—" if cohort.excluded[i] else ranking.rank[i], cohort.ids[i], cohort.names[i],
            _class_title(ruleset, cohort.classes[i]), _num(result.tree.subtotal[i], 2),
            _num(result.adjustments.bonus[i], 2), _num(result.adjustments.deduction[i], 2),
            _num(cohort.coefficient[i], 3), _num(result.total[i]),
            (grades.grade[i] if grades is not None else "") or "—",
            *[_cell(result.outcomes[o].values[i]) for o in outcome_ids],
        ])
    title = f"{ruleset.title} · {result.period.id} 排名"
    return table(headers, rows, title)


def _class_title(ruleset: object, cls: str) -> str:
    classes = getattr(ruleset, "classes", {})
    return classes[cls].title if cls in classes else cls


def _cell(value: object) -> str:
    if value is None:
        return ""
    if value is True:
        return "是"
    if value is False:
        return ""
    return str(value)


def export(evaluation: Evaluation, fmt: str, registry: Registry | None = None) -> bytes:
    """The results document in format ``fmt``, by the exporter of ``registry``
    (default: the installed plugins)."""
    return export_document(build_document(evaluation), fmt, registry)


def export_document(document: dict[str, Any], fmt: str, registry: Registry | None = None) -> bytes:
    """An already built results document in format ``fmt`` (``kaohe evaluate --store``
    builds it once, records it and writes it)."""
    registry = registry or default_registry()
    exporter = registry.exporter(fmt)
    if exporter is None:
        names = registry.names("exporter")
        raise KaoheError(Diagnostic(
            "E-COMPONENT-UNKNOWN",
            {"kind": "exporter", "kind_zh": KIND_TITLES["exporter"], "name": fmt,
             "available": ", ".join(["table", *names]), "suggest": did_you_mean(fmt, names)},
        ))
    return exporter.export(document)
