from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

import json

import orjson

from ...jsonstyle import detect_style
from ...model import ERROR, SOMETIMES, Applicability, Finding, Fix
from ...pointer import locate
from ...registry import row_rule
from ...source import Row
from ...survey import Call, calls
from ...toolset import json_type
from .arguments import DOUBLE, NOT_JSON, NOT_OBJECT, NOT_STRING, OK, parsed_arguments
from .calls import shown_function


@row_rule("TLT005", "invalid-arguments-json", ERROR, SOMETIMES)
def invalid_arguments_json(row: Row, options: Mapping[str, Any]) -> Iterator[Finding]:
    """A call's `arguments` are not a JSON object encoded as a string.

    `arguments` must be a string holding a JSON object: not an object itself, not text
    that fails to parse, not an array or number, and not JSON encoded twice.

    ## Why is this bad?
    The model learns to emit exactly these bytes. Arguments that do not parse teach it to
    write calls your code cannot read; arguments encoded twice teach it to escape quotes.

    ## Example
    ```json
    {"function": {"name": "get_weather", "arguments": {"city": "Oslo"}}}
    {"function": {"name": "get_weather", "arguments": "\\"{\\\\\\"city\\\\\\": \\\\\\"Oslo\\\\\\"}\\""}}
    ```

    ## Use instead
    ```json
    {"function": {"name": "get_weather", "arguments": "{\\"city\\": \\"Oslo\\"}"}}
    ```

    The fix (safe) writes an object given as `arguments` as a JSON string of its own text
    (keys, key order and numbers as the row has them), spaced as the row's other arguments
    strings are (`{"a": 1, "b": 2}` or `{"a":1,"b":2}`), or, in a row with no other, as
    `json.dumps` writes them (`": "` and `", "`, the style of OpenAI's examples); or it
    unwraps arguments encoded twice. The rest of the row is left byte for byte.
    """
    for call in calls(row):
        if call.name is None and call.arguments is None:
            continue  # malformed-tool-call reports it
        status, value = parsed_arguments(row, call)
        if status == OK:
            continue
        at = call.function_pointer + "/arguments"
        name = shown_function(call)
        if status == NOT_STRING:
            if call.arguments is None and "arguments" not in _function_obj(row, call):
                yield Finding(call.function_pointer, f"call to {name} has no `arguments`")
            elif type(value) is dict:
                yield Finding(at, f"arguments of {name} must be a JSON string, not an object",
                              fix=_as_string(row, call))
            else:
                yield Finding(at, f"arguments of {name} must be a JSON string, not {json_type(value)}")
        elif status == NOT_JSON:
            yield Finding(at, f"arguments of {name} are not valid JSON: {value}")
        elif status == NOT_OBJECT:
            yield Finding(at, f"arguments of {name} must encode a JSON object, not {json_type(value)}")
        elif status == DOUBLE:
            yield Finding(at, f"arguments of {name} are JSON encoded twice",
                          fix=_decoded_once(row, call))


def _function_obj(row: Row, call: Call) -> dict:
    message = row.obj["messages"][call.message]
    if call.index is None:
        return message["function_call"]
    return message["tool_calls"][call.index].get("function") or {}


def _as_string(row: Row, call: Call) -> Fix | None:
    """The arguments object written as a JSON string of its own text: its keys and numbers
    exactly as the row has them, spaced as the row's other arguments strings. Only that
    span of the row changes."""
    item, key = _arguments_separators(row)
    return _replace_arguments(row, call, lambda written: respaced(written, item, key),
                              "Encode the arguments object as a JSON string")


DUMPS_SEPARATORS = (", ", ": ")  # json.dumps's, and OpenAI's examples'


def _arguments_separators(row: Row) -> tuple[str, str]:
    """The separators of the row's well-formed arguments strings (the first that shows
    each), else json.dumps's."""
    item = key = None
    for call in calls(row):
        if type(call.arguments) is str and parsed_arguments(row, call)[0] == OK:
            found_item, found_key = separators_of(call.arguments)
            item = item or found_item
            key = key or found_key
            if item and key:
                break
    return item or DUMPS_SEPARATORS[0], key or DUMPS_SEPARATORS[1]


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


def _decoded_once(row: Row, call: Call) -> Fix | None:
    """Arguments encoded twice, encoded once: the string they hold, as a JSON string."""
    return _replace_arguments(row, call, lambda written: orjson.loads(orjson.loads(written)),
                              "Decode the doubly encoded arguments")


def _replace_arguments(row: Row, call: Call, inner: Callable[[str], str], title: str) -> Fix | None:
    """The row with the span of the call's arguments replaced by a JSON string of
    `inner(the span's text)`, escaped as the row escapes (ASCII or not). None when the
    span cannot be found (the pointer scanner gives up on the row)."""
    text = row.text
    span = locate(text, call.function_pointer + "/arguments")
    if span is None:
        return None
    start, end = span

    def written() -> tuple[tuple[str, ...], None]:  # only when applied or shown: a report keeps the title
        encoded = json.dumps(inner(text[start:end]), ensure_ascii=detect_style(row.raw).ensure_ascii)
        return (text[:start] + encoded + text[end:],), None

    return Fix(title, Applicability.SAFE, build=written)
