"""YAML files to plain data that remembers where every value came from.

PyYAML's safe composer builds the node tree (so no tag can construct a
Python object); we then walk it ourselves to refuse duplicate keys, keep
dates as the text the author wrote, cap alias expansion, and record the
line and column of every key and value by JSON path.

Limits (docs/trust.md, 资源限制 Resource limits): a file over ``MAX_FILE_BYTES``
is refused from its size before it is read; composing stops past
``MAX_NODES`` nodes (PyYAML spends some 30 µs and a few hundred bytes on each,
so a dense file under the size limit would otherwise take minutes and
gigabytes) and so does the walk (aliases expanded); composing also stops
past ``MAX_DEPTH`` levels of nesting; ``MAX_NUMBER_DIGITS`` bounds the
digits of a number.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kaohe.engine.errors import Bilingual, Diagnostic, KaoheError
from kaohe.engine.ruleset.slips import syntax_slip
from kaohe.engine.ruleset.yaml_problems import read_problem, yaml_problem

Path_ = tuple[str | int, ...]

MAX_FILE_BYTES = 5 * 1024 * 1024  # one ruleset YAML file; shipped rulesets are under 100 KB
MAX_NODES = 200_000  # YAML nodes composed (keys, values, aliases) and walked (aliases expanded)
MAX_NUMBER_DIGITS = 30  # digits of a number written in a ruleset
MAX_DEPTH = 200
STANDARD_TAGS = {
    "tag:yaml.org,2002:" + name
    for name in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp")
}
_IDENT = re.compile(r"^[^\W\d][\w-]*$", re.UNICODE)


@dataclass
class Document:
    """One YAML file as plain data plus the position of each node."""

    file: str
    data: Any
    positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    key_positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    problems: list[Diagnostic] = field(default_factory=list)
    """Non-fatal problems found while reading (duplicate keys, tags)."""
    files: dict[Path_, str] = field(default_factory=dict)
    """For a document resolved through ``extends``: the file each subtree came from."""
    text: str = field(default="", repr=False)
    """The YAML text read (empty for a merged document): where ``slips`` looks for the character behind a problem."""

    def file_at(self, path: Path_) -> str:
        """The file that wrote ``path`` (nearest ancestor recorded), else this file."""
        probe = tuple(path)
        while True:
            if probe in self.files:
                return self.files[probe]
            if not probe:
                return self.file
            probe = probe[:-1]

    def locate(self, path: Path_, key: bool = False) -> tuple[int | None, int | None]:
        """Line and column (1-based) of ``path``, or of its nearest located ancestor."""
        table = self.key_positions if key else self.positions
        probe = tuple(path)
        while True:
            if probe in table:
                return table[probe]
            if key and probe in self.positions:
                return self.positions[probe]
            if not probe:
                return None, None
            probe = probe[:-1]

    def diagnostic(self, code: str, path: Path_, at_key: bool = False, **params: Any) -> Diagnostic:
        line, column = self.locate(path, key=at_key)
        return Diagnostic(code, params, file=self.file_at(path), line=line, column=column, path=json_path(path))


def json_path(path: Path_) -> str:
    """``("indicators", 3, "weight")`` -> ``$.indicators[3].weight``."""
    text = "$"
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        elif _IDENT.match(part):
            text += f".{part}"
        else:
            text += f"['{part}']"
    return text


def load_yaml(path: Path, display: str | None = None) -> Document:
    """Read ``path`` safely. Unreadable YAML raises KaoheError; problems that
    leave the data usable (duplicate keys, tags) are kept in ``problems``."""
    display = display or str(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:  # from its size: a huge file is never read
            raise KaoheError(_file_too_large(display, size))
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise KaoheError(Diagnostic("E-FILE-NOT-FOUND", {"file": display}, file=display)) from None
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise KaoheError(Diagnostic("E-FILE-ENCODING", {"file": display}, file=display, line=line)) from None
    except OSError as exc:
        raise KaoheError(Diagnostic("E-YAML-SYNTAX", {"problem": read_problem(exc)}, file=display)) from None
    return load_yaml_text(text, display)


def load_yaml_text(text: str, display: str) -> Document:
    if len(text) > MAX_FILE_BYTES // 4:  # a text not read from a file here (git, kaohe fmt): its UTF-8 size
        size = len(text.encode("utf-8", errors="replace"))
        if size > MAX_FILE_BYTES:
            raise KaoheError(_file_too_large(display, size))
    try:
        node = _compose(text)
    except _TooLarge as exc:
        raise KaoheError(Diagnostic(
            "E-YAML-TOO-LARGE", {"limit": exc.limit}, file=display, line=exc.line, column=exc.column, path="$",
        )) from None
    except yaml.MarkedYAMLError as exc:
        slip = syntax_slip(text, str(exc.problem or ""), str(exc.context or ""),
                           _mark_at(exc.problem_mark), _mark_at(exc.context_mark))
        if slip is not None:  # a Chinese keyboard's slip: name the character, where it is, not where PyYAML gave up
            raise KaoheError(slip.diagnostic(display)) from None
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
        raise KaoheError(
            Diagnostic("E-YAML-SYNTAX", {"problem": yaml_problem(exc.context, exc.problem)}, file=display, line=line, column=column)
        ) from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow (NUL, other control characters)
        line, column = _line_column(text, exc.position)
        raise KaoheError(Diagnostic("E-YAML-CHARACTER", {"character": f"U+{exc.character:04X}"},
                                    file=display, line=line, column=column)) from None
    except yaml.YAMLError as exc:
        raise KaoheError(Diagnostic("E-YAML-SYNTAX", {"problem": Bilingual("写法有误", str(exc))},
                                    file=display)) from None
    except RecursionError:
        line, column = _too_deep_at(text)
        raise KaoheError(Diagnostic(
            "E-YAML-TOO-LARGE", {"limit": MAX_DEPTH}, file=display, line=line, column=column, path="$",
        )) from None
    document = Document(display, None, text=text)
    if node is None:
        raise KaoheError(Diagnostic("E-YAML-NOT-MAPPING", {}, file=display, line=1, column=1))
    walker = _Walker(document)
    document.data = walker.walk(node, ())
    document.problems = walker.problems
    return document


def _mark_at(mark: yaml.Mark | None) -> tuple[int, int] | None:
    return (mark.line + 1, mark.column + 1) if mark is not None else None


def _file_too_large(display: str, size: int) -> Diagnostic:
    return Diagnostic("E-YAML-FILE-TOO-LARGE", {"size": size_text(size), "limit": size_text(MAX_FILE_BYTES),
                                                "constant": "MAX_FILE_BYTES"}, file=display)


def size_text(size: int) -> str:
    """``5242880`` -> ``5 MiB``; smaller sizes in KiB or bytes (B)."""
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if size >= scale:
            return f"{size / scale:.1f}".removesuffix(".0") + f" {unit}"
    return f"{size} B"


class _TooLarge(Exception):
    """Composing gave up: too many nodes, or nested too deeply, at ``mark``."""

    def __init__(self, mark: yaml.Mark | None, limit: int):
        super().__init__(f"YAML limit {limit}")
        self.limit = limit
        self.line = mark.line + 1 if mark else None
        self.column = mark.column + 1 if mark else None


class _CountingLoader(yaml.SafeLoader):
    """The safe loader, giving up past MAX_NODES composed nodes or MAX_DEPTH levels of nesting (before
    Python's own recursion limit, which depends on how deep the caller already is)."""

    def __init__(self, stream: str):
        super().__init__(stream)
        self.composed = 0
        self.depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        self.composed += 1
        if self.composed > MAX_NODES:
            raise _TooLarge(self._next_mark(), MAX_NODES)
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise _TooLarge(self._next_mark(), MAX_DEPTH)
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def _next_mark(self) -> yaml.Mark | None:
        """Where the node about to be composed starts."""
        event = self.peek_event()  # type: ignore[no-untyped-call]  # the stubs leave the parser untyped
        mark: yaml.Mark | None = getattr(event, "start_mark", None)
        return mark


_Outcome = yaml.Node | None | _TooLarge | yaml.YAMLError
_COMPOSED: dict[str, tuple[_Outcome, int]] = {}  # text -> (tree or error, nodes kept alive)
_CACHE_ENTRIES = 8
_CACHE_CHARACTERS = 2 * MAX_FILE_BYTES


def _compose(text: str) -> yaml.Node | None:
    """The node tree of ``text``. ``kaohe validate`` reads a ruleset three times (the checks, then
    versions.py for ``extends`` and ``effective``), so the last few trees (or the error) are kept, at
    most MAX_NODES nodes in all; the walk never changes a node (only scalars reach the constructor) and
    each load walks into a new Document."""
    if text in _COMPOSED:
        outcome = _COMPOSED[text][0]
    else:
        loader = _CountingLoader(text)
        try:
            outcome = loader.get_single_node()
        except (_TooLarge, yaml.YAMLError) as exc:
            outcome = exc.with_traceback(None)  # keep no frames (and their loader) alive in the cache
        finally:
            loader.dispose()
        _remember(text, outcome, 0 if isinstance(outcome, Exception) else loader.composed)
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


def _remember(text: str, outcome: _Outcome, nodes: int) -> None:
    if len(text) > _CACHE_CHARACTERS or nodes > MAX_NODES:
        return
    while _COMPOSED and (len(_COMPOSED) >= _CACHE_ENTRIES
                         or sum(map(len, _COMPOSED)) + len(text) > _CACHE_CHARACTERS
                         or sum(n for _, n in _COMPOSED.values()) + nodes > MAX_NODES):
        del _COMPOSED[next(iter(_COMPOSED))]
    _COMPOSED[text] = (outcome, nodes)


def _line_column(text: str, position: int) -> tuple[int, int]:
    before = text[:position]
    return before.count("\n") + 1, position - (before.rfind("\n") + 1) + 1


def _too_deep_at(text: str) -> tuple[int | None, int | None]:
    """Line where nesting first exceeds MAX_DEPTH, found with PyYAML's
    iterative scanner (the recursive composer is what gave up)."""
    opening = (yaml.FlowSequenceStartToken, yaml.FlowMappingStartToken,
               yaml.BlockSequenceStartToken, yaml.BlockMappingStartToken)
    closing = (yaml.FlowSequenceEndToken, yaml.FlowMappingEndToken, yaml.BlockEndToken)
    depth = 0
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            if isinstance(token, opening):
                depth += 1
                if depth > MAX_DEPTH:
                    return token.start_mark.line + 1, token.start_mark.column + 1
            elif isinstance(token, closing):
                depth -= 1
    except yaml.YAMLError:
        pass
    return None, None


class _Walker:
    def __init__(self, document: Document):
        self.document = document
        self.problems: list[Diagnostic] = []
        self.count = 0
        self.active: set[int] = set()  # nodes being walked: an alias to one is a cycle
        self.constructor = yaml.SafeLoader("")

    def walk(self, node: yaml.Node, path: Path_) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise KaoheError(self._at(node, path, "E-YAML-TOO-LARGE", limit=MAX_NODES))
        self.document.positions.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
        if node.tag not in STANDARD_TAGS:
            self.problems.append(self._at(node, path, "E-YAML-TAG", tag=node.tag))
            return None
        if isinstance(node, yaml.MappingNode | yaml.SequenceNode):
            if id(node) in self.active:
                raise KaoheError(self._at(node, path, "E-YAML-TOO-LARGE", limit=MAX_NODES))
            self.active.add(id(node))
            try:
                if isinstance(node, yaml.MappingNode):
                    return self.mapping(node, path)
                return [self.walk(item, (*path, i)) for i, item in enumerate(node.value)]
            finally:
                self.active.discard(id(node))
        if node.tag.endswith(":timestamp"):
            return node.value  # keep dates as written; the schema checks their form
        if node.tag.endswith((":int", ":float")) and len(str(node.value)) > MAX_NUMBER_DIGITS:
            # Python refuses to read integers of more than 4300 digits; no policy value needs 30
            raise KaoheError(self._at(node, path, "E-YAML-NUMBER", limit=MAX_NUMBER_DIGITS))
        value = self.constructor.construct_object(node, deep=True)
        if isinstance(value, float) and not math.isfinite(value):
            # .nan passes every range check (all comparisons are false) and .inf every minimum
            raise KaoheError(self._at(node, path, "E-YAML-NOT-FINITE", value=node.value))
        return value

    def mapping(self, node: yaml.MappingNode, path: Path_) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first_line: dict[str, int] = {}
        merges = []
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                merges.append(value_node)
                continue
            key = self._key(key_node)
            child = (*path, key)
            line = key_node.start_mark.line + 1
            if key in result:
                self.problems.append(
                    self._at(key_node, child, "E-YAML-DUPLICATE-KEY", key=key, first_line=first_line[key])
                )
                continue
            first_line[key] = line
            self.document.key_positions[child] = (line, key_node.start_mark.column + 1)
            result[key] = self.walk(value_node, child)
        self._merge(merges, path, result)
        return result

    def _merge(self, merges: list[yaml.Node], path: Path_, result: dict[str, Any]) -> None:
        """``<<: *base``: keys written here win over merged ones, earlier merges over later."""
        sources = [n for m in merges for n in (m.value if isinstance(m, yaml.SequenceNode) else [m])]
        for source in sources:
            merged = self.walk(source, path)
            if isinstance(merged, dict):
                for key, value in merged.items():
                    result.setdefault(key, value)

    def _key(self, node: yaml.Node) -> str:
        if isinstance(node, yaml.ScalarNode):
            value = node.value if node.tag.endswith(":timestamp") else self.constructor.construct_object(node)
            return str(value)
        return str(node.value)

    def _at(self, node: yaml.Node, path: Path_, code: str, **params: Any) -> Diagnostic:
        return Diagnostic(
            code, params, file=self.document.file, line=node.start_mark.line + 1,
            column=node.start_mark.column + 1, path=json_path(path),
        )


def iter_ruleset_files(path: Path) -> Iterator[Path]:
    """Ruleset YAML files under ``path`` (a file, or a folder searched recursively).

    Test-case files (under a ``tests`` folder) and data folders are skipped.
    """
    if path.is_file():
        yield path
        return
    for candidate in sorted(path.rglob("*.y*ml")):
        parts = set(candidate.relative_to(path).parts[:-1])
        if parts & {"tests", "data", "invalid", "valid"} or candidate.suffix not in (".yaml", ".yml"):
            continue
        yield candidate


def current_ruleset(folder: Path) -> Path:
    """The ruleset a jurisdiction folder means: its newest ``<year>.yaml``."""
    candidates = sorted(
        (p for p in folder.glob("*.y*ml") if p.suffix in (".yaml", ".yml")),
        key=lambda p: (_year_of(p), p.name),
    )
    if not candidates:
        raise KaoheError(Diagnostic("E-FILE-NO-RULESET", {"file": str(folder)}, file=str(folder)))
    return candidates[-1]


def _year_of(path: Path) -> int:
    digits = re.findall(r"\d{4}", path.stem)
    return int(digits[-1]) if digits else -1
