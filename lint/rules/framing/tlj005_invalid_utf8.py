from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...model import ERROR, Finding, NEVER
from ...registry import row_rule
from ...source import Row
from .parse_errors import parse_error


@row_rule("TLJ005", "invalid-utf8", ERROR, NEVER, sees="line")
def invalid_utf8(row: Row, options: Mapping[str, Any]) -> Iterator[Finding]:
    """A line holds bytes that are not valid UTF-8.

    ## Why is this bad?
    JSON text must be UTF-8. Files re-encoded as Latin-1 or Windows-1252 carry bytes that
    the upload cannot decode, and the row is refused.

    ## Example
    `{"messages": [{"role": "user", "content": "caf\\xe9"}]}` (the byte 0xE9 alone is Latin-1 for é).

    ## Use instead
    Re-encode the file as UTF-8 (for example `iconv -f latin1 -t utf-8`), so é is the
    two bytes C3 A9.
    """
    yield from parse_error(row, "invalid-utf8", "line is not valid UTF-8: {error}")
