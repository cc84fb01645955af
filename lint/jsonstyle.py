"""Write a rewritten row in the JSON style of the line it replaces.

Rows keep their key order (dicts preserve it), and a rewritten row uses the separators
and ASCII escaping its original line used, so a fix's diff shows only what it changed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import orjson

from .source import Row, canonical_dump, needs_exact_reading, repeated_key

# The first separator of each kind outside strings, in one C-speed match from the line's
# start: strings are skipped whole, and the possessive loops never backtrack (so a line
# with no comma at all fails at once, however long).
_STRING = rb'"[^"\\]*+(?:\\.[^"\\]*+)*+"'
_FIRST_ITEM = re.compile(rb"(?:" + _STRING + rb'|[^",]++)*+(,\s?)', re.S)
_FIRST_KEY = re.compile(rb"(?:" + _STRING + rb'|[^":]++)*+(:\s?)', re.S)
STYLE_SCAN = 65536  # bytes looked at: the separators of a row show in its first few keys


@dataclass(frozen=True, slots=True)
class JsonStyle:
    item_separator: str = ","
    key_separator: str = ":"
    ensure_ascii: bool = False

    def dumps(self, value: Any, literals: bool = False) -> str:
        """`value` in this style; with `literals`, its `FloatLiteral`s as the row wrote them
        (the standard library's Python encoder, several times slower: only for such rows)."""
        if literals:
            return "".join(_literal_encoder(self)(value, 0))
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


def _literal_encoder(style: JsonStyle):
    """The standard library's Python encoder with a float writer that gives a number kept as
    written its own text (the C encoder prints every float through `float.__repr__`)."""

    def floatstr(number: float) -> str:
        literal = getattr(number, "literal", None)
        return literal if literal is not None else float.__repr__(number)

    string = json.encoder.encode_basestring_ascii if style.ensure_ascii else json.encoder.encode_basestring
    return json.encoder._make_iterencode(None, _refuse, string, None, floatstr, style.key_separator,
                                        style.item_separator, False, False, True)


def _refuse(value: Any) -> Any:
    raise TypeError(f"{type(value).__name__} is not JSON")


def detect_style(raw: bytes) -> JsonStyle:
    """The separators and escaping a line was written with (Python's json or orjson's)."""
    end = min(len(raw), STYLE_SCAN)
    found_item, found_key = _FIRST_ITEM.match(raw, 0, end), _FIRST_KEY.match(raw, 0, end)
    key = (": " if found_key.group(1) == b": " else ":") if found_key else ":"
    item = (", " if found_item.group(1) == b", " else ",") if found_item else ("," if key != ": " else ", ")
    ascii_only = raw.isascii() and b"\\u" in raw
    style = _STYLES.get((item, key, ascii_only))
    if style is None:  # a handful of styles exist: one object each, not one per row
        style = _STYLES[(item, key, ascii_only)] = JsonStyle(item, key, ascii_only)
    return style


_STYLES: dict[tuple[str, str, bool], JsonStyle] = {}


# --- the spacing of JSON held in a string (a call's `arguments`) ---------------------------

DUMPS_SEPARATORS = (", ", ": ")  # json.dumps's (item, key), and OpenAI's examples'


def _outside_strings(text: str) -> Iterator[int]:
    """The indexes of the characters of JSON `text` that are not inside a string."""
    inside = escaped = False
    for i, c in enumerate(text):
        if inside:
            if escaped:
                escaped = False
            elif c == "\\":
                escaped = True
            elif c == '"':
                inside = False
        elif c == '"':
            inside = True
        else:
            yield i


def separators_of(text: str) -> tuple[str | None, str | None]:
    """(item separator, key separator) of JSON `text`, as the first `,` and `:` outside
    strings show them (None for one that does not occur)."""
    item = key = None
    for i in _outside_strings(text):
        c = text[i]
        if c in ",:" and (item if c == "," else key) is None:
            sep = c + (" " if text[i + 1:i + 2] == " " else "")
            if c == ",":
                item = sep
            else:
                key = sep
            if item and key:
                break
    return item, key


def respaced(text: str, item: str, key: str) -> str:
    """JSON `text` with the space between its tokens replaced: `item` after each `,`, `key`
    after each `:`, none elsewhere. Strings, numbers and key order stay as written."""
    out: list[str] = []
    last = 0
    for i in _outside_strings(text):
        out.append(text[last:i])  # a string just closed (or nothing)
        c = text[i]
        last = i + 1
        if c in " \t\r\n":
            continue
        out.append(item if c == "," else key if c == ":" else c)
    out.append(text[last:])
    return "".join(out)


def completed(item: str | None, key: str | None) -> tuple[str, str] | None:
    """(item, key) separators with the one that text did not show taken from the other
    (`,` goes with `:`, `, ` with `: `); None when it showed neither."""
    if item is None and key is None:
        return None
    if item is None:
        item = "," if key == ":" else ", "
    if key is None:
        key = ":" if item == "," else ": "
    return item, key


def write_back(row: Row, value: Any) -> tuple[str | None, str]:
    """(the value written in the row's line style, "") for a fix that replaces the row, or
    (None, why it cannot be written back). Every fix that rewrites a row from a parsed
    value comes here, so none of them drops the values of a repeated key."""
    why = refusal(row)
    return (None, why) if why else _written(row, value)


def deferred_write_back(row: Row, value: Any) -> tuple[Callable[[], str] | None, str]:
    """As `write_back`, but the writing is left to the function returned (a fix's `build`):
    whether the row can be written back is known now, the text only when a fix is applied
    or shown."""
    why = refusal(row)
    if why:
        return None, why
    if canonical_dump(row) is None:
        # Deeper than orjson writes (or an integer past 64 bits): the standard encoder may
        # give up on it as well, so it is written now to know.
        text, why = _written(row, value)
        return (None, why) if text is None else ((lambda: text), "")
    # At most 255 levels deep: the standard encoder writes it.
    return (lambda: detect_style(row.raw).dumps(value, literals=needs_exact_reading(row.raw))), ""


def refusal(row: Row) -> str:
    """Why a row must not be written back from its parsed value ("": it may be)."""
    key = repeated_key(row)
    if key is not None:
        return f"the row repeats the key `{key}`, and writing it back would keep only the last value"
    return ""


def _written(row: Row, value: Any) -> tuple[str | None, str]:
    try:
        return detect_style(row.raw).dumps(value, literals=needs_exact_reading(row.raw)), ""
    except RecursionError:
        return None, "the row is nested too deeply to rewrite"
