"""What a dataset is made of, for `tunelint report`: calls per tool, tools declared and
never called, turns per row, rows per system prompt.

One streamed pass, summed as it goes (as `stats` does): counts of names, of turn counts
and of system-prompt fingerprints, nothing per row. Large files are read on several
processes over byte ranges (`workers.fork_map`); each range keeps, for each system
prompt, where it first occurs, so the few prompts a report shows are read back from the
file rather than held. Declarations are read with the rules' own `declared_names`, and
calls are counted as the rules' `survey` finds them, so a tool counts here as it does
for the rules.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .fingerprint import declared_names, system_fingerprint
from .kinds import row_kind
from .pair_conversations import conversations
from .open_file import OpenFile
from .source import parse_row
from .workers import fork_map, worth_parallel

NO_SYSTEM = 0  # the fingerprint `system_fingerprint` leaves for a row without a system prompt


@dataclass
class Composition:
    """The sums of a file (or of a byte range of one, before they are added up)."""

    conversations: int = 0  # rows with a `messages` array, and DPO pairs (the others have no turns to count)
    pairs: int = 0  # of which DPO pairs, counted as their input and preferred output
    calls: Counter = field(default_factory=Counter)  # tool name -> calls made by assistant turns
    declared: Counter = field(default_factory=Counter)  # tool name -> rows declaring it
    turns: Counter = field(default_factory=Counter)  # messages in a row -> rows with that many
    prompts: Counter = field(default_factory=Counter)  # system prompt fingerprint -> rows
    first: dict[int, tuple[int, int]] = field(default_factory=dict)  # fingerprint -> (line, byte offset) of its first row
    lines: int = 0  # lines read (to number the next range's lines)

    def add(self, part: Composition) -> None:
        """Add the sums of the range that follows this one."""
        self.conversations += part.conversations
        self.pairs += part.pairs
        self.calls.update(part.calls)
        self.declared.update(part.declared)
        self.turns.update(part.turns)
        self.prompts.update(part.prompts)
        for key, (line, offset) in part.first.items():
            if key not in self.first:
                self.first[key] = (line + self.lines, offset)
        self.lines += part.lines

    @property
    def shared_prompts(self) -> bool:
        """Whether some system prompt (or the lack of one) is shared by several rows."""
        return any(rows > 1 for rows in self.prompts.values())

    @property
    def prompts_used_once(self) -> int:
        return sum(1 for rows in self.prompts.values() if rows == 1)

    @property
    def never_called(self) -> list[str]:
        """Tools some row declares that no row calls, by name."""
        return sorted(name for name in self.declared if name not in self.calls)

    @property
    def undeclared(self) -> list[str]:
        """Tools called that no row declares (`undefined-tool` says where)."""
        return sorted(name for name in self.calls if name not in self.declared)


def _count_range(source: OpenFile, start: int, end: int | None) -> Composition:
    found = Composition()
    calls, declared, turns, prompts, first = found.calls, found.declared, found.turns, found.prompts, found.first
    offset, line = start, 0
    for chunk in source.lines(start, end):
        line += 1
        # Line 1 is where a byte-order mark may be: only the file's first range has it.
        row = parse_row(1 if start == 0 and line == 1 else 2, chunk)
        here, offset = offset, offset + len(chunk)
        obj = row.obj
        if obj is None:
            continue
        if type(obj.get("messages")) is not list:
            # A DPO pair counts as the conversation it teaches: its input and the preferred output.
            inside = conversations(row) if row_kind(row) == "dpo" else []
            if not inside:
                continue
            row, obj = inside[0][0], inside[0][0].obj
            found.pairs += 1
        found.conversations += 1
        messages = obj["messages"]
        turns[len(messages)] += 1
        for name in called_names(messages):
            calls[name] += 1
        key = "tools" if type(obj.get("tools")) is list else "functions"
        if type(obj.get(key)) is list:
            for name in set(declared_names(obj, key, row.analysis)[0]):
                declared[name] += 1
        prompt = _system_prompt_key(messages)
        prompts[prompt] += 1
        if prompt not in first:
            first[prompt] = (line, here)
    found.lines = line
    return found


def called_names(messages: list) -> list[str]:
    """The names of the calls the assistant turns make, in either format: the calls
    `survey` finds, with a name that is a string (tests/test_html_report.py holds the
    two to the same answer). A walk of its own: the survey works out much more, and it
    was three fifths of this pass."""
    names = []
    for message in messages:
        if type(message) is not dict or message.get("role") != "assistant":
            continue
        tool_calls = message.get("tool_calls")
        if type(tool_calls) is list:
            for call in tool_calls:
                function = call.get("function") if type(call) is dict else None
                if type(function) is dict and type(function.get("name")) is str:
                    names.append(function["name"])
        function_call = message.get("function_call")
        if type(function_call) is dict and type(function_call.get("name")) is str:
            names.append(function_call["name"])
    return names


def _system_prompt_key(messages: list) -> int:
    for message in messages:
        if type(message) is dict:
            role = message.get("role")
            if role == "system" or role == "developer":
                return system_fingerprint(message)
    return NO_SYSTEM


def file_composition(path: Path, jobs: int = 1) -> Composition:
    """The composition of a regular file (read again by `system_prompts`)."""
    with OpenFile(path) as source:
        if not worth_parallel(source.size, jobs):
            return _count_range(source, 0, None)
        found = Composition()
        for part in fork_map(lambda span: _count_range(source, *span), source.ranges(jobs * 4), jobs):
            found.add(part)
        return found


@dataclass(frozen=True)
class SystemPrompt:
    rows: int
    first_line: int
    text: str | None  # None: the rows have no system prompt
    truncated: bool


def system_prompts(path: Path, found: Composition, top: int, chars: int = 400) -> list[SystemPrompt]:
    """The `top` most used system prompts (most rows first, then by first line), their
    text read again from the file and cut at `chars` characters."""
    ranked = sorted(found.prompts.items(), key=lambda item: (-item[1], found.first[item[0]][0]))[:top]
    shown: list[SystemPrompt] = []
    with OpenFile(path) as source:
        for key, rows in ranked:
            line, offset = found.first[key]
            text = None if key == NO_SYSTEM else _prompt_text(source.line_at(offset))
            cut = text is not None and len(text) > chars
            shown.append(SystemPrompt(rows, line, text[:chars] if cut else text, cut))
    return shown


def _prompt_text(chunk: bytes) -> str:
    """The system prompt of a row read again, as text (a content of parts: their texts)."""
    row = parse_row(2, chunk)
    obj = row.obj
    messages = obj.get("messages") if obj is not None else None
    if type(messages) is not list and obj is not None and type(obj.get("input")) is dict:
        messages = obj["input"].get("messages")  # a DPO pair's prompt
    if type(messages) is not list:  # the file changed since: say so rather than guess
        return "(this row changed since it was read)"
    for message in messages:
        if type(message) is dict and message.get("role") in ("system", "developer"):
            return _as_text(message.get("content"))
    return "(this row changed since it was read)"


def _as_text(content: Any) -> str:
    if type(content) is str:
        return content
    if type(content) is list:
        return "\n".join(part.get("text") for part in content
                         if type(part) is dict and type(part.get("text")) is str)
    return repr(content)
