"""Message catalogues: every diagnostic code with its Chinese and English text.

Each submodule owns the codes of one concern and exposes ``MESSAGES``:
``{code: (zh_template, en_template)}``. Templates use ``str.format`` fields.
A ``suggest`` parameter, when present and non-empty, appends a localised
"did you mean" hint, so templates never have to spell it out.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kaohe.engine.messages import (
    core,
    data,
    editor,
    evaluation,
    exporters,
    expressions,
    fmt,
    handouts,
    impact,
    office_data,
    office_tools,
    outcomes,
    raters,
    rectification,
    report,
    slips,
    store,
)

CATALOGUES = (core, expressions, data, evaluation, raters, outcomes, exporters, fmt, impact, store, rectification,
              office_data, office_tools, slips, editor, handouts, report)


def _merge() -> dict[str, tuple[str, str]]:
    merged: dict[str, tuple[str, str]] = {}
    for module in CATALOGUES:
        for code, texts in module.MESSAGES.items():
            if code in merged:
                raise RuntimeError(f"message code {code} defined twice")
            merged[code] = texts
    return merged


MESSAGES: dict[str, tuple[str, str]] = _merge()

_HINT = {"zh": "（是否想写 “{0}”？）", "en": " (did you mean '{0}'?)"}


class _Lenient(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _one_line(value: Any) -> Any:
    """A message is one line (a reader splits them by line): a cell or text with line breaks in it
    (a quote left open in a CSV takes in the following lines) shows them as ↵."""
    if isinstance(value, str) and ("\n" in value or "\r" in value):
        return value.replace("\r\n", "↵").replace("\n", "↵").replace("\r", "↵")
    return value


def render(code: str, lang: str, params: Mapping[str, Any]) -> str:
    """The message for ``code`` in ``lang`` ("zh" or "en") with ``params`` filled in."""
    texts = MESSAGES.get(code)
    if texts is None:
        return f"{code} {dict(params)}"
    template = texts[0] if lang == "zh" else texts[1]
    # a Bilingual parameter (kaohe.engine.errors, which imports this module) gives its side of the text
    text = template.format_map(_Lenient({k: _one_line(v.pick(lang) if hasattr(v, "pick") else v)
                                         for k, v in params.items()}))
    suggest = params.get("suggest")
    if suggest:
        text += _HINT["zh" if lang == "zh" else "en"].format(suggest)
    return text
