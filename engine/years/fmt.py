"""`kaohe fmt`: rewrite ruleset files in one canonical key order and style.

ruamel.yaml's round-trip mode keeps comments, quotes and flow style; the key
order comes from the ruleset schema (see ``kaohe.engine.years.fmt_order``). Before any
write the result is read back with the same loader ``kaohe validate`` uses and
must give exactly the data of the original, so formatting can never change
what a ruleset means.
"""

from __future__ import annotations

import difflib
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from kaohe.engine.errors import Bilingual, Diagnostic, KaoheError
from kaohe.engine.report.atomic import write_atomic
from kaohe.engine.ruleset.loader import MAX_DEPTH, iter_ruleset_files, load_yaml_text
from kaohe.engine.ruleset.schema import load_schema
from kaohe.engine.ruleset.yaml_problems import read_problem, yaml_problem
from kaohe.engine.years.fmt_order import SchemaNav, reorder_tree

WIDTH = 1_000_000  # never wrap: a long clause stays on one line, diffs stay small

# Line printed per file and the summaries; bilingual in one line like other kaohe output.
REFORMATTED = "已格式化 reformatted: {file}"
WOULD_REFORMAT = "需要格式化 would reformat: {file}"
SUMMARY = {
    "zh": "{changed} 个文件已格式化，{same} 个文件无需改动",
    "en": "{changed} file(s) reformatted, {same} file(s) already canonical",
}
CHECK_SUMMARY = {
    "zh": "{changed} 个文件需要格式化（请运行 kaohe fmt），{same} 个文件格式正确",
    "en": "{changed} file(s) would be reformatted (run kaohe fmt), {same} file(s) already canonical",
}


@dataclass
class FileResult:
    """One file: its text before and after formatting."""

    path: Path
    before: str
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after


@dataclass
class FmtReport:
    results: list[FileResult] = field(default_factory=list)
    problems: list[Diagnostic] = field(default_factory=list)

    @property
    def changed(self) -> list[FileResult]:
        return [r for r in self.results if r.changed]

    @property
    def unchanged(self) -> int:
        return len(self.results) - len(self.changed)


def make_yaml() -> YAML:
    """The round-trip dumper with kaohe's house style."""
    yaml = YAML(typ="rt")
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = WIDTH
    yaml.preserve_quotes = True
    yaml.allow_unicode = True
    return yaml


def canonical_text(text: str, display: str) -> str:
    """The canonical form of one YAML text; ``KaoheError`` when it cannot be read
    or when formatting would change its data."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    original = _plain_data(text, display)
    if original is _EMPTY:
        return text.rstrip("\n") + "\n" if text.strip() else ""
    try:
        dumped = _reformat(text, display)
    except RecursionError:  # ruamel recurses deeper than PyYAML: too deep for us too
        raise KaoheError(Diagnostic("E-YAML-TOO-LARGE", {"limit": MAX_DEPTH}, file=display)) from None
    # Exactly one final newline, unless the trailing newlines are data (a `|+` scalar).
    for candidate in (dumped.rstrip("\n") + "\n", dumped):
        if _same_data(candidate, original, display):
            return candidate
    raise KaoheError(Diagnostic("E-FMT-UNSAFE", {"file": display}, file=display))


_EMPTY = object()


def _reformat(text: str, display: str) -> str:
    tree = _load_round_trip(text, display)
    schema = load_schema("ruleset.schema.json")
    reorder_tree(tree, schema, SchemaNav(schema))
    stream = io.StringIO()
    make_yaml().dump(tree, stream)
    return stream.getvalue()


def _plain_data(text: str, display: str) -> Any:
    """The data as `kaohe validate` reads it; located errors for unreadable YAML."""
    try:
        document = load_yaml_text(text, display)
    except KaoheError as exc:
        if all(d.code == "E-YAML-NOT-MAPPING" for d in exc.diagnostics):
            return _EMPTY  # empty or comments only: nothing to reorder
        raise
    duplicates = [d for d in document.problems if d.code == "E-YAML-DUPLICATE-KEY"]
    if duplicates:
        raise KaoheError(duplicates)  # which value wins is the author's call, not ours
    return _fingerprint(document.data)


def _fingerprint(data: Any) -> str:
    # JSON text, so NaN equals NaN and key order (which we change) does not count.
    return json.dumps(data, sort_keys=True, default=repr, ensure_ascii=False)


def _same_data(text: str, original: str, display: str) -> bool:
    try:
        return _fingerprint(load_yaml_text(text, display).data) == original
    except KaoheError:
        return False


def _load_round_trip(text: str, display: str) -> Any:
    try:
        return make_yaml().load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
        problem = yaml_problem(exc.context, exc.problem)
        raise KaoheError(Diagnostic("E-FMT-YAML", {"problem": problem}, file=display, line=line,
                                    column=column)) from None
    except (YAMLError, ValueError, TypeError) as exc:
        raise KaoheError(Diagnostic("E-FMT-YAML", {"problem": Bilingual("写法有误", str(exc)[:300])},
                                    file=display)) from None


def read_text(path: Path, display: str | None = None) -> str:
    """A file's text, undecoded newlines kept so CRLF counts as a change."""
    display = display or str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise KaoheError(Diagnostic("E-FILE-NOT-FOUND", {"file": display}, file=display)) from None
    except OSError as exc:
        raise KaoheError(Diagnostic("E-FMT-YAML", {"problem": read_problem(exc)}, file=display)) from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise KaoheError(Diagnostic("E-FILE-ENCODING", {"file": display}, file=display, line=line)) from None


def format_file(path: Path, write: bool = True) -> FileResult:
    """Format one file; write it (atomically) only when its text changes."""
    before = read_text(path)
    result = FileResult(path, before, canonical_text(before, str(path)))
    if write and result.changed:
        write_atomic(path, result.after.encode("utf-8"))
    return result


def ruleset_files(paths: Iterable[Path]) -> tuple[list[Path], list[Diagnostic]]:
    """The YAML files named by ``paths`` (folders searched like `kaohe validate`)."""
    files: list[Path] = []
    problems: list[Diagnostic] = []
    for path in paths:
        if not path.exists():
            problems.append(Diagnostic("E-FILE-NOT-FOUND", {"file": str(path)}, file=str(path)))
            continue
        found = list(iter_ruleset_files(path))
        if not found:
            problems.append(Diagnostic("E-FILE-NO-RULESET", {"file": str(path)}, file=str(path)))
        files.extend(f for f in found if f not in files)
    return files, problems


def format_paths(paths: Iterable[Path], write: bool = True) -> FmtReport:
    """Format every ruleset file under ``paths``; a broken file is reported and
    left untouched while the others are still formatted."""
    files, problems = ruleset_files(paths)
    report = FmtReport(problems=problems)
    for path in files:
        try:
            report.results.append(format_file(path, write))
        except KaoheError as exc:
            report.problems.extend(exc.diagnostics)
    return report


def unified_diff(result: FileResult) -> str:
    """A short unified diff from the current text to the canonical one."""
    name = str(result.path)
    lines = difflib.unified_diff(
        result.before.splitlines(keepends=True), result.after.splitlines(keepends=True),
        fromfile=name, tofile=f"{name} (kaohe fmt)", n=2,
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def render_report(report: FmtReport, check: bool, with_diff: bool, lang: str) -> str:
    """What `kaohe fmt` prints on standard output: a line per changed file
    (plus its diff when asked) and a summary line."""
    lines = []
    for result in report.changed:
        lines.append((WOULD_REFORMAT if check else REFORMATTED).format(file=result.path) + "\n")
        if with_diff:
            lines.append(unified_diff(result))
    summary = (CHECK_SUMMARY if check else SUMMARY)[lang]
    lines.append(summary.format(changed=len(report.changed), same=report.unchanged) + "\n")
    return "".join(lines)


def textconv(path: Path) -> tuple[str, list[Diagnostic]]:
    """The canonical text for `kaohe show --canonical` (git's textconv).

    A file that cannot be formatted comes back as it is, with the reason, so
    `git diff` still shows something instead of failing.
    """
    text = read_text(path)
    try:
        return canonical_text(text, str(path)), []
    except KaoheError as exc:
        return text, [d.with_location(severity="warning") for d in exc.diagnostics]
