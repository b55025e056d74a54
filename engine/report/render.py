"""Terminal rendering (rich, so Chinese characters line up) and export dispatch."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any, BinaryIO

from kaohe.engine.components import Exporter
from kaohe.engine.errors import Diagnostic, KaoheError, did_you_mean
from kaohe.engine.evaluation.pipeline import Evaluation, PeriodResult
from kaohe.engine.registry import KIND_TITLES, Registry, default_registry
from kaohe.engine.report.output import Results
from kaohe.engine.report.stream_json import shown_number
from kaohe.engine.ruleset.model import Ruleset

if TYPE_CHECKING:  # rich is imported only for a table, not for an export
    from kaohe.engine.report import terminal


def table(headers: list[str], rows: list[list[object]], title: str | None = None) -> str:
    """A plain table (store listings, plugin lists): every column may wrap, none is dropped."""
    from rich.console import Console
    from rich.table import Table

    from kaohe.engine.report.terminal import output_width

    grid = Table(title=title, show_lines=False, header_style="bold")
    for header in headers:
        grid.add_column(header)
    for row in rows:
        grid.add_row(*["" if cell is None else str(cell) for cell in row])
    buffer = io.StringIO()
    Console(file=buffer, width=output_width(), force_terminal=False, color_system=None).print(grid)
    return buffer.getvalue()


def chosen_period(evaluation: Evaluation, period: str | None) -> PeriodResult:
    if period is not None:
        return evaluation.period(period)
    return evaluation.periods[-1]


LONG_TABLE = 100  # a ranking longer than this shows its top and bottom (``--all`` shows every row)
SHOWN_AT_EACH_END = 30

HEADERS = {  # column key -> (zh, en)
    "group": ("分组", "group"), "rank": ("排名", "rank"), "id": ("编号", "id"), "name": ("名称", "name"),
    "class": ("类别", "class"), "subtotal": ("小计", "subtotal"), "bonus": ("加分", "bonus"),
    "deduction": ("扣分", "deduction"), "coefficient": ("系数", "coefficient"), "total": ("总分", "total"),
    "grade": ("等次", "grade"), "reason": ("等次说明", "grade note"),
}


def ranking_table(evaluation: Evaluation, period: str | None = None, lang: str = "zh",
                  show_all: bool = False, width: int | None = None) -> str:
    """The period's ranking as a terminal table fitted to ``width`` (see ``terminal``):
    rank, name, total and grade always; the rest as room allows."""
    result = chosen_period(evaluation, period)
    order = result.ranking.display_order(result.cohort.excluded).tolist()
    gap = None
    if len(order) > LONG_TABLE and not show_all:
        left_out = len(order) - 2 * SHOWN_AT_EACH_END
        order = order[:SHOWN_AT_EACH_END] + order[-SHOWN_AT_EACH_END:]
        gap = (SHOWN_AT_EACH_END, f"⋯ {left_out}")
    columns = _ranking_columns(evaluation.ruleset, result, order, lang)
    zh = lang == "zh"
    title = f"{evaluation.ruleset.title} · {result.period.id} {'排名' if zh else 'ranking'}"
    notes = []
    if gap is not None:
        total, left_out = result.cohort.n, len(result.cohort.ids) - 2 * SHOWN_AT_EACH_END
        notes.append(f"共 {total} 个对象，列出前 {SHOWN_AT_EACH_END} 名和后 {SHOWN_AT_EACH_END} 名，"
                     f"中间 {left_out} 个未列出（--all 列出全部）" if zh else
                     f"{total} subjects: the first and last {SHOWN_AT_EACH_END} are listed, {left_out} in between "
                     "are not (--all lists every one)")
    from kaohe.engine.report import terminal

    return terminal.render(columns, title, width, notes, lang, gap)


def _ranking_columns(ruleset: Ruleset, result: PeriodResult, order: list[int], lang: str) -> list[terminal.Column]:
    from kaohe.engine.report import terminal

    cohort, ranking, grades, adj = result.cohort, result.ranking, result.grades, result.adjustments
    side = 0 if lang == "zh" else 1
    vetoes = _vetoes_by_subject(ruleset, result)

    def column(key: str, cells: list[str], priority: int, number: bool = False) -> terminal.Column:
        return terminal.Column(HEADERS[key][side], cells, priority, number)

    columns = [
        column("group", [_group_name(ruleset, str(ranking.group[i]), lang) for i in order], 1),
        column("rank", ["—" if cohort.excluded[i] else str(ranking.rank[i]) for i in order], 0, number=True),
        column("id", [str(cohort.ids[i]) for i in order], 6),
        column("name", [str(cohort.names[i]) for i in order], 0),
        column("class", [_class_title(ruleset, cohort.classes[i]) for i in order], 20),
        column("subtotal", [_shown(shown_number(result.tree.subtotal[i], 2)) for i in order], 3, number=True),
        column("bonus", [_shown(shown_number(adj.bonus[i], 2)) for i in order], 4, number=True),
        column("deduction", [_shown(shown_number(adj.deduction[i], 2)) for i in order], 4, number=True),
        column("coefficient", [_shown(shown_number(cohort.coefficient[i], 3)) for i in order], 4, number=True),
        column("total", [_shown(shown_number(result.total[i])) for i in order], 0, number=True),
        column("grade", [((grades.grade[i] if grades is not None else "") or "—") for i in order], 0),
        column("reason", [_short_reason(result, i, vetoes.get(i, []), lang) for i in order], 2),
    ]
    for k, outcome in enumerate(result.outcomes.values()):
        cells = [_cell(outcome.values[i]) for i in order]
        numeric = all(_is_number(c) for c in cells if c)
        columns.append(terminal.Column(outcome.spec.title, cells, 7 + k, numeric))
    return columns


def _vetoes_by_subject(ruleset: Ruleset, result: PeriodResult) -> dict[int, list[str]]:
    titles: dict[int, list[str]] = {}
    for subject, veto in zip(result.vetoes.subject.tolist(), result.vetoes.veto.tolist(), strict=True):
        titles.setdefault(subject, []).append(ruleset.vetoes[veto].title)
    return titles


def _short_reason(result: PeriodResult, i: int, vetoes: list[str], lang: str) -> str:
    """Why the grade is not the one the total reaches: a veto, a quota, a condition, exclusion."""
    grades = result.grades
    if grades is None:
        return ""
    code, was = grades.reason[i], grades.demoted_from[i]
    zh = lang == "zh"
    named = "、".join(vetoes)
    texts = {
        "veto": (f"一票否决：{named}", f"vetoed: {named}"),
        "bar": (f"{named}：不能评{was}", f"{named}: not {was}"),
        "quota": (f"{was}名额已满", f"{was} quota full"),
        "eligibility": (f"不符合{was}条件", f"not eligible for {was}"),
        "excluded": ("不参加排名", "not ranked"),
    }
    pair = texts.get(code)
    return "" if pair is None else pair[0 if zh else 1]


def _group_name(ruleset: Ruleset, group: str, lang: str) -> str:
    """A ranking group by class shows the class's title; ``all`` is the one group of a
    ruleset that does not split its ranking."""
    if group == "all":
        return "全体" if lang == "zh" else group
    return _class_title(ruleset, group)


def _shown(value: object) -> str:
    return "" if value is None else str(value)


def _is_number(text: str) -> bool:
    try:
        float(text.replace(",", ""))
    except ValueError:
        return False
    return True


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
    if isinstance(value, float):  # a formula's 6.0 as the results show it: 6 (numpy's float64 is a float)
        return _shown(shown_number(value))
    return str(value)


def export(evaluation: Evaluation, fmt: str, registry: Registry | None = None) -> bytes:
    """The results in format ``fmt``, by the exporter of ``registry`` (default: the installed plugins)."""
    buffer = io.BytesIO()
    export_to(Results(evaluation), fmt, buffer, registry)
    return buffer.getvalue()


def export_to(results: Results, fmt: str, out: BinaryIO, registry: Registry | None = None) -> None:
    """Stream the results in format ``fmt`` to ``out`` (an exporter that can reads columns or
    writes subject by subject; see ``Exporter.write``)."""
    exporter_of(fmt, registry).write(results, out)


def export_document(document: dict[str, Any], fmt: str, registry: Registry | None = None) -> bytes:
    """An already built results document in format ``fmt`` (the store builds it once, records it
    and compares it)."""
    return exporter_of(fmt, registry).export(document)


def exporter_of(fmt: str, registry: Registry | None = None) -> Exporter:
    registry = registry or default_registry()
    exporter = registry.exporter(fmt)
    if exporter is None:
        names = registry.names("exporter")
        raise KaoheError(Diagnostic(
            "E-COMPONENT-UNKNOWN",
            {"kind": "exporter", "kind_zh": KIND_TITLES["exporter"], "name": fmt,
             "available": ", ".join(["table", *names]), "suggest": did_you_mean(fmt, names)},
        ))
    return exporter
