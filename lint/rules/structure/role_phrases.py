"""How findings name a message by its role."""

from __future__ import annotations

from typing import Any


def a_role_message(role: Any) -> str:
    """"an assistant message", "a user message", "a message without a role" (for messages)."""
    if type(role) is not str:
        return "a message without a role"
    # By sound: "an assistant message", "a user message" (a "u" that sounds like "you").
    return f"{'an' if role[:1].lower() in ('a', 'e', 'i', 'o') else 'a'} {role} message"
