"""A dataset file opened once and read by position, here and in forked workers.

Every read of a file during one run (the rows, the byte ranges workers check, the lines
read again for the dataset rules) goes through one open descriptor with `os.pread`:
forked workers inherit it, and no two processes share a file offset. So a run reads one
file throughout, even when the path is replaced meanwhile (an editor's atomic save, a
second `convert --in-place`), and `changed()` tells whether the file was written to in
place while it was read.
"""

from __future__ import annotations

import io
import os
import stat
from collections.abc import Iterator
from pathlib import Path

BLOCK = 1 << 16  # bytes read at a time: below malloc's mmap threshold, so each block reuses the last one's memory


class NotRegularFile(OSError):
    """A FIFO, a socket, a device: it can be read once, as a stream, not by position."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"{path} is not a regular file (a pipe or a device): it can be read once, not rewritten")


class OpenFile:
    __slots__ = ("path", "fd", "size", "_stamp")

    def __init__(self, path: Path) -> None:
        self.path = path
        # A FIFO is not even opened here: opening it releases a writer waiting for a reader,
        # and closing it again before anyone reads throws away what that writer sent.
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise NotRegularFile(path)
        # Without blocking: a path swapped for a FIFO since would wait for a writer forever.
        self.fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        try:
            info = os.fstat(self.fd)
            if not stat.S_ISREG(info.st_mode):
                raise NotRegularFile(path)
        except BaseException:
            os.close(self.fd)
            raise
        self.size = info.st_size
        self._stamp = _stamp(info)

    def __enter__(self) -> OpenFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def changed(self) -> bool:
        """Whether the file was written to (its size or modification time) since it was opened."""
        return _stamp(os.fstat(self.fd)) != self._stamp

    def why_not_rewrite(self, target: Path | None = None) -> str:
        """Why the file read must not be written over now ("": it may be): it changed in
        place while it was read, or `target` (the path it is written back to) names
        another file by now (an editor's save, another run's rename)."""
        if self.changed():
            return f"{self.path} changed while it was read; nothing was written (run it again)"
        if target is not None:
            try:
                now = os.stat(target)
            except OSError:
                return f"{target} is gone since it was read; nothing was written"
            if _stamp(now) != self._stamp:
                return f"{target} was replaced while it was read; nothing was written (run it again)"
        return ""

    def lines(self, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        """The lines (with their terminators) from `start`, a line start, to `end` (default:
        wherever the file ends; files in /proc, say, tell a size of 0 and hold more)."""
        position, pending = start, b""
        while end is None or position < end:
            block = os.pread(self.fd, BLOCK if end is None else min(BLOCK, end - position), position)
            if not block:
                break  # the end (a file that got shorter: `changed()` says so)
            position += len(block)
            cut = block.rfind(b"\n") + 1
            if not cut:
                pending += block
                continue
            yield from io.BytesIO(pending + block[:cut])
            pending = block[cut:]
        if pending:
            yield pending

    def line_at(self, offset: int) -> bytes:
        """The one line (with its terminator) that starts at `offset`."""
        parts, size = [], 16384
        while True:
            block = os.pread(self.fd, size, offset)
            cut = block.find(b"\n") + 1
            if cut or not block:
                parts.append(block[:cut] if cut else block)
                return b"".join(parts)
            parts.append(block)
            offset += len(block)
            size = min(size * 4, BLOCK)

    def ranges(self, pieces: int) -> list[tuple[int, int]]:
        """Byte ranges that start at a line start and together cover the file."""
        cuts = [0]
        for n in range(1, pieces):
            at = max(cuts[-1], self.size * n // pieces)
            if at >= self.size:
                break
            position = at + len(self.line_at(at)) if at > 0 else 0  # to the start of the next line
            if position >= self.size:
                break
            if position > cuts[-1]:
                cuts.append(position)
        cuts.append(self.size)
        return [(a, b) for a, b in zip(cuts, cuts[1:]) if b > a]


FIFO_WAIT = 5.0  # seconds a FIFO may take to get its first byte (TUNELINT_FIFO_WAIT): a late writer, not a hang


def read_stream(path: Path) -> bytes:
    """All a FIFO, a pipe (`<(...)`) or a device holds, read once. A FIFO whose writer sends
    nothing within `FIFO_WAIT` seconds (nobody writes to it) reads as empty instead of
    waiting forever; once data comes, it is read to the end."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        if stat.S_ISFIFO(os.fstat(fd).st_mode):
            import select

            waiting = select.poll()
            waiting.register(fd, select.POLLIN | select.POLLHUP)
            wait = float(os.environ.get("TUNELINT_FIFO_WAIT", FIFO_WAIT))
            if not waiting.poll(int(wait * 1000)):
                return b""
        os.set_blocking(fd, True)
        chunks = []
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
    finally:
        os.close(fd)


def _stamp(info: os.stat_result) -> tuple[int, int, int, int]:
    return info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns
