from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...model import ALWAYS, ERROR, Applicability, Finding, Fix
from ...registry import row_rule
from ...source import Row


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
