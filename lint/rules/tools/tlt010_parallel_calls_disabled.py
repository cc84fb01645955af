from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...model import ERROR, Finding
from ...pointer import join_pointer
from ...registry import row_rule
from ...source import Row
from .parallel_turns import parallel_turns


@row_rule("TLT010", "parallel-calls-disabled", ERROR)
def parallel_calls_disabled(row: Row, options: Mapping[str, Any]) -> Iterator[Finding]:
    """A turn makes several calls at once although the row sets `parallel_tool_calls: false`.

    ## Why is this bad?
    The row says the model makes at most one call per turn, and then shows it making
    several: the example contradicts its own settings.

    ## Example
    ```json
    {"parallel_tool_calls": false, "messages": [..., {"role": "assistant", "tool_calls": [{...}, {...}]}]}
    ```

    ## Use instead
    Split the calls over consecutive turns, or remove `"parallel_tool_calls": false`.
    """
    if row.obj.get("parallel_tool_calls") is not False:
        return
    for i, tool_calls in parallel_turns(row):
        yield Finding(join_pointer("messages", i, "tool_calls"),
                      f"turn makes {len(tool_calls)} calls although `parallel_tool_calls` is false")
