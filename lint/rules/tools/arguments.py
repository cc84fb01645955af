"""A call's `arguments`, parsed once per row for the rules that read them."""

from __future__ import annotations

from typing import Any

import orjson

from ...survey import Call
from ...source import Row

# Outcome of reading a call's arguments: (status, parsed value).
OK, NOT_STRING, NOT_JSON, NOT_OBJECT, DOUBLE = "ok", "not-string", "not-json", "not-object", "double"


def parsed_arguments(row: Row, call: Call) -> tuple[str, Any]:
    analysis = row.analysis
    parsed = analysis.arguments
    if parsed is None:
        parsed = analysis.arguments = {}
    key = (call.message, call.index)
    found = parsed.get(key)
    if found is None:
        found = parsed[key] = _parse_arguments(call.arguments)
    return found


def _parse_arguments(arguments: Any) -> tuple[str, Any]:
    if type(arguments) is not str:
        return NOT_STRING, arguments
    try:
        value = orjson.loads(arguments)
    except orjson.JSONDecodeError as exc:
        return NOT_JSON, exc.msg
    if type(value) is dict:
        return OK, value
    if type(value) is str:
        try:
            inner = orjson.loads(value)
        except orjson.JSONDecodeError:
            inner = None
        if type(inner) is dict:
            return DOUBLE, inner
    return NOT_OBJECT, value
