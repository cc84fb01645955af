from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...survey import calls
from ...model import ERROR, Finding
from ...registry import row_rule
from ...source import Row


@row_rule("TLT001", "missing-tools-array", ERROR)
def missing_tools_array(row: Row, options: Mapping[str, Any]) -> Iterator[Finding]:
    """An assistant turn calls a tool but the row declares no tools.

    `tool_calls` need a `tools` array in the row; a legacy `function_call` needs a
    `functions` array.

    ## Why is this bad?
    The model learns to call functions from the definitions it sees. Without them the
    example teaches it to call a function nobody declared, and at inference time, with
    real definitions in the prompt, the learned behaviour does not transfer.

    ## Example
    ```json
    {"messages": [{"role": "user", "content": "Weather in Oslo?"},
      {"role": "assistant", "tool_calls": [{"id": "call_1", "type": "function",
        "function": {"name": "get_weather", "arguments": "{\\"city\\": \\"Oslo\\"}"}}]}]}
    ```

    ## Use instead
    ```json
    {"messages": [...], "tools": [{"type": "function", "function": {"name": "get_weather",
      "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}]}
    ```
    """
    obj = row.obj
    reported: set[bool] = set()
    for call in calls(row):
        legacy = call.index is None
        key = "functions" if legacy else "tools"
        value = obj.get(key)
        if (value is None or value == []) and legacy not in reported:
            reported.add(legacy)
            names = sorted({c.name for c in calls(row) if (c.index is None) == legacy and type(c.name) is str})
            shown = ", ".join(f"`{n}`" for n in names) or "a function"
            where = f"its `{key}` array is empty" if value == [] else f"the row has no `{key}` array"
            yield Finding(call.pointer, f"assistant calls {shown} but {where}")
