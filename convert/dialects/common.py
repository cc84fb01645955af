"""What the dialect converters share: reading an OpenAI row's turns with each result tied
to its call, and writing arguments the way OpenAI rows hold them."""

from __future__ import annotations

import json
from typing import Any

from ...lint.jsonstyle import JsonStyle
from ...lint.pointer import join_pointer
import orjson

from ...lint.source import FloatLiteral, needs_exact_reading
from .model import Unconvertible

ARGUMENTS_STYLE = JsonStyle(", ", ": ", False)  # `json.dumps`' style, which OpenAI's examples use


def dump_arguments(value: Any) -> str:
    """Arguments held as an object, as the JSON string OpenAI rows hold (numbers as written)."""
    try:
        orjson.dumps(value)  # fast, and refuses a `FloatLiteral` (a float subclass): then look for one
        literals = False
    except (TypeError, orjson.JSONEncodeError):
        literals = _has_literal(value)
    return ARGUMENTS_STYLE.dumps(value, literals=literals)


def _has_literal(value: Any) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, FloatLiteral):
            return True
        if type(item) is dict:
            stack.extend(item.values())
        elif type(item) is list:
            stack.extend(item)
    return False


def parse_arguments(text: str, *where: object) -> dict:
    """An OpenAI call's argument string as the object the target holds (numbers as written);
    `where`: the pointer's tokens, joined only for a problem."""
    pointer = None
    value = None
    raw = text.encode("utf-8", errors="surrogatepass")
    if not needs_exact_reading(raw):
        try:
            value = orjson.loads(raw)
        except orjson.JSONDecodeError:  # escapes orjson refuses (a lone surrogate) may still be JSON
            pass
    if value is None:
        try:
            value = json.loads(text, parse_float=FloatLiteral)
        except (ValueError, RecursionError):
            pointer = join_pointer(*where)
    if pointer is not None:
        raise Unconvertible(pointer, "the call's `arguments` are not valid JSON, so they cannot be written as an object")
    pointer = join_pointer(*where) if type(value) is not dict else ""
    if type(value) is str:
        raise Unconvertible(pointer, "the call's `arguments` are a JSON string holding JSON (encoded twice), not an object")
    if type(value) is not dict:
        raise Unconvertible(pointer, "the call's `arguments` are not a JSON object")
    return value


def messages_of(row: Any, key: str = "messages") -> list:
    if type(row) is not dict:
        raise Unconvertible("", "the row is not a JSON object")
    messages = row.get(key)
    if type(messages) is not list or not messages:
        raise Unconvertible(join_pointer(key), f"the row has no `{key}` array to convert")
    for i, message in enumerate(messages):
        if type(message) is not dict:
            raise Unconvertible(join_pointer(key, i), "a turn that is not an object")
    return messages


class Turns:
    """An OpenAI row's turns with each call's function name and each result's call found:
    `name_of[i]` is the function a `tool` turn `i` answers."""

    def __init__(self, row: dict) -> None:
        self.messages = messages_of(row)
        self.name_of: dict[int, str] = {}
        self.calls_of: dict[int, list[dict]] = {}
        pending: dict[Any, str] = {}
        for i, message in enumerate(self.messages):
            role = message.get("role")
            if "function_call" in message or role == "function":
                raise Unconvertible(join_pointer("messages", i), "the turn is in the legacy function format; "
                                    "convert the file with `--to openai` first")
            if role == "assistant" and "tool_calls" in message:
                calls = message["tool_calls"]
                if type(calls) is not list:
                    raise Unconvertible(join_pointer("messages", i, "tool_calls"), "`tool_calls` is not an array")
                for j, call in enumerate(calls):
                    at = f"/messages/{i}/tool_calls/{j}"
                    function = call.get("function") if type(call) is dict else None
                    if type(function) is not dict or type(function.get("name")) is not str:
                        raise Unconvertible(at, "a tool call without a function name")
                    if type(function.get("arguments")) is not str:
                        raise Unconvertible(at + "/function/arguments", "the call's `arguments` are not a JSON string "
                                            "(read the file as another dialect with --from)")
                    ident = call.get("id")
                    if type(ident) in (dict, list):
                        raise Unconvertible(at + "/id", "the call's id is not a string")
                    pending[ident] = function["name"]
                self.calls_of[i] = calls
            elif role == "tool":
                ident = message.get("tool_call_id")
                if type(ident) in (dict, list) or ident not in pending:
                    raise Unconvertible(join_pointer("messages", i), "the tool result answers no earlier call")
                self.name_of[i] = pending[ident]


_DUMPED: dict[bytes, str] = {}  # a `tools` array's canonical bytes -> its text (rows repeat the same few)


def dump_repeated(value: Any) -> str:
    """`dump_arguments` for a value many rows repeat (a `tools` array), remembered by its bytes."""
    try:
        key = orjson.dumps(value)
    except (TypeError, orjson.JSONEncodeError):
        return dump_arguments(value)
    text = _DUMPED.get(key)
    if text is None:
        if len(_DUMPED) >= 256:
            _DUMPED.clear()
        text = _DUMPED[key] = dump_arguments(value)
    return text
