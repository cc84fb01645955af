from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from typing import Any

from ...facts import FactColumn
from ...kinds import row_kind
from ...model import ERROR, DatasetFinding
from ...registry import Option, dataset_rule
from ...source import Row
from ...survey import ROLE_ALIASES, survey

COHERE_ROLES = frozenset({"User", "Chatbot", "System"})

# What each format is called, and what to do about it (the formats a row is told apart by).
FORMATS = {
    1: ("Cohere's chat format (roles `User`, `Chatbot`, `System`)",
        "OpenAI's format names the roles `user`, `assistant`, `system`: `tunelint check --fix --unsafe-fixes` renames them"),
    2: ("another format's role names (`human`, `gpt`, `bot`, `model`)",
        "OpenAI's format says `user` and `assistant`: `tunelint check --fix --unsafe-fixes` renames them"),
    3: ("ShareGPT's format (`conversations` of `from`/`value` turns)",
        "the chat format wants `messages` of `role`/`content` turns"),
    4: ("chat turns under `conversations`", "the chat format reads them from `messages`"),
    5: ("the retired completions format (`prompt`/`completion` pairs)",
        "chat fine-tuning takes `messages`: the prompt as a user turn, the completion as an assistant turn"),
    6: ("the Hugging Face (TRL) tool format (calls without ids, arguments as objects)",
        "OpenAI's format wants an `id` on each call and its arguments as a JSON string"),
    7: ("bare arrays of messages", 'each row must be an object holding them: `{"messages": [...]}`'),
    8: ("Gemini's format (`contents` of `parts`)", "the chat format wants `messages` of `role`/`content` turns"),
}


def _format_of(row: Row, options: Mapping[str, Any]) -> int | None:
    """Which other format the row is written in (0: none of them; None: a line that did not parse)."""
    obj = row.obj
    if obj is None:
        value = row.value
        if row.error is None and type(value) is list and value and all(type(m) is dict and "role" in m for m in value):
            return 7
        return None
    if type(obj.get("messages")) is list:
        chat = survey(row)
        if chat.misnamed:
            roles = {message.get("role") for _, message in chat.message_dicts}
            if roles & COHERE_ROLES:
                return 1
            if any(type(role) is str and role.strip().lower() in ROLE_ALIASES for role in roles):
                return 2
        if chat.malformed_calls and any(c.id is None and c.index is not None and type(c.arguments) is dict for c in chat.calls):
            return 6
        return 0
    turns = obj.get("conversations")
    if type(turns) is list and turns and type(turns[0]) is dict:
        return 3 if "from" in turns[0] and "value" in turns[0] else 4 if "role" in turns[0] else 0
    if row_kind(row) == "completion":
        return 5
    if type(obj.get("contents")) is list:
        return 8
    return 0


@dataset_rule("TLD009", "dataset-in-another-format", ERROR, collect=_format_of, options=(
    Option("min-share", (int, float), 0.5, "the share of the file's rows that must share the format"),
    Option("min-rows", int, 2, "files with fewer rows are left to the rows' own findings"),
))
def dataset_in_another_format(facts: FactColumn, options: Mapping[str, Any]) -> Iterator[DatasetFinding]:
    """Most rows of a file are written in another format than OpenAI's chat format.

    Told apart by what the rows have: Cohere's chat roles (`User`, `Chatbot`, `System`),
    other formats' role names (`human`, `gpt`, `bot`, `model`), ShareGPT's `conversations`
    of `from`/`value` turns, OpenAI-style turns under `conversations`, prompt/completion
    pairs, the Hugging Face (TRL) tool format (calls without ids, arguments as objects),
    rows that are bare arrays of messages, Gemini's `contents` of `parts`. One finding for
    the file, on the first such row, naming the format and what to do; the rows' own
    findings say where.

    ## Why is this bad?
    A file in another format fails on every row, and the first thing a reader of thousands
    of findings needs is their one cause: the file was written for another trainer (or an
    older API), and converting it is one step, not thousands of fixes.

    ## Example
    A Cohere fine-tuning file: `{"messages": [{"role": "User", "content": "..."},
    {"role": "Chatbot", "content": "..."}]}` on each of its 6,079 rows.

    ## Use instead
    The same rows in the chat format: `{"messages": [{"role": "user", "content": "..."},
    {"role": "assistant", "content": "..."}]}`.
    """
    total = len(facts)
    if total < max(1, options["min-rows"]):
        return
    counts = Counter(code for code in facts.values if code)
    if not counts:
        return
    code, count = counts.most_common(1)[0]
    if count <= total * options["min-share"]:
        return
    first = next(line for line, value in facts if value == code)
    name, todo = FORMATS[code]
    rows = "the only row" if total == 1 else "every row" if count == total else f"{count:,} of {total:,} rows"
    yield DatasetFinding(first, f"the file is written in {name} ({rows}); {todo}")
