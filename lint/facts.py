"""Where a file's per-row facts live while it is read: one compact column per rule.

A list of (line, fact) tuples costs about 100 bytes a row before the fact itself. A
column keeps line numbers in an array (8 bytes a row) and, while every fact is a 64-bit
fingerprint, the facts in another; other facts stay Python objects. Iterating gives
(line, fact) pairs, which is all a dataset rule sees.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator
from typing import Any

_U64 = 1 << 64


class FactColumn:
    __slots__ = ("lines", "values")

    def __init__(self) -> None:
        self.lines = array("q")
        self.values: array | list = array("Q")

    @classmethod
    def from_pairs(cls, lines: list[int], facts: list[Any]) -> FactColumn:
        """A column built in bulk (the language server rebuilds them on every edit)."""
        column = cls()
        column.lines = array("q", lines)
        try:
            column.values = array("Q", facts)
        except (TypeError, OverflowError):
            column.values = list(facts)
        return column

    def append(self, line: int, fact: Any) -> None:
        self.lines.append(line)
        values = self.values
        if type(values) is array:
            if type(fact) is int and 0 <= fact < _U64:
                values.append(fact)
                return
            self.values = values = list(values)  # a fact of another kind: keep objects from now on
        values.append(fact)

    def extend_shifted(self, other: FactColumn, offset: int) -> None:
        """Append another range's column, its lines moved down by `offset` (C-speed loops)."""
        self.lines.extend(map(offset.__add__, other.lines))
        if type(self.values) is array and type(other.values) is array:
            self.values.extend(other.values)
        else:
            if type(self.values) is array:
                self.values = list(self.values)
            self.values.extend(other.values)

    def __iter__(self) -> Iterator[tuple[int, Any]]:
        return zip(self.lines, self.values)

    def __len__(self) -> int:
        return len(self.lines)

    def __bool__(self) -> bool:
        return len(self.lines) > 0

    def __getitem__(self, index: int) -> tuple[int, Any]:
        return self.lines[index], self.values[index]
