from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...survey import message_dicts, survey, turn
from ...model import ERROR, Finding
from ...pointer import join_pointer
from ...registry import row_rule
from ...source import Row
from ...toolset import json_type
from .calls import calls_by_message


@row_rule("TLT011", "orphan-tool-message", ERROR)
def orphan_tool_message(row: Row, options: Mapping[str, Any]) -> Iterator[Finding]:
    """A tool result answers no earlier call.

    A `tool` message's `tool_call_id` must be the id of a call made earlier in the row; a
    legacy `function` message must follow a `function_call` to a function of its `name`.

    ## Why is this bad?
    The model sees a result appear from nowhere. Usually ids were regenerated on one side
    only, or turns were reordered or cut.

    ## Example
    ```json
    {"role": "assistant", "tool_calls": [{"id": "call_1", ...}]},
    {"role": "tool", "tool_call_id": "call_2", "content": "12°C"}
    ```

    ## Use instead
    ```json
    {"role": "tool", "tool_call_id": "call_1", "content": "12°C"}
    ```
    """
    if not survey(row).flow_suspect:
        return
    ids: set[Any] = set()
    legacy_names: list[Any] = []
    by_message = calls_by_message(row)
    for i, message in message_dicts(row):
        role = message.get("role")
        if role == "assistant":
            for call in by_message.get(i, ()):
                if call.index is None:
                    legacy_names.append(call.name)
                elif type(call.id) is str:
                    ids.add(call.id)
        elif role == "tool":
            if "tool_call_id" not in message:
                yield Finding(join_pointer("messages", i), f"tool turn {turn(i)} has no `tool_call_id`")
                continue
            call_id = message["tool_call_id"]
            if type(call_id) is not str:
                yield Finding(join_pointer("messages", i, "tool_call_id"), f"`tool_call_id` must be a string, not {json_type(call_id)}")
            elif call_id not in ids:
                yield Finding(join_pointer("messages", i, "tool_call_id"), f"tool message answers `{call_id}`, which no earlier call has as its id")
        elif role == "function":
            name = message.get("name")
            if name not in legacy_names:
                shown = f"`{name}`" if type(name) is str else "a function"
                yield Finding(join_pointer("messages", i), f"function result for {shown} follows no `function_call` to it")
