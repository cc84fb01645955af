"""Where a file's per-row facts live while it is read: one compact column per rule.

A list of (line, fact) tuples costs about 100 bytes a row before the fact itself. A
column keeps line numbers in an array (8 bytes a row) and, while every fact is a 64-bit
fingerprint, the facts in another; other facts stay Python objects. Iterating gives
(line, fact) pairs, which is all a dataset rule sees.

While a file is read, a `FactTable` takes each row's facts as one tuple (one append a
row, not one per rule) and moves them into the columns a batch at a time.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator, Sequence
from itertools import compress, repeat
from operator import is_not
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

    @classmethod
    def of_lists(cls, lines: Sequence[int], facts: list[Any]) -> FactColumn:
        """A column over the given sequences as they are (no copy into arrays): cheaper to
        build, for a column that lives as long as one aggregation."""
        column = cls()
        column.lines, column.values = lines, facts
        return column

    @classmethod
    def from_positional(cls, facts: list[Any]) -> FactColumn:
        """A column over one fact per line (line n at index n - 1; None: no fact), at C
        speed: an editor's session builds them on every edit. Plain lists, not arrays."""
        nones = facts.count(None)
        if nones == len(facts):
            return cls.of_lists([], [])
        if nones:
            kept = list(map(is_not, facts, repeat(None)))
            return cls.of_lists(list(compress(range(1, len(facts) + 1), kept)), list(compress(facts, kept)))
        return cls.of_lists(range(1, len(facts) + 1), facts)

    def extend_pairs(self, lines: Sequence[int], facts: Sequence[Any]) -> None:
        """Append facts with their lines; a None fact means the row keeps none."""
        if None in facts:
            kept = [fact is not None for fact in facts]
            lines, facts = list(compress(lines, kept)), list(compress(facts, kept))
        self.lines.extend(lines)
        if type(self.values) is array:
            try:
                self.values.extend(array("Q", facts))  # built apart first: a failed extend would leave half of it
                return
            except (TypeError, OverflowError):
                self.values = list(self.values)
        self.values.extend(facts)

    def extend_shifted(self, other: FactColumn, lines: int | array) -> None:
        """Append another range's column, its lines moved down by an offset (C-speed loops),
        or replaced by `lines`: the same lines, already moved."""
        self.lines.extend(map(lines.__add__, other.lines) if type(lines) is int else lines)
        if type(self.values) is array and type(other.values) is array:
            self.values.extend(other.values)
        else:
            if type(self.values) is array:
                self.values = list(self.values)
            self.values.extend(other.values)

    @staticmethod
    def shifted_lines(lines: array, offset: int) -> array:
        """Line numbers moved down by `offset`, at C speed."""
        return array("q", map(offset.__add__, lines))

    def __iter__(self) -> Iterator[tuple[int, Any]]:
        return zip(self.lines, self.values)

    def __len__(self) -> int:
        return len(self.lines)

    def __bool__(self) -> bool:
        return len(self.lines) > 0

    def __getitem__(self, index: int) -> tuple[int, Any]:
        return self.lines[index], self.values[index]


class FactTable:
    """The facts of every dataset rule for a file being read, one tuple per row.

    `add` costs one append a row; every `BATCH` rows the tuples are transposed into the
    rules' columns (C-speed `zip`), so the table holds at most a batch of tuples.
    """

    BATCH = 4096
    __slots__ = ("columns", "_lines", "_rows")

    def __init__(self, codes: Iterable[str]) -> None:
        self.columns = {code: FactColumn() for code in codes}
        self._lines: list[int] = []
        self._rows: list[tuple[Any, ...]] = []

    def add(self, line: int, facts: tuple[Any, ...]) -> None:
        """One row's facts, in the order of the codes the table was made with."""
        self._lines.append(line)
        self._rows.append(facts)
        if len(self._rows) >= self.BATCH:
            self.flush()

    def flush(self) -> dict[str, FactColumn]:
        """Move the pending rows into the columns, and return the columns."""
        if self._rows:
            for column, facts in zip(self.columns.values(), zip(*self._rows)):
                column.extend_pairs(self._lines, facts)
            self._lines, self._rows = [], []
        return self.columns
