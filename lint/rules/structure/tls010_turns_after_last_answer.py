from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...model import WARNING, Finding
from ...pointer import join_pointer
from ...registry import row_rule
from ...source import Row
from ...survey import survey, turn


@row_rule("TLS010", "turns-after-last-answer", WARNING, kinds=("sft",))
def turns_after_last_answer(row: Row, options: Mapping[str, Any]) -> Iterator[Finding]:
    """A row ends on a user or tool turn: nothing after its last assistant turn is trained.

    ## Why is this bad?
    Fine-tuning learns from assistant turns; the turns after the last one are billed as
    tokens and teach nothing. A row that ends on a tool result usually lost its final
    answer when it was cut or exported; one that ends on a user turn, its reply.
    (Reinforcement rows end on a user turn on purpose; this rule does not look at them.)

    ## Example
    ```json
    {"messages": [{"role": "user", "content": "Weather in Oslo?"},
      {"role": "assistant", "tool_calls": [...]}, {"role": "tool", "tool_call_id": "call_1", "content": "12°C"}]}
    ```

    ## Use instead
    ```json
    {"messages": [..., {"role": "tool", "tool_call_id": "call_1", "content": "12°C"},
      {"role": "assistant", "content": "It is 12°C in Oslo."}]}
    ```
    """
    found = survey(row)
    dicts = found.message_dicts
    if found.last_assistant < 0 or found.last_assistant == len(dicts) - 1:
        return  # no assistant turn (missing-assistant-message), or it is the last one
    after = [(i, m.get("role")) for i, m in dicts[found.last_assistant + 1:]]
    roles = [role for _, role in after]
    if not any(role in ("user", "tool", "function") for role in roles):
        return  # a system turn after the answer, or odd roles: other rules say so
    i = after[-1][0]
    shown = ", ".join(dict.fromkeys(f"`{role}`" for role in roles if type(role) is str))
    what = f"its last turn ({shown}) comes" if len(after) == 1 else f"its last {len(after)} turns ({shown}) come"
    yield Finding(join_pointer("messages", i), f"row ends on {turn(i)}: {what} after the last assistant turn, untrained")
