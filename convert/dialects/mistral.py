"""OpenAI rows as Mistral's fine-tuning takes them (`--to mistral`).

Mistral reads OpenAI's format (its fine-tuning FAQ: "Is the fine-tuning API compatible
with OpenAI data format? Yes"), with two differences its validator enforces (read
2026-12-01, mistralai/platform-docs-public docs/capabilities/finetuning/text-finetuning.mdx
and mistral-common's validator): call ids are exactly nine characters of `[a-zA-Z0-9]`
(see `ids.py`), and "an assistant message with a tool_calls key cannot have a content
key". So each call gets a new id (the same old id in two calls of a row still gives two
ids, and each result takes the id of the call it answered), a `content` that is null or
empty is removed from a turn with calls, and a turn with both text and calls is a loss:
the text has no place. A `developer` turn becomes a `system` turn (Mistral's roles are
`system`, `user`, `assistant`, `tool`; the developer message is the system prompt).
An assistant turn's `weight` is kept: mistral-finetune reads it (finetune/data/tokenize.py,
mistralai/mistral-finetune @1943535); whether La Plateforme's fine-tuning does is not
documented.
"""

from __future__ import annotations

from typing import Any

from ...lint.pointer import join_pointer
from .common import Turns
from .hf import replace_key
from .ids import MISTRAL_ID, MistralIds
from .model import Loss, RowResult, Unconvertible


def write(row: Any, seed: bytes) -> RowResult:
    turns = Turns(row)
    ids = MistralIds(seed)
    losses: list[Loss] = []
    out: list = []
    unanswered: list[tuple[Any, str]] = []  # (old id, new id) of calls not yet answered, in order
    changed = False
    for i, message in enumerate(turns.messages):
        if i in turns.calls_of:
            calls = []
            for j, call in enumerate(turns.calls_of[i]):
                old = call.get("id")
                new = old if type(old) is str and MISTRAL_ID.fullmatch(old) and old not in ids.taken else ids.new(old, i, j)
                ids.taken.add(new)
                unanswered.append((old, new))
                calls.append(call if new == old else _with_id(call, new))
                changed |= new != old
            message = replace_key(message, "tool_calls", "tool_calls", calls)
            if "content" in message:
                content = message["content"]
                if content not in (None, "", []):
                    losses.append(Loss(join_pointer("messages", i, "content"),
                                       "the turn has text beside its calls, and Mistral takes no `content` on a turn with calls"))
                message = {k: v for k, v in message.items() if k != "content"}
                changed = True
            out.append(message)
        elif i in turns.name_of:
            old = message.get("tool_call_id")
            match = next((pair for pair in unanswered if pair[0] == old), None)
            if match is None:
                raise Unconvertible(join_pointer("messages", i), "a second result for the same call")
            unanswered.remove(match)
            if match[1] != old:
                message = replace_key(message, "tool_call_id", "tool_call_id", match[1])
                changed = True
            out.append(message)
        elif message.get("role") == "developer":
            out.append(replace_key(message, "role", "role", "system"))
        else:
            out.append(message)
    return RowResult(replace_key(row, "messages", "messages", out), losses=losses, changed=changed)


def _with_id(call: dict, ident: str) -> dict:
    return replace_key(call, "id", "id", ident) if "id" in call else {"id": ident, **call}
