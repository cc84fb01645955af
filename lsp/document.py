"""An open document as the server keeps it: its text as lines, edited in place.

Client positions map onto `lines` directly (the text split on "\\n"); the linting of
those lines is the engine's (`Session`), which the document holds for the settings
its results were computed with.
"""

from __future__ import annotations

from ..lint.session import Session
from .positions import ClientLines


class Document:
    """`lines` is the text split on "\\n" exactly (a final "" after a final newline), so
    client positions map onto it directly; the rows are those lines but that final "".

    A document opened from a text is split on first use: splitting 38 MB copies all of
    it (about 0.1 s), which the first publication of a large document does not wait for
    (it needs only the top rows: `head`).
    """

    def __init__(self, uri: str, path: str, text: str, version: int | None = None) -> None:
        self.uri, self.path, self.version = uri, path, version
        self._lines: list[str] | None = None
        self._text: str | None = text
        self.carriage_returns = "\r" in text  # whether positions need mapping (see `positions.ClientLines`)
        self.session: Session | None = None
        self.session_identity = ""  # the settings the session was made with

    @classmethod
    def from_text(cls, uri: str, path: str, text: str, version: int | None) -> Document:
        return cls(uri, path, text, version)

    @property
    def lines(self) -> list[str]:
        if self._lines is None:
            self._lines, self._text = self._text.split("\n"), None
        return self._lines

    @lines.setter
    def lines(self, lines: list[str]) -> None:
        self._lines, self._text = lines, None
        self.carriage_returns = any("\r" in line for line in lines)

    def client_lines(self, encoding: str) -> ClientLines:
        """The lines as the client numbers them (see `positions.ClientLines`)."""
        return ClientLines(self.lines, encoding, self.carriage_returns)

    @property
    def text(self) -> str:
        return self._text if self._lines is None else "\n".join(self._lines)

    @property
    def rows(self) -> list[str]:
        lines = self.lines
        return lines[:-1] if lines and lines[-1] == "" else lines

    def row_count(self) -> int:
        """len(self.rows), without splitting a text not split yet."""
        if self._lines is not None:
            return len(self.rows)
        text = self._text
        return text.count("\n") + (0 if text.endswith("\n") or not text else 1)

    def head(self, count: int) -> list[str]:
        """The first `count` rows (fewer in a shorter document), copying only them."""
        if self._lines is not None:
            return self.rows[:count]
        text, rows, start = self._text, [], 0
        while len(rows) < count and start < len(text):
            end = text.find("\n", start)
            if end < 0:
                end = len(text)
            rows.append(text[start:end])
            start = end + 1
        return rows

    def replace(self, start: tuple[int, int], end: tuple[int, int], new_text: str) -> None:
        """Apply one edit, positions in code points (line, column); untouched lines keep their objects."""
        (sl, sc), (el, ec) = start, end
        lines = self.lines
        last = len(lines) - 1
        sl, el = min(sl, last), min(el, last)
        head = lines[sl][:sc]
        tail = lines[el][ec:]
        lines[sl:el + 1] = (head + new_text + tail).split("\n")
        if "\r" in new_text:
            self.carriage_returns = True
