"""Which dialect a row, and a file, is written in.

A row tells its dialect by what it has (see `row_dialect`). Rows that fit several
dialects alike (plain chat without calls) are `NEUTRAL` and take the file's. A file is
the one dialect its other rows share; rows of two dialects in one file are never guessed
at: the conversion stops and names both, with their first lines (`--from` decides).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

NEUTRAL = "neutral"
COHERE_ROLES = frozenset({"User", "Chatbot", "System"})

NAMES = {
    "openai": "OpenAI's format",
    "hf": "the Hugging Face tool format",
    "sharegpt": "ShareGPT (LLaMA-Factory)",
    "conversations": "OpenAI-style turns under `conversations`",
    "cohere": "Cohere's chat format",
    "vertex": "Gemini's tuning format (Vertex)",
    "preference": "a chosen/rejected preference layout",
    "other": "none of the dialects read here",
}


def row_dialect(row: Any) -> str:
    if type(row) is not dict:
        return "other"
    if "chosen" in row and "rejected" in row:
        return "preference"
    messages = row.get("messages")
    if type(messages) is list:
        return _messages_dialect(messages)
    if "input" in row and ("preferred_output" in row or "non_preferred_output" in row):
        return "openai"  # OpenAI's DPO rows
    turns = row.get("conversations")
    if type(turns) is list and turns and type(turns[0]) is dict:
        if "from" in turns[0] and "value" in turns[0]:
            return "sharegpt"
        if "role" in turns[0]:
            return "conversations"
    if type(row.get("contents")) is list:
        return "vertex"
    return "other"


def _messages_dialect(messages: list) -> str:
    found = NEUTRAL
    for message in messages:
        if type(message) is not dict:
            continue
        role = message.get("role")
        if type(role) is str and role in COHERE_ROLES:
            return "cohere"
        if "function_call" in message or role == "function":
            found = "openai"  # the legacy function format: `--to openai` converts it too
        if role == "tool":
            if "tool_call_id" not in message:
                return "hf"
            found = "openai"
        calls = message.get("tool_calls")
        if type(calls) is list:
            for call in calls:
                if type(call) is not dict:
                    continue
                function = call.get("function")
                if "id" not in call or (type(function) is dict and type(function.get("arguments")) is dict):
                    return "hf"
                found = "openai"
    return found


@dataclass
class Detection:
    dialect: str | None = None  # None: mixed (see `counts`)
    counts: Counter = field(default_factory=Counter)
    first_line: dict[str, int] = field(default_factory=dict)

    def describe(self) -> str:
        named = [(d, n) for d, n in self.counts.most_common() if d not in (NEUTRAL, "other")]
        if self.dialect is not None:
            rows = sum(self.counts.values())
            return f"{NAMES[self.dialect]}: {rows:,} row{'s' if rows != 1 else ''}"
        return "; ".join(f"{NAMES[d]} ({n:,} row{'s' if n != 1 else ''} from line {self.first_line[d]})" for d, n in named)


def detect(dialects: Iterable[tuple[int, str]]) -> Detection:
    """The file's dialect from its rows' (line, dialect); `other` rows (lines that did not
    parse, rows of no known layout) do not count."""
    found = Detection()
    for line, dialect in dialects:
        found.counts[dialect] += 1
        found.first_line.setdefault(dialect, line)
    named = [d for d in found.counts if d not in (NEUTRAL, "other")]
    if len(named) == 1:
        found.dialect = named[0]
    elif not named and not found.counts[NEUTRAL] and found.counts["other"]:
        found.dialect = "other"  # rows of no layout read here (prompt/completion, bare arrays): said, not passed over
    elif not named:
        found.dialect = "openai"  # plain chat: already what every dialect reads
    return found
