"""Diagnostics: located, coded, bilingual problems reported to people.

Every user mistake becomes a ``Diagnostic`` (stable code, file, line, column,
JSON path, message in Chinese and English). Code that finds several problems
collects them and raises one ``KaoheError`` so the user sees all at once.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from kaohe.engine.messages import render

LANGS = ("zh", "en")


class Bilingual(NamedTuple):
    """A message parameter the engine words itself, in both languages.

    Most parameters quote the user (a name, an expression, a cell) and read the same in either
    language. A parameter the engine makes up (what a parser expected, what went wrong while
    computing, the name of a construct) must be written in both, or a Chinese message would carry
    English words; ``render`` picks the side that matches the message."""

    zh: str
    en: str

    def __str__(self) -> str:  # where a parameter is shown outside a message (JSON, logs)
        return self.en

    def pick(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class Diagnostic:
    """One problem, located as precisely as the source allows.

    ``code`` names an entry in ``kaohe.engine.messages``; ``params`` fill its
    placeholders. A plugin may instead pass ``text`` = {"zh": ..., "en": ...}
    for a code the catalogue does not know.
    """

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)
    file: str | None = None
    line: int | None = None
    column: int | None = None
    path: str = ""
    severity: str = "error"
    text: Mapping[str, str] | None = None

    def message(self, lang: str = "zh") -> str:
        if self.text:
            return self.text.get(lang) or next(iter(self.text.values()))
        return render(self.code, lang, self.params)

    def location(self) -> str:
        parts = [self.file or "<input>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        loc = ":".join(parts)
        return f"{loc}::{self.path}" if self.path else loc

    def format(self, lang: str = "zh") -> str:
        return f"{self.location()}: {self.message(lang)} ({self.code})"

    def to_json(self, lang: str = "zh") -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "path": self.path,
            "message": self.message(lang),
        }

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.file or "", self.line or 0, self.column or 0, self.code)

    def with_location(self, **changes: Any) -> Diagnostic:
        values = {**self.__dict__, **changes}
        return Diagnostic(**values)


class KaoheError(Exception):
    """A user-facing failure carrying one or more diagnostics."""

    def __init__(self, diagnostics: Diagnostic | Iterable[Diagnostic]):
        if isinstance(diagnostics, Diagnostic):
            diagnostics = [diagnostics]
        self.diagnostics: list[Diagnostic] = list(diagnostics)
        super().__init__(self.format("en"))

    def __reduce__(self) -> tuple[type[KaoheError], tuple[list[Diagnostic]]]:
        return (KaoheError, (self.diagnostics,))  # so a worker's error reaches the driver whole

    def format(self, lang: str = "zh") -> str:
        return "\n".join(d.format(lang) for d in self.diagnostics)


def sort_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Errors before warnings, then by file and position; duplicates dropped."""
    seen: set[tuple[str, str | None, int | None, int | None, str, str]] = set()
    unique = []
    for d in diagnostics:
        key = (d.code, d.file, d.line, d.column, d.path, json.dumps(dict(d.params), sort_keys=True, default=str))
        if key not in seen:
            seen.add(key)
            unique.append(d)
    return sorted(unique, key=lambda d: (d.severity != "error", *d.sort_key()))


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """The closest known spelling of ``word``, or "" when nothing is close."""
    matches = difflib.get_close_matches(str(word), sorted(set(choices)), n=1, cutoff=0.6)
    return matches[0] if matches else ""


def suggestion(word: str, choices: Iterable[str], lang: str = "zh") -> str:
    guess = did_you_mean(word, choices)
    if not guess:
        return ""
    return f"，是否想写 “{guess}”？" if lang == "zh" else f"; did you mean '{guess}'?"
