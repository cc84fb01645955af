"""Write a file atomically: a temporary file beside it, fsync, then a rename over it.

A crash or a kill at any point leaves either the old file or the complete new one.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

WRITE_BUFFER = 1 << 20  # rows are written one by one: with 8 KB, a system call every other row


class SourceChanged(OSError):
    """The file being rewritten changed while it was read: nothing is written."""


class AtomicWriter:
    """Write to a temporary file beside `path`, fsync, then rename over it.

    A crash or kill at any point leaves either the old file or the complete new one, and
    the temporary file is removed on every way out (a full disk included). The new file
    keeps the old one's permissions and, where allowed, its owner; a hard link to the old
    file keeps the old content (the rename gives the path a new file). `guard`, called
    just before the rename, may refuse it by returning why (the source changed meanwhile).
    """

    def __init__(self, path: Path, like: Path | None = None, guard: Callable[[], str] | None = None) -> None:
        self.path = path
        self.like = like
        self.guard = guard
        self._discard = False
        folder = path.parent if str(path.parent) else Path(".")
        try:
            fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tunelint-tmp", dir=folder)
        except OSError as exc:  # named for the file asked for, not the temporary one
            raise OSError(exc.errno, exc.strerror, str(path)) from None
        self.temp = Path(name)
        self.file = os.fdopen(fd, "wb", buffering=WRITE_BUFFER)

    def write(self, data: bytes) -> None:
        self.file.write(data)

    def discard(self) -> None:
        self._discard = True

    def __enter__(self) -> AtomicWriter:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is None and not self._discard:
                self.file.flush()
                os.fsync(self.file.fileno())
                self.file.close()
                self._take_over_metadata()
                why = self.guard() if self.guard is not None else ""
                if why:
                    raise SourceChanged(why)
                os.replace(self.temp, self.path)
                _fsync_folder(self.path.parent)
        finally:
            try:
                if not self.file.closed:
                    self.file.close()  # flushes: on a full disk this raises again
            except OSError:
                pass
            finally:
                try:
                    self.temp.unlink()
                except FileNotFoundError:
                    pass  # renamed into place

    def _take_over_metadata(self) -> None:
        source = next((p for p in (self.like, self.path) if p is not None and p.exists()), None)
        if source is None:
            return
        info = source.stat()
        if hasattr(os, "chown"):  # first: a change of owner clears set-id bits
            try:
                os.chown(self.temp, info.st_uid, info.st_gid)
            except OSError:
                pass  # not allowed (another user's file): the new file is the writer's
        os.chmod(self.temp, info.st_mode & 0o7777)


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder if str(folder) else ".", os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write(path: Path, chunks: Iterable[bytes], like: Path | None = None,
                 guard: Callable[[], str] | None = None) -> None:
    with AtomicWriter(path, like=like, guard=guard) as writer:
        for chunk in chunks:
            writer.write(chunk)
