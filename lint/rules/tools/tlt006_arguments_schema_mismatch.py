from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...survey import calls
from ...model import ERROR, Finding
from ...registry import row_rule
from ...source import Row
from .arguments import OK, parsed_arguments
from .declared import toolset_for


@row_rule("TLT006", "arguments-schema-mismatch", ERROR)
def arguments_schema_mismatch(row: Row, options: Mapping[str, Any]) -> Iterator[Finding]:
    """A call's arguments do not satisfy the called function's `parameters` schema.

    Checked with jsonschema against the schema the row declares; the message names the
    first failing path inside the arguments.

    ## Why is this bad?
    The example teaches the model to send arguments your function rejects: a missing
    required field, a wrong type, a value outside an enum. Such rows are usually from an
    older schema version, or hand-edited.

    ## Example
    ```json
    {"tools": [{"type": "function", "function": {"name": "set_temp", "parameters": {"type": "object",
       "properties": {"unit": {"enum": ["c", "f"]}}, "required": ["unit"]}}}],
     "messages": [..., {"role": "assistant", "tool_calls": [{"id": "call_1", "type": "function",
       "function": {"name": "set_temp", "arguments": "{\\"unit\\": \\"kelvin\\"}"}}]}]}
    ```

    ## Use instead
    Arguments the schema accepts: `"{\\"unit\\": \\"c\\"}"`.
    """
    for call in calls(row):
        if type(call.name) is not str:
            continue
        toolset = toolset_for(row, call)
        function = toolset.functions.get(call.name) if toolset is not None else None
        if function is None:
            continue
        status, value = parsed_arguments(row, call)
        if status != OK:
            continue  # invalid-arguments-json reports it
        errors = function.argument_errors(value)
        if errors:
            path, message = errors[0]
            more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
            where = f" at `{path}`" if path != "/" else ""
            yield Finding(call.function_pointer + "/arguments", f"arguments of `{call.name}` fail its schema{where}: {message}{more}")
