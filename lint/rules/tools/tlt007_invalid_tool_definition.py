from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...model import ERROR, Finding
from ...registry import row_rule
from ...source import Row
from ...toolset import json_type
from .declared import declared


@row_rule("TLT007", "invalid-tool-definition", ERROR)
def invalid_tool_definition(row: Row, options: Mapping[str, Any]) -> Iterator[Finding]:
    """A declared tool is malformed.

    Each `tools` entry needs `type: "function"` and a `function` with a name matching
    `^[a-zA-Z0-9_-]{1,64}$`, an optional string description, and `parameters` that are a
    valid JSON Schema object; names must be unique. `parallel_tool_calls` must be a boolean.

    ## Why is this bad?
    The upload refuses malformed definitions, and a schema that is not valid JSON Schema
    cannot constrain anything the model learns.

    ## Example
    ```json
    {"tools": [{"type": "function", "function": {"name": "get weather",
       "parameters": {"type": "object", "properties": {"city": {"type": "text"}}}}}]}
    ```

    ## Use instead
    ```json
    {"tools": [{"type": "function", "function": {"name": "get_weather",
       "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}]}
    ```
    """
    for legacy in (False, True):
        toolset = declared(row, legacy)
        if toolset is not None:
            for at, message in toolset.problems:
                yield Finding(at, message)
    if "parallel_tool_calls" in row.obj and type(row.obj["parallel_tool_calls"]) is not bool:
        yield Finding("/parallel_tool_calls", f"`parallel_tool_calls` must be true or false, not {json_type(row.obj['parallel_tool_calls'])}")
