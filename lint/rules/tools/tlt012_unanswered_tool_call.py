from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...survey import Call, message_dicts, survey
from ...model import ERROR, Finding
from ...registry import row_rule
from ...source import Row
from .calls import calls_by_message, shown_function


@row_rule("TLT012", "unanswered-tool-call", ERROR)
def unanswered_tool_call(row: Row, options: Mapping[str, Any]) -> Iterator[Finding]:
    """A call gets no result before the next assistant turn.

    The final assistant turn of a row may end in calls (that is what the model learns to
    emit); a call followed by another assistant turn must be answered in between.

    ## Why is this bad?
    The next assistant turn is trained to continue as if the result had arrived, so the
    model learns to invent tool results.

    ## Example
    ```json
    {"role": "assistant", "tool_calls": [{"id": "call_1", ...}]},
    {"role": "assistant", "content": "It is 12°C in Oslo."}
    ```

    ## Use instead
    ```json
    {"role": "assistant", "tool_calls": [{"id": "call_1", ...}]},
    {"role": "tool", "tool_call_id": "call_1", "content": "12°C"},
    {"role": "assistant", "content": "It is 12°C in Oslo."}
    ```
    """
    if not survey(row).flow_suspect:
        return
    pending: list[Call] = []
    by_message = calls_by_message(row)
    for i, message in message_dicts(row):
        role = message.get("role")
        if role == "assistant":
            yield from _unanswered(pending)
            # A call without an id cannot be answered; malformed-tool-call reports it.
            pending = [c for c in by_message.get(i, ()) if c.index is None or type(c.id) is str]
        elif role == "tool":
            pending = [c for c in pending if c.index is None or c.id != message.get("tool_call_id")]
        elif role == "function":
            for c in pending:
                if c.index is None and c.name == message.get("name"):
                    pending.remove(c)
                    break


def _unanswered(pending: list[Call]) -> Iterator[Finding]:
    for call in pending:
        ident = f" (`{call.id}`)" if type(call.id) is str else ""
        yield Finding(call.pointer, f"call to {shown_function(call)}{ident} gets no result before the next assistant turn")
