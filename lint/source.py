"""Bytes to rows: split a JSONL file on newlines and parse each line once.

A line that cannot be parsed becomes a Row carrying a `ParseError`; only the framing
rules look at it, so one bad line gives one diagnostic, not a cascade.
"""

from __future__ import annotations

import io
import os
import re
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

import orjson

from .analysis import UNSET, RowAnalysis
from .fingerprint import canonical

if TYPE_CHECKING:  # pragma: no cover
    from .open_file import OpenFile

BOM = b"\xef\xbb\xbf"
MAX_DEPTH = 1024  # orjson's nesting limit; deeper rows are reported, not parsed
# Bytes read at a time when a file is streamed line by line: with the default 8 KB, the
# system calls cost three times what splitting the lines does.
STREAM_BUFFER = 1 << 16


@dataclass(frozen=True, slots=True)
class ParseError:
    kind: str  # "blank", "invalid-json" or "invalid-utf8"
    message: str
    col: int  # 0-based code point column of the problem
    end_col: int | None = None


class Row:
    """One line of a JSONL file: its 1-based number, its bytes, and what they parse to.

    `raw` excludes the line terminator and, on line 1, a byte-order mark (`bom` says
    whether there was one), so columns count from the first character an editor shows.
    """

    __slots__ = ("line", "raw", "value", "error", "bom", "eol", "_text", "analysis", "obj")

    def __init__(self, line: int, raw: bytes, value: Any = None, error: ParseError | None = None,
                 bom: bool = False, eol: bytes = b"\n") -> None:
        self.line = line
        self.raw = raw
        self.value = value
        self.error = error
        self.bom = bom
        self.eol = eol  # b"\n", b"\r\n" or b"" (the last line of a file without a final newline)
        self._text: str | None = None
        self.analysis = RowAnalysis()  # what the rules work out about the row, shared between them
        # The parsed row when it is a JSON object, else None (read by every rule: a slot, not a property).
        self.obj: dict | None = value if error is None and type(value) is dict else None

    @property
    def text(self) -> str:
        """The line as text (undecodable bytes replaced), decoded only when asked for."""
        if self._text is None:
            self._text = self.raw.decode("utf-8", errors="replace")
        return self._text

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"Row(line={self.line}, raw={self.raw[:40]!r}..., error={self.error})"


# orjson reads an integer past 64 bits as a float (123456789012345678901234567890 becomes
# 1.2345678901234568e+29): harmless for the checks, data loss for a fix that writes the
# row back. So only fixes ask for the exact value: the search below costs ~9 µs a row,
# too much for every line of a lint. Such a literal has at least 19 digits in a row;
# digits become "0" here so that one C-speed search finds a run.
# A line's numbers' shape: digits as `0`, `.`, `e` and `E` as `x`, `+` and `-` as `+`, all
# else a space. A float then shows as `0x0` or `0x+`, needles that end in a byte prose
# seldom has, so looking for them is fast.
_DIGITS_AS_ZERO = bytes(0x30 if 0x30 <= b <= 0x39 else 0x78 if b in b".eE" else 0x2B if b in b"+-"
                        else 0x20 for b in range(256))
_LONG_RUN = b"0" * 19


class FloatLiteral(float):
    """A number as the row wrote it (`1.50`, `1e-400`, `0.12345678901234567890123`): a float
    for every check, and its own text when the row is written back, which a float's shortest
    form would change (`1.5`, `0.0`, `0.12345678901234568`)."""

    __slots__ = ("literal",)

    def __new__(cls, literal: str) -> FloatLiteral:
        number = float.__new__(cls, literal)
        number.literal = literal
        return number


# A number after `:`, `,` or `[` (inside a string too: such a false alarm only costs the
# exact reading), with a fraction or an exponent.
# Integers are not matched at all (most numbers of a row are): only floats need the check.
_FLOAT_LITERAL = re.compile(rb"[:,\[]\s*(-?\d+(?:\.\d+(?:[eE][+-]?\d+)?|[eE][+-]?\d+))")


def _floats_keep_their_text(raw: bytes, zeroed: bytes | None = None) -> bool:
    """Whether every float of the line reads back as it is written (writers print a float's
    shortest form: `1.50` would become `1.5`). `zeroed`: the line through `_DIGITS_AS_ZERO`.

    The floats are found from their `.` or exponent after a digit, looked for at memchr
    speed; a regex over the whole line costs ten times as much on a line of prose."""
    if zeroed is None:
        zeroed = raw.translate(_DIGITS_AS_ZERO)
    for mark in _FLOAT_MARKS:
        at = zeroed.find(mark)
        while at >= 0:
            start = at
            while start > 0 and zeroed[start - 1] == 0x30:
                start -= 1
            match = _FLOAT_LITERAL.match(raw, _before_number(raw, start))
            if match is not None and repr(float(match.group(1))).encode() != match.group(1):
                return False
            at = zeroed.find(mark, at + 2)
    return True


_FLOAT_MARKS = (b"0x0", b"0x+")


def _before_number(raw: bytes, start: int) -> int:
    """Where the `:`, `,` or `[` (and spaces, and a minus) before a number at `start` begin."""
    i = start - 1 if start > 0 and raw[start - 1] == 0x2D else start  # a minus sign
    while i > 0 and raw[i - 1] in b" \t\r\n":
        i -= 1
    return i - 1 if i > 0 else 0


def needs_exact_reading(raw: bytes) -> bool:
    """Whether orjson's reading of the line would write back other numbers than it holds."""
    zeroed = raw.translate(_DIGITS_AS_ZERO)
    if _LONG_RUN in zeroed:
        return True
    # A float has a digit before its `.` or exponent: without one, the line has none (found
    # at memchr speed; the regex below is about ten times slower on a line of prose).
    if b"0x0" not in zeroed and b"0x+" not in zeroed:
        return False
    return not _floats_keep_their_text(raw, zeroed)


def exact_value(raw: bytes, parsed: Any) -> Any:
    """What the line holds with every number as written: `parsed` (orjson's reading) unless
    the line has an integer orjson turned into a float (a digit run too long for 64 bits)
    or a float whose shortest form is not its text; then the standard library's reading,
    which keeps integers exact and those floats as `FloatLiteral`s."""
    if not needs_exact_reading(raw):
        return parsed
    import json

    try:
        return json.loads(raw, parse_float=FloatLiteral)
    except (ValueError, RecursionError):  # past the int digit limit, or deeper than its recursion
        return parsed


def exact_obj(row: Row) -> dict | None:
    """The row's object for a fix that rewrites it (see `exact_value`), worked out once."""
    analysis = row.analysis
    found = analysis.exact
    if found is UNSET:
        found = analysis.exact = exact_value(row.raw, row.obj) if row.obj is not None else None
    return found


def canonical_dump(row: Row) -> bytes | None:
    """The row's value as orjson reads and writes it, with sorted keys, made once (None:
    more nesting than orjson writes). A conversion derives its call ids from it and
    screens it for repeated keys."""
    analysis = row.analysis
    found = analysis.canonical
    if found is UNSET:
        # The parser's reading, not the exact one: the dump serves as a key and a screen, where
        # 1.50 and 1.5 may count as one number, and the exact reading costs ~9 µs a row.
        found = analysis.canonical = canonical(row.obj)
    return found


def repeated_key(row: Row) -> str | None:
    """A key that some object of the row holds twice (None: none does), worked out once.

    The parser keeps the last value of a repeated key, so a fix that writes the row back
    from its parsed value would silently drop the others: such a row is not rewritten.
    Screened at C speed: each member of an object has one `:` outside strings, and
    strings keep their colons through a parse and a dump, so the line has more colons
    than its dump only when a member went missing (or when a colon was written as an
    escape, which the screen also sends to the exact check).
    """
    analysis = row.analysis
    found = analysis.repeated_key
    if found is UNSET:
        raw, dump = row.raw, canonical_dump(row)
        suspect = dump is None or raw.count(b":") != dump.count(b":") or b"\\u003" in raw
        found = analysis.repeated_key = _first_repeated_key(raw) if suspect else None
    return found




# A string, or one structural character: what the repeated-key walk needs of a row.
_KEY_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"|[{}\[\]:]')


def _first_repeated_key(raw: bytes) -> str | None:
    """The first key an object of the row holds twice, at any depth (a walk over the
    row's tokens with a stack, not a recursive parse, so no row is too deep to check)."""
    stack: list[set[str] | None] = []  # per open container: the keys seen (None: an array)
    previous = b""
    for match in _KEY_TOKENS.finditer(raw):
        token = match.group()
        if token == b"{":
            stack.append(set())
        elif token == b"[":
            stack.append(None)
        elif token in (b"}", b"]"):
            if stack:
                stack.pop()
        elif token == b":":
            keys = stack[-1] if stack else None
            if keys is not None and previous[:1] == b'"':
                key = orjson.loads(previous)  # escapes read as the parser reads them
                if key in keys:
                    return key
                keys.add(key)
        previous = token
    return None


def fresh_copy(row: Row) -> Any:
    """A private, exact copy of the row's value, for a fix to edit."""
    return exact_value(row.raw, orjson.loads(row.raw))


def split_terminator(chunk: bytes) -> tuple[bytes, bytes]:
    if chunk.endswith(b"\r\n"):
        return chunk[:-2], b"\r\n"
    if chunk.endswith(b"\n"):
        return chunk[:-1], b"\n"
    return chunk, b""


def parse_row(line: int, chunk: bytes) -> Row:
    """Parse one line (with or without its terminator) into a Row."""
    raw, eol = split_terminator(chunk)
    bom = line == 1 and raw.startswith(BOM)
    if bom:
        raw = raw[len(BOM):]
    if not raw or raw.isspace():
        return Row(line, raw, error=ParseError("blank", "blank line", 0, len(raw)), bom=bom, eol=eol)
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        return Row(line, raw, error=describe_parse_error(raw, exc), bom=bom, eol=eol)
    return Row(line, raw, value, bom=bom, eol=eol)


def describe_parse_error(raw: bytes, exc: orjson.JSONDecodeError) -> ParseError:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as bad:
        col = len(raw[: bad.start].decode("utf-8", errors="replace"))
        byte = raw[bad.start]
        return ParseError("invalid-utf8", f"byte 0x{byte:02x} at byte offset {bad.start} is not valid UTF-8", col, col + 1)
    message = exc.msg
    if "depth limit" in message:
        message = f"nesting is deeper than the parser's limit of {MAX_DEPTH} levels"
    # orjson counts characters; at the end of the data it points past the last one: the
    # span is that last character, so no range runs past the line (an editor's or ours).
    length = len(raw.decode("utf-8"))
    col = max(0, min(exc.pos, length - 1))
    return ParseError("invalid-json", message, col, min(col + 1, length))


def rows_from_lines(chunks: Iterable[bytes], first_line: int = 1) -> Iterator[Row]:
    for number, chunk in enumerate(chunks, start=first_line):
        yield parse_row(number, chunk)


def rows_from_stream(stream: IO[bytes]) -> Iterator[Row]:
    """Stream rows from a binary file object, one line in memory at a time."""
    return rows_from_lines(stream)


def rows_from_bytes(data: bytes) -> Iterator[Row]:
    # BytesIO splits on b"\n" only (bytes.splitlines would also split on a lone "\r").
    return rows_from_lines(io.BytesIO(data))


class LineIndex:
    """Where each line of a file starts, noted while the file is read (8 bytes a line).

    The dataset rules read a few lines back once the file is done (exact fingerprints of
    rows whose screening key repeats, then the rows they report): a read at each line's
    offset instead of reading the file again up to the last one. Past `SPILL_LINES`
    lines the offsets move to a temporary file a chunk at a time (read back with
    `os.pread`, by forked workers too): memory stays flat whatever the file's size.
    """

    __slots__ = ("starts", "end", "_spill", "_spilled", "_may_spill")
    SPILL_LINES = 1 << 16

    def __init__(self, may_spill: bool = True) -> None:
        self.starts = array("Q")  # the offsets not spilled: the newest lines
        self.end = 0
        self._spill: Any = None
        self._spilled = 0
        self._may_spill = may_spill  # a worker's index of one range crosses back whole

    def __len__(self) -> int:
        return self._spilled + len(self.starts)

    def note(self, row: Row) -> None:
        """The next line of the file, as parsed (its bytes: the row, its terminator, a BOM)."""
        self.starts.append(self.end)
        self.end += len(row.raw) + len(row.eol) + (len(BOM) if row.bom else 0)
        if len(self.starts) >= self.SPILL_LINES and self._may_spill:
            self._move_to_disk()

    def extend(self, other: LineIndex, offset: int) -> None:
        """Append the lines of the range that starts at byte `offset` (C-speed)."""
        self.starts.extend(map(offset.__add__, other.starts))
        self.end = offset + other.end
        if len(self.starts) >= self.SPILL_LINES and self._may_spill:
            self._move_to_disk()

    def _move_to_disk(self) -> None:
        if self._spill is None:
            import tempfile

            self._spill = tempfile.TemporaryFile(prefix="tunelint-lines-")
        self._spill.write(self.starts.tobytes())
        self._spill.flush()
        self._spilled += len(self.starts)
        self.starts = array("Q")

    def start(self, number: int) -> int:
        """Where line `number` (1-based, noted) starts."""
        index = number - 1
        if index >= self._spilled:
            return self.starts[index - self._spilled]
        return array("Q", os.pread(self._spill.fileno(), 8, index * 8))[0]

    def read(self, source: OpenFile, wanted: Iterable[int]) -> Iterator[tuple[int, Row]]:
        """The wanted lines, parsed, in ascending order, one in memory at a time."""
        for number, chunk in self._chunks(source, wanted):
            yield number, parse_row(number, chunk)

    def texts(self, source: OpenFile, wanted: Iterable[int]) -> Iterator[tuple[int, str]]:
        """The same lines as `Row.text` gives them, without parsing (enough to place a finding)."""
        for number, chunk in self._chunks(source, wanted):
            yield number, line_text(number, chunk)

    def _chunks(self, source: OpenFile, wanted: Iterable[int]) -> Iterator[tuple[int, bytes]]:
        total = len(self)
        for number in sorted(wanted) if isinstance(wanted, (set, frozenset)) else wanted:  # see screening.ascending
            if 0 < number <= total:
                yield number, source.line_at(self.start(number))

    def __reduce__(self):
        """A worker's index (a range: never spilled) crosses to the parent with its offsets."""
        if self._spill is not None:
            raise TypeError("a spilled line index stays in its process")
        return _index_of, (self.starts, self.end)


def _index_of(starts: array, end: int) -> LineIndex:
    index = LineIndex()
    index.starts, index.end = starts, end
    return index


def line_text(line: int, chunk: bytes) -> str:
    """What `parse_row(line, chunk).text` is, without parsing: the line without its
    terminator or (line 1) byte-order mark, undecodable bytes replaced."""
    raw = split_terminator(chunk)[0]
    if line == 1 and raw.startswith(BOM):
        raw = raw[len(BOM):]
    return raw.decode("utf-8", errors="replace")
