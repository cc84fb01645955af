from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import Any

from ...model import ERROR, Finding
from ...pointer import join_pointer
from ...registry import row_rule
from ...source import Row
from ...survey import message_dicts, turn


@lru_cache(maxsize=8)
def _pattern(text: str) -> re.Pattern[str]:
    return re.compile(text)


@row_rule("TLT017", "tool-call-id-form", ERROR, context=("target",), target_only=True)
def tool_call_id_form(row: Row, options: Mapping[str, Any]) -> Iterator[Finding]:
    """A tool call's `id`, or a result's `tool_call_id`, is not of the form the target requires.

    On where the target's `tool-call-id` fact gives a form (mistral: exactly 9 characters,
    `[a-zA-Z0-9]`). OpenAI's ids (`call_abc123`, 24 characters with an underscore) do not
    pass. In fine-tuning mode Mistral's validator also accepts the id `"null"` on the calls
    of the last assistant message.

    Mistral's validator (mistral-common) says: "Tool call id was call_98660886 but must be
    a-z, A-Z, 0-9, with a length of 9."

    ## Why is this bad?
    The upload's validation refuses the file.

    ## Example
    ```json
    {"role": "assistant", "tool_calls": [{"id": "call_98660886", "type": "function", "function": {"name": "f", "arguments": "{}"}}]},
    {"role": "tool", "tool_call_id": "call_98660886", "content": "ok"}
    ```

    ## Use instead
    ```json
    {"role": "assistant", "tool_calls": [{"id": "a1B2c3D4e", "type": "function", "function": {"name": "f", "arguments": "{}"}}]},
    {"role": "tool", "tool_call_id": "a1B2c3D4e", "content": "ok"}
    ```
    Rename each id and its result's `tool_call_id` together (any 9 letters and digits,
    unique within the row): `tunelint convert train.jsonl --to mistral -o mistral.jsonl`
    does it for every row, consistently. A result whose `tool_call_id` repeats a call id already
    reported is not reported again.
    """
    form = options["target"].fact("tool-call-id")
    if not form:
        return
    pattern = _pattern(form)
    found = message_dicts(row)
    last_assistant = max((i for i, m in found if m.get("role") == "assistant"), default=-1)
    target = options["target"].name
    reported: set[str] = set()  # a result that repeats a reported call id is the same problem: said once
    for i, message in found:
        calls = message.get("tool_calls")
        if type(calls) is list:
            for k, call in enumerate(calls):
                if type(call) is not dict or type(call.get("id")) is not str:
                    continue  # no id, or not a string: malformed-tool-call's
                if call["id"] == "null" and i == last_assistant:
                    continue
                if not pattern.fullmatch(call["id"]):
                    reported.add(call["id"])
                    yield Finding(join_pointer("messages", i, "tool_calls", k, "id"),
                                  f"call id `{call['id']}` in {turn(i)} does not match {target}'s form `{form}`")
        answer = message.get("tool_call_id")
        if message.get("role") == "tool" and type(answer) is str and answer not in reported and not pattern.fullmatch(answer):
            yield Finding(join_pointer("messages", i, "tool_call_id"),
                          f"`tool_call_id` `{answer}` in {turn(i)} does not match {target}'s form `{form}`")
