from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...survey import message_dicts, survey
from ...model import ERROR, Finding
from ...pointer import join_pointer
from ...registry import row_rule
from ...source import Row
from ...toolset import json_type
from .role_phrases import a_role_message


@row_rule("TLS007", "invalid-weight", ERROR)
def invalid_weight(row: Row, options: Mapping[str, Any]) -> Iterator[Finding]:
    """A message has a `weight` other than 0 or 1, or a weight on a non-assistant turn.

    ## Why is this bad?
    `weight` switches training on (1) or off (0) for one assistant turn. The upload
    refuses other values (`0.5`, `true`, `"1"`) and weights on other roles, which are
    never trained anyway.

    ## Example
    ```json
    {"role": "assistant", "content": "Sure.", "weight": 0.5}
    ```

    ## Use instead
    ```json
    {"role": "assistant", "content": "Sure.", "weight": 1}
    ```
    """
    if not survey(row).weights:
        return
    for i, message in message_dicts(row):
        if "weight" not in message:
            continue
        weight = message["weight"]
        at = join_pointer("messages", i, "weight")
        if message.get("role") != "assistant":
            yield Finding(at, f"`weight` is allowed on assistant messages only, not on {a_role_message(message.get('role'))}", on_key=True)
        elif type(weight) is not int or weight not in (0, 1):
            shown = weight if type(weight) in (int, float) else json_type(weight)
            yield Finding(at, f"`weight` must be 0 or 1, not {shown}")
