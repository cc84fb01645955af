"""What the two format rules share: one finding where a row uses a format, with the
fix that converts it to the other."""

from __future__ import annotations

from collections.abc import Iterator

from ...model import Finding
from ...source import Row


def format_finding(row: Row, uses_this, uses_other, fixer, message: str, mixed: str, prefix: str) -> Iterator[Finding]:
    """The shared shape of the two format rules: where the row uses a format, and the
    conversion fix (none when the row mixes both formats; then the reason why not)."""
    at = uses_this(row)
    if at is None:
        return
    if uses_other(row):
        fix, why = None, mixed
    else:
        fix, why = fixer(row)
        why = prefix + why if why else ""
    yield Finding(at, f"{message}; {why}" if why else message, on_key=at in ("/functions", "/tools"), fix=fix)
