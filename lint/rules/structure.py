"""TLS: structure. Does the row have the shape of a chat training example?"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ..kinds import row_kind
from ..survey import MESSAGE_KEYS, ROLES, ROW_KEYS, message_dicts, messages, survey
from ..model import ERROR, WARNING, Finding
from ..pointer import join_pointer
from ..registry import Option, row_rule
from ..source import Row
from ..toolset import json_type

KIND_NAMES = {
    "dpo": "a DPO preference pair (`input`, `preferred_output`, `non_preferred_output`)",
    "rft": "a reinforcement fine-tuning row (messages without an assistant target, plus grader keys)",
    "completion": "a legacy prompt/completion row (`prompt`, `completion`)",
    "sft": "a chat example (`messages`)",
    "pairs": "a chosen/rejected preference pair",
}
KIND_PLURAL = {"sft": "chat examples", "dpo": "DPO preference pairs", "rft": "reinforcement fine-tuning rows"}
IMAGE_DETAILS = frozenset({"low", "high", "auto"})


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
                yield Finding(join_pointer("messages", i), f"message {i} must be an object, not {json_type(message)}")


@row_rule("TLS002", "unknown-row-key", WARNING, options=(
    Option("allowed", list, [], "extra top-level keys to accept (metadata your pipeline strips)"),
), kinds=("sft",))  # RFT rows carry grader keys; DPO rows have their own rule
def unknown_row_key(row: Row, options: Mapping[str, Any]) -> Iterator[Finding]:
    """A row has a top-level key the chat format does not define.

    The chat format knows `messages`, `tools`, `parallel_tool_calls` and the legacy
    `functions`. Keys your pipeline needs can be allowed with the `allowed` option.

    ## Why is this bad?
    Unknown keys are refused by some platforms and silently dropped by others, and they
    are often a typo for a key that matters (`tool` for `tools`) or metadata that leaks
    into a file meant for upload.

    ## Example
    ```json
    {"messages": [...], "tool": [{"type": "function", "function": {"name": "book"}}]}
    ```

    ## Use instead
    ```json
    {"messages": [...], "tools": [{"type": "function", "function": {"name": "book"}}]}
    ```
    """
    if ROW_KEYS.issuperset(row.obj):
        return
    allowed = options.get("allowed") or ()
    for key in row.obj:
        if key not in ROW_KEYS and key not in allowed:
            yield Finding(join_pointer(key), f"unknown top-level key `{key}`", on_key=True)


@row_rule("TLS003", "unknown-message-key", ERROR)
def unknown_message_key(row: Row, options: Mapping[str, Any]) -> Iterator[Finding]:
    """A message has a key the chat format does not define.

    Messages take `role`, `content`, `name`, `weight`, `tool_calls`, `tool_call_id` and
    the legacy `function_call`.

    ## Why is this bad?
    The upload refuses messages with unrecognised keys. The usual causes are logs copied
    from an API response (`refusal`, `audio`) or a misspelling (`tool_call` for `tool_calls`).

    ## Example
    ```json
    {"role": "assistant", "content": "Done.", "refusal": null}
    ```

    ## Use instead
    ```json
    {"role": "assistant", "content": "Done."}
    ```
    """
    if not survey(row).unknown_keys:
        return
    for i, message in message_dicts(row):
        for key in message:
            if key not in MESSAGE_KEYS:
                yield Finding(join_pointer("messages", i, key), f"message {i} has unknown key `{key}`", on_key=True)


@row_rule("TLS004", "invalid-role", ERROR)
def invalid_role(row: Row, options: Mapping[str, Any]) -> Iterator[Finding]:
    """A message has no role, or a role the chat format does not define.

    Roles are `system`, `developer`, `user`, `assistant`, `tool` and the legacy `function`.

    ## Why is this bad?
    The role decides what the model learns from a message; the upload refuses any other
    value. `human`/`gpt` (ShareGPT) and `bot` are the usual leftovers of a conversion.

    ## Example
    ```json
    {"role": "human", "content": "What's the weather?"}
    ```

    ## Use instead
    ```json
    {"role": "user", "content": "What's the weather?"}
    ```
    """
    if not survey(row).odd_roles:
        return
    for i, message in message_dicts(row):
        if "role" not in message:
            yield Finding(join_pointer("messages", i), f"message {i} has no `role`")
            continue
        role = message["role"]
        if type(role) is not str or role not in ROLES:
            shown = f"`{role}`" if type(role) is str else json_type(role)
            yield Finding(join_pointer("messages", i, "role"), f"message {i} has role {shown}; expected one of {', '.join(sorted(ROLES))}")


def _calls_something(message: dict) -> bool:
    return bool(message.get("tool_calls")) or bool(message.get("function_call"))


@row_rule("TLS005", "invalid-content-type", ERROR)
def invalid_content_type(row: Row, options: Mapping[str, Any]) -> Iterator[Finding]:
    """A message's `content` has a type the chat format does not accept there.

    Content is a string; `null` only on an assistant turn that calls a tool; or an array
    of parts: `text` parts anywhere, `image_url` parts in user messages only.

    ## Why is this bad?
    The upload refuses the row, and a converter that wrote numbers, objects or `null`
    into `content` usually lost the text it meant to write.

    ## Example
    ```json
    {"role": "user", "content": {"text": "Describe this"}}
    ```

    ## Use instead
    ```json
    {"role": "user", "content": [{"type": "text", "text": "Describe this"},
      {"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}}]}
    ```
    """
    if not survey(row).content_suspect:
        return
    for i, message in message_dicts(row):
        if "content" not in message:
            continue
        content = message["content"]
        if type(content) is str:
            continue
        at = join_pointer("messages", i, "content")
        role = message.get("role")
        if content is None:
            if not (role == "assistant" and _calls_something(message)):
                yield Finding(at, f"content of {_a_role_message(role)} cannot be null")
            continue
        if type(content) is not list:
            yield Finding(at, f"content must be a string or an array of parts, not {json_type(content)}")
            continue
        for j, part in enumerate(content):
            yield from _check_part(part, at + f"/{j}", role)


def _check_part(part: Any, at: str, role: Any) -> Iterator[Finding]:
    if type(part) is not dict:
        yield Finding(at, f"content part must be an object, not {json_type(part)}")
        return
    kind = part.get("type")
    if kind == "text":
        if type(part.get("text")) is not str:
            yield Finding(at + "/text" if "text" in part else at, "text part needs a string `text`")
    elif kind == "image_url":
        if role != "user":
            yield Finding(at + "/type", f"image parts are allowed in user messages only, not in {_a_role_message(role)}")
            return
        image = part.get("image_url")
        if type(image) is not dict or type(image.get("url")) is not str:
            yield Finding(at + "/image_url" if "image_url" in part else at, "image part needs `image_url` with a string `url`")
        elif "detail" in image and image["detail"] not in IMAGE_DETAILS:
            yield Finding(at + "/image_url/detail", "image `detail` must be `low`, `high` or `auto`")
    else:
        shown = f"`{kind}`" if type(kind) is str else json_type(kind)
        yield Finding(at + "/type" if "type" in part else at, f"content part has type {shown}; expected `text` or `image_url`")


def _a_role_message(role: Any) -> str:
    """"an assistant message", "a user message", "a message without a role" (for messages)."""
    if type(role) is not str:
        return "a message without a role"
    return f"{'an' if role[:1].lower() in ('a', 'e', 'i', 'o', 'u') else 'a'} {role} message"


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
        yield Finding("/messages", "row has no assistant message to train on")
    elif not found.trained_assistants:
        yield Finding("/messages", f"all {found.assistants} assistant messages have weight 0, so nothing is trained")


@row_rule("TLS007", "invalid-weight", ERROR)
def invalid_weight(row: Row, options: Mapping[str, Any]) -> Iterator[Finding]:
    """A message has a `weight` other than 0 or 1, or a weight on a non-assistant turn.

    ## Why is this bad?
    `weight` switches training on (1) or off (0) for one assistant turn. The upload
    refuses other values (`0.5`, `true`, `"1"`) and weights on other roles, which are
    never trained anyway.

    ## Example
    ```json
    {"role": "assistant", "content": "Sure.", "weight": 0.5}
    ```

    ## Use instead
    ```json
    {"role": "assistant", "content": "Sure.", "weight": 1}
    ```
    """
    if not survey(row).weights:
        return
    for i, message in message_dicts(row):
        if "weight" not in message:
            continue
        weight = message["weight"]
        at = join_pointer("messages", i, "weight")
        if message.get("role") != "assistant":
            yield Finding(at, f"`weight` is allowed on assistant messages only, not on {_a_role_message(message.get('role'))}", on_key=True)
        elif type(weight) is not int or weight not in (0, 1):
            shown = weight if type(weight) in (int, float) else json_type(weight)
            yield Finding(at, f"`weight` must be 0 or 1, not {shown}")


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
        yield Finding("", f"row looks like {KIND_NAMES[kind]}, in a file of {KIND_PLURAL[expected]}{hint}")
