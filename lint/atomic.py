"""Write a file atomically: a temporary file beside it, fsync, then a rename over it.

A crash or a kill at any point leaves either the old file or the complete new one.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

WRITE_BUFFER = 1 << 20  # rows are written one by one: with 8 KB, a system call every other row
SUFFIX = ".tunelint-tmp"  # a temporary file's name: `.<target>.<pid>.<random>.tunelint-tmp`


class SourceChanged(OSError):
    """The file being rewritten changed while it was read: nothing is written."""


class AtomicWriter:
    """Write to a temporary file beside `path`, fsync, then rename over it.

    A crash or kill at any point leaves either the old file or the complete new one. Where
    the system allows (Linux, `O_TMPFILE`), the new file has no name until it is complete:
    a kill while writing leaves nothing behind; it gets a name just before the rename.
    Elsewhere it is a named temporary file, removed on every way out the process lives
    through (a full disk included). The new file keeps the old one's permissions and,
    where allowed, its owner; a hard link to the old file keeps the old content (the
    rename gives the path a new file). `guard`, called just before the rename, may refuse
    it by returning why (the source changed meanwhile).
    """

    def __init__(self, path: Path, like: Path | None = None, guard: Callable[[], str] | None = None) -> None:
        self.path = path
        self.like = like
        self.guard = guard
        self._discard = False
        self.folder = path.parent if str(path.parent) else Path(".")
        try:
            fd, self.temp = _unnamed(self.folder)
            if fd < 0:
                _sweep(self.folder, path.name)
                fd, name = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=SUFFIX, dir=self.folder)
                self.temp = Path(name)
        except OSError as exc:  # named for the file asked for, not the temporary one
            raise OSError(exc.errno, exc.strerror, str(path)) from None
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
                self._take_over_metadata()
                why = self.guard() if self.guard is not None else ""
                if why:
                    raise SourceChanged(why)
                if self.temp is None:  # give the unnamed file a name, then move it into place
                    self.temp = self.folder / f".{self.path.name}.{os.getpid()}.{id(self):x}{SUFFIX}"
                    _give_name(self.file.fileno(), self.temp)
                os.replace(self.temp, self.path)
                _fsync_folder(self.path.parent)
        finally:
            try:
                if not self.file.closed:
                    self.file.close()  # flushes: on a full disk this raises again
            except OSError:
                pass
            finally:
                if self.temp is not None:
                    try:
                        self.temp.unlink()
                    except FileNotFoundError:
                        pass  # renamed into place

    def _take_over_metadata(self) -> None:
        source = next((p for p in (self.like, self.path) if p is not None and p.exists()), None)
        fd = self.file.fileno()
        if source is None:
            os.fchmod(fd, 0o666 & ~_umask())  # what a new file gets (an unnamed one starts at 0o600)
            return
        info = source.stat()
        if hasattr(os, "fchown"):  # first: a change of owner clears set-id bits
            try:
                os.fchown(fd, info.st_uid, info.st_gid)
            except OSError:
                pass  # not allowed (another user's file): the new file is the writer's
        os.fchmod(fd, info.st_mode & 0o7777)


def _unnamed(folder: Path) -> tuple[int, Path | None]:
    """An unnamed file in `folder` (fd, None), or (-1, None) where the system cannot give
    one a name later (no `O_TMPFILE`; some overlay and network file systems refuse the link)."""
    flag = getattr(os, "O_TMPFILE", 0)
    if not flag or not os.path.isdir("/proc/self/fd") or not _links_unnamed(folder, flag):
        return -1, None
    return os.open(folder, flag | os.O_WRONLY | getattr(os, "O_CLOEXEC", 0), 0o600), None


_LINKABLE: dict[int, bool] = {}  # by device: whether an unnamed file there can be given a name


def _links_unnamed(folder: Path, flag: int) -> bool:
    try:
        device = os.stat(folder).st_dev
    except OSError:
        return False  # the mkstemp path names the error
    known = _LINKABLE.get(device)
    if known is None:
        probe = folder / f".tunelint-probe.{os.getpid()}{SUFFIX}"
        try:
            fd = os.open(folder, flag | os.O_WRONLY | getattr(os, "O_CLOEXEC", 0), 0o600)
        except OSError:
            known = False
        else:
            try:
                _give_name(fd, probe)
                probe.unlink()
                known = True
            except OSError:
                known = False
            finally:
                os.close(fd)
        _LINKABLE[device] = known
    return known


def _sweep(folder: Path, name: str) -> None:
    """Remove the named temporary files an earlier writer of `name` left when it was killed
    (its process is gone): where a file cannot be unnamed, that is the only way they go."""
    prefix = f".{name}."
    try:
        entries = [entry for entry in os.listdir(folder) if entry.startswith(prefix) and entry.endswith(SUFFIX)]
    except OSError:
        return
    for entry in entries:
        pid = entry[len(prefix):].split(".", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            try:
                os.unlink(folder / entry)
            except OSError:
                pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process: alive
        return True
    return True


def _give_name(fd: int, path: Path) -> None:
    """Link an unnamed file into its folder: by its descriptor (`AT_EMPTY_PATH`, for a
    process allowed to), else through /proc (which some sandboxes refuse, EXDEV)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        if libc.linkat(fd, b"", _AT_FDCWD, os.fsencode(path), _AT_EMPTY_PATH) == 0:
            return
    except (OSError, AttributeError):
        pass
    os.link(f"/proc/self/fd/{fd}", path, follow_symlinks=True)


_AT_FDCWD, _AT_EMPTY_PATH = -100, 0x1000  # linux/fcntl.h


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


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
