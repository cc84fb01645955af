"""TLP: preference (DPO) and reinforcement (RFT) rows.

A file's kind is detected from its rows (or set with `--kind` / `kind` in config). The
chat rules also run inside these rows: on each conversation of a DPO pair (input plus
one output), and on an RFT row's messages.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ..fingerprint import quick
from ..conversion import conversion_fix, pairs_row_to_dpo
from ..model import ERROR, INFO, DatasetFinding, Finding, Fix, Related, SOMETIMES
from ..pointer import join_pointer
from ..registry import Option, dataset_rule, row_rule
from ..source import Row, exact_obj
from ..toolset import json_type

DPO_KEYS = frozenset({"input", "preferred_output", "non_preferred_output"})
INPUT_KEYS = frozenset({"messages", "tools", "parallel_tool_calls"})
RFT_ROLES = frozenset({"developer", "user", "assistant", "tool"})


@row_rule("TLP001", "invalid-preference-pair", ERROR, sees="dpo")
def invalid_preference_pair(row: Row, options: Mapping[str, Any]) -> Iterator[Finding]:
    """A DPO row is not an `input` conversation with one preferred and one non-preferred answer.

    A DPO row is `{"input": {"messages": [...], "tools": [...]}, "preferred_output":
    [assistant message], "non_preferred_output": [assistant message]}`: each output holds
    exactly one assistant message, and the input does not end with an assistant turn.

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
    for side in ("preferred_output", "non_preferred_output"):
        value = obj.get(side)
        if value is None:
            yield Finding("", f"DPO row has no `{side}`")
        elif type(value) is not list:
            yield Finding(join_pointer(side), f"`{side}` must be an array holding one assistant message, not {json_type(value)}")
        elif len(value) != 1:
            yield Finding(join_pointer(side), f"`{side}` must hold exactly one message, not {len(value)}")
        elif type(value[0]) is not dict or value[0].get("role") != "assistant":
            yield Finding(join_pointer(side, 0), f"`{side}` must be an assistant message")


@row_rule("TLP002", "identical-preference-pair", ERROR, sees="dpo")
def identical_preference_pair(row: Row, options: Mapping[str, Any]) -> Iterator[Finding]:
    """The preferred and the non-preferred output of a DPO row are the same.

    Compared as parsed JSON (key order and spacing aside).

    ## Why is this bad?
    DPO learns from the difference between the two answers; with none, the pair teaches
    nothing and only adds noise to the loss. It usually means a generation step sampled
    the same answer twice.

    ## Example
    ```json
    {"input": {...}, "preferred_output": [{"role": "assistant", "content": "Paris."}],
     "non_preferred_output": [{"role": "assistant", "content": "Paris."}]}
    ```

    ## Use instead
    A non-preferred answer that is actually worse, or drop the pair.
    """
    preferred, other = row.obj.get("preferred_output"), row.obj.get("non_preferred_output")
    if type(preferred) is list and type(other) is list and preferred and quick(preferred) == quick(other):
        yield Finding("/non_preferred_output", "the non-preferred output is the same as the preferred one")


def _pair_facts(row: Row, options: Mapping[str, Any]) -> tuple[int, int, int] | None:
    obj = row.obj
    if obj is None or "input" not in obj or "preferred_output" not in obj or "non_preferred_output" not in obj:
        return None
    return quick(obj["input"]), quick(obj["preferred_output"]), quick(obj["non_preferred_output"])


@dataset_rule("TLP003", "inverted-preference", ERROR, collect=_pair_facts)
def inverted_preference(facts, options: Mapping[str, Any]) -> Iterator[DatasetFinding]:
    """Two DPO rows with the same input prefer opposite outputs.

    ## Why is this bad?
    One row teaches the model to prefer A over B, the other B over A, for the same prompt:
    the two cancel out, and the preference signal of the whole file gets noisier. It comes
    from merged annotations, or swapped columns in one batch.

    ## Example
    Line 4 prefers "Paris." over "Lyon." and line 90, for the same input, prefers "Lyon."
    over "Paris.".

    ## Use instead
    Resolve the disagreement (re-annotate), or drop both rows.
    """
    seen: dict[tuple[int, int, int], int] = {}
    for line, (prompt, preferred, other) in facts:
        earlier = seen.get((prompt, other, preferred))
        if earlier is not None:
            yield DatasetFinding(line, f"prefers the opposite of line {earlier} for the same input",
                                 related=(Related(earlier, "the opposite preference"),))
        seen.setdefault((prompt, preferred, other), line)


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


def _pairs_fix(row: Row) -> tuple[Fix | None, str]:
    return conversion_fix(row, pairs_row_to_dpo(exact_obj(row)), "Convert the chosen/rejected pair to a DPO row")


@row_rule("TLP005", "chosen-rejected-layout", INFO, SOMETIMES, sees="object", default=False)
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
