"""Every expression of one ruleset, compiled once.

The semantic checks compile each expression to report its problems; the
model builder and every stage then take the same compiled ``Expression``
from this table instead of parsing the text again (the checker, the builder
and each period used to compile independently). An expression is known by
its text and the scope of names it was checked against, since the same text
can mean different things in two scopes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from kaohe.engine.language.expressions import Expression, NameSpec, compile_expression

ScopeKey = tuple[tuple[str, tuple[str, ...] | None], ...]


def scope_key(names: NameSpec) -> ScopeKey:
    return tuple(sorted((name, None if fields is None else tuple(sorted(fields))) for name, fields in names.items()))


class ExpressionTable:
    """Compiled expressions by (text, scope), with the ruleset's functions."""

    def __init__(self, functions: Mapping[str, Callable[..., Any]]):
        self.functions = dict(functions)
        self._compiled: dict[tuple[str, ScopeKey], Expression] = {}
        self._paths: dict[str, tuple[str | int, ...]] = {}
        self.compilations = 0

    def compile(self, text: Any, names: NameSpec, path: tuple[str | int, ...] | None = None) -> Expression:
        """The compiled expression; raises ``ExpressionError`` like ``compile_expression``.
        ``path`` (where the text is written) locates problems found while evaluating."""
        if path is not None:
            self._paths.setdefault(str(text).strip(), path)
        key = (str(text).strip(), scope_key(names))
        found = self._compiled.get(key)
        if found is None:
            self.compilations += 1
            found = compile_expression(text, names, self.functions)
            self._compiled[key] = found
        return found

    def path_of(self, text: Any) -> tuple[str | int, ...]:
        """Where ``text`` is first written in the ruleset (``()`` if unknown)."""
        return self._paths.get(str(text).strip(), ())

    def compiled(self) -> list[Expression]:
        """Every expression compiled so far (for checks over what a ruleset writes)."""
        return list(self._compiled.values())

    def __len__(self) -> int:
        return len(self._compiled)
