"""Indented JSON written piece by piece: the results document never held whole, as data or as text.

orjson encodes each piece (a subject's record, the ruleset summary) in C; the
pieces are joined with the same two-space indentation ``orjson.OPT_INDENT_2``
gives a whole document, so a streamed document and one encoded at once are
the same bytes (a test holds them equal). A ``Lazy`` list is a generator
standing where the document has a list: the subjects of a period are built
one at a time while they are written.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, BinaryIO

import orjson

from kaohe.engine.errors import Diagnostic, KaoheError

OPTIONS = orjson.OPT_INDENT_2


class Lazy:
    """A list whose items are made while the document is written; ``plain`` items hold no
    ``Lazy`` themselves and go to orjson whole (not looked through item by item)."""

    def __init__(self, items: Iterable[Any], plain: bool = True):
        self.items = items
        self.plain = plain

    def __iter__(self) -> Iterator[Any]:
        return iter(self.items)


def encode(value: Any) -> bytes:
    """``value`` (plain JSON data, no ``Lazy``) as indented UTF-8 JSON."""
    try:
        return orjson.dumps(value, option=OPTIONS)
    except TypeError as exc:  # orjson.JSONEncodeError: a value that is not JSON data (a plugin's)
        raise KaoheError(Diagnostic("E-EXPORT-VALUE", {"format": "json", "problem": str(exc)})) from None


def write_json(value: Any, out: BinaryIO) -> None:
    """Write ``value`` to ``out``, streaming through every ``Lazy`` in it."""
    _write(value, out, 0)


def _write(value: Any, out: BinaryIO, level: int) -> None:
    if isinstance(value, dict) and _has_lazy(value):
        _container(((orjson.dumps(k) + b": ", v) for k, v in value.items()), b"{", b"}", out, level)
    elif isinstance(value, Lazy) and value.plain:
        _container(((b"", _Plain(v)) for v in value), b"[", b"]", out, level)
    elif isinstance(value, Lazy) or (isinstance(value, list) and _has_lazy(value)):
        _container(((b"", v) for v in value), b"[", b"]", out, level)
    elif isinstance(value, _Plain):
        out.write(_indented(encode(value.value), level))
    else:
        out.write(_indented(encode(value), level))


class _Plain:
    """An item of a plain ``Lazy``: encoded as it is."""

    __slots__ = ("value",)

    def __init__(self, value: Any):
        self.value = value


def _container(entries: Iterator[tuple[bytes, Any]], opening: bytes, closing: bytes, out: BinaryIO,
               level: int) -> None:
    pad = b"\n" + b"  " * (level + 1)
    first = True
    for prefix, item in entries:
        out.write((opening if first else b",") + pad + prefix)
        _write(item, out, level + 1)
        first = False
    out.write(opening + closing if first else b"\n" + b"  " * level + closing)


def _indented(text: bytes, level: int) -> bytes:
    return text.replace(b"\n", b"\n" + b"  " * level) if level and b"\n" in text else text


def _has_lazy(value: Any) -> bool:
    """Whether a ``Lazy`` sits anywhere below (only dicts and lists on the way down are looked at)."""
    if isinstance(value, Lazy):
        return True
    if isinstance(value, dict):
        return any(isinstance(v, Lazy | dict | list) and _has_lazy(v) for v in value.values())
    if isinstance(value, list):
        return any(isinstance(v, Lazy | dict | list) and _has_lazy(v) for v in value)
    return False
