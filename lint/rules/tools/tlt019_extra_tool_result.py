from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...model import ERROR, Finding
from ...pointer import join_pointer
from ...registry import row_rule
from ...source import Row
from ...survey import message_dicts, turn


@row_rule("TLT019", "extra-tool-result", ERROR, context=("target",), target_only=True)
def extra_tool_result(row: Row, options: Mapping[str, Any]) -> Iterator[Finding]:
    """An assistant turn's calls get more `tool` results than they made calls.

    On where the target's `results-per-call` fact is `one` (mistral: its validator counts
    the tool messages after each assistant turn against its calls). A second result for
    the same call, a result pasted twice, or a result after a turn that made no call is
    reported.

    Mistral's validator (mistral-common) says: "Not the same number of function calls and
    responses", or "More tool responses than tool calls" at the end of a row.

    ## Why is this bad?
    The platform's validation refuses the row; elsewhere the model learns that one call
    gets two answers.

    ## Example
    ```json
    {"role": "assistant", "tool_calls": [{"id": "a1B2c3D4e", "type": "function", "function": {"name": "f", "arguments": "{}"}}]},
    {"role": "tool", "tool_call_id": "a1B2c3D4e", "content": "12"},
    {"role": "tool", "tool_call_id": "a1B2c3D4e", "content": "12"}
    ```

    ## Use instead
    One result per call: delete the repeated one.
    """
    if options["target"].fact("results-per-call") != "one":
        return
    pending: int | None = None  # calls of the last assistant turn not yet answered (None: before any assistant turn)
    for i, message in message_dicts(row):
        role = message.get("role")
        if role == "assistant":
            calls = message.get("tool_calls")
            pending = len(calls) if type(calls) is list else 0
        elif role == "tool" and pending is not None:
            if pending == 0:
                yield Finding(join_pointer("messages", i), f"{turn(i)} is one `tool` result more than the calls "
                                                           f"of the assistant turn before it")
            else:
                pending -= 1
