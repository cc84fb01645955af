from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

import json

import orjson

from ...file_style import FileStyle
from ...jsonstyle import DUMPS_SEPARATORS, completed, detect_style, respaced, separators_of
from ...model import ERROR, SOMETIMES, Applicability, Finding, Fix
from ...pointer import locate
from ...registry import row_rule
from ...source import Row
from ...survey import Call, calls
from ...toolset import json_type
from .arguments import DOUBLE, NOT_JSON, NOT_OBJECT, NOT_STRING, OK, parsed_arguments
from .calls import shown_function


@row_rule("TLT005", "invalid-arguments-json", ERROR, SOMETIMES, context=("file-style",))
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
    strings are (`{"a": 1, "b": 2}` or `{"a":1,"b":2}`); in a row with no other, as the
    file's arguments strings are (the majority of the first 32 in its first 1,000 rows);
    in a file with none, as `json.dumps` writes them (`": "` and `", "`, the style of
    OpenAI's examples). Or it unwraps arguments encoded twice. The rest of the row is left
    byte for byte.
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
                              fix=_as_string(row, call, options.get("file-style")))
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


def _as_string(row: Row, call: Call, file_style: FileStyle | None) -> Fix | None:
    """The arguments object written as a JSON string of its own text: its keys and numbers
    exactly as the row has them, spaced as the row's other arguments strings, else as the
    file's. Only that span of the row changes."""

    def inner(written: str) -> str:  # the spacing is worked out only when the fix is written
        item, key = _separators(row, file_style)
        return respaced(written, item, key)

    return _replace_arguments(row, call, inner, "Encode the arguments object as a JSON string")


def _separators(row: Row, file_style: FileStyle | None) -> tuple[str, str]:
    """The spacing of the nearest arguments strings that show one: the row's (the first
    that shows each separator), else the file's (see `FileStyle`), else json.dumps's.
    A separator the row's strings do not show goes with the one they do (`,` with `:`),
    so a row keeps one style."""
    item = key = None
    for other in calls(row):
        if type(other.arguments) is str and parsed_arguments(row, other)[0] == OK:
            found_item, found_key = separators_of(other.arguments)
            item = item or found_item
            key = key or found_key
            if item and key:
                break
    own = completed(item, key)
    if own is not None:
        return own
    in_file = file_style.arguments if file_style is not None else None
    return in_file or DUMPS_SEPARATORS


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
