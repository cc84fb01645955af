from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...survey import Call, calls, turn
from ...model import ERROR, Finding
from ...registry import row_rule
from ...source import Row


@row_rule("TLT013", "duplicate-tool-call-id", ERROR)
def duplicate_tool_call_id(row: Row, options: Mapping[str, Any]) -> Iterator[Finding]:
    """Two calls in one row share an id.

    ## Why is this bad?
    A result is matched to its call by id; with two calls under one id, one of them is
    answered twice and the other not at all, as far as the model can tell.

    ## Example
    ```json
    {"role": "assistant", "tool_calls": [{"id": "call_1", ...get_weather Oslo...}, {"id": "call_1", ...get_weather Rome...}]}
    ```

    ## Use instead
    Give each call its own id (`call_1`, `call_2`) and answer each.
    """
    found = calls(row)
    if len(found) < 2:
        return
    seen: dict[str, Call] = {}
    for call in found:
        if call.index is None or type(call.id) is not str:
            continue
        first = seen.get(call.id)
        if first is None:
            seen[call.id] = call
        else:
            yield Finding(call.pointer + "/id", f"call id `{call.id}` is used twice (first in {turn(first.message)})")
