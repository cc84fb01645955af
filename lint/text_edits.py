"""Fixes as edits of a row's own text, as ruff's fixes are edits of source ranges.

A fix that rewrote a row from its parsed value wrote every number, escape and space of
the row again (in the style it guessed) and cost a full re-serialisation. An edit
replaces one span of the row's text; everything outside the spans stays byte for byte
as written. The spans are found by walking the row's text with the same scanner that
places diagnostics (`pointer`), which skips the values it passes over at C speed.

The walk trusts that the text is the JSON the row parsed from, with no key repeated in
the objects it looks into (a fix refuses such rows before it gets here: see
`jsonstyle.refusal`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from operator import itemgetter
from typing import NamedTuple

from .pointer import _read_key, _skip_value, _skip_ws


# An edit: (start, end, new) replaces `text[start:end]` with `new` (an insertion when
# start == end). A plain tuple: a row's conversion makes dozens, and a named tuple or a
# class costs more than the rest of the edit's work.
Edit = tuple[int, int, str]


class Member(NamedTuple):
    """An object member's key and value, as spans of the row's text."""

    key: str
    key_start: int
    key_end: int
    value_start: int
    value_end: int


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """`text` with the edits made. Edits must not overlap (insertions at one place keep
    their order)."""
    out: list[str] = []
    at = 0
    for start, end, new in sorted(edits, key=_place):
        if start < at:
            raise ValueError(f"edits overlap at {start}")
        out.append(text[at:start])
        out.append(new)
        at = end
    out.append(text[at:])
    return "".join(out)


_place = itemgetter(0, 1)


def members(text: str, start: int, arrays: dict[str, list[tuple[int, int]]] | None = None) -> dict[str, Member]:
    """The members of the object whose `{` is at `start`, by key. For a key of `arrays`
    whose value is an array, its elements' spans are put there (walking them costs what
    skipping the array would)."""
    found: dict[str, Member] = {}
    i = _skip_ws(text, start + 1)
    while text[i] != "}":
        key_start = i
        key, key_end = _read_key(text, i)
        i = _skip_ws(text, key_end)
        i = _skip_ws(text, i + 1)  # past the `:`
        if arrays is not None and key in arrays and text[i] == "[":
            spans = arrays[key] = elements(text, i)
            value_end = text.index("]", spans[-1][1] if spans else i + 1) + 1
        else:
            value_end = _skip_value(text, i)
        found[key] = Member(key, key_start, key_end, i, value_end)
        i = _skip_ws(text, value_end)
        if text[i] == ",":
            i = _skip_ws(text, i + 1)
    return found


def elements(text: str, start: int) -> list[tuple[int, int]]:
    """The (start, end) spans of the elements of the array whose `[` is at `start`."""
    found: list[tuple[int, int]] = []
    i = _skip_ws(text, start + 1)
    while text[i] != "]":
        end = _skip_value(text, i)
        found.append((i, end))
        i = _skip_ws(text, end)
        if text[i] == ",":
            i = _skip_ws(text, i + 1)
    return found


_KEY_PATTERNS: dict[str, re.Pattern[str]] = {}


def member(text: str, start: int, end: int, key: str) -> Member:
    """Member `key` of the object spanning `text[start:end]`. Its spelling (`"key":`) is
    looked for at C speed: in JSON that parsed, a quote inside a string is escaped, so
    each match is a real key of this object or of one nested in it. When it matches
    once, and the object has the key, the match is the object's own member; otherwise
    (a nested object with the same key, an escaped spelling) the members are walked."""
    pattern = _KEY_PATTERNS.get(key)
    if pattern is None:
        pattern = _KEY_PATTERNS[key] = re.compile(re.escape(json.dumps(key)) + r"[ \t\r\n]*:[ \t\r\n]*")
    found = pattern.findall(text, start, end)
    if len(found) == 1:
        match = pattern.search(text, start, end)
        key_end = match.start() + len(json.dumps(key))
        return Member(key, match.start(), key_end, match.end(), _skip_value(text, match.end()))
    return members(text, start)[key]


def row_start(text: str) -> int:
    """Where the row's own object opens."""
    return _skip_ws(text, 0)
