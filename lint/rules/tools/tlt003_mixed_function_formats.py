from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...survey import uses_legacy_format, uses_tools_format
from ...model import ERROR, Finding
from ...registry import row_rule
from ...source import Row


@row_rule("TLT003", "mixed-function-formats", ERROR)
def mixed_function_formats(row: Row, options: Mapping[str, Any]) -> Iterator[Finding]:
    """A row mixes the legacy function format with the `tools` format.

    ## Why is this bad?
    A row is rendered in one format or the other: with both, the platform refuses the row
    or drops one half, and the calls no longer line up with their results.

    ## Example
    ```json
    {"tools": [...], "messages": [..., {"role": "assistant", "function_call": {...}}]}
    ```

    ## Use instead
    Use the `tools` format throughout (`tunelint convert` rewrites legacy rows).
    """
    legacy_at = uses_legacy_format(row)
    if legacy_at is None:
        return
    tools_at = uses_tools_format(row)
    if tools_at is not None:
        yield Finding(legacy_at, f"row mixes the legacy function format (here) with the `tools` format (at `{tools_at}`)",
                      on_key=legacy_at == "/functions")
