"""Charts as plain SVG text, drawn in Python.

No script library: the same numbers always give the same bytes, the chart
shows without JavaScript, prints sharply and needs no network. Each chart
keeps its numbers in ``data-*`` attributes so tests (and readers) can check
what was drawn against the data.
"""

from __future__ import annotations

import csv
import io
import math
import urllib.parse
from collections.abc import Sequence
from html import escape
from typing import Any, NamedTuple

NICE_WIDTHS = (0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)
MOST_BINS = 20


class Bin(NamedTuple):
    low: float  # included
    high: float  # excluded, except for the last bin, which includes its upper edge
    size: int  # how many values fall in it


def bins(values: Sequence[float], most: int = MOST_BINS) -> list[Bin]:
    """Equal-width bins on a round width (1, 2, 5 × 10ⁿ) starting at a multiple of it: the smallest
    such width that needs at most ``most`` bins. Each bin holds low ≤ value < high; the last also its high."""
    if not values:
        return []
    low, high = min(values), max(values)
    width = next((w for w in NICE_WIDTHS if _count(low, high, w) <= most), NICE_WIDTHS[-1])
    start = math.floor(_ratio(low, width))
    count = _count(low, high, width)
    counts = [0] * count
    for value in values:
        counts[min(math.floor(_ratio(value, width)) - start, count - 1)] += 1
    return [Bin(_round((start + k) * width), _round((start + k + 1) * width), c) for k, c in enumerate(counts)]


def _count(low: float, high: float, width: float) -> int:
    """Bins from the multiple of ``width`` at or below ``low`` up to ``high``; a top value on a bin edge
    (100 with width 5) closes the last bin instead of opening one of its own."""
    return max(1, math.ceil(_ratio(high, width)) - math.floor(_ratio(low, width)))


def _ratio(value: float, width: float) -> float:
    # 0.3 / 0.1 is 2.9999999999999996 in binary floating point: that 0.3 belongs to the bin from 0.3
    return round(value / width, 9)


def _round(value: float) -> float:
    value = round(value, 6) + 0.0
    return int(value) if value.is_integer() else value


def _n(value: float) -> str:
    """A coordinate: at most two decimals, no trailing zeros (deterministic, compact)."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


HIST_WIDTH, HIST_HEIGHT, HIST_PLOT = 560, 220, 170  # plot area height; the rest holds the labels
HIST_LEFT, HIST_TOP = 36, 14  # room for the y label and for the count above the tallest bar
HIST_BASE = HIST_TOP + HIST_PLOT


def histogram(values: Sequence[float], title: str) -> str:
    """Bars of equal width, one per bin; a bar's height is its count × (plot height / largest count)."""
    found = bins(values)
    if not found:
        return ""
    top = max(b.size for b in found)
    unit = HIST_PLOT / top
    step = (HIST_WIDTH - HIST_LEFT - 8) / len(found)
    parts = [f'<svg class="chart histogram" role="img" viewBox="0 0 {HIST_WIDTH} {HIST_HEIGHT}" '
             f'data-total="{len(values)}" data-unit="{_n(unit)}" xmlns="http://www.w3.org/2000/svg">',
             f"<title>{escape(title)}</title>",
             f'<line class="axis" x1="{HIST_LEFT}" y1="{HIST_BASE}" x2="{HIST_WIDTH - 8}" y2="{HIST_BASE}"/>',
             f'<text class="tick" x="{HIST_LEFT - 4}" y="{HIST_TOP + 8}" text-anchor="end">{top}</text>']
    for k, b in enumerate(found):
        x = HIST_LEFT + k * step
        height = b.size * unit
        parts.append(f'<rect class="bar" x="{_n(x + 1)}" y="{_n(HIST_BASE - height)}" width="{_n(step - 2)}" '
                     f'height="{_n(height)}" data-count="{b.size}" data-low="{b.low}" data-high="{b.high}">'
                     f"<title>{b.low}–{b.high}: {b.size}</title></rect>")
        if b.size:
            parts.append(f'<text class="count" x="{_n(x + step / 2)}" y="{_n(HIST_BASE - 4 - height)}" '
                         f'text-anchor="middle">{b.size}</text>')
        if k % max(1, len(found) // 10) == 0:
            parts.append(f'<text class="tick" x="{_n(x)}" y="{HIST_BASE + 16}" text-anchor="middle">{b.low}</text>')
    parts.append(f'<text class="tick" x="{_n(HIST_LEFT + len(found) * step)}" y="{HIST_BASE + 16}" '
                 f'text-anchor="middle">{found[-1].high}</text>')
    parts.append("</svg>")
    return "".join(parts)


class Bar(NamedTuple):
    label: str
    score: float | None
    full: float | None
    depth: int = 0


BAR_ROW, BAR_LABEL, BAR_WIDTH = 20, 190, 520


class ScoreBars:
    """One row per indicator: a grey track for the full marks and a bar for the share of them scored.

    The labels, tracks and positions depend only on which indicators a subject has, so each such
    layout is written once and every subject fills in its widths and scores (a city of 10,000
    persons has a handful of layouts)."""

    def __init__(self) -> None:
        self._layouts: dict[tuple[tuple[str, Any, int], ...], tuple[str, list[tuple[str, str, str, str]]]] = {}

    def __call__(self, bars: Sequence[Bar], title: str) -> str:
        if not bars:
            return ""
        key = tuple((b.label, b.full, b.depth) for b in bars)
        layout = self._layouts.get(key)
        if layout is None:
            layout = self._layouts[key] = _layout(bars)
        head, rows = layout
        parts = [head, "<title>", escape(title), "</title>"]
        for (start, middle, end, tail), bar in zip(rows, bars, strict=True):
            score = bar.score
            if score is None:
                parts += [start, "0", middle, "—", end, "—", tail]
                continue
            share = score / bar.full if bar.full else 0.0
            width = BAR_TRACK if share >= 1 else 0 if share <= 0 else round(BAR_TRACK * share, 1)
            shown = f"{score:g}" if isinstance(score, float) else str(score)
            parts += [start, str(width), middle, shown, end, shown, tail]
        parts.append("</svg>")
        return "".join(parts)


BAR_TRACK = BAR_WIDTH - BAR_LABEL - 90


def _layout(bars: Sequence[Bar]) -> tuple[str, list[tuple[str, str, str, str]]]:
    height = BAR_ROW * len(bars) + 4
    tracks = "".join(f"M{BAR_LABEL} {k * BAR_ROW + 4}h{BAR_TRACK}v14h-{BAR_TRACK}z" for k in range(len(bars)))
    head = (f'<svg class="chart bars" role="img" viewBox="0 0 {BAR_WIDTH} {height}" '
            f'xmlns="http://www.w3.org/2000/svg"><path class="track" d="{tracks}"/>')
    rows = []
    for k, bar in enumerate(bars):
        y = k * BAR_ROW + 4
        shown = _short(bar.label, 13 - bar.depth)
        full_label = f' data-label="{escape(bar.label)}"' if shown != bar.label else ""
        rows.append((f'<text x="{4 + 12 * bar.depth}" y="{y + 12}">{escape(shown)}</text>'
                     f'<rect class="bar" x="{BAR_LABEL}" y="{y}" width="',
                     '" height="14" data-score="',
                     f'" data-full="{_g(bar.full)}"{full_label}/><text x="{BAR_LABEL + BAR_TRACK + 6}" y="{y + 12}">',
                     f" / {_g(bar.full)}</text>"))
    return head, rows


def _short(label: str, most: int) -> str:
    """A label that fits before the bars (a shortened one keeps the whole in ``data-label``, for the CSV)."""
    return label if len(label) <= most else label[:most - 1] + "…"


def _g(value: Any) -> str:
    if value is None:
        return "—"
    return f"{value:g}" if isinstance(value, float) else str(value)


def csv_link(rows: Sequence[Sequence[Any]], filename: str) -> str:
    """A link that downloads ``rows`` as a UTF-8 CSV (BOM first, for Excel) from a data: URI: no script needed."""
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows(["" if v is None else v for v in row] for row in rows)
    data = urllib.parse.quote("\ufeff" + buffer.getvalue(), safe="")
    return (f'<a class="csv" download="{escape(filename)}" href="data:text/csv;charset=utf-8,{data}" '
            f'data-zh="下载数据（CSV）" data-en="Download data (CSV)">下载数据（CSV）</a>')


def histogram_rows(values: Sequence[float]) -> list[list[Any]]:
    return [["from", "to", "count"], *[[b.low, b.high, b.size] for b in bins(values)]]
