"""Positions between the engine (1-based lines, code-point columns) and the client
(0-based lines, columns in the negotiated encoding: UTF-16 unless it chose UTF-8 or
UTF-32). Every position the server reads or writes goes through here, at C speed:
pygls' own codec walks characters one by one, too slow on long rows.
"""

from __future__ import annotations

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


def position_json(lines: list[str], index: int, column: int, encoding: str) -> dict[str, int]:
    """Line `index` (0-based) and a code-point column, as an LSP Position."""
    text = lines[index] if 0 <= index < len(lines) else ""
    return {"line": index, "character": client_units(text, column, encoding)}


def range_json(lines: list[str], line: int, start: int, end: int, encoding: str) -> dict[str, Any]:
    """Code-point columns on a 1-based line as an LSP Range."""
    return {"start": position_json(lines, line - 1, start, encoding),
            "end": position_json(lines, line - 1, end, encoding)}


def span_range(lines: list[str], start: tuple[int, int], end: tuple[int, int], encoding: str) -> types.Range:
    """(0-based line, code-point column) pairs as a typed Range (for edits)."""
    first, last = position_json(lines, *start, encoding), position_json(lines, *end, encoding)
    return types.Range(types.Position(**first), types.Position(**last))


def engine_position(lines: list[str], position: types.Position, encoding: str) -> tuple[int, int]:
    """A client position as (0-based line, code-point column); past the last line is the end of the text."""
    if not lines:
        return 0, 0
    if position.line >= len(lines):
        return len(lines) - 1, len(lines[-1])
    return position.line, code_points(lines[position.line], position.character, encoding)
