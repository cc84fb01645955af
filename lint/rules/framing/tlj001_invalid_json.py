from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...model import ERROR, Finding, NEVER
from ...registry import row_rule
from ...source import Row
from .parse_errors import parse_error


@row_rule("TLJ001", "invalid-json", ERROR, NEVER, sees="line")
def invalid_json(row: Row, options: Mapping[str, Any]) -> Iterator[Finding]:
    """A line is not valid JSON.

    The message gives the parser's reason and the column where it gave up.

    ## Why is this bad?
    Each line of a JSONL training file must be one complete JSON value. The upload is
    refused at the first line that does not parse, and the rest of the row is lost to
    every other check.

    ## Example
    ```json
    {"messages": [{"role": "user", "content": "hi"},]}
    ```

    ## Use instead
    ```json
    {"messages": [{"role": "user", "content": "hi"}]}
    ```
    """
    yield from parse_error(row, "invalid-json", "line is not valid JSON: {error}")
