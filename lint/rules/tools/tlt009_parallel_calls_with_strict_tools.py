from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...survey import calls
from ...model import WARNING, Finding
from ...pointer import join_pointer
from ...registry import row_rule
from ...source import Row
from ...toolset import EMPTY
from .declared import declared
from .parallel_turns import parallel_turns


@row_rule("TLT009", "parallel-calls-with-strict-tools", WARNING)
def parallel_calls_with_strict_tools(row: Row, options: Mapping[str, Any]) -> Iterator[Finding]:
    """A turn makes several calls at once while a called tool is `strict`.

    ## Why is this bad?
    Strict mode is not applied to parallel calls: when the model may call several
    functions in one turn, their arguments are not held to the schema. An example with
    parallel calls to strict tools teaches a pattern whose guarantees are off at inference.

    ## Example
    ```json
    {"tools": [{"type": "function", "function": {"name": "get_weather", "strict": true, ...}}],
     "messages": [..., {"role": "assistant", "tool_calls": [{...get_weather Oslo...}, {...get_weather Rome...}]}]}
    ```

    ## Use instead
    Make one call per turn and set `"parallel_tool_calls": false`, or drop `strict` from
    tools that are called in parallel.
    """
    if row.obj.get("parallel_tool_calls") is False:
        return
    toolset = declared(row, legacy=False) or EMPTY
    for i, tool_calls in parallel_turns(row):
        strict = sorted({c.name for c in calls(row) if c.message == i and type(c.name) is str
                         and c.name in toolset.functions and toolset.functions[c.name].strict})
        if strict:
            shown = ", ".join(f"`{s}`" for s in strict)
            yield Finding(join_pointer("messages", i, "tool_calls"),
                          f"turn makes {len(tool_calls)} parallel calls including strict {shown}; strict mode does not apply to parallel calls")
