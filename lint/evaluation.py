"""Scoring a model's answers against the assistant turns of a held-out dataset.

Pure functions: the `eval` command sends the requests and hands the answers here. For
each row the expected answer is its last assistant turn; the prompt is everything before.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import orjson

from .toolset import analyse


def prompt_and_target(obj: dict) -> tuple[list, dict] | None:
    messages = obj.get("messages")
    if type(messages) is not list:
        return None
    last = next((i for i in range(len(messages) - 1, -1, -1)
                 if type(messages[i]) is dict and messages[i].get("role") == "assistant"), None)
    if last is None or last == 0:
        return None
    return messages[:last], messages[last]


def calls_of(message: dict) -> list[tuple[str, Any]]:
    """(name, parsed arguments) of each call in an assistant message (arguments None if unparsable)."""
    found = []
    calls = message.get("tool_calls") if type(message.get("tool_calls")) is list else []
    if type(message.get("function_call")) is dict:
        calls = [*calls, {"function": message["function_call"]}]
    for call in calls:
        function = call.get("function") if type(call) is dict else None
        if type(function) is not dict:
            continue
        try:
            arguments = orjson.loads(function.get("arguments") or "null")
        except (orjson.JSONDecodeError, TypeError):
            arguments = None
        found.append((str(function.get("name")), arguments))
    return found


@dataclass
class RowScore:
    expected_names: tuple[str, ...]
    names_right: bool | None  # None: the expected answer is text
    args_match: bool | None
    args_valid: bool | None  # the model's arguments against the declared schemas (None: no calls)
    kind_agrees: bool  # text where text was expected, calls where calls were


def score(row: dict, answer: dict) -> RowScore:
    _, expected = prompt_and_target(row) or ([], {})
    want, got = calls_of(expected), calls_of(answer)
    names = tuple(sorted(n for n, _ in want))
    kind_agrees = bool(want) == bool(got)
    if not want:
        return RowScore((), None, None, _valid(row, got), kind_agrees)
    names_right = Counter(n for n, _ in want) == Counter(n for n, _ in got)
    remaining = list(got)
    matched = 0
    for name, arguments in want:
        hit = next((g for g in remaining if g[0] == name and g[1] == arguments), None)
        if hit is not None:
            remaining.remove(hit)
            matched += 1
    return RowScore(names, names_right, names_right and matched == len(want), _valid(row, got), kind_agrees)


def _valid(row: dict, got: list[tuple[str, Any]]) -> bool | None:
    if not got:
        return None
    tools = analyse(row.get("tools"), False) if type(row.get("tools")) is list else None
    for name, arguments in got:
        function = tools.functions.get(name) if tools is not None else None
        if function is None or type(arguments) is not dict or function.argument_errors(arguments):
            return False
    return True


@dataclass
class Summary:
    rows: int = 0
    call_rows: int = 0
    names_right: int = 0
    args_match: int = 0
    answered_with_calls: int = 0
    args_valid: int = 0
    kind_agrees: int = 0
    per_tool: dict[str, Counter] = field(default_factory=dict)

    def add(self, s: RowScore) -> None:
        self.rows += 1
        self.kind_agrees += s.kind_agrees
        if s.args_valid is not None:
            self.answered_with_calls += 1
            self.args_valid += s.args_valid
        if s.names_right is None:
            return
        self.call_rows += 1
        self.names_right += s.names_right
        self.args_match += bool(s.args_match)
        for name in set(s.expected_names):
            tool = self.per_tool.setdefault(name, Counter())
            tool["rows"] += 1
            tool["names_right"] += s.names_right
            tool["args_match"] += bool(s.args_match)

    @staticmethod
    def _share(part: int, whole: int) -> float | None:
        return round(part / whole, 4) if whole else None

    def as_dict(self) -> dict:
        return {
            "rows": self.rows,
            "rows_expecting_calls": self.call_rows,
            "tool_name_accuracy": self._share(self.names_right, self.call_rows),
            "arguments_exact_match": self._share(self.args_match, self.call_rows),
            "arguments_valid": self._share(self.args_valid, self.answered_with_calls),
            "text_vs_call_agreement": self._share(self.kind_agrees, self.rows),
            "per_tool": {name: {"rows": c["rows"], "tool_name_accuracy": self._share(c["names_right"], c["rows"]),
                                "arguments_exact_match": self._share(c["args_match"], c["rows"])}
                         for name, c in sorted(self.per_tool.items())},
        }
