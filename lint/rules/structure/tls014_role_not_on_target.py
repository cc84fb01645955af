from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...model import ERROR, Finding
from ...pointer import join_pointer
from ...registry import row_rule
from ...source import Row
from ...survey import ROLES, message_dicts, turn


@row_rule("TLS014", "role-not-on-target", ERROR, context=("target",), target_only=True)
def role_not_on_target(row: Row, options: Mapping[str, Any]) -> Iterator[Finding]:
    """A message has a role that OpenAI's format knows but the target platform does not take.

    On where the target's profile enables it (azure, together, mistral), against the
    target's `roles` fact: Azure's validators refuse the legacy `function` role; Mistral
    and Together take `system`, `user`, `assistant` and `tool` only (no `developer`, no
    `function`). Roles no format knows are `invalid-role`'s (TLS004), and `developer` is
    `developer-role`'s (TLS013, with its fix to `system`; an error where the target refuses it).

    Together's SDK (2.0) said: "Invalid role `function` in conversation on line 1. Possible
    roles: system, user, assistant, tool".

    ## Why is this bad?
    The platform refuses the file at upload, or (where it checks later) fails the job.

    ## Example
    ```json
    {"role": "function", "name": "get_weather", "content": "12°C"}
    ```
    on `--target azure`.

    ## Use instead
    ```json
    {"role": "tool", "tool_call_id": "call_1", "content": "12°C"}
    ```
    `tunelint convert` turns the legacy function format into the `tools` format. A
    `developer` message becomes a `system` message.
    """
    target = options["target"]
    allowed = target.fact("roles")
    if not allowed:
        return
    for i, message in message_dicts(row):
        role = message.get("role")
        if type(role) is str and role in ROLES and role not in allowed and role != "developer":
            yield Finding(join_pointer("messages", i, "role"),
                          f"{turn(i)} has role `{role}`, which {target.name} does not take "
                          f"(it takes {', '.join(allowed)})")
