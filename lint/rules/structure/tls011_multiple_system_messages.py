from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...model import WARNING, Finding
from ...pointer import join_pointer
from ...registry import row_rule
from ...source import Row
from ...survey import message_dicts, turn


@row_rule("TLS011", "multiple-system-messages", WARNING, kinds=("sft", "dpo"))
def multiple_system_messages(row: Row, options: Mapping[str, Any]) -> Iterator[Finding]:
    """A row holds more than one system message.

    ## Why is this bad?
    Mistral's fine-tuning takes one system message per example (its validator refuses a
    second), and many chat templates render only the first (or only one at the start);
    OpenAI does not document what it does with a second one. A second system message is
    usually an instruction pasted into the middle of a conversation.

    ## Example
    ```json
    {"messages": [{"role": "system", "content": "You are Trip."}, {"role": "user", "content": "Hi"},
      {"role": "system", "content": "Answer in French."}, {"role": "assistant", "content": "Bonjour !"}]}
    ```

    ## Use instead
    ```json
    {"messages": [{"role": "system", "content": "You are Trip. Answer in French."},
      {"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Bonjour !"}]}
    ```
    """
    first = None
    for i, message in message_dicts(row):
        if message.get("role") == "system":
            if first is None:
                first = i
            else:
                yield Finding(join_pointer("messages", i, "role"),
                              f"{turn(i)} is another system message (the first is {turn(first)})")
