from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...kinds import row_kind
from ...model import ERROR, Finding
from ...registry import row_rule
from ...source import Row

KIND_NAMES = {
    "dpo": "a DPO preference pair (`input`, `preferred_output`, `non_preferred_output`)",
    "rft": "a reinforcement fine-tuning row (messages without an assistant target, plus grader keys)",
    "completion": "a legacy prompt/completion row (`prompt`, `completion`)",
    "sft": "a chat example (`messages`)",
    "pairs": "a chosen/rejected preference pair",
}


@row_rule("TLS008", "unexpected-row-kind", ERROR, sees="object", context=("file-kind",))
def unexpected_row_kind(row: Row, options: Mapping[str, Any]) -> Iterator[Finding]:
    """A row of another dataset kind sits in a chat file.

    DPO preference pairs, reinforcement fine-tuning rows and legacy prompt/completion rows
    each have their own format; one of them in a chat file gets this one diagnostic
    instead of a cascade of structure errors.

    ## Why is this bad?
    A fine-tuning job takes one kind of row. A preference pair in a supervised file is
    refused (it has no `messages`) or, worse, trained as something it is not.

    ## Example
    ```json
    {"input": {"messages": [...]}, "preferred_output": [...], "non_preferred_output": [...]}
    ```

    ## Use instead
    Move the row to a file of its own kind, or convert it to a chat example.
    """
    kind = row_kind(row)
    expected = options["file-kind"]
    if kind != expected:
        hint = " (convert it with `tunelint convert --to dpo`)" if kind == "pairs" else ""
        # "not a chat example" rather than "in a file of chat examples": when every row is of
        # another kind, the file is not one of chat examples (dataset-in-another-format says so).
        yield Finding("", f"row looks like {KIND_NAMES[kind]}, not {KIND_NAMES[expected]}{hint}")
