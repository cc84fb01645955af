"""Small readers: Cohere's chat roles, and OpenAI-style turns under `conversations`."""

from __future__ import annotations

from typing import Any

from ...lint.pointer import join_pointer
from . import hf
from .common import messages_of
from .model import RowResult

# Cohere's chat fine-tuning roles (docs.cohere.com/docs/chat-preparing-the-data, read
# 2026-12-01; Cohere retired its fine-tuning on 2025-09-15).
COHERE_ROLES = {"System": "system", "User": "user", "Chatbot": "assistant"}


def read_cohere(row: Any, seed: bytes) -> RowResult:
    messages = messages_of(row)
    out = []
    for message in messages:
        role = message.get("role")
        if type(role) is str and role in COHERE_ROLES:
            message = hf.replace_key(message, "role", "role", COHERE_ROLES[role])
        out.append(message)
    renamed = hf.replace_key(row, "messages", "messages", out)
    # Cohere rows hold no calls, but a row may mix in the HF tool style: read that too.
    return _also(hf.read(renamed, seed))


def read_conversations(row: Any, seed: bytes) -> RowResult:
    """`conversations` renamed `messages` (where it was), its turns read as the HF tool format reads them."""
    messages_of(row, "conversations")
    if "messages" in row:
        return RowResult.cannot(join_pointer("messages"), "the row has both `conversations` and `messages`")
    return _also(hf.read(row, seed, key="conversations"))


def _also(result: RowResult) -> RowResult:
    result.changed = True
    return result
