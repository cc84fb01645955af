from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...model import ERROR, Finding
from ...pointer import join_pointer
from ...registry import row_rule
from ...source import Row
from ...survey import message_dicts, turn


@row_rule("TLS016", "role-order-not-on-target", ERROR, context=("target",), target_only=True, kinds=("sft",))
def role_order_not_on_target(row: Row, options: Mapping[str, Any]) -> Iterator[Finding]:
    """A message follows a role the target does not let it follow.

    On where the target's `role-order` fact lists, for each role, the roles that may come
    next (mistral: after `system` a user, assistant or system message; after `user` an
    assistant, system or user; after `assistant` an assistant, user or tool; after `tool`
    an assistant, tool or user). A `tool` result in the wrong place is
    `orphan-tool-message`'s (TLT011), so it is not reported twice.

    Mistral's validator (mistral-common) says: "Unexpected role 'system' after role
    'assistant'".

    ## Why is this bad?
    The platform's validation refuses the row.

    ## Example
    ```json
    {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"},
                  {"role": "system", "content": "Now answer in French."}, {"role": "user", "content": "Bye"},
                  {"role": "assistant", "content": "Au revoir !"}]}
    ```

    ## Use instead
    Put every instruction in the system message at the start, or in the user turn.
    """
    order = options["target"].fact("role-order")
    if not order:
        return
    previous = None
    for i, message in message_dicts(row):
        role = message.get("role")
        if type(role) is not str:
            previous = None
            continue
        allowed = order.get(previous) if previous is not None else None
        if allowed is not None and role not in allowed and role != "tool" and role in order:
            yield Finding(join_pointer("messages", i, "role"),
                          f"{turn(i)} has role `{role}` right after {'an' if previous[0] in 'aeiou' else 'a'} `{previous}` message, which "
                          f"{options['target'].name} does not allow (after `{previous}`: {', '.join(allowed)})")
        previous = role
