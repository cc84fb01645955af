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

    Off by default; `tunelint convert --to dpo` selects it and applies its fix. The fix reads
    the pair as two conversations: their shared beginning becomes `input` (with the `tools`
    and `parallel_tool_calls` declared beside them), and their last turns, assistant turns
    both, become the outputs. It reads these layouts:

    - TRL's conversational layouts (https://huggingface.co/docs/trl/dataset_formats#preference):
      with an implicit prompt, `chosen` and `rejected` are whole conversations; with an
      explicit one, `prompt` holds the conversation so far and `chosen` and `rejected` only
      the answer turns. Where both sides repeat the `prompt` (UltraFeedback writes that),
      the `prompt` is a copy and is dropped.
    - TRL's standard layout, where `prompt`, `chosen` and `rejected` are texts: the prompt
      becomes one user turn and each answer one assistant turn. TRL feeds such texts to the
      model as they are; a prompt written to be continued ("The sky is") reads as a question
      once converted. Texts without a `prompt` are reported: where the prompt ends in them
      is not known.
    - Fireworks' layout, each side an object `{"messages": [...], "tools": [...]}`: what the
      two sides declare beside their messages must agree.

    ## Why is this bad?
    Training frameworks write pairs as a prompt and two answers, or as two whole
    conversations; the DPO upload takes only `input`, `preferred_output` and
    `non_preferred_output`.

    ## Example
    ```json
    {"prompt": [{"role": "user", "content": "Hi"}],
     "chosen": [{"role": "assistant", "content": "Hello!"}],
     "rejected": [{"role": "assistant", "content": "What?"}]}
    {"chosen": {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}]},
     "rejected": {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "What?"}]}}
    ```

    ## Use instead
    ```json
    {"input": {"messages": [{"role": "user", "content": "Hi"}]},
     "preferred_output": [{"role": "assistant", "content": "Hello!"}],
     "non_preferred_output": [{"role": "assistant", "content": "What?"}]}
    ```

    A pair that does not read as a prompt and two answers (say, conversations that differ
    before their last turns) is reported with the reason, and left as it is.
    """
    obj = row.obj
    if "chosen" not in obj or "rejected" not in obj:
        return
    fix, why = _pairs_fix(row)
    message = "row is a chosen/rejected pair"
    yield Finding("/chosen", f"{message}; it cannot be converted: {why}" if why else message, on_key=True, fix=fix)
