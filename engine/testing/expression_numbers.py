"""The policy numbers written inside one expression, and where each is written.

The mutation check changes numbers one at a time; inside an expression
(``rank_pct > 0.8``, ``years_run(grade == '优秀') >= 2``) it must find each
number's exact characters so that only that number is rewritten, and know
what kind of value it is: a number compared with is a threshold, a
``years=`` argument a count, any other number takes the style of the key
holding the expression. Exponents of ``**`` and the digits of ``round``
are not policy values.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any, Literal

from kaohe.engine.language.periodic import YEAR_FUNCTIONS

Style = Literal["amount", "threshold", "count"]
COUNT_KEYWORDS = frozenset({"years"})  # arguments of expression functions that count: years_run(…, years=3)


@dataclass(frozen=True)
class Number:
    """A number written inside an expression."""

    value: int | float
    start: int  # where it is written in the expression's text (characters, as written in the ruleset)
    end: int
    style: Style
    which: str = ""  # e.g. "the 2nd 2" when the text writes the same number more than once

    def replaced(self, text: str, new: int | float) -> str:
        """``text`` with just this number written as ``new``."""
        return text[:self.start] + _literal(new) + text[self.end:]


def numbers_in(text: str, style: Style = "amount") -> list[Number]:
    """The policy numbers written in expression ``text``, in the order written, each with where it is.
    A number compared with is a threshold, a ``years=`` argument a count, any other number has ``style``
    (the style of the key holding the expression). Exponents of ``**`` and the digits of ``round(x, 2)``
    are not policy and are left out; so are ``True`` and ``False``."""
    lead = len(text) - len(text.lstrip())
    source = text.strip()  # as the expression compiler reads it
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return []
    styles: dict[int, Style] = {}
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            for operand in (node.left, *node.comparators):
                styles[id(_unsigned(operand))] = "threshold"
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
            skipped.add(id(_unsigned(node.right)))
        elif isinstance(node, ast.Call):
            name = node.func.id if isinstance(node.func, ast.Name) else ""
            if name == "round":
                skipped.update(id(_unsigned(a)) for a in node.args[1:])
                skipped.update(id(_unsigned(k.value)) for k in node.keywords if k.arg == "digits")
            elif name in YEAR_FUNCTIONS and len(node.args) > 1:  # years_run(x, 3): the last 3 years
                styles[id(_unsigned(node.args[1]))] = "count"
            for keyword in node.keywords:
                if keyword.arg in COUNT_KEYWORDS:
                    styles[id(_unsigned(keyword.value))] = "count"
    lines = source.split("\n")
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)

    def offset(line: int, column: int) -> int:  # ast counts columns in UTF-8 bytes
        return starts[line - 1] + len(lines[line - 1].encode()[:column].decode())

    written: list[tuple[int, int, ast.Constant]] = []  # every number, skipped ones too: they count in "the 2nd 2"
    for node in ast.walk(tree):
        if (isinstance(node, ast.Constant) and isinstance(node.value, int | float) and not isinstance(node.value, bool)
                and node.end_lineno is not None and node.end_col_offset is not None):
            start, end = offset(node.lineno, node.col_offset), offset(node.end_lineno, node.end_col_offset)
            if _literal_value(source[start:end]) == node.value:
                written.append((start, end, node))
    written.sort(key=lambda item: item[0])
    numbers: list[Number] = []
    for start, end, node in written:
        if id(node) in skipped or not isinstance(node.value, int | float):
            continue
        same = [s for s, e, _ in written if source[s:e] == source[start:end]]
        which = f"the {_ordinal(same.index(start) + 1)} {source[start:end]}" if len(same) > 1 else ""
        numbers.append(Number(node.value, lead + start, lead + end, styles.get(id(node), style), which))
    return numbers


def _unsigned(node: ast.expr) -> ast.expr:
    """``-0.5`` is the number 0.5 with a sign in front: the number."""
    return node.operand if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd) else node


def _literal_value(written: str) -> Any:
    try:
        return ast.literal_eval(written)
    except (SyntaxError, ValueError):
        return None


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _literal(value: int | float) -> str:
    """A number as an expression writes it (the shortest text that reads back the same)."""
    return str(value) if isinstance(value, int) else repr(value)
