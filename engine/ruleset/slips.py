"""Slips a Chinese keyboard makes in a ruleset, found in the YAML text and reported where they are.

An officer typing with a Chinese input method gets ``：`` for ``:``, ``，`` for ``,``, ``‘’“”`` for
quotes, ``３０`` for ``30`` and a full-width space for a space, or indents with a tab. PyYAML then gives up somewhere after the slip
("could not find expected ':'" on the next line), or reads the text fine and the schema complains
about its shape ("should be a mapping", "unknown key title：x"). Either way the officer is told about
a symptom, not the character to change. This module finds the character:

- ``syntax_slip``: after a YAML syntax error, in the text from where the parser began the construct
  it could not finish (or, without that, from the line after the previous well-formed key) up to
  where it gave up;
- ``refine``: after the checks, for a schema or semantic problem located at a value whose text
  shows a slip; and an expression's slip (found by ``kaohe.engine.language.wording``) is placed at
  the character's own line and column.

Full-width punctuation is ordinary in Chinese titles and descriptions, so nothing here looks at a
value that read and checked fine: only the text where something already went wrong.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kaohe.engine.errors import Bilingual, Diagnostic
from kaohe.engine.language.wording import CURLY_QUOTES, half_width_quotes

if TYPE_CHECKING:
    from kaohe.engine.ruleset.loader import Document

COLON, COMMA, TAB, SPACE = "：", "，", "\t", "\u3000"  # SPACE: the full-width space ("　")
FULLWIDTH_DIGITS = frozenset(chr(0xFF10 + d) for d in range(10))
LOOK_BACK = 10  # lines above a syntax error searched for the slip behind it
SHOWN = 60  # characters of a corrected line shown in a message

_GOOD_KEY = re.compile(r"""^[ ]*(?:-[ ]+)*(?:[^\s#'"‘“：:{\[,][^:：#]*|'[^']*'|"[^"]*")[ ]*:(?:[ ]|$)""")
_KEY = re.compile(r"[A-Za-z_][\w-]{0,39}|\w{1,8}")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_NOT_AT_VALUE = ("E-SCHEMA-REQUIRED", "E-SCHEMA-CHOICE", "E-SCHEMA-SIZE")
"""Codes located at a mapping's key rather than at the value they are about."""
_NAMES_SOMETHING = ("E-SCHEMA-UNKNOWN-KEY", "E-SCHEMA-PATTERN", "E-SCHEMA-ENUM", "E-COMPONENT-UNKNOWN",
                    "E-CLASS-UNKNOWN", "E-REF-UNKNOWN", "E-INPUT-UNKNOWN")
"""Codes about a name written wrong, where a full-width space inside the name is the slip."""


@dataclass(frozen=True)
class Slip:
    code: str
    line: int
    column: int
    params: dict[str, Any] = field(default_factory=dict)

    def diagnostic(self, file: str | None, path: str = "") -> Diagnostic:
        params = {"line": self.line, "column": self.column, **self.params}
        return Diagnostic(self.code, params, file=file, line=self.line, column=self.column, path=path)


# ---------------------------------------------------------------------------
# after a YAML syntax error


def syntax_slip(text: str, problem: str, context: str,
                problem_at: tuple[int, int] | None, context_at: tuple[int, int] | None) -> Slip | None:
    """The slip behind PyYAML's ``problem`` at ``problem_at`` (1-based line and column), if one is there.
    ``context`` and ``context_at`` are where PyYAML began the construct it could not finish."""
    if problem_at is None:
        return None
    lines = text.splitlines()
    if "'\\t'" in problem:  # "found character '\t' that cannot start any token": PyYAML is at the tab
        return Slip("E-YAML-TAB", *problem_at)
    found = _candidates(lines, _region(lines, problem_at, context, context_at))
    flow = problem.startswith(("expected ',' or", "while parsing a flow")) or "flow" in context
    order = ("comma", "colon", "quote", "space", "tab") if flow else ("colon", "quote", "space", "tab", "comma")
    for kind in order:
        if found.get(kind):
            line, column = found[kind]
            return _slip(kind, lines[line - 1], line, column)
    return None


def _region(lines: list[str], problem_at: tuple[int, int], context: str,
            context_at: tuple[int, int] | None) -> list[tuple[int, int, int]]:
    """The stretches of text that may hold the slip, as (line, first column, end column), 0-based columns."""
    line, column = problem_at
    if line > len(lines):  # PyYAML reached the end of the text: the whole last line is in question
        line = len(lines)
        column = len(lines[-1]) + 1 if lines else 0
    if line < 1:
        return []
    end = [(line, 0, column)]
    start_at = context_at if context.startswith(("while scanning a simple key", "while parsing a flow")) else None
    if start_at is not None and line - 1 <= start_at[0] and start_at <= problem_at:
        # the key or [ ] { } PyYAML began reading, on the line of the error or the one above (a quote left
        # open makes that far above, through text where a full-width colon is ordinary: look back instead)
        first_line, first_column = min(start_at[0], line), start_at[1]
        if first_line == line:
            return [(line, first_column - 1, column)]
        return [(first_line, first_column - 1, len(lines[first_line - 1]))] + [
            (n, 0, len(lines[n - 1])) for n in range(first_line + 1, line)] + end
    above: list[tuple[int, int, int]] = []
    for n in range(line - 1, max(line - 1 - LOOK_BACK, 0), -1):
        content = lines[n - 1]
        if not content.strip() or content.lstrip().startswith("#"):
            continue
        key = _GOOD_KEY.match(content)
        if key and TAB not in content[:len(content) - len(content.lstrip())]:
            if re.split(r"\s#", content[key.end():])[0].strip():
                # the key has its value on its line (text, or | and > for a block): lines indented under
                # it go on with that value, where a full-width colon is ordinary Chinese text
                key_column = len(key.group(0)) - len(key.group(0).lstrip(" -"))
                above = [a for a in above if _indent(lines[a[0] - 1]) <= key_column]
            break
        above.append((n, 0, len(content)))
    return list(reversed(above)) + end


def _indent(content: str) -> int:
    return len(content) - len(content.lstrip(" "))


def _candidates(lines: list[str], region: list[tuple[int, int, int]]) -> dict[str, tuple[int, int]]:
    """Each kind of slip found in ``region``: on the line nearest the error, the first one (1-based)."""
    found: dict[str, tuple[int, int]] = {}
    for line, start, end in region:
        content = lines[line - 1]
        for kind, column in _slips_on(content, start, end):
            if kind not in found or found[kind][0] < line:
                found[kind] = (line, column + 1)
    return found


def _slips_on(content: str, start: int, end: int) -> list[tuple[str, int]]:
    """The slips in ``content[start:end]`` outside its comment, each kind's first."""
    slips = []
    indent = len(content) - len(content.lstrip(" \t-"))
    code_end = _comment_at(content)
    for i in range(start, min(end, code_end)):
        ch = content[i]
        if ch == COLON and _key_before(content, i):
            slips.append(("colon", i))
        elif ch in CURLY_QUOTES and _value_starts(content, i):
            slips.append(("quote", i))
        elif ch == SPACE and not content[:i].strip(" -" + SPACE):
            slips.append(("space", i))
        elif ch == TAB and (i < indent or content[i - 1:i] in (":", "-")):
            slips.append(("tab", i))
        elif ch == COMMA and _inside_brackets(content, i) and re.search(r"[\]}]", content[i:code_end]):
            slips.append(("comma", i))
    first: dict[str, tuple[str, int]] = {}
    for kind, i in slips:
        first.setdefault(kind, (kind, i))
    return list(first.values())


def _key_before(content: str, i: int) -> bool:
    """``：`` at ``i`` follows a key, as ``:`` would: only a key-like word since the line's start (after
    indentation and ``- ``) or since a ``{`` or ``,`` of a flow mapping."""
    before = content[:i]
    flow = max(before.rfind("{"), before.rfind(","))
    key = before[flow + 1:] if flow >= 0 else before.lstrip(" \t").lstrip("- \t")
    # a key of kaohe's (title, full_month_days) or a short word (好 in votes), not a phrase of Chinese text
    return _KEY.fullmatch(key.strip()) is not None


def _comment_at(content: str) -> int:
    """Where the line's comment begins (a # at the start or after a blank, outside quotes), else its length."""
    quote = ""
    for i, ch in enumerate(content):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or content[i - 1] in " \t"):
            return i
    return len(content)


def _value_starts(content: str, i: int) -> bool:
    """A value could start at ``i``, where a quote would open it: after ': ', '- ', [ { , or the indentation."""
    before = content[:i].rstrip(" ")
    return not before.strip() or before[-1] in ":-[{,"


def _inside_brackets(content: str, i: int) -> bool:
    before = content[:i]
    return before.count("[") + before.count("{") > before.count("]") + before.count("}")


def _slip(kind: str, content: str, line: int, column: int) -> Slip:
    """The slip of ``kind`` at ``column`` (1-based) of ``content``, line ``line``, with the line put right."""
    if kind == "colon":
        return Slip("E-YAML-FULLWIDTH-COLON", line, column, {"fixed": _shown(_colon_fixed(content, column - 1))})
    if kind == "comma":
        return Slip("E-YAML-FULLWIDTH-COMMA", line, column, {"fixed": _shown(_comma_fixed(content))})
    if kind == "quote":
        fixed = half_width_quotes(content)
        return Slip("E-YAML-FULLWIDTH-QUOTE", line, column,
                    {"char": content[column - 1], "ascii": fixed[column - 1], "fixed": _shown(fixed)})
    if kind == "space":
        return Slip("E-YAML-FULLWIDTH-SPACE", line, column)
    return Slip("E-YAML-TAB", line, column)


def _colon_fixed(content: str, i: int) -> str:
    return content[:i] + ": " + content[i + 1:].lstrip(" ")


def _comma_fixed(content: str) -> str:
    fixed, depth = [], 0
    for ch in content:
        depth += (ch in "[{") - (ch in "]}")
        fixed.append(", " if ch == COMMA and depth > 0 else ch)
    return re.sub(r", +", ", ", "".join(fixed))


def _shown(content: str) -> str:
    text = content.strip()
    return text if len(text) <= SHOWN else text[:SHOWN] + "…"


# ---------------------------------------------------------------------------
# after the checks


def refine(document: Document, problems: list[Diagnostic]) -> list[Diagnostic]:
    """``problems`` with each one caused by a slip replaced by the slip (and the problems the slip alone
    caused, such as a key reported missing because ``title：`` hid it, left out); an expression's slip
    placed at its character."""
    sources = _Sources(document)
    refined: list[Diagnostic] = []
    hidden_keys: set[tuple[str, str]] = set()  # (mapping's path, key) a full-width colon hid
    for problem in problems:
        lines = sources.lines(problem.file)
        better = _refined(problem, lines) if lines is not None else None
        if better is not None and problem.code == "E-SCHEMA-UNKNOWN-KEY":
            key = str(problem.params.get("key", ""))
            hidden_keys.add((problem.path[: -len(f"['{key}']")], key.split(COLON)[0].strip()))
        refined.append(better or problem)
    return [p for p in refined
            if not (p.code == "E-SCHEMA-REQUIRED" and (p.path, str(p.params.get("key"))) in hidden_keys)]


class _Sources:
    """The text of each file a problem names (the document's own, else read again), as lines."""

    def __init__(self, document: Document):
        self.document = document
        self.read: dict[str, list[str] | None] = {}

    def lines(self, file: str | None) -> list[str] | None:
        if not file:
            return None
        if file not in self.read:
            self.read[file] = self._text(file)
        return self.read[file]

    def _text(self, file: str) -> list[str] | None:
        if file == self.document.file and self.document.text:
            return self.document.text.splitlines()
        from kaohe.engine.ruleset.loader import MAX_FILE_BYTES

        try:
            path = Path(file)
            if path.stat().st_size > MAX_FILE_BYTES:
                return None
            return path.read_text(encoding="utf-8-sig").splitlines()
        except (OSError, UnicodeDecodeError):
            return None


def _refined(problem: Diagnostic, lines: list[str]) -> Diagnostic | None:
    if problem.line is None or problem.column is None or not 0 < problem.line <= len(lines):
        return None
    if problem.code.startswith("E-EXPR-") and "position" in problem.params:
        return _expression_placed(problem, lines)
    if problem.severity != "error" or problem.code.startswith(("E-EXPR-", "E-YAML-")) \
            or problem.code in _NOT_AT_VALUE:
        return None
    slip = _value_slip(problem, lines[problem.line - 1], problem.column - 1)
    return slip.diagnostic(problem.file, problem.path) if slip is not None else None


def _value_slip(problem: Diagnostic, content: str, start: int) -> Slip | None:
    """The slip in the value (or key) that ``problem`` is about, which starts at ``start`` of ``content``."""
    token = _token(content, start)
    line = problem.line or 0
    if _expects_number(problem):
        written = token.strip("'\"")
        digits = [i for i, ch in enumerate(content[start:start + len(token)]) if ch in FULLWIDTH_DIGITS]
        normal = unicodedata.normalize("NFKC", written)
        if digits and _NUMBER.fullmatch(normal):
            return Slip("E-YAML-FULLWIDTH-DIGITS", line, start + digits[0] + 1, {"actual": written, "fixed": normal})
    if token[:1] in CURLY_QUOTES:
        fixed = half_width_quotes(content)
        return Slip("E-YAML-FULLWIDTH-QUOTE", line, start + 1,
                    {"char": token[0], "ascii": fixed[start], "fixed": _shown(fixed)})
    if SPACE in token and (token[0] == SPACE or token[-1] == SPACE or problem.code in _NAMES_SOMETHING):
        # a full-width space is part of the key or name it stands next to: "　　points" is no key
        return Slip("E-YAML-FULLWIDTH-SPACE", line, start + token.index(SPACE) + 1)
    if COMMA in token and _inside_brackets(content, start):
        return _slip("comma", content, line, start + token.index(COMMA) + 1)
    if COLON in token and _colon_matters(problem) and _key_before(content, start + token.index(COLON)):
        return _slip("colon", content, line, start + token.index(COLON) + 1)
    return None


def _token(content: str, start: int) -> str:
    """The scalar written at ``start``: a quoted one to its closing quote, a plain one to a comment, or
    inside [ ] and { } to the next , ] or }."""
    rest = content[start:]
    if rest[:1] in ("'", '"'):
        end = rest.find(rest[0], 1)
        return rest[: end + 1] if end > 0 else rest
    if _inside_brackets(content, start):
        return re.split(r"[,\]}]", rest, maxsplit=1)[0].rstrip()
    return re.split(r"\s#", rest, maxsplit=1)[0].rstrip()


def _expects_number(problem: Diagnostic) -> bool:
    if problem.code == "E-VERSION":
        return True
    return problem.code == "E-SCHEMA-TYPE" and "number" in str(problem.params.get("expected_en", ""))


def _colon_matters(problem: Diagnostic) -> bool:
    """A full-width colon made this problem: a key ``title：x`` unknown or badly named, or text
    ``kind：unit`` where a mapping was expected."""
    if problem.code in ("E-SCHEMA-UNKNOWN-KEY", "E-SCHEMA-PATTERN"):
        return True
    return problem.code == "E-SCHEMA-TYPE" and "mapping" in str(problem.params.get("expected_en", ""))


def _expression_placed(problem: Diagnostic, lines: list[str]) -> Diagnostic:
    """An expression's problem (a slip, an unknown name) at the line and column of its character. The checks place it at the
    value's start plus the character's offset in the expression, which is off by the quote of a quoted
    value and wrong for an expression folded over lines (``when: >``): follow the expression's
    characters through the source instead."""
    offset = int(problem.params.get("position", 1)) - 1
    expression = str(problem.params.get("expr", ""))
    line, column = problem.line or 1, (problem.column or 1) - 1 - offset
    found = _follow(lines, line - 1, max(column, 0), expression[: offset + 1])
    if found is not None:
        line, column = found[0] + 1, found[1] + 1
    else:
        column = problem.column or 1
    where = Bilingual(f"第 {line} 行第 {column} 列：", f"line {line} col {column}: ")
    return problem.with_location(line=line, column=column, params={**problem.params, "where": where})


def _follow(lines: list[str], row: int, column: int, wanted: str) -> tuple[int, int] | None:
    """Where the last character of ``wanted`` is, matching its non-blank characters in order through
    the text from ``row``, ``column`` (0-based); ``None`` when they run out first."""
    position: tuple[int, int] | None = None
    for ch in wanted:
        if ch.isspace():
            continue
        while row < len(lines):
            index = lines[row].find(ch, column)
            if index >= 0:
                position, column = (row, index), index + 1
                break
            row, column = row + 1, 0
        else:
            return None
    return position
