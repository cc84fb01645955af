from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...survey import message_dicts, survey, well_formed_call
from ...model import ERROR, Finding
from ...pointer import join_pointer
from ...registry import row_rule
from ...source import Row
from ...toolset import json_type


@row_rule("TLT014", "malformed-tool-call", ERROR)
def malformed_tool_call(row: Row, options: Mapping[str, Any]) -> Iterator[Finding]:
    """An entry of `tool_calls` (or a `function_call`) lacks the fields a call needs.

    A tool call is `{"id": "...", "type": "function", "function": {"name": "...",
    "arguments": "..."}}`; a legacy function call is `{"name": "...", "arguments": "..."}`.

    ## Why is this bad?
    The upload refuses calls without an id, a type or a function name, and a converter
    that wrote them this way has usually lost more on the way.

    ## Example
    ```json
    {"role": "assistant", "tool_calls": [{"function": {"name": "get_weather", "arguments": "{}"}}]}
    ```

    ## Use instead
    ```json
    {"role": "assistant", "tool_calls": [{"id": "call_1", "type": "function",
      "function": {"name": "get_weather", "arguments": "{}"}}]}
    ```
    """
    if not survey(row).malformed_calls:
        return
    for i, message in message_dicts(row):
        if "tool_calls" in message:
            tool_calls = message["tool_calls"]
            if message.get("role") != "assistant":
                yield Finding(join_pointer("messages", i, "tool_calls"), "only assistant messages can make tool calls", on_key=True)
                continue
            if type(tool_calls) is not list:
                yield Finding(join_pointer("messages", i, "tool_calls"), f"`tool_calls` must be an array, not {json_type(tool_calls)}")
                continue
            for j, call in enumerate(tool_calls):
                if not well_formed_call(call):
                    yield from _check_tool_call(call, join_pointer("messages", i, "tool_calls", j), f"`messages[{i}].tool_calls[{j}]`")
        if "function_call" in message:
            function_call = message["function_call"]
            if type(function_call) is dict and type(function_call.get("name")) is str and message.get("role") == "assistant":
                continue
            at = join_pointer("messages", i, "function_call")
            if message.get("role") != "assistant":
                yield Finding(at, "only assistant messages can make function calls", on_key=True)
            elif type(function_call) is not dict:
                yield Finding(at, f"`function_call` must be an object, not {json_type(function_call)}")
            else:
                yield Finding(at, "`function_call` needs a string `name`")


def _check_tool_call(call: Any, at: str, ref: str) -> Iterator[Finding]:
    if type(call) is not dict:
        yield Finding(at, f"tool call {ref} must be an object, not {json_type(call)}")
        return
    if type(call.get("id")) is not str or not call.get("id"):
        yield Finding(at + "/id" if "id" in call else at, f"tool call {ref} needs a non-empty string `id`")
    if call.get("type") != "function":
        yield Finding(at + "/type" if "type" in call else at, f"tool call {ref} needs `\"type\": \"function\"`")
    function = call.get("function")
    if type(function) is not dict:
        yield Finding(at + "/function" if "function" in call else at, f"tool call {ref} needs a `function` object")
    elif type(function.get("name")) is not str:
        yield Finding(at + "/function", f"tool call {ref} needs a string `function.name`")
