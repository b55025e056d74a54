"""Read a ruleset as it was at a git revision, without touching the work tree.

``rulesets/x/2025.yaml@HEAD~1`` names the file at ``HEAD~1``. Its project
(``ruleset.project``: all an ``extends`` may reach) is exported with ``git
archive`` into a temporary directory, so relative ``extends`` paths resolve
against the same revision.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
from contextlib import ExitStack
from pathlib import Path
from tempfile import TemporaryDirectory

from kaohe.engine.errors import Diagnostic, KaoheError
from kaohe.engine.ruleset.project import project_root


def split_revision(spec: str) -> tuple[str, str | None]:
    path, at, revision = spec.rpartition("@")
    if at and path and revision and not Path(spec).exists():
        return path, revision
    return spec, None


def at_revision(spec: str, stack: ExitStack) -> Path:
    """A local path for ``spec``; ``path@REV`` is materialised from git."""
    path, revision = split_revision(spec)
    if revision is None:
        return Path(path)
    file = Path(path).resolve()
    folder = file.parent if file.parent.exists() else Path.cwd()
    root = Path(_git(["rev-parse", "--show-toplevel"], folder, spec).decode().strip()).resolve()
    relative = file.relative_to(root)
    # the ruleset's whole project: what its extends may reach (../province/2025.yaml), nothing outside
    project = project_root(file.parent).resolve()
    exported = project.relative_to(root).as_posix() if project.is_relative_to(root) else "."
    archive = _git(["archive", "--format=tar", revision, "--", exported or "."], root, spec)
    target = Path(stack.enter_context(TemporaryDirectory(prefix="kaohe-rev-")))
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(target, filter="data")
    marker = target / exported / "kaohe.toml"
    if not marker.exists():  # the export has no .git: mark its project root where the work tree's is
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.write_text("", encoding="utf-8")
    return target / relative


def _git(args: list[str], cwd: Path, spec: str) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        problem = exc.stderr.decode(errors="replace").strip() if isinstance(exc, subprocess.CalledProcessError) else str(exc)
        raise KaoheError(Diagnostic("E-GIT-REVISION", {"spec": spec, "problem": problem})) from None
    return done.stdout
