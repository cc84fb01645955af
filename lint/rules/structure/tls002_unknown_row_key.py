from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...survey import ROW_KEYS
from ...model import WARNING, Finding
from ...pointer import join_pointer
from ...registry import Option, row_rule
from ...source import Row


@row_rule("TLS002", "unknown-row-key", WARNING, options=(
    Option("allowed", list, [], "extra top-level keys to accept (metadata your pipeline strips)"),
), kinds=("sft",))  # RFT rows carry grader keys; DPO rows have their own rule
def unknown_row_key(row: Row, options: Mapping[str, Any]) -> Iterator[Finding]:
    """A row has a top-level key the chat format does not define.

    The chat format knows `messages`, `tools`, `parallel_tool_calls` and the legacy
    `functions`. Keys your pipeline needs can be allowed with the `allowed` option.

    ## Why is this bad?
    Unknown keys are refused by some platforms and silently dropped by others, and they
    are often a typo for a key that matters (`tool` for `tools`) or metadata that leaks
    into a file meant for upload.

    ## Example
    ```json
    {"messages": [...], "tool": [{"type": "function", "function": {"name": "book"}}]}
    ```

    ## Use instead
    ```json
    {"messages": [...], "tools": [{"type": "function", "function": {"name": "book"}}]}
    ```
    """
    if ROW_KEYS.issuperset(row.obj):
        return
    allowed = options.get("allowed") or ()
    for key in row.obj:
        if key not in ROW_KEYS and key not in allowed:
            yield Finding(join_pointer(key), f"unknown top-level key `{key}`", on_key=True)
