from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...model import WARNING, Finding
from ...pointer import join_pointer
from ...registry import row_rule
from ...source import Row
from ...survey import message_dicts, survey, turn


@row_rule("TLS009", "consecutive-assistant-turns", WARNING, kinds=("sft", "rft"))
def consecutive_assistant_turns(row: Row, options: Mapping[str, Any]) -> Iterator[Finding]:
    """Two assistant turns follow each other with no user or tool turn between them.

    Usually a text answer followed by a tool-call turn ("Let me check." then a call), as
    some exporters write one reply that said something and called a tool. (A call turn
    followed by an assistant turn is a result gone missing: `unanswered-tool-call`.)

    ## Why is this bad?
    Azure OpenAI (Foundry) refuses such a file with a bare "contains invalid schema (20)"
    and no line (microsoft-foundry/fine-tuning#23, 2026-03); chat templates that expect
    turns to alternate merge or drop one of the two. OpenAI does not document its
    behaviour for them, hence a warning here.

    ## Example
    ```json
    {"role": "assistant", "content": "Let me check the weather."},
    {"role": "assistant", "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{}"}}]}
    ```

    ## Use instead
    ```json
    {"role": "assistant", "content": "Let me check the weather.",
     "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{}"}}]}
    ```
    """
    if survey(row).assistants < 2:
        return
    previous = None  # the role of the turn before, or "call" for an assistant turn that made calls
    for i, message in message_dicts(row):
        role = message.get("role")
        if role == "assistant" and previous == "assistant":
            yield Finding(join_pointer("messages", i, "role"), f"{turn(i)} is a second assistant turn in a row")
        # After a call, the next assistant turn is a missing result: unanswered-tool-call says so.
        previous = "call" if role == "assistant" and (message.get("tool_calls") or message.get("function_call")) else role
