"""Write a rewritten row in the JSON style of the line it replaces.

Rows keep their key order (dicts preserve it), and a rewritten row uses the separators
and ASCII escaping its original line used, so a fix's diff shows only what it changed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import orjson

_TOKEN = re.compile(rb'"(?:[^"\\]|\\.)*"|[:,]\s?', re.S)


@dataclass(frozen=True, slots=True)
class JsonStyle:
    item_separator: str = ","
    key_separator: str = ":"
    ensure_ascii: bool = False

    def dumps(self, value: Any) -> str:
        if self == COMPACT:
            try:
                return orjson.dumps(value).decode("utf-8")  # orjson writes exactly this style, fast
            except (TypeError, orjson.JSONEncodeError):
                pass  # nested deeper than orjson writes (255 levels): the standard library can
        encoder = _ENCODERS.get(self)
        if encoder is None:  # one per style: json.dumps would build one per row
            # No cycle check: a parsed row cannot hold a cycle, and the check costs ~15%.
            encoder = _ENCODERS[self] = json.JSONEncoder(ensure_ascii=self.ensure_ascii, check_circular=False,
                                                         separators=(self.item_separator, self.key_separator))
        return encoder.encode(value)  # RecursionError past ~1000 levels


COMPACT = JsonStyle()
_ENCODERS: dict[JsonStyle, json.JSONEncoder] = {}


def detect_style(raw: bytes) -> JsonStyle:
    """The separators and escaping a line was written with (Python's json or orjson's)."""
    item = key = None
    for match in _TOKEN.finditer(raw, 0, min(len(raw), 65536)):
        token = match.group()
        if token[:1] == b":" and key is None:
            key = ": " if token == b": " else ":"
        elif token[:1] == b"," and item is None:
            item = ", " if token == b", " else ","
        if item is not None and key is not None:
            break
    ascii_only = raw.isascii() and b"\\u" in raw
    return JsonStyle(item or ("," if key != ": " else ", "), key or ":", ascii_only)


def dumps_like(value: Any, raw: bytes) -> str | None:
    """The value in the line's style; None when it is nested too deeply to write."""
    try:
        return detect_style(raw).dumps(value)
    except RecursionError:
        return None
