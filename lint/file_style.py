"""How a file's rows are written, for the fixes that write text a row has no model for.

A fix that writes an arguments object as a JSON string, in a row with no other arguments
string, follows the file's other arguments strings (compact `{"a":1}` in a file written by
JavaScript or orjson, `{"a": 1}` in one written by Python's json). The file's style is
learnt once per file, from a bounded sample of its first rows, and only when a fix first
asks for it: a plain check builds no fix (`Fix.as_reported`) and never reads the sample.

Rules get it through their options (`context=("file-style",)`), like the file's kind: the
rule stays a function of its row and what the run tells it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable

import orjson

from .jsonstyle import completed, separators_of
from .source import Row
from .survey import calls

# The sample: the first rows of the file, until this many arguments strings showed a
# separator, this many rows were read or this many bytes. A file is written by one
# program, so its first strings show its style; a majority of them outvotes an odd row.
SAMPLE_STRINGS = 32
SAMPLE_ROWS = 1000
SAMPLE_BYTES = 16 * 1024 * 1024


class FileStyle:
    """The style of one file's rows, learnt from `rows` (a function giving the file's
    rows from the first) on first use. `FileStyle()` knows nothing of its file."""

    __slots__ = ("_rows", "_arguments")

    def __init__(self, rows: Callable[[], Iterable[Row]] | None = None) -> None:
        self._rows = rows
        self._arguments: tuple[str, str] | None | bool = False  # False: not learnt yet

    @property
    def arguments(self) -> tuple[str, str] | None:
        """The (item, key) separators of the file's well-formed arguments strings (the
        majority of the sampled ones for each; one a file never shows goes with the
        other), or None when the sample has none."""
        if self._arguments is False:
            rows, self._rows = self._rows, None  # the file is read once, then let go
            try:
                self._arguments = arguments_separators(rows()) if rows is not None else None
            except OSError:  # the file went away mid-run: its style is a preference, the fix falls back
                self._arguments = None
        return self._arguments  # type: ignore[return-value]

    def learn(self) -> FileStyle:
        """Learn the style now (before the work is shared out to processes, which then
        inherit it rather than each reading the sample again)."""
        self.arguments  # noqa: B018 - learnt on access
        return self


def arguments_separators(rows: Iterable[Row]) -> tuple[str, str] | None:
    """The separators the file's first arguments strings show (see `FileStyle.arguments`)."""
    items: Counter[str] = Counter()
    keys: Counter[str] = Counter()
    strings = read = size = 0
    for row in rows:
        read += 1
        size += len(row.raw)
        if row.obj is not None:
            for call in calls(row):
                item, key = _separators(call.arguments)
                if item is not None or key is not None:
                    strings += 1
                    if item is not None:
                        items[item] += 1
                    if key is not None:
                        keys[key] += 1
        if strings >= SAMPLE_STRINGS or read >= SAMPLE_ROWS or size >= SAMPLE_BYTES:
            break
    # most_common keeps the first seen of equal counts: a tie goes to the file's first string.
    return completed(items.most_common(1)[0][0] if items else None, keys.most_common(1)[0][0] if keys else None)


def _separators(arguments: object) -> tuple[str | None, str | None]:
    """The separators of a well-formed arguments string (a JSON object); none for anything else."""
    if type(arguments) is not str or not arguments.lstrip().startswith("{"):
        return None, None
    try:
        if type(orjson.loads(arguments)) is not dict:
            return None, None
    except orjson.JSONDecodeError:
        return None, None
    return separators_of(arguments)


__all__ = ["FileStyle", "arguments_separators"]
