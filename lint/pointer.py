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
    for token in tokens:
        c = text[i]
        if c == "{":
            found: tuple[int, int, int] | None = None  # key start, key end, value start
            i = _skip_ws(text, i + 1)
            while text[i] != "}":
                key_start = i
                key, i = _read_key(text, i)
                i = _skip_ws(text, i)
                if text[i] != ":":
                    return None
                i = _skip_ws(text, i + 1)
                if key == token:
                    found = (key_start, _key_end(text, key_start), i)
                i = _skip_ws(text, _skip_value(text, i))
                if text[i] == ",":
                    i = _skip_ws(text, i + 1)
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


def _key_end(text: str, key_start: int) -> int:
    return _STRING.match(text, key_start).end()
