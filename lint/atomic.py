"""Write a file atomically: a temporary file beside it, fsync, then a rename over it.

A crash or a kill at any point leaves either the old file or the complete new one.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

WRITE_BUFFER = 1 << 20  # rows are written one by one: with 8 KB, a system call every other row


class AtomicWriter:
    """Write to a temporary file beside `path`, fsync, then rename over it.

    A crash or kill at any point leaves either the old file or the complete new one.
    """

    def __init__(self, path: Path, like: Path | None = None) -> None:
        self.path = path
        self.like = like
        self._discard = False
        folder = path.parent if str(path.parent) else Path(".")
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tunelint-tmp", dir=folder)
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
                source = self.like if self.like is not None and self.like.exists() else (self.path if self.path.exists() else None)
                if source is not None:
                    os.chmod(self.temp, source.stat().st_mode & 0o7777)
                os.replace(self.temp, self.path)
                _fsync_folder(self.path.parent)
                return
        finally:
            if not self.file.closed:
                self.file.close()
            if self.temp.exists():
                self.temp.unlink()


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


def atomic_write(path: Path, chunks: Iterable[bytes], like: Path | None = None) -> None:
    with AtomicWriter(path, like=like) as writer:
        for chunk in chunks:
            writer.write(chunk)
