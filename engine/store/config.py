"""The project's ``kaohe.toml``: the ``store`` setting, and which store a command uses.

The file sits in the project root (``engine/ruleset/project.py`` finds it).
``store = "results.db"`` names the store every evaluation of the project
records into; a bare path there is relative to ``kaohe.toml`` itself, so the
setting means the same file from whatever folder kaohe runs. ``--store`` on
the command line wins; with neither, nothing is recorded.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from kaohe.engine.errors import Diagnostic, KaoheError
from kaohe.engine.ruleset.project import project_root
from kaohe.engine.store.url import StoreTarget, store_url

CONFIG_FILE = "kaohe.toml"
_STORE_LINE = re.compile(r"^[ \t]*store[ \t]*=", re.MULTILINE)


def read_config(path: Path) -> dict[str, Any]:
    """The parsed ``kaohe.toml`` at ``path``; a syntax error is located at its line."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise KaoheError(Diagnostic("E-STORE-CONFIG", {"problem": str(exc)}, file=str(path))) from None
    except tomllib.TOMLDecodeError as exc:
        line = re.search(r"line (\d+)", str(exc))
        raise KaoheError(Diagnostic("E-STORE-CONFIG", {"problem": str(exc)}, file=str(path),
                                    line=int(line.group(1)) if line else None)) from None


def configured_store(root: Path) -> StoreTarget | None:
    """The store named in ``root/kaohe.toml``, or None when there is no file or no setting."""
    path = root / CONFIG_FILE
    if not path.is_file():
        return None
    value = read_config(path).get("store")
    if value is None:
        return None
    line = _line_of_store(path)
    if not isinstance(value, str) or not value.strip():
        raise KaoheError(Diagnostic("E-STORE-CONFIG", {"problem": f"store = {value!r}"},
                                    file=str(path), line=line, path="store"))
    return StoreTarget(store_url(value.strip(), base=root), file=str(path), line=line)


def _line_of_store(path: Path) -> int | None:
    text = path.read_text(encoding="utf-8")
    match = _STORE_LINE.search(text)
    return text.count("\n", 0, match.start()) + 1 if match else None


def chosen_store(option: str | None, start: Path) -> StoreTarget | None:
    """``--store`` when given (a bare path relative to the working folder), else the
    setting of the project holding ``start`` (a ruleset's folder or the working folder)."""
    if option is not None:
        if not option.strip():  # an empty --store "" would be SQLite's throwaway in-memory database
            raise KaoheError(Diagnostic("E-STORE-NONE", {}))
        return StoreTarget(store_url(option.strip()))
    return configured_store(project_root(start))


def required_store(option: str | None, start: Path) -> StoreTarget:
    """As ``chosen_store``, for commands that read a store and cannot do without one."""
    target = chosen_store(option, start)
    if target is None:
        raise KaoheError(Diagnostic("E-STORE-NONE", {}))
    return target
