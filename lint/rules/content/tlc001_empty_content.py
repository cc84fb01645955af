from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...survey import message_dicts, survey, turn
from ...model import ERROR, Finding
from ...pointer import join_pointer
from ...registry import row_rule
from ...source import Row


@row_rule("TLC001", "empty-content", ERROR)
def empty_content(row: Row, options: Mapping[str, Any]) -> Iterator[Finding]:
    """A turn that needs content has none: missing, empty or only whitespace.

    System, developer, user and tool turns always need content; an assistant turn needs it
    unless it calls a tool (`content` may then be absent, null or empty).

    ## Why is this bad?
    An empty user turn is a prompt with no question; an empty assistant turn teaches the
    model to answer with nothing, and an empty tool result teaches it to reason from no data.
    Empty turns are usually a failed extraction or a template with a missing variable.

    ## Example
    ```json
    {"messages": [{"role": "user", "content": "   "}, {"role": "assistant", "content": "Sure!"}]}
    ```

    ## Use instead
    ```json
    {"messages": [{"role": "user", "content": "Book a table for two."}, {"role": "assistant", "content": "Sure!"}]}
    ```
    """
    if not survey(row).content_suspect:
        return
    for i, message in message_dicts(row):
        role = message.get("role")
        if type(role) is not str:
            continue  # invalid-role reports it
        calls = bool(message.get("tool_calls")) or bool(message.get("function_call"))
        if role == "assistant" and calls:
            continue
        if "content" not in message:
            yield Finding(join_pointer("messages", i), f"{role} turn {turn(i)} has no `content`")
            continue
        content = message["content"]
        if type(content) is str:
            if not content or content.isspace():
                yield Finding(join_pointer("messages", i, "content"),
                              f"{role} turn {turn(i)} has {'empty' if not content else 'whitespace-only'} content")
        elif type(content) is list:
            if not content:
                yield Finding(join_pointer("messages", i, "content"), f"{role} turn {turn(i)} has an empty content array")
            for j, part in enumerate(content):
                if type(part) is dict and part.get("type") == "text" and type(part.get("text")) is str and not part["text"].strip():
                    yield Finding(join_pointer("messages", i, "content", j, "text"), f"text part `messages[{i}].content[{j}]` of a {role} turn is empty")
