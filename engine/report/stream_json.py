"""JSON written piece by piece: the results document never held whole, as data or as text.

The layout: the document is indented by two spaces as ``orjson.OPT_INDENT_2``
gives it, except that each item of a list of records (``Records``, ``Lines``:
the subjects of a period) is one compact line. A subject is one line to grep or
diff, and the text is less than half the size (a city's 10,000 persons were
354 MB indented, 144 MB so), which is most of the time spent writing it.

orjson encodes each piece (a subject's record, the ruleset summary) in C; a
streamed document and one built whole (its lists of records marked ``Lines``) are the same
bytes (a test holds them equal). A ``Lazy`` list is a generator standing where
the document has a list. A ``Records`` list stands where the document has a
list of same-shaped records: its shape, a record whose varying values are
``Field`` columns, is encoded once with a placeholder for each field, and every
record is the template's pieces joined with its fields' encoded values — each
field's values encoded by orjson as one column, not record by record. A ``Lazy``
marked ``apart`` (a city's periods) has every other item written by a forked
helper process (``forked.py``), the same bytes.
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, BinaryIO

import numpy as np
import orjson

from kaohe.engine.data.columnar import arrow_call, text_bytes
from kaohe.engine.errors import Diagnostic, KaoheError
from kaohe.engine.report import forked

OPTIONS = orjson.OPT_INDENT_2


class Lazy:
    """A list whose items are made while the document is written; ``plain`` items hold no
    ``Lazy`` themselves and go to orjson whole (not looked through item by item). ``apart``: the
    items are independent and each is much work (a city's periods), so every other one is written
    by a forked helper process (``forked.in_two``), where the machine has one to spare."""

    def __init__(self, items: Iterable[Any], plain: bool = True, apart: bool = False):
        self.items = items
        self.plain = plain
        self.apart = apart

    def __iter__(self) -> Iterator[Any]:
        return iter(self.items)


JsonNumber = float | int | None


def shown_array(values: Any, digits: int = 6) -> np.ndarray:
    """A float column as the results show it, NaN for none (NaN, inf): each value as
    ``shown_number`` rounds it, Python's ``round(v, digits)``. The one rounding of shown numbers,
    for a column at once: ``np.round`` (scaled, rounded to a whole number, scaled back) gives the
    same wherever the scaled value is not within its rounding error of a tie, nor too large to
    hold a fraction (beyond 2**52); those few are rounded by Python."""
    array = np.asarray(values, dtype=float)
    finite = np.isfinite(array)
    scale = 10.0 ** digits
    with np.errstate(invalid="ignore", over="ignore"):
        scaled = array * scale
        shown = np.rint(scaled) / scale
        size = np.abs(scaled)
        doubtful = finite & ((np.abs(scaled - np.floor(scaled) - 0.5) <= size * 1e-15 + 1e-15) | (size >= 2.0 ** 52))
    if doubtful.any():
        at = np.flatnonzero(doubtful)
        shown[at] = [round(v, digits) for v in array[at].tolist()]
    return np.where(finite, shown + 0.0, np.nan)  # + 0.0: no -0


def numbers(values: Any, digits: int = 6) -> list[JsonNumber]:
    """A float column as JSON numbers (``shown_array``): NaN/inf as None, whole numbers as int."""
    shown = shown_array(values, digits).tolist()
    return [None if x != x else (int(x) if x.is_integer() and abs(x) < 2**53 else x) for x in shown]


def shown_number(value: Any, digits: int = 6) -> float | int | None:
    """A number as the results show it: noise past ``digits`` decimals removed, NaN/inf as None,
    whole numbers as int."""
    if value is None:
        return None
    value = float(value)
    if math.isnan(value) or math.isinf(value):
        return None
    value = round(value, digits) + 0.0
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


class Lines(list[Any]):
    """A list written one compact item per line (a plain list of records, e.g. the subjects of a
    document built whole): laid out as a ``Records`` list of the same records is."""


Encoded = tuple[list[bytes], "np.ndarray | None"]  # distinct texts and each record's, or a text per record


class Field:
    """One value of every record of a ``Records`` list: ``values`` (plain JSON data, one per
    record), or ``array``, a float column whose values are ``numbers(array)``, or ``make``, which
    gives the values when asked. ``encoded``, where given, gives the same values already as compact
    JSON (``Encoded``) without making them as data: the stream asks for that instead, so a column
    of nested records (a period's adjustments) is never held as dicts."""

    __slots__ = ("_values", "array", "_make", "encoded")

    def __init__(self, values: Sequence[Any] | None = None, array: np.ndarray | None = None,
                 make: Callable[[], Sequence[Any]] | None = None, encoded: Callable[[], Encoded] | None = None):
        self._values = values
        self.array = array
        self._make = make
        self.encoded = encoded

    @property
    def values(self) -> Sequence[Any]:
        if self._values is None:
            self._values = self._make() if self._make is not None else numbers(self.array)
        return self._values

    @classmethod
    def coded(cls, labels: Sequence[Any], codes: np.ndarray) -> Field:
        """Each record's value ``labels[codes[i]]`` (a status name, a yes/no), encoded once per label."""
        where = np.asarray(codes, dtype=np.intp).reshape(-1)
        return cls(make=lambda: [labels[k] for k in where.tolist()],
                   encoded=lambda: ([encode(label, 0) for label in labels], where))


class Records:
    """A list of ``n`` records of one ``shape``: dicts and lists down to plain values (the same in
    every record) and ``Field`` columns (a value per record)."""

    def __init__(self, shape: Any, n: int):
        self.shape = shape
        self.n = n

    def record(self, i: int) -> Any:
        """Record ``i`` as plain data (fresh dicts and lists, as if built by hand)."""
        return _fill(self.shape, i)

    def __iter__(self) -> Iterator[Any]:
        return (self.record(i) for i in range(self.n))


def _fill(node: Any, i: int) -> Any:
    if isinstance(node, Field):
        return node.values[i]
    if isinstance(node, dict):
        return {k: _fill(v, i) for k, v in node.items()}
    if isinstance(node, list):
        return [_fill(v, i) for v in node]
    return node


def filler(shape: Any) -> Callable[[int], Any]:
    """``Records(shape, n).record`` made once for many records: each dict's keys and each field's
    values looked up when made, not per record."""
    if isinstance(shape, Field):
        return shape.values.__getitem__
    if isinstance(shape, dict):
        parts = [(k, filler(v)) for k, v in shape.items()]
        return lambda i: {k: f(i) for k, f in parts}
    if isinstance(shape, list):
        items = [filler(v) for v in shape]
        return lambda i: [f(i) for f in items]
    return lambda i: shape


def encode(value: Any, option: int = OPTIONS) -> bytes:
    """``value`` (plain JSON data, no ``Lazy``) as indented UTF-8 JSON (compact with ``option=0``)."""
    try:
        return orjson.dumps(value, option=option)
    except TypeError as exc:  # orjson.JSONEncodeError: a value that is not JSON data (a plugin's)
        raise KaoheError(Diagnostic("E-EXPORT-VALUE", {"format": "json", "problem": str(exc)})) from None


def write_json(value: Any, out: BinaryIO) -> None:
    """Write ``value`` to ``out``, streaming through every ``Lazy`` in it."""
    _write(value, out, 0)


def _write(value: Any, out: BinaryIO, level: int) -> None:
    if isinstance(value, Records):
        _records(value, out, level)
    elif isinstance(value, Lines):
        _lines(value, out, level)
    elif isinstance(value, dict) and _has_lazy(value):
        _container(((orjson.dumps(k) + b": ", v) for k, v in value.items()), b"{", b"}", out, level)
    elif isinstance(value, Lazy) and value.plain:
        _container(((b"", _Plain(v)) for v in value), b"[", b"]", out, level)
    elif isinstance(value, Lazy) and value.apart and forked.available():
        shared = forked.in_two(value, lambda item, sink: _write(item, sink, level + 1))
        _container(((b"", v) for v in shared), b"[", b"]", out, level)
    elif isinstance(value, forked.Made):  # an item the helper wrote
        value.write(out, lambda item, sink: _write(item, sink, level))
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
    """Whether a ``Lazy`` (or ``Records``) sits anywhere below (only dicts and lists on the way down
    are looked at)."""
    if isinstance(value, Lazy | Records | Lines):
        return True
    if isinstance(value, dict):
        return any(isinstance(v, Lazy | Records | dict | list) and _has_lazy(v) for v in value.values())
    if isinstance(value, list):
        return any(isinstance(v, Lazy | Records | dict | list) and _has_lazy(v) for v in value)
    return False


def _lines(items: Iterable[Any], out: BinaryIO, level: int) -> None:
    """A list at ``level`` with each item compact on a line of its own."""
    pad = b"\n" + b"  " * (level + 1)
    texts = [encode(item, 0) for item in items]
    out.write(b"[" + pad + (b"," + pad).join(texts) + b"\n" + b"  " * level + b"]" if texts else b"[]")


# ---------------------------------------------------------------------------
# Records: a template and columns

_SLOT = "\x00kaohe-field\x00{}\x00"  # orjson writes it "\u0000kaohe-field\u0000<k>\u0000"
_SLOT_TEXT = re.compile(rb'"\\u0000kaohe-field\\u0000(\d+)\\u0000"')
_SCALARS = frozenset({type(None), bool, int, float, str})
CHUNK = 2048  # records joined per write


def _records(records: Records, out: BinaryIO, level: int) -> None:
    """The list at ``level``, a compact record a line: the template's constant pieces around its
    fields' texts."""
    if records.n == 0:
        out.write(b"[]")
        return
    laid_out = _layout(records)
    if laid_out is None:
        _lines(records, out, level)
        return
    constants, columns = laid_out
    constants[0] = b"," + b"\n" + b"  " * (level + 1) + constants[0]
    if by_arrow(records.n):
        _arrow_records(constants, columns, records.n, out)
    else:
        for start in range(0, records.n, CHUNK):
            chunk = b"".join(_pieces(constants, columns, start, min(start + CHUNK, records.n)))
            out.write(b"[" + chunk[1:] if start == 0 else chunk)
    out.write(b"\n" + b"  " * level + b"]")


# A list of this many records is joined by Arrow (in C, about half the time of joining its pieces
# in Python: 32 against 58 ms for a city's 10,000 subjects) when Arrow is loaded already (the data
# were read through it), or when it is long enough to be worth loading Arrow for (some 0.15 s).
ARROW_RECORDS = 4096
ARROW_IMPORT_RECORDS = 50_000
ARROW_CHUNK = 8192  # records joined per write on that path (a province subject is some 3 KB of JSON)


def by_arrow(n: int) -> bool:
    """Whether ``n`` records are joined by Arrow rather than piece by piece in Python."""
    return n >= ARROW_RECORDS and ("pyarrow" in sys.modules or n >= ARROW_IMPORT_RECORDS)


def _arrow_records(constants: list[bytes], columns: list[_Texts], n: int, out: BinaryIO) -> None:
    """``_records``' text joined by Arrow (``arrow_lines``): the same bytes, a chunk's data
    buffer written as it is. Written behind (``behind.WrittenBehind.write_made``), a chunk's
    join, which leaves the interpreter free, runs on the writer's thread while the next chunk or
    period is laid out."""
    pieces_of, join = arrow_lines(constants, columns)
    later = getattr(out, "write_made", None)
    for start in range(0, n, ARROW_CHUNK):
        pieces = pieces_of(start, min(start + ARROW_CHUNK, n))
        if start == 0:
            out.write(b"[")
        first = 1 if start == 0 else 0  # the first record without its ","

        def text(pieces: list[Any] = pieces, first: int = first) -> memoryview:
            return text_bytes(join(pieces))[first:]

        if later is not None:
            later(text)
        else:
            out.write(text())


def arrow_lines(constants: list[bytes], columns: list[_Texts]) -> tuple[Callable[[int, int], list[Any]],
                                                                       Callable[[list[Any]], Any]]:
    """Records ``start:stop`` as an Arrow array (large_binary) of their texts, in two steps: their
    pieces (the template's constants and the columns' texts as Arrow arrays; a field of few values
    gathered from its words in Arrow), then the pieces joined by
    ``pyarrow.compute.binary_join_element_wise`` (which, in C, leaves the interpreter free)."""
    import pyarrow as pa

    kind = pa.large_binary()  # 64-bit offsets: no limit on a chunk's bytes
    words = [pa.array(c.words.tolist(), kind) if c.where is not None else None for c in columns]
    fixed = [pa.scalar(c, kind) for c in constants]

    def pieces_of(start: int, stop: int) -> list[Any]:
        if not columns:  # every record the same text (Arrow would join the scalars into one)
            return [pa.array([constants[0]] * (stop - start), kind)]
        pieces: list[Any] = [fixed[0]]
        for column, distinct, after in zip(columns, words, fixed[1:], strict=True):
            where = column.where
            texts = (pa.array(column.words[start:stop].tolist(), kind) if distinct is None or where is None
                     else arrow_call("take", distinct, pa.array(where[start:stop])))
            pieces += [texts, after]
        return pieces

    def join(pieces: list[Any]) -> Any:
        return pieces[0] if len(pieces) == 1 else arrow_call("binary_join_element_wise", *pieces, pa.scalar(b"", kind))

    return pieces_of, join


def record_texts(records: Records) -> list[bytes]:
    """Each record of ``records`` as compact JSON, made as ``_records`` makes a list of them."""
    laid_out = _layout(records) if records.n else None
    if laid_out is None:
        return [encode(record, 0) for record in records]
    constants, columns = laid_out
    width = 2 * len(columns) + 1
    texts: list[bytes] = []
    for start in range(0, records.n, CHUNK):
        parts = _pieces(constants, columns, start, min(start + CHUNK, records.n))
        texts += [b"".join(parts[k:k + width]) for k in range(0, len(parts), width)]
    return texts


def _layout(records: Records) -> tuple[list[bytes], list[_Texts]] | None:
    """The records' template as constants around the columns of texts that vary (None when a
    constant spells a placeholder: then the records are encoded one by one)."""
    fields: list[Field] = []
    pieces = _SLOT_TEXT.split(encode(_placeholders(records.shape, fields), 0))
    if [int(k) for k in pieces[1::2]] != list(range(len(fields))):  # a placeholder's text in the data
        return None
    constants: list[bytes] = [pieces[0]]
    columns: list[_Texts] = []
    numbers_of: dict[int, _Texts | None] = {}  # one float column can stand in several fields
    for k, field in enumerate(fields):
        texts = None
        if field.array is not None:
            if id(field.array) not in numbers_of:
                numbers_of[id(field.array)] = _Texts.of_numbers(field.array)
            texts = numbers_of[id(field.array)]
        if texts is None and field.encoded is not None:
            words, where = field.encoded()
            texts = _Texts(_words(words), where)
        if texts is None:
            texts = _Texts.of_values(field)
        if texts.constant is not None:  # the same in every record: part of the template
            constants[-1] += texts.constant + pieces[2 * k + 2]
        else:
            columns.append(texts)
            constants.append(pieces[2 * k + 2])
    return _merged(constants, columns, records.n)


def _pieces(constants: list[bytes], columns: list[_Texts], start: int, stop: int) -> list[bytes]:
    """Records ``start:stop`` piece by piece: a constant, a column's text, a constant …"""
    width = 2 * len(columns) + 1
    parts: list[bytes] = [constants[0]] * ((stop - start) * width)
    for k, column in enumerate(columns):
        parts[2 * k + 1::width] = column.texts(start, stop)
        parts[2 * k + 2::width] = [constants[k + 1]] * (stop - start)
    return parts


class _Texts:
    """A field's texts in every record: ``words`` (encoded values) and, when the field has few
    distinct values, which word each record has (``where``); otherwise a word per record."""

    def __init__(self, words: np.ndarray, where: np.ndarray | None):
        self.words = words
        self.where = where
        count = len(words)
        self.constant: bytes | None = None
        if count and (count == 1 if where is not None else words.tolist().count(words[0]) == count):
            self.constant = words[0]

    @classmethod
    def of_numbers(cls, array: np.ndarray) -> _Texts | None:
        """A float column's texts (``numbers`` as orjson writes them); None when orjson refuses a
        value (a whole number past 64 bits): left to the per-value path to report."""
        found = _distinct_words(array)
        return None if found is None else cls(*found)

    @classmethod
    def of_values(cls, field: Field) -> _Texts:
        values = field.values
        if len(values) and len(set(map(type, values))) == 1 and type(values[0]) in _SCALARS:
            coded = _coded(values)  # one type of scalar: equal values are the same JSON
            if coded is not None:
                return cls(*coded)
        return cls(_words(field_texts(field)), None)

    def texts(self, start: int, stop: int) -> list[bytes]:
        chosen = self.words[self.where[start:stop]] if self.where is not None else self.words[start:stop]
        texts: list[bytes] = chosen.tolist()
        return texts


def _pair_codes(pairs: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values of ``pairs`` (each below ``size``) in order, and each one's place among
    them: counted in a table when ``size`` is small, so no sort."""
    if size > 4 * len(pairs) + 1024:
        distinct, where = np.unique(pairs, return_inverse=True)
        return distinct, where.reshape(-1)
    seen = np.zeros(size, dtype=bool)
    seen[pairs] = True
    place = np.cumsum(seen) - 1
    return np.flatnonzero(seen), place[pairs]


def _distinct_values(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(values, return_inverse=True)`` for a float column, without its sort when every
    value is a whole number or a number of hundredths (most scores and inputs): those counted as
    whole numbers by ``_pair_codes`` (in a table when their range is short)."""
    if len(values) and np.isfinite(values).all():
        for scale in (1.0, 100.0):
            scaled = np.rint(values * scale)
            if (scaled / scale == values).all() and np.abs(scaled).max() < 2.0 ** 52:  # their differences exact
                low = scaled.min()
                places, where = _pair_codes((scaled - low).astype(np.int64), int(scaled.max() - low) + 1)
                return (places + low) / scale, where  # each the very double it stands for
    distinct, where = np.unique(values, return_inverse=True)
    return distinct, where.reshape(-1)


def _words(texts: list[bytes]) -> np.ndarray:
    words = np.empty(len(texts), dtype=object)
    words[:] = texts
    return words


def _coded(values: Sequence[Any]) -> tuple[np.ndarray, np.ndarray] | None:
    """Few distinct values (at most a quarter of them): each encoded once, and each record's."""
    distinct = set(values)
    if len(distinct) > max(1, len(values) // 4) or any(v != v for v in distinct):  # NaN is no key
        return None
    order = list(distinct)
    code = {v: k for k, v in enumerate(order)}
    where = np.fromiter(map(code.__getitem__, values), dtype=np.intp, count=len(values))
    return _words([encode(v, 0) for v in order]), where


def _merged(constants: list[bytes], columns: list[_Texts], n: int) -> tuple[list[bytes], list[_Texts]]:
    """Neighbouring fields whose values go together (an indicator's score, inputs and details are
    one value worked out) as one field: its texts the pairs of words with the constant between,
    for every pair that occurs. Joined once per pair instead of once per record: fewer pieces per
    record. Merged while the pairs stay few (a quarter of the records)."""
    kept_constants, kept = [constants[0]], list[_Texts]()
    for column, after in zip(columns, constants[1:], strict=True):
        last = kept[-1] if kept else None
        if last is not None and last.where is not None and column.where is not None:
            pairs = last.where.astype(np.int64) * len(column.words) + column.where
            distinct, where = _pair_codes(pairs, len(last.words) * len(column.words))
            if len(distinct) <= n // 4:
                between = kept_constants[-1]
                firsts, seconds = np.divmod(distinct, len(column.words))
                words = [a + between + b for a, b in zip(last.words[firsts].tolist(), column.words[seconds].tolist(),
                                                          strict=True)]
                kept[-1] = _Texts(_words(words), where)
                kept_constants[-1] = after
                continue
        kept.append(column)
        kept_constants.append(after)
    return kept_constants, kept


def _placeholders(node: Any, fields: list[Field]) -> Any:
    if isinstance(node, Field):
        fields.append(node)
        return _SLOT.format(len(fields) - 1)
    if isinstance(node, dict):
        return {k: _placeholders(v, fields) for k, v in node.items()}
    if isinstance(node, list):
        return [_placeholders(v, fields) for v in node]
    return node


def field_texts(field: Field) -> list[bytes]:
    """Each record's value of ``field`` as compact JSON, the common columns encoded at once."""
    if field.array is not None:
        texts = _number_texts(field.array)
        if texts is not None:
            return texts
    values = field.values
    if not len(values):
        return []
    if set(map(type, values)) <= _SCALARS:  # indented, a scalar is a line of its own: cut there
        return encode(list(values))[4:-2].split(b",\n  ")
    try:  # most subjects have no vetoes and many no adjustments: no call for an empty list
        return [b"[]" if v == [] else orjson.dumps(v) for v in values]
    except TypeError as exc:  # orjson.JSONEncodeError: as ``encode`` reports it
        raise KaoheError(Diagnostic("E-EXPORT-VALUE", {"format": "json", "problem": str(exc)})) from None


def _number_texts(array: np.ndarray) -> list[bytes] | None:
    """``numbers(array)`` as orjson writes them; None when orjson refuses one (``_distinct_words``)."""
    found = _distinct_words(array)
    if found is None:
        return None
    words, where = found
    texts: list[bytes] = words[where].tolist()
    return texts


def _distinct_words(array: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Each distinct value of a float column encoded once (whole numbers below 2**53 as integers,
    as ``numbers`` gives them; the others as floats: orjson writes a numpy float as it writes a
    Python float), and each value's distinct one."""
    values = np.asarray(array, dtype=float)
    if len(values) and (values == values[0]).all():  # one value throughout (a target, a full mark): no sort
        distinct, where = values[:1], np.zeros(len(values), dtype=np.intp)
    else:
        distinct, where = _distinct_values(values)
    finite = np.isfinite(distinct)
    shown = np.where(finite, shown_array(distinct), 0.0)
    whole = finite & (shown == np.floor(shown)) & (np.abs(shown) < 2.0 ** 53)
    words = np.full(len(distinct), b"null", dtype=object)
    for mask, values in ((whole, shown[whole].astype(np.int64)), (finite & ~whole, shown[finite & ~whole])):
        if mask.any():
            words[mask] = orjson.dumps(values, option=orjson.OPT_SERIALIZE_NUMPY)[1:-1].split(b",")
    return words, where.reshape(-1)
