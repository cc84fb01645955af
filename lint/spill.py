"""A list that keeps itself sorted and moves to a temporary file when it grows.

A check of a million rows can find hundreds of thousands of problems (a file where most
rows repeat): holding them all until they are printed is what made memory grow with the
file. `SortedSpill` keeps up to `LIMIT` items in memory; past that it writes them, sorted,
to a temporary file as a run, in blocks of `BLOCK` items. Iterating merges the runs and
the items still in memory, reading one block of each run at a time, so memory is bounded
by the number of runs times `BLOCK`, not by the items.

Items that arrive already in order (a file's row findings, line after line) extend the
last run instead of starting a new one, so the usual case is one run read straight
through. The order is stable: items with equal keys come out in the order they went in,
as `list.sort` would give them.
"""

from __future__ import annotations

import heapq
import os
import pickle
import tempfile
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Generic, TypeVar

T = TypeVar("T")

LIMIT = 4096  # items held in memory before a run is written
BLOCK = 64  # items per block of a run: what a merge holds of each run at a time


class SortedSpill(Generic[T]):
    __slots__ = ("_key", "_items", "_file", "_runs", "_last", "_count", "_sorted", "limit")

    def __init__(self, key: Callable[[T], Any], items: Iterable[T] = (), limit: int | None = None) -> None:
        self._key = key
        self._items: list[T] = []
        self._file: Any = None  # the temporary file of runs, once one is written
        self._runs: list[list[tuple[int, int]]] = []  # each run: its blocks' (offset, size)
        self._last: Any = None  # the key of the last item of the last run
        self._count = 0
        self._sorted = True
        self.limit = limit or LIMIT
        self.extend(items)

    def append(self, item: T) -> None:
        items = self._items
        if self._sorted and items and self._key(item) < self._key(items[-1]):
            self._sorted = False
        items.append(item)
        self._count += 1
        if len(items) >= self.limit:
            self._write_run()

    def extend(self, items: Iterable[T]) -> None:
        for item in items:
            self.append(item)

    def __len__(self) -> int:
        return self._count

    def __bool__(self) -> bool:
        return self._count > 0

    @property
    def spilled(self) -> bool:
        return self._file is not None

    def __iter__(self) -> Iterator[T]:
        if not self._sorted:
            self._items.sort(key=self._key)
            self._sorted = True
        if not self._runs:
            return iter(list(self._items))  # a copy: appending while iterating changes nothing
        return heapq.merge(*(self._read_run(run) for run in self._runs), list(self._items), key=self._key)

    def __getitem__(self, index):
        """An item by position: cheap while all are in memory; once spilled it reads them all
        (for tests and small reports, not for a loop over a large one)."""
        if not self._runs:
            if not self._sorted:
                self._items.sort(key=self._key)
                self._sorted = True
            return self._items[index]
        return list(self)[index]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (list, tuple, SortedSpill)):
            return list(self) == list(other)
        return NotImplemented

    def __repr__(self) -> str:
        return f"SortedSpill({self._count} items, {len(self._runs)} runs on disk)"

    def _write_run(self) -> None:
        items, key = self._items, self._key
        if not self._sorted:
            items.sort(key=key)
        if self._file is None:
            self._file = tempfile.TemporaryFile(prefix="tunelint-found-")  # gone with the process
        # Items that follow the last run in order continue it: one long run, read straight through.
        if not self._runs or key(items[0]) < self._last:
            self._runs.append([])
        run = self._runs[-1]
        handle = self._file
        handle.seek(0, os.SEEK_END)
        for first in range(0, len(items), BLOCK):
            data = pickle.dumps(items[first:first + BLOCK], pickle.HIGHEST_PROTOCOL)
            run.append((handle.tell(), len(data)))
            handle.write(data)
        self._last = key(items[-1])
        self._items = []
        self._sorted = True

    def _read_run(self, run: list[tuple[int, int]]) -> Iterator[T]:
        handle = self._file
        handle.flush()
        fd = handle.fileno()
        for offset, size in run:
            yield from pickle.loads(os.pread(fd, size, offset))

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def __reduce__(self):
        """Crossing to another process it is a plain sorted list (a worker's share is small)."""
        return _from_items, (self._key, list(self))


def _from_items(key: Callable[[Any], Any], items: list) -> SortedSpill:
    return SortedSpill(key, items)
