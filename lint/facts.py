"""Where a file's per-row facts live while it is read: one compact column per rule.

A list of (line, fact) tuples costs about 100 bytes a row before the fact itself. A
column keeps line numbers in an array (8 bytes a row) and, while every fact is a 64-bit
fingerprint, the facts in another; other facts stay Python objects. Past a few tens of
thousands of rows a column moves its rows to a temporary file, so memory does not grow
with the file. Iterating gives (line, fact) pairs, which is all a dataset rule sees.

While a file is read, a `FactTable` takes each row's facts as one tuple (one append a
row, not one per rule) and moves them into the columns a batch at a time.
"""

from __future__ import annotations

import pickle
from array import array
from collections.abc import Iterable, Iterator, Sequence
from itertools import compress, repeat
from operator import is_not
from typing import Any

_U64 = 1 << 64


class FactColumn:
    """One dataset rule's facts: (line, fact) pairs in line order.

    While it is small the column is two in-memory sequences (`lines`, `values`). Past
    `SPILL_ROWS` rows (a large file) it moves its rows to a temporary file a chunk at a
    time and keeps only the newest chunk: memory stays flat whatever the file's size.
    Iterating gives the pairs in order either way; `lines` and `values` are then
    iterables to read once, not sequences (see `spilled`).
    """

    __slots__ = ("_lines", "_values", "_spill", "_spilled_rows")
    SPILL_ROWS = 1 << 15

    def __init__(self) -> None:
        self._lines: array | Sequence[int] = array("q")
        self._values: array | list = array("Q")
        self._spill: Any = None  # a temporary file of pickled chunks, once spilled
        self._spilled_rows = 0

    @property
    def spilled(self) -> bool:
        return self._spill is not None

    @property
    def lines(self) -> Any:
        return self._lines if self._spill is None else (line for line, _ in self)

    @property
    def values(self) -> Any:
        return self._values if self._spill is None else (value for _, value in self)

    @classmethod
    def from_pairs(cls, lines: list[int], facts: list[Any]) -> FactColumn:
        """A column built in bulk (the language server rebuilds them on every edit)."""
        column = cls()
        column._lines = array("q", lines)
        try:
            column._values = array("Q", facts)
        except (TypeError, OverflowError):
            column._values = list(facts)
        return column

    @classmethod
    def of_lists(cls, lines: Sequence[int], facts: list[Any]) -> FactColumn:
        """A column over the given sequences as they are (no copy into arrays): cheaper to
        build, for a column that lives as long as one aggregation."""
        column = cls()
        column._lines, column._values = lines, facts
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
        self._lines.extend(lines)
        self._extend_values(facts)
        self._maybe_spill()

    def extend_shifted(self, other: FactColumn, lines: int | array) -> None:
        """Append another range's column (in memory), its lines moved down by an offset
        (C-speed loops), or replaced by `lines`: the same lines, already moved."""
        self._lines.extend(map(lines.__add__, other._lines) if type(lines) is int else lines)
        self._extend_values(other._values)
        self._maybe_spill()

    def _extend_values(self, values: Sequence[Any]) -> None:
        if type(self._values) is array:
            try:
                self._values.extend(values if type(values) is array else array("Q", values))  # built apart first
                return
            except (TypeError, OverflowError):
                self._values = list(self._values)
        self._values.extend(values)

    def _maybe_spill(self) -> None:
        if len(self._lines) < self.SPILL_ROWS:
            return
        if self._spill is None:
            import tempfile

            self._spill = tempfile.TemporaryFile(prefix="tunelint-facts-")  # gone with the process, whatever happens
        pickle.dump((self._lines, self._values), self._spill, pickle.HIGHEST_PROTOCOL)
        self._spilled_rows += len(self._lines)
        self._lines = array("q")
        self._values = array("Q") if type(self._values) is array else []

    @staticmethod
    def shifted_lines(lines: array, offset: int) -> array:
        """Line numbers moved down by `offset`, at C speed."""
        return array("q", map(offset.__add__, lines))

    def __iter__(self) -> Iterator[tuple[int, Any]]:
        if self._spill is None:
            return zip(self._lines, self._values)
        return self._spilled_pairs()

    def _spilled_pairs(self) -> Iterator[tuple[int, Any]]:
        spill = self._spill
        spill.flush()
        spill.seek(0)
        read = 0
        while read < self._spilled_rows:
            lines, values = pickle.load(spill)
            read += len(lines)
            yield from zip(lines, values)
        yield from zip(self._lines, self._values)

    def __len__(self) -> int:
        return self._spilled_rows + len(self._lines)

    def __bool__(self) -> bool:
        return len(self) > 0

    def __reduce__(self):
        """A column crosses to another process with its rows (a worker's are never spilled)."""
        return FactColumn.of_lists, (list(self.lines), list(self.values))


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
