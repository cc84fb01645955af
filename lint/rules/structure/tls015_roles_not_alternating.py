from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...model import ERROR, Finding
from ...pointer import join_pointer
from ...registry import row_rule
from ...source import Row
from ...survey import message_dicts, turn


@row_rule("TLS015", "roles-not-alternating", ERROR, context=("target",), target_only=True, kinds=("sft",))
def roles_not_alternating(row: Row, options: Mapping[str, Any]) -> Iterator[Finding]:
    """Two messages in a row have the same role, on a target that wants roles to alternate.

    On where the target's `alternating-roles` fact is true (together). After the optional
    system message, no role may follow itself, except a `tool` result after another (the
    results of parallel calls: Together's own function-calling example has them).

    Together's file check (SDK 1.x and 2.0) said: "Invalid role turns on line 1 of the
    input file. After the optional system message, conversation roles must alternate
    between user/assistant/user/assistant." The current SDK leaves its checks to the
    server, which does not publish them.

    ## Why is this bad?
    The platform refuses the row; where it does not, two user turns in a row train a
    conversation shape the model never sees in use.

    ## Example
    ```json
    {"messages": [{"role": "user", "content": "Hi"}, {"role": "user", "content": "Weather in Oslo?"},
                  {"role": "assistant", "content": "12°C."}]}
    ```

    ## Use instead
    ```json
    {"messages": [{"role": "user", "content": "Hi. Weather in Oslo?"}, {"role": "assistant", "content": "12°C."}]}
    ```
    """
    if not options["target"].fact("alternating-roles", False):
        return
    previous = None
    for position, (i, message) in enumerate(message_dicts(row)):
        role = message.get("role")
        if type(role) is not str:
            previous = None
            continue
        if position == 0 and role == "system":
            continue  # the optional system message
        if role == previous and role != "tool":
            yield Finding(join_pointer("messages", i, "role"), f"{turn(i)} is a second `{role}` message in a row")
        previous = role
