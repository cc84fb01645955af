from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...model import ERROR, Finding
from ...pointer import join_pointer
from ...registry import row_rule
from ...source import Row
from ...toolset import json_type

DPO_KEYS = frozenset({"input", "preferred_output", "non_preferred_output"})
INPUT_KEYS = frozenset({"messages", "tools", "parallel_tool_calls"})


@row_rule("TLP001", "invalid-preference-pair", ERROR, sees="dpo", context=("target",))
def invalid_preference_pair(row: Row, options: Mapping[str, Any]) -> Iterator[Finding]:
    """A DPO row is not an `input` conversation with one preferred and one non-preferred answer.

    A DPO row is `{"input": {"messages": [...], "tools": [...]}, "preferred_output":
    [assistant message], "non_preferred_output": [assistant message]}`: each output holds
    exactly one assistant message, and the input does not end with an assistant turn.

    The target's `dpo` fact decides the outputs' shape: Azure takes outputs of assistant and
    `tool` messages (at least one assistant message); OpenAI and Together exactly one
    assistant message; Fireworks takes single-turn inputs only (one user turn).

    ## Why is this bad?
    The upload refuses malformed pairs; a pair whose input already ends with an answer, or
    whose outputs hold several messages, does not compare two answers to one prompt.

    ## Example
    ```json
    {"input": {"messages": [{"role": "user", "content": "Hi"}]},
     "preferred_output": {"role": "assistant", "content": "Hello!"},
     "non_preferred_output": [{"role": "user", "content": "hey"}]}
    ```

    ## Use instead
    ```json
    {"input": {"messages": [{"role": "user", "content": "Hi"}]},
     "preferred_output": [{"role": "assistant", "content": "Hello!"}],
     "non_preferred_output": [{"role": "assistant", "content": "What do you want?"}]}
    ```
    """
    obj = row.obj
    target = options.get("target")
    shape = (target.fact("dpo") if target is not None else None) or {}
    count = shape.get("output-messages", 1 if "output-roles" not in shape or shape.get("output-roles") == ["assistant"] else None)
    roles = shape.get("output-roles", ["assistant"])
    for key in obj:
        if key not in DPO_KEYS:
            yield Finding(join_pointer(key), f"unknown key `{key}` in a DPO row", on_key=True)
    given = obj.get("input")
    if given is None:
        yield Finding("", "DPO row has no `input`")
    elif type(given) is not dict:
        yield Finding("/input", f"`input` must be an object with `messages`, not {json_type(given)}")
    else:
        for key in given:
            if key not in INPUT_KEYS:
                yield Finding(join_pointer("input", key), f"unknown key `{key}` in `input`", on_key=True)
        messages = given.get("messages")
        if type(messages) is not list or not messages:
            yield Finding("/input/messages" if "messages" in given else "/input", "`input` needs a non-empty `messages` array")
        elif type(messages[-1]) is dict and messages[-1].get("role") == "assistant":
            yield Finding(join_pointer("input", "messages", len(messages) - 1),
                          "`input` ends with an assistant turn; the answers to compare belong in the outputs")
        if shape.get("single-turn"):
            users = [i for i, m in enumerate(messages) if type(m) is dict and m.get("role") == "user"] if type(messages) is list else []
            if len(users) > 1:
                yield Finding(join_pointer("input", "messages", users[1]),
                              f"`input` has {len(users)} user turns; {target.name} takes single-turn DPO inputs only")
    for side in ("preferred_output", "non_preferred_output"):
        value = obj.get(side)
        if value is None:
            yield Finding("", f"DPO row has no `{side}`")
        elif type(value) is not list:
            yield Finding(join_pointer(side), f"`{side}` must be an array holding one assistant message, not {json_type(value)}")
        elif count is not None and len(value) != count:
            yield Finding(join_pointer(side), f"`{side}` must hold exactly one message, not {len(value)}")
        elif count is None and not value:
            yield Finding(join_pointer(side), f"`{side}` must hold at least one assistant message")
        elif count is not None:
            if type(value[0]) is not dict or value[0].get("role") != "assistant":
                yield Finding(join_pointer(side, 0), f"`{side}` must be an assistant message")
        else:
            for k, message in enumerate(value):
                if type(message) is not dict or message.get("role") not in roles:
                    yield Finding(join_pointer(side, k), f"`{side}` may hold {' and '.join(f'`{r}`' for r in roles)} "
                                                         f"messages only on {target.name}")
            if not any(type(m) is dict and m.get("role") == "assistant" for m in value):
                yield Finding(join_pointer(side), f"`{side}` holds no assistant message")
