"""A list's items written by two processes: the last ones made by a forked copy of this one.

Writing a city's results as JSON is pure Python for the most part (laying out each period's
records), so a thread cannot share it; a second process can. Where a list's items are
independent and each is much work (the periods of a results document), ``in_two`` forks a
child before the first item is made. The parent makes the items from the front, the child from
the back, each claiming its next one under a lock (``_Claims``), so that where they meet follows
how fast each goes (the child, which copies the pages it touches, is the slower). The child
writes its items into a temporary file and reports each one's place over a pipe; the parent
writes its own as always and then copies the child's in, in order. The bytes are exactly those
one process writes; should the child fail in any way (an error, a crash, no word for
``PATIENCE`` seconds), the parent makes the items the child left itself, and so raises any error
of theirs as always.

Only on Linux (``os.fork`` with threads alive is unsafe on macOS) with two cores or more. The
child touches nothing the parent owns: no output, no progress bar, no garbage collection (which
would copy every page of the parent's heap it looked at), and it ends with ``os._exit``.
"""

from __future__ import annotations

import contextlib
import errno
import gc
import mmap
import os
import select
import struct
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
    """``items``, those the forked child makes (``write(item, file)``: the last ones, as many as it
    claims) as ``Made``; the caller writes the others itself, and each ``Made`` with ``Made.write``."""
    try:
        child = _Child.fork(items, write)
    except OSError:  # no process or scratch file to be had (a full /tmp): one process writes them all
        yield from items
        return
    try:
        for index, item in enumerate(items):
            yield item if child.claims.take_front(index) else Made(item, index, child)
    finally:
        child.end()


class _Claims:
    """Which process makes which item, settled one item at a time: the parent takes them from the
    front, the child from the back, until they meet. Two numbers in memory both processes share
    (the parent's next item, the child's last one taken), read and changed under a POSIX record lock
    on the scratch file (held by one process at a time, and let go should its holder die)."""

    def __init__(self, fd: int):
        self.fd = fd
        self.shared = mmap.mmap(-1, 16)  # anonymous and shared: the child sees the parent's changes
        self._set(0, NONE_TAKEN)

    def take_front(self, index: int) -> bool:
        """Whether the parent makes item ``index`` (the child has not taken it)."""
        with self._locked():
            _, back = self._get()
            if index >= back:
                return False
            self._set(index + 1, back)
            return True

    def take_back(self, count: int) -> int | None:
        """The item the child makes next, counting down from the last of ``count``; None when the
        parent has reached it."""
        with self._locked():
            front, back = self._get()
            taken = min(back, count) - 1
            if taken < front:
                return None
            self._set(front, taken)
            return taken

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        import fcntl  # POSIX only, as the fork is

        fcntl.lockf(self.fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.lockf(self.fd, fcntl.LOCK_UN)

    def _get(self) -> tuple[int, int]:
        front, back = struct.unpack("qq", self.shared[:16])
        return front, back

    def _set(self, front: int, back: int) -> None:
        self.shared[:16] = struct.pack("qq", front, back)


NONE_TAKEN = 2 ** 62  # the child's "last item taken" before it has taken any


class _Child:
    """The forked child as the parent sees it: its file, its reports, its process."""

    def __init__(self, pid: int, spill: IO[bytes], reports: int, claims: _Claims):
        self.pid, self.spill, self.reports, self.claims = pid, spill, reports, claims
        self.places: dict[int, tuple[int, int]] = {}
        self.pending = b""
        self.silent = False  # the child has ended, or failed: no more reports will come

    @classmethod
    def fork(cls, items: Iterable[Any], write: Callable[[Any, BinaryIO], None]) -> _Child:
        spill = tempfile.TemporaryFile()  # noqa: SIM115  # unnamed, shared with the child; closed by end()
        try:
            claims = _Claims(spill.fileno())
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
                _child_main(items, write, spill, write_end, claims)
            finally:
                os._exit(1)
        os.close(write_end)
        return cls(pid, spill, read_end, claims)

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
        self.claims.shared.close()


def _child_main(items: Iterable[Any], write: Callable[[Any, BinaryIO], None], spill: IO[bytes],
                reports: int, claims: _Claims) -> None:
    """The child's whole life: items from the back into ``spill`` while the parent has not reached
    them, each reported as it is done."""
    code = 1
    try:
        gc.disable()
        _quiet_child()
        from kaohe.engine.report.behind import WrittenBehind

        every = list(items)  # each item's own work is done when it is written: a list is cheap
        with open(spill.fileno(), "wb", buffering=1 << 20, closefd=False) as file, \
                WrittenBehind(file, sync_every=None) as sink:  # the joins on a thread here too
            offset = 0
            while (index := claims.take_back(len(every))) is not None:
                write(every[index], sink)  # type: ignore[arg-type]  # a binary file to the writer
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
    """Nothing of the child's reaches the terminal: the parent tells the progress and any problem.
    Its standard streams are new objects too: the parent's may have been locked at the fork by
    another of its threads (a progress bar's refresh), which the child does not have to let go."""
    import warnings

    from kaohe.engine import progress

    progress.silence()
    warnings.simplefilter("ignore")
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    sys.stdout = sys.stderr = open(devnull, "w", encoding="utf-8", closefd=False)  # noqa: SIM115  # for the child's life
