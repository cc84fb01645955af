from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping
from typing import Any

from ...survey import calls
from ...model import ERROR, Finding
from ...registry import row_rule
from ...source import Row
from .declared import toolset_for


@row_rule("TLT004", "undefined-tool", ERROR)
def undefined_tool(row: Row, options: Mapping[str, Any]) -> Iterator[Finding]:
    """An assistant turn calls a function the row does not declare.

    ## Why is this bad?
    The model learns to call a function that will not exist at inference time, usually
    because of a typo or a tool renamed in the definitions but not in the examples.

    ## Example
    ```json
    {"tools": [{"type": "function", "function": {"name": "get_weather"}}],
     "messages": [..., {"role": "assistant", "tool_calls": [{"id": "call_1", "type": "function",
       "function": {"name": "get_wether", "arguments": "{}"}}]}]}
    ```

    ## Use instead
    Call `get_weather`, or declare the function the example calls.
    """
    for call in calls(row):
        toolset = toolset_for(row, call)
        declared_value = row.obj.get("functions" if call.index is None else "tools")
        if toolset is None or type(declared_value) is not list or not declared_value:
            continue  # missing-tools-array or invalid-tool-definition reports it
        if type(call.name) is not str:
            continue  # malformed-tool-call reports it
        if call.name not in toolset.functions:
            key = "functions" if call.index is None else "tools"
            hint = difflib.get_close_matches(call.name, list(toolset.functions), n=1)
            suffix = f" (did you mean `{hint[0]}`?)" if hint else ""
            yield Finding(call.function_pointer + "/name", f"assistant calls `{call.name}`, which the row's `{key}` do not declare{suffix}")
