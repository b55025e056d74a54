"""Write output files whole or not at all.

Bytes go to a temporary file beside the target, are flushed to disk, and
then replace the target in one ``os.replace`` step, so a reader (or a crash)
never sees half a file and a failed write leaves the previous file intact.
A write killed midway leaves its hidden temporary file (named after the
target and the writer's process id); the next write to the same target
removes those whose process is gone.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import shutil
import tempfile
from collections.abc import Callable, Iterable
from glob import escape as glob_escape
from pathlib import Path
from typing import BinaryIO

from kaohe.engine.errors import Diagnostic, KaoheError
from kaohe.engine.messages import render
from kaohe.engine.messages.exporters import UNKNOWN_WRITE_PROBLEM, WRITE_PROBLEMS
from kaohe.engine.report.behind import WrittenBehind

_CREATE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically; raise ``KaoheError`` (E-OUTPUT-WRITE) on failure."""
    write_atomic_with(path, lambda handle: handle.write(data))


def write_atomic_with(path: Path, fill: Callable[[BinaryIO], object]) -> int:
    """Let ``fill`` stream into a temporary file, then put it at ``path`` in one step (a streaming
    exporter never holds the whole output); the bytes written. A ``KaoheError`` raised by ``fill``
    leaves ``path`` as it was."""
    path = Path(path)
    temp: Path | None = None
    try:
        if path.is_dir():
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
        _remove_stale(path)
        temp = _create_temp(path)
        size = _fill(temp, fill, _mode_of(path))
        os.replace(temp, path)
        temp = None
        _sync_dir(path.parent)
        return size
    except OSError as exc:
        raise KaoheError(write_error(path, exc)) from None
    finally:
        if temp is not None:
            with contextlib.suppress(OSError):
                temp.unlink()


def write_files_atomic(folder: Path, files: Iterable[tuple[str, bytes]]) -> int:
    """Write many files into ``folder``, each whole or not at all, with one flush to disk for all of
    them (a file-by-file fsync costs ~10 ms each: 10,000 explanations would take minutes). The files
    are written into a hidden staging folder beside and flushed together; a new (or empty) folder is
    then that staging folder renamed, one step for all of them, and a folder holding files already
    has them moved in one by one (some 50 µs a file here); a failure before leaves ``folder`` as it
    was. The bytes written."""
    folder = Path(folder)
    staging: Path | None = None
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".kaohe-tmp", dir=folder.parent))
        names, size = [], 0
        for name, data in files:
            (staging / name).write_bytes(data)
            names.append(name)
            size += len(data)
        os.sync()  # one flush for every file written above
        if _renamed_whole(staging, folder):
            staging = None
        else:
            folder.mkdir(exist_ok=True)
            for name in names:
                os.replace(staging / name, folder / name)
        _sync_dir(folder)
        _sync_dir(folder.parent)
        return size
    except OSError as exc:
        raise KaoheError(write_error(folder, exc)) from None
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)


def _renamed_whole(staging: Path, folder: Path) -> bool:
    """``staging`` renamed ``folder`` when there is no such folder or it is an empty one (rename
    replaces an empty folder), with the permissions a folder made there would have (an empty
    folder's own); False, ``staging`` as it was, when ``folder`` holds files or is not a folder."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir()) or not os.access(folder, os.W_OK)):
        return False  # files to keep, no folder, or one its owner closed to writing: the usual moves decide
    try:
        mode = folder.stat().st_mode & 0o7777
    except FileNotFoundError:
        mask = os.umask(0o022)  # read, and put back at once
        os.umask(mask)
        mode = 0o777 & ~mask
    os.chmod(staging, mode)  # mkdtemp's folder is its owner's alone
    try:
        os.rename(staging, folder)
    except OSError as exc:
        os.chmod(staging, 0o700)  # its files are still to be moved out of it
        if exc.errno in (errno.ENOTEMPTY, errno.EEXIST):  # filled meanwhile
            return False
        raise
    return True


_UNSAFE = frozenset('/\\:*?"<>|')  # not in a file name on any common system (nor control characters)


def file_names(ids: Iterable[str], suffix: str) -> list[str]:
    """A file name per id (a subject's explanation, its PDF): characters no file name may hold
    replaced by _, and a number added where two ids would give one name (names compared as a
    case-blind file system does)."""
    names: list[str] = []
    taken: set[str] = set()
    for ident in ids:
        base = "".join("_" if c in _UNSAFE or ord(c) < 32 else c for c in ident).strip(". ") or "_"
        name, k = f"{base}{suffix}", 2
        while name.lower() in taken:
            name, k = f"{base}-{k}{suffix}", k + 1
        taken.add(name.lower())
        names.append(name)
    return names


def write_error(path: Path, exc: OSError) -> Diagnostic:
    """E-OUTPUT-WRITE for ``path``, with the problem told in each language."""
    name = errno.errorcode.get(exc.errno or 0, "")
    detail = exc.strerror or str(exc)
    zh, en = WRITE_PROBLEMS.get(name, UNKNOWN_WRITE_PROBLEM)
    file = str(path)
    text = {
        "zh": render("E-OUTPUT-WRITE", "zh", {"file": file, "problem": zh.format(detail=detail)}),
        "en": render("E-OUTPUT-WRITE", "en", {"file": file, "problem": en.format(detail=detail)}),
    }
    return Diagnostic("E-OUTPUT-WRITE", {"file": file, "problem": detail}, file=file, text=text)


def _temp_name(path: Path, pid: int, token: str) -> Path:
    return path.with_name(f".{path.name}.{pid}-{token}.kaohe-tmp")


def _remove_stale(path: Path) -> None:
    """Temporary files an interrupted earlier write to ``path`` left behind."""
    for temp in path.parent.glob(f".{glob_escape(path.name)}.*-*.kaohe-tmp"):
        pid = temp.name[len(path.name) + 2:].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            with contextlib.suppress(OSError):
                temp.unlink()


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)  # signal 0 only asks whether the process exists
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # someone else's process, or a platform that cannot tell: leave its file
    return True


def _create_temp(path: Path) -> Path:
    # os.open with 0o666 lets the umask decide permissions, as for a plain open().
    for _ in range(100):
        temp = _temp_name(path, os.getpid(), secrets.token_hex(4))
        try:
            os.close(os.open(temp, _CREATE_FLAGS, 0o666))
            return temp
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(path))


def _fill(temp: Path, fill: Callable[[BinaryIO], object], mode: int | None) -> int:
    with open(temp, "wb") as handle:
        with WrittenBehind(handle) as behind:  # written and flushed to disk while the next piece is made
            fill(behind)  # type: ignore[arg-type]  # a binary file to the exporter
        handle.flush()
        os.fsync(handle.fileno())
        size = handle.tell()
    if mode is not None:
        os.chmod(temp, mode)
    return size


def _mode_of(path: Path) -> int | None:
    """Permissions of the file being replaced, so rewriting keeps them."""
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        return None


def _sync_dir(directory: Path) -> None:
    # Makes the rename itself durable; not possible on every platform.
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(directory if str(directory) else ".", os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
