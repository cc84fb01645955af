from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...model import WARNING, Finding
from ...registry import row_rule
from ...source import Row
from ...survey import ROLES, message_dicts, messages


@row_rule("TLS012", "missing-user-message", WARNING, kinds=("sft", "dpo"))
def missing_user_message(row: Row, options: Mapping[str, Any]) -> Iterator[Finding]:
    """A row has no user turn: the model learns to answer without being asked.

    ## Why is this bad?
    An example teaches the answer to a request; without one, the model learns to speak
    unprompted (after a system prompt alone), which it will never be asked to do. OpenAI's
    data-preparation cookbook counts such rows among its warnings; usually the user turn
    was lost in an export (or renamed, or left without a role: then `invalid-role` says
    so, not this rule).

    ## Example
    ```json
    {"messages": [{"role": "system", "content": "You are Trip."}, {"role": "assistant", "content": "Hello!"}]}
    ```

    ## Use instead
    ```json
    {"messages": [{"role": "system", "content": "You are Trip."}, {"role": "user", "content": "Hi"},
      {"role": "assistant", "content": "Hello!"}]}
    ```
    """
    if not messages(row):
        return  # missing-messages reports it
    roles = [message.get("role") for _, message in message_dicts(row)]
    if not roles or "user" in roles:
        return
    if any(type(role) is not str or role not in ROLES for role in roles):
        return  # a turn without a role, or with another: invalid-role says so (it may be the user's)
    yield Finding("/messages", "row has no user turn", on_key=True)
