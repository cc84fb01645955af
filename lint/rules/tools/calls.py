"""The calls of a row as the flow rules read them: by message, and named in findings."""

from __future__ import annotations

from ...source import Row
from ...survey import Call, calls


def shown_function(call: Call) -> str:
    return f"`{call.name}`" if type(call.name) is str else "a function"


def calls_by_message(row: Row) -> dict[int, list[Call]]:
    """The row's calls, grouped by the index of the assistant message that makes them."""
    grouped: dict[int, list[Call]] = {}
    for call in calls(row):
        grouped.setdefault(call.message, []).append(call)
    return grouped
