"""Headers as offices write them: a column named by its id, its Chinese title or an alias.

A table's vocabulary is its standard columns (``kaohe.engine.data.columns``) plus
what the ruleset declares for it: inputs for the values table, ``event_fields``,
``history_fields``, ``item_fields`` and ``subjects.fields``, each with an optional
``title`` and ``aliases``. Matching forgives what a spreadsheet adds around a name:
surrounding spaces, line breaks inside a header cell, full-width brackets and
letters, a required-column star, and a unit suffix equal to the column's declared
unit (``重点任务完成评分（分）``, ``得分(%)``).

An exact id always wins; otherwise an id, then a title, then an alias. Two
different columns matched at the same rank make the header ambiguous.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kaohe.engine.data.columns import standard
from kaohe.engine.data.numbers import is_percent_unit
from kaohe.engine.errors import did_you_mean
from kaohe.engine.ruleset.model import Ruleset

_BRACKETS = str.maketrans({"【": "(", "】": ")", "[": "(", "]": ")", "〔": "(", "〕": ")"})
_UNIT_SUFFIX = re.compile(r"^(.+?)\(([^()]+)\)$")
_RANKS = ("id", "title", "alias")
# where a ruleset declares the extra columns of each table (the values table's are its inputs)
FIELD_SECTIONS = {"subjects": ("subjects", "fields"), "events": ("event_fields",),
                  "history": ("history_fields",), "items": ("item_fields",)}


def header_key(text: Any) -> str:
    """The form two headers are compared in: NFKC (full-width to half-width), brackets as ``()``,
    no whitespace or line breaks at all, no required-column star, case folded."""
    value = unicodedata.normalize("NFKC", str(text)).translate(_BRACKETS)
    key = "".join(value.split()).strip("*").casefold()
    return key[1:-1] if key.startswith("(") and key.endswith(")") and key.count("(") == 1 else key


@dataclass(frozen=True)
class Named:
    """A column a header may name."""

    id: str
    title: str = ""
    aliases: tuple[str, ...] = ()
    unit: str = ""

    def shown(self) -> str:
        """How a suggestion names the column: its id, and its title when it has one."""
        return f"{self.id} / {self.title}" if self.title and self.title != self.id else self.id


@dataclass(frozen=True)
class Match:
    """What one header cell names: a column id, or nothing (``id`` is then the header as written)."""

    id: str
    known: bool
    ambiguous: tuple[Named, ...] = ()


@dataclass
class Columns:
    """The columns of one table and the lookup from header keys to them."""

    named: tuple[Named, ...]
    _index: dict[tuple[str, str], list[Named]] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        for column in self.named:
            for rank, words in (("id", [column.id]), ("title", [column.title]), ("alias", column.aliases)):
                for word in words:
                    if word:
                        bucket = self._index.setdefault((rank, header_key(word)), [])
                        if column not in bucket:
                            bucket.append(column)
        self._ids = {c.id: c for c in self.named}

    def match(self, header: Any) -> Match:
        text = str(header).strip()
        if text in self._ids:
            return Match(text, True)
        key = header_key(text)
        found = self._ranked(key)
        if not found:
            found = self._with_unit(key)
        if not found:
            return Match(text, False)
        if len({c.id for c in found}) > 1:
            return Match(text, False, tuple(found))
        return Match(found[0].id, True)

    def _ranked(self, key: str, unit: str | None = None) -> list[Named]:
        for rank in _RANKS:
            found = [c for c in self._index.get((rank, key), []) if unit is None or header_key(c.unit) == unit]
            if found:
                return found
        return []

    def _with_unit(self, key: str) -> list[Named]:
        """``名称(单位)`` names the column called 名称 when its declared unit is 单位."""
        split = _UNIT_SUFFIX.match(key)
        return self._ranked(split[1], split[2]) if split else []

    def suggest(self, header: Any, allowed: Iterable[str] | None = None) -> str:
        """The column a mistyped header most likely meant, by its id, title or an alias, shown with
        both its id and title ("" when nothing is close)."""
        chosen = None if allowed is None else set(allowed)
        columns = [c for c in self.named if chosen is None or c.id in chosen]
        words: dict[str, Named] = {}
        for column in columns:
            for word in (column.id, column.title, *column.aliases):
                if word:
                    words.setdefault(header_key(word), column)
        guess = did_you_mean(header_key(header), words)
        return words[guess].shown() if guess else ""

    def has_percent_unit(self) -> bool:
        return any(is_percent_unit(c.unit) for c in self.named)

    def unit_of(self, column: str) -> str:
        named = self._ids.get(column)
        return named.unit if named is not None else ""

    def resolve_value(self, text: str) -> str:
        """A cell of the long values table's input column written as the input's title or alias."""
        match = self.match(text)
        return match.id if match.known else text


@dataclass(frozen=True)
class Vocabulary:
    """Per table, the declared columns beyond the standard ones (none known: only the standard)."""

    declared: Mapping[str, tuple[Named, ...]] = field(default_factory=dict)

    def columns(self, table: str) -> Columns:
        own = [Named(c.id, c.title, c.aliases) for c in standard(table)]
        return Columns((*own, *self.declared.get(table, ())))


def _named(entries: Any) -> tuple[Named, ...]:
    """Named columns from a ruleset's ``{id: {title, aliases, unit}}`` mapping."""
    if not isinstance(entries, Mapping):
        return ()
    out = []
    for key, spec in entries.items():
        spec = spec if isinstance(spec, Mapping) else {}
        aliases = spec.get("aliases")
        out.append(Named(str(key), _text(spec.get("title")),
                         tuple(str(a) for a in aliases if a) if isinstance(aliases, Sequence) and not isinstance(aliases, str) else (),
                         _text(spec.get("unit"))))
    return tuple(out)


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def names_of(ruleset: Ruleset) -> Vocabulary:
    """The titles and aliases a ruleset's data tables may name its columns by. The fields' titles
    are not on the compiled model (nothing else needs them), so they are read from its document."""
    return vocabulary(ruleset.inputs, ruleset.document.data)


def vocabulary(inputs: Mapping[str, Any], document: Mapping[str, Any] | None = None) -> Vocabulary:
    """The vocabulary of a ruleset: its ``inputs`` and, from its document, the declared fields."""
    declared: dict[str, tuple[Named, ...]] = {"values": _named(inputs)}
    for table, path in FIELD_SECTIONS.items():
        node: Any = document or {}
        for key in path:
            node = node.get(key) if isinstance(node, Mapping) else None
        declared[table] = _named(node)
    return Vocabulary(declared)
