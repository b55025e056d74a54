"""``kaohe show``: a ruleset as the engine sees it, after ``extends``.

With provenance, every value line ends in ``# file:line`` naming the file
that set it, so a reader sees at once which values a city inherited from the
province and which it overrode.
"""

from __future__ import annotations

from typing import Any

import yaml

from kaohe.engine.ruleset.loader import Document, Path_


def render(document: Document, provenance: bool = False) -> str:
    lines: list[str] = []
    _mapping(document, document.data, (), 0, lines, provenance)
    return "\n".join(lines) + "\n"


def _scalar(value: Any) -> str:
    text = yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, width=10**6).strip()
    return text[: -len("...")].strip() if text.endswith("...") else text


def _where(document: Document, path: Path_, provenance: bool) -> str:
    if not provenance:
        return ""
    line, _ = document.locate(path)
    return f"  # {document.file_at(path)}:{line}" if line else f"  # {document.file_at(path)}"


def _mapping(document: Document, value: dict[str, Any], path: Path_, indent: int, lines: list[str], provenance: bool,
             first_prefix: str | None = None) -> None:
    pad = " " * indent
    for number, (key, child) in enumerate(value.items()):
        here = (*path, key)
        lead = first_prefix if (first_prefix is not None and number == 0) else pad
        if isinstance(child, dict | list) and child:
            lines.append(f"{lead}{_scalar(key)}:{_where(document, here, provenance)}")
            _node(document, child, here, indent + 2, lines, provenance)
        else:
            lines.append(f"{lead}{_scalar(key)}: {_scalar(child)}{_where(document, here, provenance)}")


def _node(document: Document, value: Any, path: Path_, indent: int, lines: list[str], provenance: bool) -> None:
    if isinstance(value, dict):
        _mapping(document, value, path, indent, lines, provenance)
        return
    pad = " " * indent
    for i, item in enumerate(value):
        here = (*path, i)
        if isinstance(item, dict) and item:
            _mapping(document, item, here, indent + 2, lines, provenance, first_prefix=f"{pad}- ")
        elif isinstance(item, list) and item:
            lines.append(f"{pad}-{_where(document, here, provenance)}")
            _node(document, item, here, indent + 2, lines, provenance)
        else:
            lines.append(f"{pad}- {_scalar(item)}{_where(document, here, provenance)}")
