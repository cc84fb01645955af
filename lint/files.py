"""Which files a run checks: the paths given, folders expanded to the `*.jsonl` inside.

A folder is walked once however many links lead to it (a link to itself, or two links
to one folder, would otherwise make the walk repeat itself without end), and what
cannot be read on the way (a folder without permission, a link loop) is said, once,
instead of stopping the run.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from .settings import Settings

STDIN = "-"


@dataclass
class Discovered:
    files: list[Path] = field(default_factory=list)
    stdin: bool = False
    missing: list[str] = field(default_factory=list)  # paths that do not exist (exit 2)
    unreadable: list[str] = field(default_factory=list)  # "path: why", for what could not be read (exit 2)

    @property
    def errors(self) -> list[str]:
        """One line for each path that could not be read (the run exits 2)."""
        return [f"{name}: no such file or directory" for name in self.missing] + self.unreadable


def discover(paths: list[str], settings: Settings, force_exclude: bool = False) -> Discovered:
    """Files named directly are checked even if excluded, unless `force_exclude` (as ruff)."""
    found = Discovered()
    seen_files: set[tuple[int, int]] = set()
    seen_folders: set[tuple[int, int]] = set()

    def add(path: Path, info: os.stat_result) -> None:
        key = (info.st_dev, info.st_ino)
        if key not in seen_files:
            seen_files.add(key)
            found.files.append(path)

    for name in paths:
        if name == STDIN:
            found.stdin = True
            continue
        path = Path(name)
        try:
            info = path.stat()
        except FileNotFoundError:
            if os.path.islink(path):
                found.unreadable.append(f"{name}: a symbolic link to nothing")
            else:
                found.missing.append(name)
            continue
        except OSError as exc:  # a link loop, a name too long, no permission on the way
            found.unreadable.append(f"{name}: {exc.strerror or exc}")
            continue
        if stat.S_ISDIR(info.st_mode):
            for child, child_info in sorted(_walk(path, settings, seen_folders, found), key=lambda pair: pair[0]):
                add(child, child_info)
        elif not (force_exclude and settings.is_excluded(path)):
            add(path, info)
    return found


def _walk(folder: Path, settings: Settings, seen: set[tuple[int, int]], found: Discovered):
    """The `*.jsonl` files under `folder` (regular files, links to them included)."""
    try:
        info = folder.stat()
        if (info.st_dev, info.st_ino) in seen:
            return
        seen.add((info.st_dev, info.st_ino))
        children = list(os.scandir(folder))
    except OSError as exc:
        found.unreadable.append(f"{folder}: {exc.strerror or exc}")
        return
    for entry in children:
        child = Path(entry.path)
        if settings.is_excluded(child):
            continue
        try:
            child_info = child.stat()
        except OSError as exc:
            if entry.name.endswith(".jsonl") or not entry.is_symlink():
                found.unreadable.append(f"{child}: {exc.strerror or exc}")
            continue  # a broken link to something else is none of ours
        if stat.S_ISDIR(child_info.st_mode):
            yield from _walk(child, settings, seen, found)
        elif child.suffix == ".jsonl" and stat.S_ISREG(child_info.st_mode):
            yield child, child_info
