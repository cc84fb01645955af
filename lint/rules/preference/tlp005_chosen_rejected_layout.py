from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...conversion import conversion_fix, pairs_row_to_dpo
from ...model import INFO, Finding, Fix, SOMETIMES
from ...registry import row_rule
from ...source import Row, exact_obj


def _pairs_fix(row: Row) -> tuple[Fix | None, str]:
    return conversion_fix(row, pairs_row_to_dpo(exact_obj(row)), "Convert the chosen/rejected pair to a DPO row")


@row_rule("TLP005", "chosen-rejected-layout", INFO, SOMETIMES, sees="object", opt_in=True)
def chosen_rejected_layout(row: Row, options: Mapping[str, Any]) -> Iterator[Finding]:
    """A preference pair in the `chosen` / `rejected` layout, which fine-tuning does not take.

    Off by default; `tunelint convert --to dpo` selects it and applies its fix: the shared
    beginning of the two conversations becomes `input` (with top-level `tools` and
    `parallel_tool_calls`), and the two final assistant turns become the outputs.

    ## Why is this bad?
    Several training frameworks write pairs as two full conversations; the DPO upload
    takes `input`, `preferred_output` and `non_preferred_output`.

    ## Example
    ```json
    {"chosen": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}],
     "rejected": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "What?"}]}
    ```

    ## Use instead
    ```json
    {"input": {"messages": [{"role": "user", "content": "Hi"}]},
     "preferred_output": [{"role": "assistant", "content": "Hello!"}],
     "non_preferred_output": [{"role": "assistant", "content": "What?"}]}
    ```

    A pair whose conversations differ before their last turn is reported, not guessed.
    """
    obj = row.obj
    if "chosen" not in obj or "rejected" not in obj:
        return
    fix, why = _pairs_fix(row)
    message = "row is a chosen/rejected pair"
    yield Finding("/chosen", f"{message}; it cannot be converted: {why}" if why else message, on_key=True, fix=fix)
