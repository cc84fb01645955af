from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...survey import survey, turn
from ...model import ERROR, Finding
from ...pointer import join_pointer
from ...registry import row_rule
from ...source import Row
from ...toolset import json_type


@row_rule("TLS001", "missing-messages", ERROR)
def missing_messages(row: Row, options: Mapping[str, Any]) -> Iterator[Finding]:
    """A row has no `messages` array, or an empty one.

    ## Why is this bad?
    A chat fine-tuning example is a conversation: the `messages` array is the example.
    Without it the row teaches nothing and the upload is refused.

    ## Example
    ```json
    {"conversation": [{"role": "user", "content": "hi"}]}
    ```

    ## Use instead
    ```json
    {"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "Hello!"}]}
    ```
    """
    obj = row.obj
    if "messages" not in obj:
        yield Finding("", "row has no `messages` array")
    elif type(obj["messages"]) is not list:
        yield Finding("/messages", f"`messages` must be an array, not {json_type(obj['messages'])}")
    elif not obj["messages"]:
        yield Finding("/messages", "`messages` is empty")
    elif survey(row).non_dict_messages:
        for i, message in enumerate(obj["messages"]):
            if type(message) is not dict:
                yield Finding(join_pointer("messages", i), f"{turn(i)} must be an object, not {json_type(message)}")
