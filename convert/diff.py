"""A unified diff of what a conversion changes, that `patch -p1` and `git apply` take.

Built from the rows the fix loop changed (their line, old bytes, new rows) and the file's
own lines for context, read again in step with them: nothing but the hunks is held in
memory. Lines are written as bytes, carriage returns and all, and a last line without a
newline is marked as such (`\\ No newline at end of file`), or `patch` rejects its hunk.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence

CONTEXT = 3  # unchanged lines around each change; `git apply` needs them to place a hunk
NO_NEWLINE = b"\\ No newline at end of file\n"

Change = tuple[int, bytes, list[bytes]]  # (line in the old file, its bytes, the rows written for it)


class FileChanged(Exception):
    """The file read again for context is not the one converted (it changed meanwhile)."""


def diff_name(path: str) -> str:
    """The name a diff gives `path`, after `a/` and `b/`.

    A path inside the current folder is written as given, so `patch -p1` and `git apply`
    take the diff from the folder tunelint ran in. Both refuse a name that is absolute or
    goes up (`..`): such a path is written as its absolute path without the leading `/`
    (as `git diff --no-index` does), which they take from `/`.
    """
    if path == "-" or (not os.path.isabs(path) and ".." not in path.split(os.sep)):
        return path
    return os.path.abspath(path).lstrip("/")


def file_header(name: str) -> bytes:
    raw = os.fsencode(name)
    return b"--- " + _header_name(b"a/" + raw) + b"\n+++ " + _header_name(b"b/" + raw) + b"\n"


def _header_name(name: bytes) -> bytes:
    if any(byte < 0x20 or byte in b'"\\\x7f' for byte in name):
        return _c_quoted(name)
    # A name with a space ends at a tab, or `patch` stops reading it at the space (git does the same).
    return name + b"\t" if b" " in name else name


def _c_quoted(raw: bytes) -> bytes:
    """A name with control characters, quotes or backslashes, as git and GNU patch read it."""
    escapes = {ord("\t"): b"\\t", ord("\n"): b"\\n", ord('"'): b'\\"', ord("\\"): b"\\\\"}
    body = b"".join(escapes.get(b, bytes([b]) if 0x20 <= b < 0x7f or b >= 0x80 else b"\\%03o" % b) for b in raw)
    return b'"' + body + b'"'


def unified_diff(name: str, lines: Iterable[bytes], changes: Sequence[Change], context: int = CONTEXT) -> Iterator[bytes]:
    """The diff of one file: `lines` is its old content (with terminators), `changes` the
    rows the conversion replaced, deleted (no new rows) or split (several).

    Raises `FileChanged` when a changed line in `lines` is not the one the conversion read.
    """
    if not changes:
        return
    yield file_header(diff_name(name))
    numbered = enumerate(lines, start=1)
    shift = 0  # new line number minus old line number, after the changes so far
    for group in _groups(sorted(changes, key=lambda change: change[0]), context):
        start = max(1, group[0][0] - context)
        old = _read_until(numbered, start, group[-1][0] + context)
        written = {line: (before, after) for line, before, after in group}
        body: list[bytes] = []
        new_count = 0
        for number, text in enumerate(old, start=start):
            if number not in written:
                body.append(_marked(b" ", text))
                new_count += 1
                continue
            before, after = written[number]
            if text != before:
                raise FileChanged(f"line {number} is not the line that was converted")
            body.append(_marked(b"-", text))
            body.extend(_marked(b"+", row) for row in after)
            new_count += len(after)
        if len(old) < group[-1][0] - start + 1:
            raise FileChanged(f"the file ends before line {group[-1][0]}")
        yield b"@@ -%s +%s @@\n" % (_range(start, len(old)), _range(start + shift, new_count))
        yield from body
        shift += new_count - len(old)


def _groups(changes: Sequence[Change], context: int) -> Iterator[list[Change]]:
    """Changes close enough that their context lines touch share one hunk (as diff does)."""
    group: list[Change] = []
    for change in changes:
        if group and change[0] - group[-1][0] - 1 > 2 * context:
            yield group
            group = []
        group.append(change)
    if group:
        yield group


def _read_until(numbered: Iterator[tuple[int, bytes]], start: int, end: int) -> list[bytes]:
    """Lines `start` to `end` (fewer where the file ends), skipping those before `start`."""
    taken = []
    for number, text in numbered:
        if number >= start:
            taken.append(text)
        if number >= end:
            break
    return taken


def _range(start: int, count: int) -> bytes:
    # An empty range is numbered by the line before it (a deletion's new side, say).
    return b"%d,%d" % (start - 1 if count == 0 else start, count)


def _marked(sign: bytes, text: bytes) -> bytes:
    if text.endswith(b"\n"):
        return sign + text
    return sign + text + b"\n" + NO_NEWLINE
