"""Which files a run checks: the paths given, folders expanded to the `*.jsonl` inside."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .settings import Settings

STDIN = "-"


@dataclass
class Discovered:
    files: list[Path] = field(default_factory=list)
    stdin: bool = False
    missing: list[str] = field(default_factory=list)  # paths that do not exist (exit 2)


def discover(paths: list[str], settings: Settings, force_exclude: bool = False) -> Discovered:
    """Files named directly are checked even if excluded, unless `force_exclude` (as ruff)."""
    found = Discovered()
    seen: set[Path] = set()

    def add(path: Path) -> None:
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            found.files.append(path)

    for name in paths:
        if name == STDIN:
            found.stdin = True
            continue
        path = Path(name)
        if path.is_dir():
            for child in sorted(_walk(path, settings)):
                add(child)
        elif path.exists():
            if not (force_exclude and settings.is_excluded(path)):
                add(path)
        else:
            found.missing.append(name)
    return found


def _walk(folder: Path, settings: Settings):
    for child in folder.iterdir():
        if settings.is_excluded(child):
            continue
        if child.is_dir():
            yield from _walk(child, settings)
        elif child.suffix == ".jsonl" and child.is_file():
            yield child
