from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...kinds import row_kind
from ...model import ERROR, Finding
from ...pointer import join_pointer
from ...registry import row_rule
from ...source import Row
from ...survey import turn


@row_rule("TLP006", "rft-last-turn-role", ERROR, sees="object", context=("target", "file-kind"), target_only=True)
def rft_last_turn_role(row: Row, options: Mapping[str, Any]) -> Iterator[Finding]:
    """A reinforcement fine-tuning row does not end on the turn the target requires.

    On where the target's `rft` fact sets `last-role` (azure: `user`), for every row of a
    file linted as RFT that has a `messages` array. Earlier turns may be anything RFT takes
    (an assistant turn and a tool result as context are fine); only the last one counts.

    Azure's RFT page: 'The final "message" in the data must be assigned a `user` role.'
    The text of the error its upload or job gives is undocumented. OpenAI's RFT guide
    (read 2026-12-01) states no such rule, so the rule is off there.

    ## Why is this bad?
    In RFT the model writes the answer during training and the grader scores it: the row
    is a prompt, and the prompt ends where the model is to speak. A row that ends on an
    assistant answer (a supervised example moved over as it was) or on a developer
    instruction gives the platform nothing to answer, and Azure refuses it.

    ## Example
    ```json
    {"messages": [{"role": "user", "content": "6 x 7?"}, {"role": "assistant", "content": "42"}],
     "reference_answer": "42"}
    ```

    ## Use instead
    ```json
    {"messages": [{"role": "user", "content": "6 x 7?"}], "reference_answer": "42"}
    ```
    The answer the row used to train on belongs in the grader's keys.
    """
    wanted = (options["target"].fact("rft") or {}).get("last-role")
    if not wanted or options.get("file-kind") != "rft" or row_kind(row) not in ("rft", "sft"):
        return  # a DPO pair or a completion row in an RFT file is unexpected-row-kind's
    messages = row.obj.get("messages")
    if type(messages) is not list or not messages:
        return  # missing or empty messages: invalid-rft-row and missing-messages say so
    last = len(messages) - 1
    message = messages[last]
    role = message.get("role") if type(message) is dict else None
    if role == wanted:
        return
    name = options["target"].name
    shown = f"role `{role}`" if type(role) is str else "no role"
    pointer = join_pointer("messages", last, "role") if type(role) is str else join_pointer("messages", last)
    yield Finding(pointer, f"RFT row ends on {turn(last)} ({shown}); {name} needs the last message to be a `{wanted}` turn")
