"""Dataset facts in two steps: a cheap screening key for every row, the exact fact only
for the rows whose key repeats.

`duplicate-row` and `contradictory-answers` only report rows that share something with
another row (the whole row, or the prompt). Their exact fingerprints need a canonical
dump of the conversation and, for the prompt, its ids blanked: about 25 µs a row, a
fifth of what all the row rules cost. A screening key built from what the row rules
have already worked out (the texts, the answer, the tools' fingerprint) costs a few µs,
and two rows that are equal in the exact sense always share it. So every row keeps the
key, and only the rows whose key repeats, usually a handful, are read again (a seek to
each, one row in memory at a time) for the exact fact. A coarse key costs time, never a
finding: rows that share a key and differ are told apart by their exact facts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import compress
from typing import Any

from .facts import FactColumn
from .source import Row

# Reads the given lines of the document again, parsed: (line, row) in ascending line order.
# The lines come as a set, or as an iterable already in ascending order (see `ascending`).
ReadRows = Callable[[Iterable[int]], Iterable[tuple[int, Row]]]

# The same lines as text only (what `Row.text` gives), for placing findings on them.
ReadTexts = Callable[[Iterable[int]], Iterable[tuple[int, str]]]


def ascending(wanted: Iterable[int]) -> Iterable[int]:
    """Wanted lines in ascending order: a set is sorted; anything else already is (a stream
    of a hundred thousand lines need not be held to be sorted)."""
    return sorted(wanted) if isinstance(wanted, (set, frozenset)) else wanted


# Works out the exact fact of a row read again (None: no fact).
Exact = Callable[[Row, Mapping[str, Any]], Any]


# For each rule code: how it works out an exact fact, its options, and the lines that need one.
Plans = Mapping[str, tuple[Exact, Mapping[str, Any], list[int]]]

# Works out the exact facts of plans (in-process: `exact_columns` over the lines read again).
ExactColumns = Callable[[Plans], dict[str, FactColumn]]


def shared_lines(column: FactColumn) -> list[int]:
    """The lines whose screening key (their fact) another line shares, in ascending order."""
    if column.spilled:
        return _repeated_lines_streaming(column)
    return repeated_lines(column.lines, column.values)


_BUCKETS = 1 << 24  # bits of each filter below: 2 MB, whatever the file's size
_MIX = 0x9E3779B97F4A7C15  # the second filter's bucket: other bits of the hash, mixed


def _repeated_lines_streaming(column: FactColumn) -> list[int]:
    """`repeated_lines` for a column too large to count in memory (a dict of a million keys
    is about 100 MB). One pass marks each key in two bit filters (two hashes), as seen once
    or seen again; a second pass keeps the keys seen again in both (the repeats, and the
    few that share both buckets with other keys by chance), which a Counter then tells
    apart. Two filters rather than one keep those chance candidates, which grow with the
    file, in the thousands at a million rows rather than tens of thousands."""
    size = _BUCKETS >> 3
    once_a, again_a, once_b, again_b = bytearray(size), bytearray(size), bytearray(size), bytearray(size)
    mask = _BUCKETS - 1
    for key in column.values:
        if key is None:
            continue
        h = hash(key)
        a, b = h & mask, (h * _MIX >> 24) & mask
        byte, bit = a >> 3, 1 << (a & 7)
        if once_a[byte] & bit:
            again_a[byte] |= bit
        else:
            once_a[byte] |= bit
        byte, bit = b >> 3, 1 << (b & 7)
        if once_b[byte] & bit:
            again_b[byte] |= bit
        else:
            once_b[byte] |= bit
    del once_a, once_b
    candidates: list[tuple[int, Any]] = []
    for line, key in column:
        if key is not None:
            h = hash(key)
            a, b = h & mask, (h * _MIX >> 24) & mask
            if again_a[a >> 3] & (1 << (a & 7)) and again_b[b >> 3] & (1 << (b & 7)):
                candidates.append((line, key))
    counts = Counter(key for _, key in candidates)
    return [line for line, key in candidates if counts[key] > 1]


def repeated_lines(lines: Iterable[int], keys: Sequence[Any]) -> list[int]:
    """The lines (one per key, in order) whose key another line shares; None keys never do."""
    counts = Counter(keys)  # C speed: most keys occur once, and then nothing is read again
    nones = counts.pop(None, 0)
    if len(counts) == len(keys) - nones:
        return []
    repeated = {key for key, n in counts.items() if n > 1}
    return list(compress(lines, map(repeated.__contains__, keys)))


def exact_columns(plans: Plans, read_rows: ReadRows) -> dict[str, FactColumn]:
    """For each rule code, the exact facts of its shared lines, from one reading of them all."""
    wanted: dict[int, list[str]] = {}
    for code, (_, _, lines) in plans.items():
        for line in lines:
            wanted.setdefault(line, []).append(code)
    found: dict[str, tuple[list[int], list[Any]]] = {code: ([], []) for code in plans}
    if wanted:
        for line, row in read_rows(set(wanted)):
            for code in wanted.get(line, ()):
                exact, options, _ = plans[code]
                fact = exact(row, options) if row.obj is not None else None
                if fact is not None:
                    lines, facts = found[code]
                    lines.append(line)
                    facts.append(fact)
    return {code: FactColumn.from_pairs(lines, facts) for code, (lines, facts) in found.items()}
