"""The project a ruleset belongs to, so what a run records does not depend
on the folder it was started from.

The project root is the nearest folder above the ruleset that holds a
``.git`` folder or a ``kaohe.toml`` file (an office keeps its rulesets in
git); without either, the folder holding the jurisdiction folder (the
ruleset's folder's parent). Paths a results document records are written
relative to it with forward slashes, so the same run started from another
working directory, or from a clone elsewhere, is byte-identical.
"""

from __future__ import annotations

import os
from pathlib import Path

MARKERS = (".git", "kaohe.toml")


def project_root(ruleset_dir: Path) -> Path:
    start = Path(os.path.abspath(ruleset_dir))
    for folder in (start, *start.parents):
        if any((folder / marker).exists() for marker in MARKERS):
            return folder
    return start.parent


def project_path(path: str | Path, root: Path) -> str:
    """``path`` relative to ``root`` (forward slashes), or as given when outside it
    (``#table`` suffixes of inline origins are kept)."""
    text = str(path)
    name, hash_, rest = text.partition("#")
    absolute = Path(os.path.abspath(name))
    try:
        relative = absolute.relative_to(root).as_posix()
    except ValueError:
        return text
    return relative + hash_ + rest
