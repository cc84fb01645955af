from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...survey import MESSAGE_KEYS, message_dicts, survey, turn
from ...model import ERROR, Finding
from ...pointer import join_pointer
from ...registry import row_rule
from ...source import Row


@row_rule("TLS003", "unknown-message-key", ERROR)
def unknown_message_key(row: Row, options: Mapping[str, Any]) -> Iterator[Finding]:
    """A message has a key the chat format does not define.

    Messages take `role`, `content`, `name`, `weight`, `tool_calls`, `tool_call_id` and
    the legacy `function_call`.

    ## Why is this bad?
    The upload refuses messages with unrecognised keys. The usual causes are logs copied
    from an API response (`refusal`, `audio`) or a misspelling (`tool_call` for `tool_calls`).

    ## Example
    ```json
    {"role": "assistant", "content": "Done.", "refusal": null}
    ```

    ## Use instead
    ```json
    {"role": "assistant", "content": "Done."}
    ```
    """
    if not survey(row).unknown_keys:
        return
    for i, message in message_dicts(row):
        for key in message:
            if key not in MESSAGE_KEYS:
                yield Finding(join_pointer("messages", i, key), f"{turn(i)} has unknown key `{key}`", on_key=True)
