from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...model import ERROR, Finding
from ...pointer import join_pointer
from ...registry import row_rule
from ...source import Row
from ...survey import message_dicts, turn


@row_rule("TLT018", "content-beside-tool-calls", ERROR, context=("target",), target_only=True)
def content_beside_tool_calls(row: Row, options: Mapping[str, Any]) -> Iterator[Finding]:
    """An assistant turn has `content` beside its `tool_calls`, on a target that forbids it.

    On where the target's `content-with-tool-calls` fact is `forbidden` (mistral). Text
    beside the calls is reported (Mistral's validator refuses it); an empty or null
    `content` is not: the validator lets it pass, though the docs forbid the key.

    Mistral's validator (mistral-common) says: "Assistant message must have either content
    or tool_calls, but not both." Its docs: "An assistant message with a tool_calls key
    cannot have a content key".

    ## Why is this bad?
    The upload's validation refuses the row. OpenAI's format allows a sentence before the
    calls ("Let me check."), so data moved from OpenAI often has one.

    ## Example
    ```json
    {"role": "assistant", "content": "Let me check.",
     "tool_calls": [{"id": "a1B2c3D4e", "type": "function", "function": {"name": "f", "arguments": "{}"}}]}
    ```

    ## Use instead
    ```json
    {"role": "assistant",
     "tool_calls": [{"id": "a1B2c3D4e", "type": "function", "function": {"name": "f", "arguments": "{}"}}]}
    ```
    The sentence is lost to training; keep it as a separate example's answer if it matters.
    """
    if options["target"].fact("content-with-tool-calls") != "forbidden":
        return
    name = options["target"].name
    for i, message in message_dicts(row):
        if message.get("role") != "assistant" or not message.get("tool_calls") or "content" not in message:
            continue
        if message["content"]:
            yield Finding(join_pointer("messages", i, "content"),
                          f"{turn(i)} has `content` beside `tool_calls`; {name} takes one or the other")
