"""The project a ruleset belongs to: what it may read, and how a run records paths.

Confinement: a ruleset may read files only inside its project (``extends``
and data paths, symlinks followed), so a ruleset from elsewhere cannot make
kaohe read and publish another file on the machine; ``--allow-outside PATH``
names more folders. Recording: paths a results document holds are relative
to the project root, so a run does not depend on the folder it started from.

The project root is the nearest folder above the ruleset that holds a
``.git`` folder or a ``kaohe.toml`` file (an office keeps its rulesets in
git); without either, the folder holding the jurisdiction folder (the
ruleset's folder's parent). Paths a results document records are written
relative to it with forward slashes, so the same run started from another
working directory, or from a clone elsewhere, is byte-identical.
"""

from __future__ import annotations

import os
from contextvars import ContextVar
from pathlib import Path

MARKERS = (".git", "kaohe.toml")

# Folders outside the project a run may also read (``kaohe --allow-outside PATH``), resolved.
ALLOWED_OUTSIDE: ContextVar[tuple[Path, ...]] = ContextVar("allowed_outside", default=())


def project_root(ruleset_dir: Path) -> Path:
    start = Path(os.path.abspath(ruleset_dir))
    for folder in (start, *start.parents):
        if any((folder / marker).exists() for marker in MARKERS):
            return folder
    return start.parent


# The rulesets shipped with kaohe (provincial frameworks an office may extend) are trusted like its code.
BUNDLED = Path(__file__).resolve().parent.parent.parent / "rulesets"


def allowed_outside() -> tuple[Path, ...]:
    """``--allow-outside`` folders, then those in ``KAOHE_ALLOW_OUTSIDE`` (separated by os.pathsep,
    for runs without the command line such as the pytest plugin)."""
    named = os.environ.get("KAOHE_ALLOW_OUTSIDE", "")
    return (*ALLOWED_OUTSIDE.get(), *(Path(p) for p in named.split(os.pathsep) if p))


def inside_project(target: Path, root: Path, also: tuple[Path, ...] = ()) -> bool:
    """Whether ``target`` (symlinks followed) lies inside ``root``, a folder given with
    ``--allow-outside``, one of ``also`` (e.g. the ``--data`` folder the user named) or kaohe's
    bundled rulesets."""
    real = target.resolve()
    for folder in (root, *also, *allowed_outside(), BUNDLED):
        if real.is_relative_to(folder.resolve()):
            return True
    return False


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
