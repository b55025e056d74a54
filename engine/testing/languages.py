"""Does every message speak one language? A check for the fuzz suite.

A catalogue template is written once in each language (tests/test_messages.py
checks the templates). What can still mix languages is a *parameter*: text
the engine made in one language (a Python exception's wording, a parser's
"expected ':'", a Chinese sub-message) dropped into the other language's
template. A parameter that quotes the user (an indicator title, an
expression, a cell) is the user's own language and may be anything, so a
parameter counts as the user's when it is written in the sources of the run
(the ruleset and data files); every other word is the engine's and must be
in the message's language: no English word in Chinese text, no Chinese in
English text.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from string import Formatter
from typing import Any

from kaohe.engine.errors import Bilingual, Diagnostic
from kaohe.engine.messages import MESSAGES
from kaohe.engine.registry import Registry

CJK = re.compile(r"[\u3400-\u9fff\uff01-\uff5e\u3000-\u303f]")
WORD = re.compile(r"[A-Za-z]{3,}")
CODE = re.compile(r"\b[EW]-[A-Z0-9-]+\b")
NAMES = re.compile(r"^[A-Za-z][A-Za-z0-9]*(_[A-Za-z0-9]+)+$")
"""One snake_case identifier (an indicator id, a setting): read alike in any language."""
IDENTIFIER = re.compile(r"^[\w.-]+$")
"""An item of a list of names (the functions or fields an expression may use)."""
NEUTRAL = {"nan", "inf", "utf", "gbk", "csv", "xlsx", "yaml", "json", "toml", "kaohe", "true", "false"}
PLACES = {"file", "root", "path", "expr", "text", "value", "cell", "name", "names", "id", "ids", "key",
          "column", "columns", "field", "fields", "table", "encoding", "allowed", "function", "scope", "looked", "tag"}
"""Parameters that by their role quote the user, the file system or a keyword of the format (a column,
an encoding, the values a key allows): the same words in either language."""


@contextmanager
def recorded_diagnostics() -> Iterator[list[Diagnostic]]:
    """Every diagnostic whose message is rendered inside the block, in order."""
    seen: list[Diagnostic] = []
    original = Diagnostic.message

    def message(self: Diagnostic, lang: str = "zh") -> str:
        seen.append(self)
        return original(self, lang)

    Diagnostic.message = message  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        Diagnostic.message = original  # type: ignore[method-assign]


def mismatch(diagnostic: Diagnostic, sources: str, keywords: Collection[str] = ()) -> str | None:
    """What in ``diagnostic`` is in the wrong language, or ``None``. ``sources``: the text of every
    file the run read, lower-cased; ``keywords``: words of the format (``format_words``)."""
    if diagnostic.text:
        zh, en = diagnostic.text.get("zh", ""), diagnostic.text.get("en", "")
        if not CJK.search(zh):
            return f"{diagnostic.code}: its Chinese text has no Chinese: {zh[:80]!r}"
        return f"{diagnostic.code}: its English text has Chinese: {en[:80]!r}" if _has_engine_cjk(en, sources) else None
    zh_fields, en_fields = (_fields(template) for template in MESSAGES.get(diagnostic.code, ("", "")))
    for key, zh, en in _engine_params(diagnostic.params, sources):
        english = [w for w in WORD.findall(CODE.sub("", zh))
                   if w.lower() not in NEUTRAL and w.lower() not in keywords and w.lower() not in sources]
        if key in zh_fields and english:
            return f"{diagnostic.code}: parameter {key} puts English into Chinese text: {zh[:80]!r}"
        if key in en_fields and _has_engine_cjk(en, sources):
            return f"{diagnostic.code}: parameter {key} puts Chinese into English text: {en[:80]!r}"
    return None


def _fields(template: str) -> set[str]:
    return {field for _, field, _, _ in Formatter().parse(template) if field}


def _engine_params(params: Mapping[str, Any], sources: str) -> Iterator[tuple[str, str, str]]:
    """Each parameter the engine worded: its name, its Chinese and its English side."""
    for key, value in params.items():
        if key in PLACES or key == "suggest" or isinstance(value, bool | int | float) or value is None:
            continue
        zh, en = (value.zh, value.en) if isinstance(value, Bilingual) else (str(value), str(value))
        if zh and not _quoted(zh, sources):
            yield key, zh, en


def _quoted(text: str, sources: str) -> bool:
    """``text`` is the user's (written in the sources), an identifier, or a list of those."""
    items = text.split(", ")
    if len(items) == 1:
        return text.lower() in sources or bool(NAMES.match(text))
    return all(item.lower() in sources or IDENTIFIER.match(item) for item in items)


def format_words(registry: Registry, schema: Mapping[str, Any]) -> set[str]:
    """The keys of the ruleset format (``bands``, ``steps``, ``cap_year`` …) and component names: a
    Chinese message names them as they are written, like any identifier."""
    words: set[str] = set()
    for entry in registry.all():
        words.add(entry.name)
        words |= _keys(getattr(entry.component, "params_schema", {}))
    return {w.lower() for w in words | _keys(schema)}


def _keys(node: Any) -> set[str]:
    if isinstance(node, dict):
        own = set(node.get("properties", {})) if isinstance(node.get("properties"), dict) else set()
        return own.union(*(_keys(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_keys(v) for v in node))
    return set()


def _has_engine_cjk(text: str, sources: str) -> bool:
    """Chinese in ``text`` that is not quoted from the sources."""
    return any(run not in sources for run in re.findall(r"[\u3400-\u9fff]+", text))
