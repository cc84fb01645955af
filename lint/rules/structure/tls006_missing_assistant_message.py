from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...survey import messages, survey
from ...model import ERROR, Finding
from ...registry import row_rule
from ...source import Row


@row_rule("TLS006", "missing-assistant-message", ERROR, kinds=("sft",))  # DPO outputs and RFT rows differ
def missing_assistant_message(row: Row, options: Mapping[str, Any]) -> Iterator[Finding]:
    """A row has no assistant turn to learn from.

    Either there is no assistant message, or every assistant message has `weight: 0`.

    ## Why is this bad?
    Fine-tuning trains on assistant turns only. A row without one costs tokens and
    teaches nothing; the upload refuses rows with no assistant message.

    ## Example
    ```json
    {"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "hi"}]}
    ```

    ## Use instead
    ```json
    {"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "hi"},
      {"role": "assistant", "content": "Hi!"}]}
    ```
    """
    items = messages(row)
    if not items:
        return  # missing-messages reports it
    found = survey(row)
    if not found.assistants:
        if "assistant" not in found.misnamed:  # an assistant turn under another name: invalid-role says so
            yield Finding("/messages", "row has no assistant message to train on")
    elif not found.trained_assistants:
        many = f"all {found.assistants} assistant messages have" if found.assistants > 1 else "the assistant message has"
        yield Finding("/messages", f"{many} weight 0, so nothing is trained")
