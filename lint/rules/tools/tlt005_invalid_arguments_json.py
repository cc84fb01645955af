from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

import orjson

from ...survey import Call, calls
from ...fingerprint import compact
from ...jsonstyle import write_back
from ...model import ERROR, SOMETIMES, Applicability, Finding, Fix
from ...registry import row_rule
from ...source import Row, fresh_copy
from ...toolset import json_type
from .arguments import DOUBLE, NOT_JSON, NOT_OBJECT, NOT_STRING, OK, parsed_arguments
from .calls import shown_function


@row_rule("TLT005", "invalid-arguments-json", ERROR, SOMETIMES)
def invalid_arguments_json(row: Row, options: Mapping[str, Any]) -> Iterator[Finding]:
    """A call's `arguments` are not a JSON object encoded as a string.

    `arguments` must be a string holding a JSON object: not an object itself, not text
    that fails to parse, not an array or number, and not JSON encoded twice.

    ## Why is this bad?
    The model learns to emit exactly these bytes. Arguments that do not parse teach it to
    write calls your code cannot read; arguments encoded twice teach it to escape quotes.

    ## Example
    ```json
    {"function": {"name": "get_weather", "arguments": {"city": "Oslo"}}}
    {"function": {"name": "get_weather", "arguments": "\\"{\\\\\\"city\\\\\\": \\\\\\"Oslo\\\\\\"}\\""}}
    ```

    ## Use instead
    ```json
    {"function": {"name": "get_weather", "arguments": "{\\"city\\": \\"Oslo\\"}"}}
    ```

    The fix (safe) serialises an object given as `arguments`, or unwraps arguments
    encoded twice.
    """
    for call in calls(row):
        if call.name is None and call.arguments is None:
            continue  # malformed-tool-call reports it
        status, value = parsed_arguments(row, call)
        if status == OK:
            continue
        at = call.function_pointer + "/arguments"
        name = shown_function(call)
        if status == NOT_STRING:
            if call.arguments is None and "arguments" not in _function_obj(row, call):
                yield Finding(call.function_pointer, f"call to {name} has no `arguments`")
            elif type(value) is dict:
                yield Finding(at, f"arguments of {name} must be a JSON string, not an object",
                              fix=_rewrite_arguments(row, call, compact, "Encode the arguments object as a JSON string"))
            else:
                yield Finding(at, f"arguments of {name} must be a JSON string, not {json_type(value)}")
        elif status == NOT_JSON:
            yield Finding(at, f"arguments of {name} are not valid JSON: {value}")
        elif status == NOT_OBJECT:
            yield Finding(at, f"arguments of {name} must encode a JSON object, not {json_type(value)}")
        elif status == DOUBLE:
            yield Finding(at, f"arguments of {name} are JSON encoded twice",
                          fix=_rewrite_arguments(row, call, orjson.loads, "Decode the doubly encoded arguments"))


def _function_obj(row: Row, call: Call) -> dict:
    message = row.obj["messages"][call.message]
    if call.index is None:
        return message["function_call"]
    return message["tool_calls"][call.index].get("function") or {}


def _rewrite_arguments(row: Row, call: Call, rewrite: Callable[[Any], str], title: str) -> Fix | None:
    """The row with the call's arguments replaced by `rewrite(arguments)`, both taken from
    an exact private copy of the row (no integer of it read as a float). None when the
    row cannot be written back (see `write_back`)."""
    value = fresh_copy(row)
    message = value["messages"][call.message]
    function = message["function_call"] if call.index is None else message["tool_calls"][call.index]["function"]
    function["arguments"] = rewrite(function["arguments"])
    text, _ = write_back(row, value)
    return Fix(title, Applicability.SAFE, (text,)) if text is not None else None
