from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...model import ERROR, Finding, NEVER
from ...registry import row_rule
from ...source import Row
from ...toolset import json_type


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
