"""TLJ: framing. Is each line one JSON object, readable by the platform's parser?"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ..model import ALWAYS, ERROR, Applicability, DatasetFinding, Finding, Fix, NEVER
from ..registry import dataset_rule, row_rule
from ..source import Row
from ..toolset import json_type


def _parse_error(row: Row, kind: str, message: str) -> Iterator[Finding]:
    error = row.error
    if error is not None and error.kind == kind:
        end = error.end_col if error.end_col is not None else error.col + 1
        yield Finding("", message.format(error=error.message), span=(error.col, end))


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
    yield from _parse_error(row, "invalid-json", "line is not valid JSON: {error}")


@row_rule("TLJ002", "row-not-object", ERROR, NEVER, sees="line")
def row_not_object(row: Row, options: Mapping[str, Any]) -> Iterator[Finding]:
    """A line parses, but to something other than a JSON object.

    ## Why is this bad?
    A training example is an object with a `messages` array. An array, a string or a
    number on its own line is refused by the upload.

    ## Example
    ```json
    [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]
    ```

    ## Use instead
    ```json
    {"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]}
    ```
    """
    if row.error is None and type(row.value) is not dict:
        yield Finding("", f"row is {json_type(row.value)}, not an object")


@row_rule("TLJ003", "blank-line", ERROR, ALWAYS, sees="line")
def blank_line(row: Row, options: Mapping[str, Any]) -> Iterator[Finding]:
    """A line is empty or holds only whitespace.

    ## Why is this bad?
    JSONL has one example per line; the upload's parser reads a blank line as an empty
    document and refuses the file. Blank lines often sneak in when files are concatenated.

    ## Example
    ```
    {"messages": [...]}

    {"messages": [...]}
    ```

    ## Use instead
    ```
    {"messages": [...]}
    {"messages": [...]}
    ```

    The fix deletes the blank line (safe: a blank line holds no example).
    """
    if row.error is not None and row.error.kind == "blank":
        yield Finding("", "blank line", span=(0, len(row.text)),
                      fix=Fix("Delete the blank line", Applicability.SAFE, ()))


@row_rule("TLJ004", "byte-order-mark", ERROR, ALWAYS, sees="line")
def byte_order_mark(row: Row, options: Mapping[str, Any]) -> Iterator[Finding]:
    """The file starts with a UTF-8 byte-order mark (BOM).

    ## Why is this bad?
    JSON forbids a byte-order mark. Spreadsheet exports and some Windows editors add one;
    strict parsers, the upload's among them, then reject the first row.

    ## Example
    A file whose first three bytes are `EF BB BF`, before `{"messages": ...}`.

    ## Use instead
    The same file without those three bytes. The fix removes them (safe).
    """
    if row.bom:
        # The row's own bytes (which exclude the mark), so even an undecodable row keeps them.
        yield Finding("", "file starts with a UTF-8 byte-order mark", span=(0, 0),
                      fix=Fix("Remove the byte-order mark", Applicability.SAFE, (row.raw,)))


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
    yield from _parse_error(row, "invalid-utf8", "line is not valid UTF-8: {error}")


def _non_blank(row: Row, options: Mapping[str, Any]) -> bool | None:
    return True if row.error is None or row.error.kind != "blank" else None


@dataset_rule("TLJ006", "empty-file", ERROR, collect=_non_blank)
def empty_file(facts: list[tuple[int, Any]], options: Mapping[str, Any]) -> Iterator[DatasetFinding]:
    """A file has no rows at all (it is empty or holds only blank lines).

    ## Why is this bad?
    An empty training or validation file is refused by the upload; in a pipeline it
    usually means an earlier step wrote nothing.

    ## Example
    A file of zero bytes.

    ## Use instead
    Write the examples, or leave the file out of the run.
    """
    if not facts:
        yield DatasetFinding(1, "file holds no rows", span=(0, 0))
