"""JSON pointer -> character span within one row's text.

Only reported violations need positions, so this scanner runs lazily, on the rows that
have one. It walks the text down the pointer's path; the values it passes over are
skipped by the standard library's C scanner (which builds them and throws them away,
still several times faster than a walk in Python), or past its recursion limit by a
walk without recursion, so deep nesting costs no stack.
"""

from __future__ import annotations

import json
import re

import orjson

_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_STRUCTURAL = re.compile(r'["\[\]{}]')
_WHITESPACE = re.compile(r"[ \t\r\n]*")
_SCALAR_END = re.compile(r"[,\]}\s]")
_SCAN = json.JSONDecoder().scan_once  # (value, end) of the JSON value at an index
Member = tuple[int, int, int]  # an object member: key start, key end, value start


def split_pointer(pointer: str) -> list[str]:
    if not pointer:
        return []
    return [token.replace("~1", "/").replace("~0", "~") for token in pointer.split("/")[1:]]


def join_pointer(*tokens: object) -> str:
    parts = []
    for token in tokens:
        text = token if type(token) is str else str(token)
        if "~" in text or "/" in text:
            text = text.replace("~", "~0").replace("/", "~1")
        parts.append(text)
    return "/" + "/".join(parts) if parts else ""


def locate(text: str, pointer: str, on_key: bool = False) -> tuple[int, int] | None:
    """The (start, end) span of the value at `pointer` (or of its key), or None.

    With duplicate keys the last one wins, as it does for the parser.
    """
    try:
        return _locate(text, split_pointer(pointer), on_key)
    except (IndexError, AttributeError, ValueError, orjson.JSONDecodeError):
        return None  # text does not parse the way the pointer expects


def _skip_ws(text: str, i: int) -> int:
    return _WHITESPACE.match(text, i).end()


def _skip_value(text: str, i: int) -> int:
    c = text[i]
    if c == '"':
        return _STRING.match(text, i).end()
    if c not in "[{":
        m = _SCALAR_END.search(text, i)
        return m.start() if m else len(text)
    try:
        return _SCAN(text, i)[1]
    except (StopIteration, RecursionError, ValueError):
        return _walk_container(text, i)  # too deep for the scanner, or not JSON it accepts


def _walk_container(text: str, i: int) -> int:
    depth = 0
    while True:
        m = _STRUCTURAL.search(text, i)
        c = m.group()
        if c == '"':
            i = _STRING.match(text, m.start()).end()
            continue
        depth += 1 if c in "[{" else -1
        i = m.end()
        if depth == 0:
            return i


def _read_key(text: str, i: int) -> tuple[str, int]:
    end = _STRING.match(text, i).end()
    literal = text[i:end]
    key = orjson.loads(literal) if "\\" in literal else literal[1:-1]
    return key, end


def _locate(text: str, tokens: list[str], on_key: bool) -> tuple[int, int] | None:
    i = _skip_ws(text, 0)
    key_span: tuple[int, int] | None = None
    for depth, token in enumerate(tokens):
        c = text[i]
        if c == "{":
            # The row's own members: walked from the side nearer the key (each walk skips
            # the values on its way, and a conversation is most of a row).
            found = _last_top_level_key(text, token) if depth == 0 and _nearer_the_end(text, token) else None
            if found is None:
                found = _member(text, i, token)
            if found is None:
                return None
            key_span = (found[0], found[1])
            i = found[2]
        elif c == "[":
            if not token.isdigit():
                return None
            wanted = int(token)
            i = _skip_ws(text, i + 1)
            for _ in range(wanted):
                if text[i] == "]":
                    return None
                i = _skip_ws(text, _skip_value(text, i))
                if text[i] != ",":
                    return None
                i = _skip_ws(text, i + 1)
            if text[i] == "]":
                return None
            key_span = None
        else:
            return None
    if on_key and key_span is not None:
        return key_span
    return i, _skip_value(text, i)


def _member(text: str, i: int, token: str) -> Member | None:
    """Member `token` of the object at `i`: the last one, as for the parser. Once found,
    the members after it are walked only if one of them could be another `token` (its
    spelling, or an escape, appears further on)."""
    walked = _members(text, _skip_ws(text, i + 1), token, None, orjson.dumps(token).decode())
    return walked[0] if walked is not None else None


def _members(text: str, i: int, token: str, found: Member | None,
             needle: str | None = None) -> tuple[Member | None, int] | None:
    """Walk the members from `i` (a key, or the object's `}`): (the last member `token`,
    else `found`; the index of the object's `}`). With `needle` (the key's spelling), the
    walk stops at a member `token` that no later member can repeat (index -1 then)."""
    while text[i] != "}":
        key_start = i
        key, i = _read_key(text, i)
        i = _skip_ws(text, i)
        if text[i] != ":":
            return None
        i = _skip_ws(text, i + 1)
        if key == token:
            found = (key_start, _key_end(text, key_start), i)
            if needle is not None and text.find(needle, i) < 0 and text.find("\\u", i) < 0 and text.find("\\/", i) < 0:
                return found, -1
        i = _skip_ws(text, _skip_value(text, i))
        if text[i] == ",":
            i = _skip_ws(text, i + 1)
    return found, i


def _nearer_the_end(text: str, token: str) -> bool:
    return text.find(orjson.dumps(token).decode()) > len(text) // 2


def _last_top_level_key(text: str, token: str) -> Member | None:
    """Member `token` of the row's own object, found from the right: the row's last key
    is often the one reported (`functions`, `tools`), and the walk from the left would
    skip the whole conversation to reach it. None when unsure (then the walk decides).

    The last spelling of the key that stands as a key (after `{` or `,`, before `:`) is
    the row's own member when the walk past its value and the members after it ends at
    the row's final `}`; those members are read, so a later escaped spelling still wins.
    """
    needle = orjson.dumps(token).decode()
    last = len(text.rstrip()) - 1
    if last < 0 or text[last] != "}":
        return None
    start = text.rfind(needle)
    while start > 0:
        j = start - 1
        while text[j] in " \t\r\n":
            j -= 1
        colon = _skip_ws(text, start + len(needle))
        if text[j] in ("{", ",") and text[colon:colon + 1] == ":":
            value = _skip_ws(text, colon + 1)
            i = _skip_ws(text, _skip_value(text, value))
            walked = _members(text, _skip_ws(text, i + 1) if text[i] == "," else i, token, (start, start + len(needle), value))
            return walked[0] if walked is not None and walked[1] == last else None
        start = text.rfind(needle, 0, start)
    return None


def _key_end(text: str, key_start: int) -> int:
    return _STRING.match(text, key_start).end()
