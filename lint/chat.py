"""Facts about a chat row that several rules need, computed once per row.

Everything here tolerates wrong types anywhere: a rule that needs a list gets an empty
one when the row holds something else (the structure rules report that once).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .pointer import join_pointer
from .source import Row

ROW_KEYS = frozenset({"messages", "tools", "parallel_tool_calls", "functions"})
MESSAGE_KEYS = frozenset({"role", "content", "name", "weight", "tool_calls", "tool_call_id", "function_call"})
ROLES = frozenset({"system", "developer", "user", "assistant", "tool", "function"})


@dataclass(frozen=True, slots=True)
class Call:
    """One function call made by an assistant turn, in either format."""

    message: int  # index of the assistant message
    index: int | None  # index in `tool_calls`; None for a legacy `function_call`
    id: Any  # `id` of a tool call (None for legacy calls)
    name: Any  # whatever `function.name` holds
    arguments: Any  # whatever `function.arguments` holds (a JSON string when well formed)

    @property
    def pointer(self) -> str:
        if self.index is None:
            return join_pointer("messages", self.message, "function_call")
        return join_pointer("messages", self.message, "tool_calls", self.index)

    @property
    def function_pointer(self) -> str:
        return self.pointer if self.index is None else self.pointer + "/function"


def messages(row: Row) -> list[Any]:
    """The row's `messages` when it is a list (its items may be anything)."""
    obj = row.obj
    value = obj.get("messages") if obj is not None else None
    return value if type(value) is list else []


def message_dicts(row: Row) -> list[tuple[int, dict]]:
    cached = row.cache.get("message_dicts")
    if cached is None:
        cached = [(i, m) for i, m in enumerate(messages(row)) if type(m) is dict]
        row.cache["message_dicts"] = cached
    return cached


def calls(row: Row) -> list[Call]:
    """Every call in the row, in order, from `tool_calls` and `function_call`."""
    cached = row.cache.get("calls")
    if cached is not None:
        return cached
    found: list[Call] = []
    for i, message in message_dicts(row):
        if message.get("role") != "assistant":
            continue
        tool_calls = message.get("tool_calls")
        if type(tool_calls) is list:
            for j, call in enumerate(tool_calls):
                if type(call) is not dict:
                    continue
                function = call.get("function")
                if type(function) is dict:
                    found.append(Call(i, j, call.get("id"), function.get("name"), function.get("arguments")))
                else:
                    found.append(Call(i, j, call.get("id"), None, None))
        function_call = message.get("function_call")
        if type(function_call) is dict:
            found.append(Call(i, None, None, function_call.get("name"), function_call.get("arguments")))
    row.cache["calls"] = found
    return found


def uses_tools_format(row: Row) -> str | None:
    """A pointer to the first thing in the row that uses the `tools` format, or None."""
    obj = row.obj
    if obj is None:
        return None
    if "tools" in obj:
        return "/tools"
    for i, message in message_dicts(row):
        if "tool_calls" in message:
            return join_pointer("messages", i, "tool_calls")
        if message.get("role") == "tool":
            return join_pointer("messages", i, "role")
    return None


def uses_legacy_format(row: Row) -> str | None:
    """A pointer to the first thing in the row that uses the deprecated function format."""
    obj = row.obj
    if obj is None:
        return None
    if "functions" in obj:
        return "/functions"
    for i, message in message_dicts(row):
        if "function_call" in message:
            return join_pointer("messages", i, "function_call")
        if message.get("role") == "function":
            return join_pointer("messages", i, "role")
    return None


def row_kind(row: Row) -> str:
    """What kind of training row this looks like: chat, dpo, rft or completion."""
    cached = row.cache.get("kind")
    if cached is not None:
        return cached
    obj = row.obj or {}
    if "input" in obj and ("preferred_output" in obj or "non_preferred_output" in obj):
        kind = "dpo"
    elif "prompt" in obj and "completion" in obj and "messages" not in obj:
        kind = "completion"
    elif type(obj.get("messages")) is list and _looks_like_rft(obj):
        kind = "rft"
    else:
        kind = "chat"
    row.cache["kind"] = kind
    return kind


def _looks_like_rft(obj: dict) -> bool:
    # RFT rows carry grader data beside a conversation that has no assistant target.
    extra = [k for k in obj if k not in ROW_KEYS]
    if not extra:
        return False
    return not any(type(m) is dict and m.get("role") == "assistant" for m in obj["messages"])
