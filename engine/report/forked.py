"""A list's items written by two processes: every other item made by a forked copy of this one.

Writing a city's results as JSON is pure Python for the most part (laying out each period's
records), so a thread cannot share it; a second process can. Where a list's items are
independent and each is much work (the periods of a results document), ``in_two`` forks a
child before the first item is made: parent and child walk the same items, the parent makes the
even ones and the child the odd ones, each into its own place — the child into a temporary file,
reporting each item's bytes over a pipe as it finishes them. The parent writes its items as
always and, at each odd one, copies the child's bytes in. The bytes are exactly those one process
writes; should the child fail in any way (an error, a crash, no word for ``PATIENCE`` seconds),
the parent makes the items the child left itself, and so raises any error of theirs as always.

Only on Linux (``os.fork`` with threads alive is unsafe on macOS) with two cores or more. The
child touches nothing the parent owns: no output, no progress bar, no garbage collection (which
would copy every page of the parent's heap it looked at), and it ends with ``os._exit``.
"""

from __future__ import annotations

import contextlib
import errno
import gc
import os
import select
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any, BinaryIO

PATIENCE = 120.0  # seconds without word from the child before its items are made here
COPY_CHUNK = 8 << 20  # bytes copied from the child's file per write
# Subjects an item (a period) must have for a helper to be worth its fork (some 20 ms), and may have
# at most: the child's file holds half the output, and its copy of the parent's pages grows as it
# reads them, so a province (500,000 subjects) is written by one process within its memory.
FEW_SUBJECTS, MANY_SUBJECTS = 4096, 100_000


def available() -> bool:
    """Whether this machine can fork a helper to share the work with."""
    if not sys.platform.startswith("linux") or not hasattr(os, "fork"):
        return False
    return len(os.sched_getaffinity(0)) >= 2


def worth(subjects: int, items: int) -> bool:
    """Whether ``items`` (two or more) of ``subjects`` each are worth writing by two processes."""
    return items >= 2 and FEW_SUBJECTS <= subjects <= MANY_SUBJECTS


class Made:
    """An item of ``in_two`` the child makes: ``write(out)`` copies its bytes in, or makes it here."""

    __slots__ = ("item", "index", "_child")

    def __init__(self, item: Any, index: int, child: _Child):
        self.item, self.index, self._child = item, index, child

    def write(self, out: BinaryIO, write: Callable[[Any, BinaryIO], None]) -> None:
        place = self._child.place_of(self.index)
        if place is None or not self._child.holds(*place):  # not made there: made here, as one process would
            write(self.item, out)
            return
        self._child.copy(*place, out)


def in_two(items: Iterable[Any], write: Callable[[Any, BinaryIO], None]) -> Iterator[Any]:
    """``items``, with every odd one a ``Made`` the forked child writes (``write(item, file)``);
    the caller writes the others itself, and each ``Made`` with ``Made.write``."""
    try:
        child = _Child.fork(items, write)
    except OSError:  # no process or scratch file to be had (a full /tmp): one process writes them all
        yield from items
        return
    try:
        for index, item in enumerate(items):
            yield Made(item, index, child) if index % 2 else item
    finally:
        child.end()


class _Child:
    """The forked child as the parent sees it: its file, its reports, its process."""

    def __init__(self, pid: int, spill: IO[bytes], reports: int):
        self.pid, self.spill, self.reports = pid, spill, reports
        self.places: dict[int, tuple[int, int]] = {}
        self.pending = b""
        self.silent = False  # the child has ended, or failed: no more reports will come

    @classmethod
    def fork(cls, items: Iterable[Any], write: Callable[[Any, BinaryIO], None]) -> _Child:
        spill = tempfile.TemporaryFile()  # noqa: SIM115  # unnamed, shared with the child; closed by end()
        try:
            read_end, write_end = os.pipe()
        except OSError:
            spill.close()
            raise
        try:
            pid = os.fork()
        except OSError:
            for fd in (read_end, write_end):
                os.close(fd)
            spill.close()
            raise
        if pid == 0:  # the child: never returns
            try:
                os.close(read_end)
                _child_main(items, write, spill, write_end)
            finally:
                os._exit(1)
        os.close(write_end)
        return cls(pid, spill, read_end)

    def place_of(self, index: int) -> tuple[int, int] | None:
        """Where in its file the child wrote item ``index`` (offset, size), once it has; None when
        it never will."""
        deadline = time.monotonic() + PATIENCE
        while index not in self.places and not self.silent:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self.reports], [], [], max(left, 0.0))
            if not ready:  # no word for too long: stopped, and its items made here
                self._stop()
                break
            self._read_reports()
        return self.places.get(index)

    def _read_reports(self) -> None:
        chunk = os.read(self.reports, 1 << 16)
        if not chunk:  # the pipe closed: the child has ended, done or not
            self.silent = True
            return
        self.pending += chunk
        *lines, self.pending = self.pending.split(b"\n")
        for line in lines:
            index, offset, size = map(int, line.split())
            self.places[index] = (offset, size)

    def holds(self, offset: int, size: int) -> bool:
        """Whether the child's file holds what it reported (it flushes each item before)."""
        return os.fstat(self.spill.fileno()).st_size >= offset + size

    def copy(self, offset: int, size: int, out: BinaryIO) -> None:
        fd, end = self.spill.fileno(), offset + size
        while offset < end:  # the file holds it all (``holds``): pread returns a piece each time
            piece = os.pread(fd, min(COPY_CHUNK, end - offset), offset)
            if not piece:  # cut short since: never for a file only this run knows of
                raise OSError(errno.EIO, "the helper's scratch file was cut short")
            out.write(piece)
            offset += len(piece)

    def _stop(self) -> None:
        self.silent = True
        with contextlib.suppress(OSError):
            os.kill(self.pid, 9)

    def end(self) -> None:
        """Stop the child if it still runs, reap it, and let go of its file and pipe."""
        if self.pid:
            with contextlib.suppress(ChildProcessError, OSError):
                finished, _ = os.waitpid(self.pid, os.WNOHANG)
                if not finished:
                    self._stop()
                    os.waitpid(self.pid, 0)
            self.pid = 0
        with contextlib.suppress(OSError):
            os.close(self.reports)
        self.spill.close()


def _child_main(items: Iterable[Any], write: Callable[[Any, BinaryIO], None], spill: IO[bytes],
                reports: int) -> None:
    """The child's whole life: the odd items into ``spill``, each reported as it is done."""
    code = 1
    try:
        gc.disable()
        _quiet_child()
        from kaohe.engine.report.behind import WrittenBehind

        with open(spill.fileno(), "wb", buffering=1 << 20, closefd=False) as file, \
                WrittenBehind(file, sync_every=None) as sink:  # the joins on a thread here too
            offset = 0
            for index, item in enumerate(items):
                if index % 2:
                    write(item, sink)  # type: ignore[arg-type]  # a binary file to the writer
                    sink.flush()
                    size = file.tell() - offset
                    os.write(reports, f"{index} {offset} {size}\n".encode("ascii"))
                    offset += size
        code = 0
    except BaseException:  # noqa: BLE001  # any failure: the parent makes what is left itself
        pass
    finally:
        os._exit(code)


def _quiet_child() -> None:
    """Nothing of the child's reaches the terminal: the parent tells the progress and any problem."""
    from kaohe.engine import progress

    progress.silence()
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
