"""What the shape rules (TLD013-TLD016) share: where their numbers come from, and the one
fact per row they read.

The numbers are a practitioner's recipe for tool-calling fine-tunes, not platform rules:
capture traces, curate 200-500 hard examples with the full `tools` array on every row,
vary the persona (at least three system prompts), mix in 10-15% general examples that call
no tool, hold out 50-100 cases, and compare against the base model. tunelint issue 26
quotes it; we found no original public text to link (searched 2026-12-01), so each rule
says "practitioners' advice" and is info or warning, never error, with every number an option.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...fingerprint import shared
from ...source import Row
from .facts import dataset_facts

RECIPE = ("a practitioners' recipe for tool-calling fine-tunes (quoted in tunelint issue 26; advice, "
          "not a platform rule)")
OPENAI_BEST_PRACTICES = "https://developers.openai.com/api/docs/guides/fine-tuning-best-practices (read 2026-12-01)"


def example_tools(row: Row, options: Mapping[str, Any]) -> tuple[bool, tuple[str, ...], tuple[str, ...], str] | None:
    """(trains, names declared, names called, `tools` or `functions`) of a conversation row;
    one shared tuple per distinct fact (most rows repeat one toolbox)."""
    found = dataset_facts(row)
    if found is None or found.trainable is None:
        return None
    declared, called, key = found.tool_use if found.tool_use is not None else ((), (), "tools")
    return shared((bool(found.trainable), declared, called, key))


def file_level(options: Mapping[str, Any]) -> bool:
    """Whether a file is judged at all: a validation file is not (its shape is its training file's)."""
    return options.get("file-role") != "validation"
