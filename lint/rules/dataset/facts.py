"""What the dataset rules read of a row: its facts (`DatasetFacts`), worked out once and
kept on the row's analysis, and the row as a conversation."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...kinds import row_kind
from ...survey import survey
from ...fingerprint import (declared_names, intern_names, row_fingerprint, screening_keys, shared, system_fingerprint,
                            tools_fingerprint, training_text_digest)
from ...source import Row


class DatasetFacts:
    """What the dataset rules keep of one row, worked out in one go.

    Each rule has its own collector; apart, they would each look up the row's messages,
    survey and tools again, and on the benchmark file they cost about a third of what
    the row rules do (half that, together). None where a fact does not apply.
    """

    __slots__ = ("row_key", "prompt_key", "tools_signature", "trainable", "tool_use", "system")


def dataset_facts(row: Row) -> DatasetFacts | None:
    """The row's facts (None for a line that is not a JSON object)."""
    obj = row.obj
    if obj is None:
        return None
    analysis = row.analysis
    found = analysis.dataset
    if found is not None:
        return found
    found = analysis.dataset = DatasetFacts()
    tools = obj.get("tools")
    key = "tools" if type(tools) is list else "functions"
    declared, by_name = declared_names(obj, key, analysis)
    # Empty arrays declare nothing to drift from.
    found.tools_signature = shared((by_name, declared_tools(tools_fingerprint(obj, analysis), tools))) \
        if type(tools) is list and tools else None
    kind = row_kind(row)
    if type(obj.get("messages")) is not list:  # not a conversation: it keeps its exact fingerprint
        found.row_key = row_fingerprint(obj, analysis)
        found.prompt_key = found.tool_use = found.system = None
        found.trainable = True if kind in ("dpo", "rft") else None
        return found
    chat = survey(row)
    found.row_key, found.prompt_key = screening_keys(obj, chat.message_dicts, chat.contents, chat.last_assistant, analysis)
    # A pair always trains; an RFT row needs no assistant target.
    # An assistant turn under another name (`Chatbot`) counts: invalid-role says what to rename,
    # and "0 trainable examples" on top of that would be one cause said twice.
    found.trainable = True if kind in ("dpo", "rft") else chat.trained_assistants > 0 or "assistant" in chat.misnamed
    called = intern_names(tuple([c.name for c in chat.calls if type(c.name) is str]))
    found.tool_use = shared((declared, called, key)) if declared or called else None
    found.system = _system_fingerprint(chat.message_dicts)
    return found


def _system_fingerprint(dicts: list[tuple[int, dict]]) -> int:
    # `==`, not a set lookup: a role may be anything, even an (unhashable) object.
    if dicts and _is_system(dicts[0][1].get("role")):  # where it nearly always is
        return system_fingerprint(dicts[0][1])
    for _, message in dicts:
        if _is_system(message.get("role")):
            return system_fingerprint(message)
    return 0  # no system prompt: breaks the "one persona" pattern


def _is_system(role: Any) -> bool:
    return role == "system" or role == "developer"


def conversation(row: Row) -> dict | None:
    """The row's object when it is a conversation (it has a `messages` array), else None."""
    obj = row.obj
    return obj if obj is not None and type(obj.get("messages")) is list else None


def text_fingerprints(row: Row, options: Mapping[str, Any]) -> tuple[int, int] | None:
    """(exact fingerprint, normalised-text fingerprint) of a conversation row: what
    near-duplicates and train/validation overlap compare."""
    obj = conversation(row)
    return (row_fingerprint(obj, row.analysis), training_text_digest(obj)) if obj is not None else None


class DeclaredTools:
    """A `tools` array as the dataset rules keep it: its fingerprint, and the first row's
    array of that fingerprint (one object per distinct array, so `inconsistent-tools` can
    say what differs). Equal when the fingerprints are."""

    __slots__ = ("fingerprint", "value")

    def __init__(self, fingerprint: int, value: Any) -> None:
        self.fingerprint, self.value = fingerprint, value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DeclaredTools) and other.fingerprint == self.fingerprint

    def __hash__(self) -> int:
        return hash(self.fingerprint)


_declared: dict[int, DeclaredTools] = {}


def declared_tools(fingerprint: int, value: Any) -> DeclaredTools:
    found = _declared.get(fingerprint)
    if found is None:
        if len(_declared) > 65536:
            _declared.clear()
        found = _declared[fingerprint] = DeclaredTools(fingerprint, value)
    return found
