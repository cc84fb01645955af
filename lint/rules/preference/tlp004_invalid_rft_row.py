from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...model import ERROR, Finding
from ...pointer import join_pointer
from ...registry import Option, row_rule
from ...source import Row
from ...toolset import json_type

RFT_ROLES = frozenset({"developer", "user", "assistant", "tool"})


@row_rule("TLP004", "invalid-rft-row", ERROR, sees="rft", options=(
    Option("text-keys", list, ["reference_answer"], "grader keys whose value must be text"),
))
def invalid_rft_row(row: Row, options: Mapping[str, Any]) -> Iterator[Finding]:
    """A reinforcement fine-tuning row cannot be graded as it stands.

    An RFT row has `messages` (roles `developer`, `user`, `assistant`, `tool`) with at
    least one user turn, optional `tools`, and any other keys as data for the grader. The
    grader keys named in the `text-keys` option (default: `reference_answer`) must be
    strings, and keys the format reserves keep their meaning.

    ## Why is this bad?
    The grader reads the reference from the row (`{{item.reference_answer}}`): a number or
    an object where it compares text makes every sample score wrong, and a row without a
    user turn gives the model nothing to answer.

    ## Example
    ```json
    {"messages": [{"role": "system", "content": "Answer with a number."}], "reference_answer": 42}
    ```

    ## Use instead
    ```json
    {"messages": [{"role": "developer", "content": "Answer with a number."},
      {"role": "user", "content": "6 x 7?"}], "reference_answer": "42"}
    ```
    """
    obj = row.obj
    messages = obj.get("messages")
    if type(messages) is not list:
        yield Finding("/messages", f"`messages` must be an array, not {json_type(messages)}")
        return
    if not any(type(m) is dict and m.get("role") == "user" for m in messages):
        yield Finding("/messages", "RFT row has no user turn to answer")
    for i, message in enumerate(messages):
        role = message.get("role") if type(message) is dict else None
        if role == "system":
            yield Finding(join_pointer("messages", i, "role"), "RFT rows give instructions as `developer`, not `system`")
        elif type(role) is str and role not in RFT_ROLES and role != "function":
            yield Finding(join_pointer("messages", i, "role"), f"role `{role}` is not one RFT takes (developer, user, assistant, tool)")
    for key in options.get("text-keys") or ():
        if key in obj and type(obj[key]) is not str:
            yield Finding(join_pointer(key), f"grader key `{key}` must be text, not {json_type(obj[key])}")
    if "tools" in obj and type(obj["tools"]) is not list:
        yield Finding("/tools", f"`tools` is reserved for tool definitions (an array), not {json_type(obj['tools'])}")
