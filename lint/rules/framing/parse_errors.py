"""The finding for a line the parser refused; each way of failing has its own rule."""

from __future__ import annotations

from collections.abc import Iterator

from ...model import Finding
from ...source import Row


def parse_error(row: Row, kind: str, message: str) -> Iterator[Finding]:
    error = row.error
    if error is not None and error.kind == kind:
        end = error.end_col if error.end_col is not None else error.col + 1
        yield Finding("", message.format(error=error.message), span=(error.col, end))
