"""Canonical key order for a ruamel round-trip tree, with comments kept on their keys.

The order comes from ``schemas/ruleset.schema.json``: at every level the keys
follow the schema's ``properties`` order, keys the schema does not know keep
their author order after the known ones. Component parameters (open schemas
such as ``rater`` or an outcome's extra keys, and mappings with ``use`` that
the schema cannot see into) put ``use``/``id``/``title`` first.

ruamel stores a comment line *after* the value it follows, so the comment
written above key B sits on key A's value (or deeper, on the last leaf of A's
block). Reordering therefore first detaches each key's leading lines, moves
the keys, then re-attaches every block in front of its own key again.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark
from ruamel.yaml.scalarstring import FoldedScalarString, LiteralScalarString
from ruamel.yaml.tokens import CommentToken

COMPONENT_FIRST = ("use", "id", "title")
DOCUMENT = "document"  # head marker of the top mapping: its place above the first key is the file header
_LEADING_BLANKS = re.compile(r"^(?:[ \t]*\n)+")
_COMBINATORS = ("allOf", "anyOf", "oneOf")

Schema = Mapping[str, Any] | None


class SchemaNav:
    """Finds the sub-schema of a node: follows ``$ref``, ``items``,
    ``additionalProperties`` and the alternatives of ``anyOf``/``oneOf``/``allOf``."""

    def __init__(self, root: Mapping[str, Any]):
        self.root = root

    def resolve(self, node: Any) -> Schema:
        seen = 0
        while isinstance(node, Mapping) and isinstance(node.get("$ref"), str) and seen < 32:
            node, seen = self._pointer(node["$ref"]), seen + 1
        return node if isinstance(node, Mapping) else None

    def _pointer(self, ref: str) -> Any:
        if not ref.startswith("#"):
            return None  # an external schema: order unknown, keep the author's
        node: Any = self.root
        for part in ref[1:].split("/")[1:]:
            if not isinstance(node, Mapping):
                return None
            node = node.get(part.replace("~1", "/").replace("~0", "~"))
        return node

    def alternatives(self, node: Schema) -> list[Mapping[str, Any]]:
        node = self.resolve(node)
        if node is None:
            return []
        found = [node]
        for word in _COMBINATORS:
            for alt in node.get(word) or ():
                found.extend(self.alternatives(alt))
        return found

    def properties(self, node: Schema) -> list[str]:
        names: dict[str, None] = {}
        for alt in self.alternatives(node):
            names.update(dict.fromkeys(alt.get("properties") or {}))
        return list(names)

    def is_open(self, node: Schema) -> bool:
        return any(alt.get("additionalProperties") is True for alt in self.alternatives(node))

    def child(self, node: Schema, key: Any) -> Schema:
        alts = self.alternatives(node)
        for alt in alts:
            props = alt.get("properties") or {}
            if key in props:
                return self.resolve(props[key])
        for alt in alts:
            extra = alt.get("additionalProperties")
            if isinstance(extra, Mapping):
                return self.resolve(extra)
        return None

    def items(self, node: Schema) -> Schema:
        for alt in self.alternatives(node):
            if isinstance(alt.get("items"), Mapping):
                return self.resolve(alt["items"])
        return None


TRAILING = ("clause", "note")


def canonical_order(keys: list[Any], schema: Schema, nav: SchemaNav) -> list[Any]:
    """``keys`` in canonical order for a mapping described by ``schema``."""
    if schema is None:
        # Inside component parameters: nothing known but the component convention.
        return _component_first(keys) if "use" in keys else list(keys)
    known = [name for name in nav.properties(schema) if name in keys]
    rest = [key for key in keys if key not in known]
    if nav.is_open(schema):
        rest = _component_first(rest)
    # a component's own parameters read best before its citation
    notes = [name for name in known if name in TRAILING] if rest else []
    return [k for k in known if k not in notes] + rest + notes


def _component_first(keys: list[Any]) -> list[Any]:
    first = [name for name in COMPONENT_FIRST if name in keys]
    return first + [key for key in keys if key not in first]


Head = tuple[CommentedMap, Any] | str | None


def reorder_tree(node: Any, schema: Schema, nav: SchemaNav, head: Head = DOCUMENT) -> None:
    """Reorder every mapping under ``node`` in place, top-down.

    ``head`` says where the comment lines above the first key live: on the
    parent's entry (parent mapping, key) for a mapping reached through a key,
    the file header (DOCUMENT) for the top mapping, nowhere (None) in a list.
    """
    if isinstance(node, CommentedMap):
        if not _has_merge(node):
            _reorder_mapping(node, canonical_order(list(node), schema, nav), head)
        for key in list(node):
            reorder_tree(node[key], nav.child(schema, key) if schema is not None else None, nav, (node, key))
    elif isinstance(node, CommentedSeq):
        inner = nav.items(schema) if schema is not None else None
        for item in node:
            reorder_tree(item, inner, nav, None)


def _has_merge(node: CommentedMap) -> bool:
    # Keys pulled in with `<<:` cannot be moved without rewriting the merge.
    return bool(getattr(node, "merge", None))


def _reorder_mapping(node: CommentedMap, order: list[Any], head: Head) -> None:
    keys = list(node)
    if order == keys:
        return
    if node.fa.flow_style():
        head = None  # no comment lines inside `{...}`; the parent entry holds the line's tail
    leading = {keys[0]: _take_head(node, head)}
    for before, key in zip(keys, keys[1:], strict=False):
        leading[key] = _take_rest(_tail_slot(node, before))
    trailer = _take_rest(_tail_slot(node, keys[-1]))
    for key in order:
        node.move_to_end(key)
    orphan = ""
    for index, key in enumerate(order):
        text = orphan + leading[key]
        orphan = ""
        if index == 0:
            text = _LEADING_BLANKS.sub("", text)  # blank lines above a first key are noise
            orphan = text if not _put_head(node, head, text) else ""
        else:
            _add_rest(_tail_slot(node, order[index - 1]), text)
    _add_rest(_tail_slot(node, order[-1]), orphan + trailer)


# --- comment storage -------------------------------------------------------
# A "slot" is where ruamel keeps the comment after one value:
# (container, key-or-index, position in ca.items entry, value-is-block-scalar).


def _tail_slot(container: Any, key: Any) -> tuple[Any, Any, int, bool]:
    value = container[key]
    if isinstance(value, CommentedMap | CommentedSeq) and len(value) and not value.fa.flow_style():
        return _tail_slot(value, list(value)[-1] if isinstance(value, CommentedMap) else len(value) - 1)
    position = 2 if isinstance(container, CommentedMap) else 0
    return container, key, position, isinstance(value, LiteralScalarString | FoldedScalarString)


def _take_rest(slot: tuple[Any, Any, int, bool]) -> str:
    """Detach the lines after the value's own line; keep its end-of-line comment."""
    container, key, position, block = slot
    entry = container.ca.items.get(key)
    token = entry[position] if entry else None
    if token is None:
        return ""
    eol, rest = _split(token.value, block)
    _store(container, key, position, token, _join(eol, "", block))
    return rest


def _add_rest(slot: tuple[Any, Any, int, bool], text: str) -> None:
    if not text:
        return
    container, key, position, block = slot
    entry = container.ca.items.get(key)
    token = entry[position] if entry else None
    eol, rest = _split(token.value, block) if token is not None else ("", "")
    _store(container, key, position, token, _join(eol, rest + text, block))


def _split(value: str, block: bool) -> tuple[str, str]:
    # After a block scalar the line break is part of the scalar: no eol part.
    if block:
        return "", value
    cut = value.find("\n")
    return (value, "") if cut < 0 else (value[:cut], value[cut + 1:])


def _join(eol: str, rest: str, block: bool) -> str:
    if block:
        return rest
    return eol + "\n" + rest if eol or rest else ""


def _store(container: Any, key: Any, position: int, token: CommentToken | None, value: str) -> None:
    entry = container.ca.items.setdefault(key, [None, None, None, None])
    if not value:
        entry[position] = None
    elif token is None:
        entry[position] = CommentToken(value, CommentMark(0))
    else:
        token.value = value


def _take_head(node: CommentedMap, head: Head) -> str:
    """Detach the comment lines above the first key of ``node``.

    ruamel keeps them on the parent's entry: after the key line's own comment
    when there is one (``subjects:   # note``), otherwise as a list of tokens.
    """
    if not isinstance(head, tuple):
        return ""  # the document header and seq items keep their place
    parent, key = head
    entry = parent.ca.items.get(key)
    if not entry:
        return ""
    text = _take_rest((parent, key, 2, False)) if entry[2] is not None else ""
    tokens = entry[3] or []
    entry[3] = None
    if node.ca.comment:
        node.ca.comment[1] = None
    return text + "".join(" " * t.column + t.value if t.value.startswith("#") else t.value for t in tokens)


def _put_head(node: CommentedMap, head: Head, text: str) -> bool:
    """Comment lines above the first key; False when the mapping has no such place."""
    if not text:
        return True
    if head is None:
        return False
    if isinstance(head, str):  # DOCUMENT
        node.ca.comment = node.ca.comment or [None, None]
        node.ca.comment[1] = (node.ca.comment[1] or []) + _tokens(text)
        return True
    parent, key = head
    entry = parent.ca.items.setdefault(key, [None, None, None, None])
    if entry[2] is not None:
        _add_rest((parent, key, 2, False), text)  # below the key line's own comment
        return True
    tokens = _tokens(text)
    entry[3] = tokens
    if node.ca.comment is None:
        node.ca.comment = [None, None]
    node.ca.comment[1] = tokens
    return True


def _tokens(text: str) -> list[CommentToken]:
    """Comment lines as ruamel's pre-comment tokens: one per line, indentation as column."""
    tokens = []
    for line in text.splitlines(keepends=True):
        body = line.lstrip(" ")
        tokens.append(CommentToken(body, CommentMark(len(line) - len(body) if body.startswith("#") else 0)))
    return tokens
