"""A table laid out for the width it is shown in: numbers whole, texts wrapped, columns dropped by priority.

The ranking table is read on terminals 80 to 200 cells wide and pasted into
reports. Rich alone wraps every column alike, so a total could be cut in two
on a narrow terminal; here each column declares what it is (a number is never
cut or wrapped; a text may wrap down to a few cells) and how much it matters,
and the layout drops the least important columns, naming them, before a
number would break. Columns whose every cell is the same (one group, all
coefficients 1) say nothing row by row: they are left out and stated once
under the table.
"""

from __future__ import annotations

import io
import os
import shutil
import sys
from dataclasses import dataclass

from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

TEXT_MIN_CELLS = 6  # a wrapped text column keeps at least three Chinese characters a line
TEXT_COMFORT_CELLS = 12  # columns are dropped before a text would wrap narrower than this
NUMBER_HEADER_CELLS = 9  # a number's header is shown whole up to this many cells ("deduction")
UNLIMITED = 10_000  # the width of a table written to a file or a pipe without COLUMNS


@dataclass
class Column:
    header: str
    cells: list[str]
    priority: int  # 0 is never dropped; higher numbers are dropped first
    number: bool = False  # right-aligned, never wrapped or cut
    hide_when_constant: bool = True

    def natural(self) -> int:
        return max([cell_len(self.header), *(cell_len(c) for c in self.cells)])

    def least(self) -> int:
        """The narrowest this column may get: a number's widest cell (and its header, when
        short); a text's few cells."""
        if self.number:
            widest = max((cell_len(c) for c in self.cells), default=0)
            return max(widest, min(cell_len(self.header), NUMBER_HEADER_CELLS))
        return min(self.natural(), TEXT_MIN_CELLS)

    def comfortable(self) -> int:
        """The width below which dropping another column reads better than wrapping this one."""
        return self.least() if self.number else min(self.natural(), TEXT_COMFORT_CELLS)


@dataclass
class Layout:
    columns: list[Column]
    widths: list[int]
    constant: list[Column]  # left out: the same in every row
    dropped: list[Column]  # left out: no room


def output_width() -> int:
    """Cells available: the terminal's width; ``COLUMNS`` when set (also for a pipe);
    otherwise, for a file or a pipe, as wide as the table needs."""
    declared = os.environ.get("COLUMNS", "")
    if declared.isdigit() and int(declared) > 0:
        return int(declared)
    if sys.stdout.isatty():
        return shutil.get_terminal_size().columns
    return UNLIMITED


def _frame(n: int) -> int:
    """Cells a rich table with ``n`` columns spends on borders and padding."""
    return n + 1 + 2 * n


def lay_out(columns: list[Column], width: int) -> Layout:
    rows = max((len(c.cells) for c in columns), default=0)
    constant = [c for c in columns if c.hide_when_constant and c.priority > 0 and rows > 1
                and len(set(c.cells)) == 1]
    shown = [c for c in columns if c not in constant]
    dropped: list[Column] = []
    while sum(c.comfortable() for c in shown) + _frame(len(shown)) > width:
        candidates = [c for c in shown if c.priority > 0]
        if not candidates:
            break  # the essential columns alone are wider: the terminal scrolls, nothing is cut
        worst = max(candidates, key=lambda c: (c.priority, shown.index(c)))
        shown.remove(worst)
        dropped.append(worst)
    return Layout(shown, _widths(shown, width), constant, dropped)


def _widths(columns: list[Column], width: int) -> list[int]:
    """Natural widths if they fit; else texts give up room, the widest first, down to their least."""
    widths = [c.natural() for c in columns]
    room = width - _frame(len(columns))
    least = [c.least() for c in columns]
    while sum(widths) > room:
        shrinkable = [k for k in range(len(columns)) if widths[k] > least[k]]
        if not shrinkable:
            break
        k = max(shrinkable, key=lambda j: (widths[j] - least[j], -j))
        widths[k] -= 1
    return widths


def render(columns: list[Column], title: str | None = None, width: int | None = None,
           notes: list[str] | None = None, lang: str = "zh", gap: tuple[int, str] | None = None) -> str:
    """The table as text, laid out for ``width`` cells (default: ``output_width()``),
    with a line under it for left-out columns and any ``notes``; ``gap`` (row, text)
    marks where rows were left out of a long table."""
    width = output_width() if width is None else width
    layout = lay_out(columns, width)
    grid = Table(title=title, header_style="bold", box=box.HEAVY_HEAD, title_justify="left")
    for column, cells in zip(layout.columns, layout.widths, strict=True):
        grid.add_column(Text(column.header, overflow="fold"), width=cells,
                        justify="right" if column.number else "left",
                        no_wrap=column.number, overflow="fold")
    rows = max((len(c.cells) for c in layout.columns), default=0)
    for r in range(rows):
        if gap is not None and r == gap[0]:
            grid.add_row(gap[1], *[""] * (len(layout.columns) - 1))
        grid.add_row(*[c.cells[r] for c in layout.columns])
    buffer = io.StringIO()
    console_width = sum(layout.widths) + _frame(len(layout.columns))
    Console(file=buffer, width=max(console_width, 20), force_terminal=False, color_system=None,
            legacy_windows=False).print(grid)
    footer = Console(file=buffer, width=width, force_terminal=False, color_system=None, legacy_windows=False)
    for line in _footer(layout, lang) + (notes or []):
        footer.print(Text(line, overflow="fold"))  # wrapped at the width like the table, never cut
    return buffer.getvalue()


def _footer(layout: Layout, lang: str) -> list[str]:
    lines = []
    stated = [c for c in layout.constant if c.cells[0] not in ("", "—")]
    if stated:
        same = "、".join(f"{c.header} {c.cells[0]}" for c in stated)
        lines.append(f"各行相同、未列出：{same}" if lang == "zh"
                     else f"the same in every row, not listed: {same.replace('、', ', ')}")
    if layout.dropped:
        names = "、".join(c.header for c in layout.dropped)
        lines.append(f"终端宽度不够、未列出：{names}（加宽终端，或用 --format csv / xlsx 查看全部列）" if lang == "zh"
                     else f"no room for: {names.replace('、', ', ')} (widen the terminal, or use --format csv / xlsx)")
    return lines
