from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...survey import ROLES, message_dicts, survey
from ...model import ERROR, Finding
from ...pointer import join_pointer
from ...registry import row_rule
from ...source import Row
from ...toolset import json_type


@row_rule("TLS004", "invalid-role", ERROR)
def invalid_role(row: Row, options: Mapping[str, Any]) -> Iterator[Finding]:
    """A message has no role, or a role the chat format does not define.

    Roles are `system`, `developer`, `user`, `assistant`, `tool` and the legacy `function`.

    ## Why is this bad?
    The role decides what the model learns from a message; the upload refuses any other
    value. `human`/`gpt` (ShareGPT) and `bot` are the usual leftovers of a conversion.

    ## Example
    ```json
    {"role": "human", "content": "What's the weather?"}
    ```

    ## Use instead
    ```json
    {"role": "user", "content": "What's the weather?"}
    ```
    """
    if not survey(row).odd_roles:
        return
    for i, message in message_dicts(row):
        if "role" not in message:
            yield Finding(join_pointer("messages", i), f"message {i} has no `role`")
            continue
        role = message["role"]
        if type(role) is not str or role not in ROLES:
            shown = f"`{role}`" if type(role) is str else json_type(role)
            yield Finding(join_pointer("messages", i, "role"), f"message {i} has role {shown}; expected one of {', '.join(sorted(ROLES))}")
