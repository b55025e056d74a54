"""Known expression attacks, and every kind of place a ruleset writes an expression.

The corpus holds sandbox escapes (dunder walks, imports, builtins, file
access), resource bombs (huge strings, numbers, sequences, deep nesting,
format widths) and shape or type tricks (arrays of different lengths, text
arithmetic, tuples, NaN). Each payload that would leave a trace if it ran
names the file ``CANARY``: the fuzz run creates none of them and fails when
one appears.

A *slot* is a kind of place an expression goes (``indicators[*].rater.formula``,
``grading.grades[*].min``, ``vetoes[*].when``, …). The slots are found, not
listed by hand: the ruleset checks compile every expression through one
table, so recording what that table is asked to compile while each shipped
ruleset is checked finds every place, including ones added later.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from kaohe.engine.registry import Registry, default_registry
from kaohe.engine.ruleset.loader import Document, Path_
from kaohe.engine.ruleset.semantics import Checker
from kaohe.engine.testing.mutation import CompileRecorder, data_path

CANARY = "kaohe-canary"

ATTACKS: list[str] = [
    # escapes: attributes, imports, builtins, files
    "__import__('os').system('touch kaohe-canary')",
    "().__class__.__bases__[0].__subclasses__()",
    "score.__class__.__mro__",
    "total.__array_interface__",
    "getattr(total, '__class__')",
    "eval(\"open('kaohe-canary', 'w')\")",
    "exec('1')",
    "open('kaohe-canary', 'w').write('x')",
    "compile('1', 'x', 'eval')",
    "globals()",
    "(lambda: 1)()",
    "[c for c in ().__class__.__base__.__subclasses__()]",
    "{x: 1 for x in range(10)}",
    "(y := 1)",
    "f'{total}'",
    "type(total)",
    "__builtins__",
    "_ if True else 1",
    # resource bombs
    "'*' * 10**9",
    "'x' * 999999999",
    "'%999999999s' % 'x'",
    "'{:>999999999}'.format(1)",
    "'x'.center(999999999)",
    "[1] * 10**9",
    "range(10**12)",
    "9 ** 9 ** 9",
    "10 ** 400",
    "2 ** 1e308",
    "1e308 * 1e308",
    "-1e308 * 1e308",
    "99999999999999999999999999999999999 + 1",
    "(" * 300 + "1" + ")" * 300,
    "-" * 500 + "1",
    "not " * 400 + "True",
    " + ".join(["1"] * 400),
    "1" * 2000,
    # shapes, types and undefined arithmetic
    "(1, 2)",
    "[1, 2, 3]",
    "{'a': 1}",
    "'text' + 1",
    "'text' * 'text'",
    "1 / 0",
    "0 ** -1",
    "1 % 0",
    "float('nan')",
    "nan",
    "inf",
    "total[0:2] + total",
    "total[::-1]",
    "None + 1",
    "True + '1'",
    "max()",
    "sum(1, 2, 3, 4, 5, 6, 7, 8, 9)",
    "round(1, 10**9)",
    "abs('x')",
    "",
    "   ",
    "1 +",
    "'unterminated",
    "\x00",
    "ｔｏｔａｌ > 1",
    "total ＞ 1",
]


@dataclass(frozen=True)
class Slot:
    """One place of one kind where a shipped ruleset writes an expression."""

    kind: str  # the path with list positions as [*], e.g. "$.vetoes[*].when"
    ruleset: Path
    path: Path_
    text: Any


def slot_kind(path: Path_ | tuple[str, ...], named: frozenset[tuple[str, ...]] = frozenset()) -> str:
    """``path`` as a kind of place: list positions as ``[*]``, the name of an entry of a named mapping
    (an input, a class) as ``{}``."""
    pattern: list[str] = []
    for part in path:
        if isinstance(part, int) or part == "*":
            pattern.append("*")
        else:
            pattern.append("{}" if tuple(pattern) in named else part)
    return "$" + "".join("[*]" if part == "*" else f".{part}" for part in pattern)


def slots(rulesets: list[Path], schema: dict[str, Any], registry: Registry | None = None) -> list[Slot]:
    """One slot per kind over ``rulesets``, in a stable order. First the places the checks compile
    expressions from, in the first ruleset (by the order given) that writes one in its own file (not
    through ``extends``); then every place the schema declares that no ruleset writes, added to the
    first ruleset that has the mapping it belongs in (its ``text`` is then ``None``)."""
    registry = registry or default_registry()
    declared = schema_slots(schema)
    named = frozenset(p[: p.index("{}")] for p in declared if "{}" in p)
    found: dict[str, Slot] = {}
    loaded = [(ruleset, yaml.safe_load(ruleset.read_text(encoding="utf-8"))) for ruleset in rulesets]
    for ruleset, data in loaded:
        recorder = CompileRecorder(registry)
        Checker(Document(file=str(ruleset), data=data), registry, recorder).run()
        for written, text in recorder.written.items():
            path = data_path(data, written, text)
            if path is not None:
                kind = slot_kind(path, named)
                found.setdefault(kind, Slot(kind, ruleset, path, text))
    for pattern in declared:
        kind = slot_kind(pattern, named)
        for ruleset, data in loaded:
            path = None if kind in found else place(data, pattern)
            if path is not None:
                found[kind] = Slot(kind, ruleset, path, _value_at(data, path))
    return sorted(found.values(), key=lambda s: s.kind)


def _value_at(data: Any, path: Path_) -> Any:
    try:
        for part in path:
            data = data[part]
    except (KeyError, IndexError, TypeError):
        return None
    return data


# -- places the schema declares, written nowhere in the shipped rulesets --------


def schema_slots(schema: dict[str, Any]) -> list[tuple[str, ...]]:
    """Key patterns (``*`` a list item, ``{}`` a named entry) whose text the schema says may be an
    expression and whose value may be text."""
    found: set[tuple[str, ...]] = set()
    _walk(schema, schema.get("$defs", {}), (), frozenset(), found)
    return sorted(found)


def _walk(node: Any, defs: dict[str, Any], path: tuple[str, ...], seen: frozenset[str],
          found: set[tuple[str, ...]]) -> None:
    if not isinstance(node, dict):
        return
    if "$ref" in node:
        name = node["$ref"].split("/")[-1]
        if name not in seen:
            _walk(defs[name], defs, path, seen | {name}, found)
    for sub in [*node.get("anyOf", []), *node.get("oneOf", []), *node.get("allOf", [])]:
        _walk(sub, defs, path, seen, found)
    for key in ("if", "then", "else"):
        _walk(node.get(key), defs, path, seen, found)
    for key, sub in node.get("properties", {}).items():
        if _mentions_expression(sub) and _takes_text(sub, defs):
            found.add((*path, key))
        _walk(sub, defs, (*path, key), seen, found)
    for sub in [node.get("additionalProperties"), *node.get("patternProperties", {}).values()]:
        _walk(sub, defs, (*path, "{}"), seen, found)
    _walk(node.get("items"), defs, (*path, "*"), seen, found)


def _mentions_expression(node: Any) -> bool:
    text = str(node.get("description", "")) if isinstance(node, dict) else ""
    return "表达式" in text or "expression" in text.lower()


def _takes_text(node: Any, defs: dict[str, Any]) -> bool:
    if not isinstance(node, dict):
        return False
    if "$ref" in node:
        return _takes_text(defs.get(node["$ref"].split("/")[-1]), defs)
    kinds = node.get("type")
    if kinds == "string" or (isinstance(kinds, list) and "string" in kinds):
        return True
    return any(_takes_text(sub, defs) for sub in [*node.get("anyOf", []), *node.get("oneOf", [])])


def place(data: Any, pattern: tuple[str, ...]) -> Path_ | None:
    """A concrete path in ``data`` for ``pattern``: every step but the last must exist, except that a
    missing mapping just above the key (``quota``) is allowed; ``None`` when the data has no such place."""
    if not pattern:
        return ()
    step, rest = pattern[0], pattern[1:]
    if not rest:
        return (step,) if isinstance(data, dict) else None
    if step == "*":
        options: list[str | int] = list(range(len(data))) if isinstance(data, list) else []
    elif step == "{}":
        options = list(data) if isinstance(data, dict) else []
    else:
        options = [step] if isinstance(data, dict) and (step in data or len(rest) == 1) else []
    for option in options:
        child = data[option] if not isinstance(data, dict) or option in data else {}
        below = place(child, rest)
        if below is not None:
            return (option, *below)
    return None


def set_at(data: Any, path: Path_, value: Any) -> None:
    """Write ``value`` at ``path``, creating a missing last mapping on the way."""
    for part in path[:-1]:
        if isinstance(data, dict) and part not in data:
            data[part] = {}
        data = data[part]
    data[path[-1]] = value
