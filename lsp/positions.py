"""Positions between the engine (rows split on "\\n", code-point columns) and the client
(0-based lines, columns in the negotiated encoding: UTF-16 unless it chose UTF-8 or
UTF-32). Every position the server reads or writes goes through here, at C speed:
pygls' own codec walks characters one by one, too slow on long rows.

The protocol ends a line at "\\r\\n", "\\n" and a lone "\\r"; a JSONL row ends at "\\n"
only. In the usual document (no lone "\\r") client lines are the rows; where a row
holds lone carriage returns, `ClientLines` maps across them.
"""

from __future__ import annotations

from bisect import bisect_right
from itertools import accumulate
from typing import Any

from lsprotocol import types

UTF8, UTF32 = types.PositionEncodingKind.Utf8, types.PositionEncodingKind.Utf32


def code_points(text: str, units: int, encoding: str) -> int:
    """A column in the client's units back to code points (inverse of `client_units`).

    A position inside a character (half a surrogate pair, part of a UTF-8 sequence)
    counts that character, as pygls does; past the end of the line is the end.
    """
    if encoding == UTF32 or text.isascii():
        return min(units, len(text))
    if encoding == UTF8:
        return len(text.encode("utf-8", "surrogatepass")[:units].decode("utf-8", "replace"))
    return len(text.encode("utf-16-le", "surrogatepass")[:2 * units].decode("utf-16-le", "surrogatepass"))


def client_units(text: str, column: int, encoding: str) -> int:
    """A code-point column in the client's units."""
    if encoding == UTF32 or text.isascii():
        return column
    prefix = text[:column]
    if encoding == UTF8:
        return len(prefix.encode("utf-8", "surrogatepass"))
    return len(prefix.encode("utf-16-le", "surrogatepass")) // 2


class ClientLines:
    """A document's "\\n"-split lines (`Document.lines`) as the client numbers them."""

    __slots__ = ("lines", "encoding", "_cuts", "_first")

    def __init__(self, lines: list[str], encoding: str, carriage_returns: bool = True) -> None:
        """`carriage_returns=False`: the text is known to hold none (no line to scan)."""
        self.lines, self.encoding = lines, encoding
        self._cuts: dict[int, list[int]] = {}  # line index -> where its lone carriage returns are
        if carriage_returns and any("\r" in line for line in lines):
            last = len(lines) - 1
            for index, line in enumerate(lines):
                if "\r" in line:
                    cuts = [i for i, c in enumerate(line) if c == "\r" and (i < len(line) - 1 or index == last)]
                    if cuts:
                        self._cuts[index] = cuts
        # The client line each of ours starts on (only when some line holds a lone "\r").
        self._first = list(accumulate((1 + len(self._cuts.get(i, ())) for i in range(len(lines))), initial=0)) \
            if self._cuts else None

    @property
    def mapped(self) -> bool:
        """Whether some line holds a lone carriage return (client lines are not ours)."""
        return self._first is not None

    def position(self, index: int, column: int) -> dict[str, int]:
        """Line `index` (0-based) and a code-point column, as an LSP Position."""
        text = self.lines[index] if 0 <= index < len(self.lines) else ""
        cuts = self._cuts.get(index)
        if self._first is None:
            return {"line": index, "character": client_units(text, column, self.encoding)}
        line = self._first[index] if index < len(self._first) else self._first[-1]
        start = 0
        for cut in cuts or ():
            if column <= cut:
                break
            line, start = line + 1, cut + 1
        return {"line": line, "character": client_units(text[start:], column - start, self.encoding)}

    def range(self, line: int, start: int, end: int) -> dict[str, Any]:
        """Code-point columns on a 1-based line as an LSP Range."""
        return {"start": self.position(line - 1, start), "end": self.position(line - 1, end)}

    def typed_range(self, start: tuple[int, int], end: tuple[int, int]) -> types.Range:
        """(0-based line, code-point column) pairs as a typed Range (for edits)."""
        return types.Range(types.Position(**self.position(*start)), types.Position(**self.position(*end)))

    def engine(self, position: types.Position) -> tuple[int, int]:
        """A client position as (0-based line, code-point column); past the last line is the end of the text."""
        lines = self.lines
        if not lines:
            return 0, 0
        if self._first is None:
            if position.line >= len(lines):
                return len(lines) - 1, len(lines[-1])
            index = position.line
            return index, code_points(self._content(index, 0, None), position.character, self.encoding)
        index = bisect_right(self._first, position.line) - 1
        if index >= len(lines):
            return len(lines) - 1, len(lines[-1])
        start = 0
        cuts = self._cuts.get(index, [])
        nth = position.line - self._first[index]  # which piece of the line, after `nth` carriage returns
        if nth:
            start = cuts[nth - 1] + 1
        piece = self._content(index, start, cuts[nth] if nth < len(cuts) else None)
        return index, start + code_points(piece, position.character, self.encoding)

    def _content(self, index: int, start: int, end: int | None) -> str:
        """A client line's text: from `start` to a lone carriage return (`end`) or the line's
        end, without the "\r" of a "\r\n" (a position past the content is its end)."""
        text = self.lines[index]
        if end is None:
            end = len(text) - 1 if text.endswith("\r") and index < len(self.lines) - 1 else len(text)
        return text[start:end]
