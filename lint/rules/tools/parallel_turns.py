"""The assistant turns that make several calls at once."""

from __future__ import annotations

from collections.abc import Iterator

from ...survey import message_dicts, survey
from ...source import Row


def parallel_turns(row: Row) -> Iterator[tuple[int, list]]:
    if not survey(row).parallel:
        return
    for i, message in message_dicts(row):
        tool_calls = message.get("tool_calls")
        if message.get("role") == "assistant" and type(tool_calls) is list and len(tool_calls) > 1:
            yield i, tool_calls
