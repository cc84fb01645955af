"""The conversations inside a DPO pair, as chat rows the chat rules can check.

A pair is checked as two conversations, `input.messages` + `preferred_output` and
`input.messages` + `non_preferred_output`, with the input's `tools`. Findings point back
into the real row (`/input/messages/2`, `/preferred_output/0/...`), carry no fix (a fix
would rewrite the row as a chat row), and a finding in the shared input is kept once.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import orjson

from .model import Finding
from .pointer import join_pointer, split_pointer
from .source import Row

SIDES = ("preferred_output", "non_preferred_output")
CARRIED = ("tools", "functions", "parallel_tool_calls")


def conversations(row: Row) -> list[tuple[Row, Callable[[str], str], Callable[[str], str]]]:
    obj = row.obj
    given = obj.get("input")
    if type(given) is not dict or type(given.get("messages")) is not list:
        return []  # invalid-preference-pair reports it
    prompt = given["messages"]
    found = []
    for side in SIDES:
        outputs = obj.get(side)
        if type(outputs) is not list:
            continue
        synthetic = {"messages": prompt + outputs, **{k: given[k] for k in CARRIED if k in given}}
        # Its own bytes (not the pair's): a rule that reads them again for a fix must find
        # the conversation it checked. The fix is dropped (see `inside`); the reading is not.
        raw = _dump(synthetic, row.raw)
        found.append((Row(row.line, raw, synthetic, bom=row.bom, eol=row.eol), _remapper(side, len(prompt)),
                      _renamer(side, len(prompt))))
    return found


def _dump(value: dict, fallback: bytes) -> bytes:
    try:
        return orjson.dumps(value)
    except (TypeError, orjson.JSONEncodeError):  # deeper than orjson writes (or an integer past 64 bits)
        try:
            return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass")
        except (RecursionError, ValueError):
            return fallback


# How findings name a turn (`survey.turn`): `messages[3]`, or `messages[3].tool_calls[0]`.
_TURN = re.compile(r"`messages\[(\d+)\]")


def _renamer(side: str, prompt_length: int) -> Callable[[str], str]:
    """A finding's message with its turns named where they are in the pair:
    `messages[1]` -> `input.messages[1]` or `preferred_output[0]`."""
    def rename(match: re.Match) -> str:
        index = int(match.group(1))
        if index < prompt_length:
            return f"`input.messages[{index}]"
        return f"`{side}[{index - prompt_length}]"

    return lambda message: _TURN.sub(rename, message)


def _remapper(side: str, prompt_length: int) -> Callable[[str], str]:
    def remap(pointer: str) -> str:
        tokens = split_pointer(pointer)
        if not tokens:
            return "/input"
        if tokens[0] == "messages":
            if len(tokens) == 1:
                return "/input/messages"
            index = int(tokens[1]) if tokens[1].isdigit() else 0
            if index < prompt_length:
                return join_pointer("input", "messages", *tokens[1:])
            return join_pointer(side, index - prompt_length, *tokens[2:])
        return join_pointer("input", *tokens)
    return remap


def inside(row: Row, run: Callable[[Row], list[tuple[object, Finding]]]) -> list[tuple[object, Finding]]:
    """Findings of `run` on each conversation of the pair, mapped back and deduplicated."""
    out: list[tuple[object, Finding]] = []
    seen: set[tuple[str, str, str]] = set()
    for conversation, remap, rename in conversations(row):
        for rule, finding in run(conversation):
            pointer, message = remap(finding.pointer), rename(finding.message)
            key = (rule.code, pointer, message)
            if key in seen:
                continue
            seen.add(key)
            out.append((rule, Finding(pointer, message, None, finding.on_key, finding.related)))
    return out
