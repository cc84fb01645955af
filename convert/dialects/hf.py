"""The Hugging Face / TRL tool format, both ways.

In it (TRL's docs/source/dataset_formats.md, "Tool Calling"; Axolotl's
docs/dataset-formats/conversation.qmd, "Using tool use"; read 2026-12-01) an assistant
turn's calls carry their arguments as a JSON object and usually no `id`; a `tool` turn
names the function it answers (`name`) and usually has no `tool_call_id`; the row's
`tools` is a list of function tools, or that list as a JSON string.

Reading: each call without an id gets one made from the row's content and the call's
place (the same input, the same ids); a result without `tool_call_id` answers the
earliest unanswered call of its function (or, without a `name`, the earliest unanswered
call), and takes that call's id. A `name` equal to that function's is dropped (the id says
it); any other stays.

Writing (`--to trl`): arguments as objects, each result with its function's `name`, the
calls' ids and the results' `tool_call_id` kept (Axolotl needs them for Mistral's
templates; other templates ignore them), and `tools` written as a JSON string. Why a
string: `datasets` types a column from the rows, so tools whose parameters differ from row
to row break the load ("Unsupported cast from struct to utf8") or come back with keys
filled in as null (TRL PR #5118, Axolotl PR #2909); TRL, Axolotl and LLaMA-Factory all
read `tools` as a JSON string. Arguments are objects, as TRL's templates want them:
`datasets` 4.7 and later load objects whose keys differ from row to row as JSON values
(older versions fill the missing keys with null).
"""

from __future__ import annotations

import json
from typing import Any

from ...lint.pointer import join_pointer
from ...lint.source import FloatLiteral
from .common import Turns, dump_arguments, dump_repeated, messages_of, parse_arguments
from .ids import openai_call_id
from .model import RowResult, Unconvertible


def replace_key(obj: dict, old: str, new: str, value: Any) -> dict:
    """A copy of `obj` with `old` replaced by `new` at the same place."""
    return {(new if k == old else k): (value if k == old else v) for k, v in obj.items()}


def read_tools(tools: Any, pointer: str = "/tools") -> Any:
    """`tools` as a list, parsed when it is a JSON string."""
    if type(tools) is not str:
        return tools
    try:
        parsed = json.loads(tools, parse_float=FloatLiteral)
    except (ValueError, RecursionError):
        raise Unconvertible(pointer, "`tools` is a string that is not JSON")
    if type(parsed) is not list:
        raise Unconvertible(pointer, "`tools` is a JSON string that does not hold a list")
    return parsed


def read(row: Any, seed: bytes, key: str = "messages") -> RowResult:
    """A row in the HF/TRL tool format (turns under `key`) as an OpenAI row."""
    messages = messages_of(row, key)
    changed = False
    made: set = set()
    out: list = []
    pending: list[list] = []  # [function name, id] of calls not yet answered, in order
    for i, message in enumerate(messages):
        role = message.get("role")
        if role == "assistant" and "tool_calls" in message:
            calls = message["tool_calls"]
            if type(calls) is not list:
                raise Unconvertible(join_pointer(key, i, "tool_calls"), "`tool_calls` is not an array")
            new_calls = []
            for j, call in enumerate(calls):
                at = f"/{key}/{i}/tool_calls/{j}" if key == "messages" else join_pointer(key, i, "tool_calls", j)
                function = call.get("function") if type(call) is dict else None
                if type(function) is not dict or type(function.get("name")) is not str:
                    raise Unconvertible(at, "a tool call without a function name")
                new_call, call_changed = _openai_call(call, function, seed, i, j, at)
                changed |= call_changed
                if new_call["id"] is not call.get("id"):
                    made.add(new_call["id"])
                new_calls.append(new_call)
                pending.append([function["name"], new_call["id"]])
            out.append(replace_key(message, "tool_calls", "tool_calls", new_calls))
        elif role == "tool":
            if "tool_call_id" in message:
                ident = message["tool_call_id"]
                answered = next((p for p in pending if p[1] == ident), None)
                if answered is not None:
                    pending.remove(answered)
                    if message.get("name") == answered[0]:  # what the id says already (as `--to trl` writes it)
                        message = {k: v for k, v in message.items() if k != "name"}
                        changed = True
                out.append(message)
                continue
            name = message.get("name")
            match = next((p for p in pending if type(name) is not str or p[0] == name), None)
            if match is None:
                shown = f"`{name}`" if type(name) is str else "an unnamed function"
                raise Unconvertible(join_pointer(key, i), f"the result of {shown} answers no earlier call")
            pending.remove(match)
            changed = True
            if name == match[0]:
                out.append(replace_key(message, "name", "tool_call_id", match[1]))
            else:
                out.append(_insert_after(message, "role", "tool_call_id", match[1]))
        else:
            out.append(message)
    result = replace_key(row, key, "messages", out)
    changed |= key != "messages"
    if "tools" in row and type(row["tools"]) is str:
        result["tools"] = read_tools(row["tools"])
        changed = True
    return RowResult(result, changed=changed, made_ids=made)


def _openai_call(call: dict, function: dict, seed: bytes, i: int, j: int, at: str) -> tuple[dict, bool]:
    changed = False
    arguments = function.get("arguments")
    if type(arguments) is not str:
        if arguments is None:
            raise Unconvertible(at + "/function/arguments", "the call has no `arguments`")
        if type(arguments) is not dict:
            raise Unconvertible(at + "/function/arguments", "the call's `arguments` are neither an object nor a JSON string")
        function = replace_key(function, "arguments", "arguments", dump_arguments(arguments))
        changed = True
    new = dict(call)
    new["function"] = function
    if "type" not in call:
        new = {"type": "function", **new}
        changed = True
    if "id" not in call or call["id"] is None:
        new = {"id": openai_call_id(seed, i, j), **{k: v for k, v in new.items() if k != "id"}}
        changed = True
    return new, changed


def _insert_after(obj: dict, after: str, key: str, value: Any) -> dict:
    out: dict = {}
    for k, v in obj.items():
        out[k] = v
        if k == after:
            out[key] = value
    if key not in out:
        out[key] = value
    return out


def write(row: Any, seed: bytes) -> RowResult:
    """An OpenAI row in the TRL tool format (see the module's docstring)."""
    turns = Turns(row)
    out = []
    for i, message in enumerate(turns.messages):
        if i in turns.calls_of:
            calls = []
            for j, call in enumerate(turns.calls_of[i]):
                function = call["function"]
                arguments = parse_arguments(function["arguments"], "messages", i, "tool_calls", j, "function", "arguments")
                calls.append(replace_key(call, "function", "function", replace_key(function, "arguments", "arguments", arguments)))
            out.append(replace_key(message, "tool_calls", "tool_calls", calls))
        elif i in turns.name_of:
            if "name" in message:
                out.append(message)
            else:
                out.append(_insert_after(message, "role", "name", turns.name_of[i]))
        else:
            out.append(message)
    result = replace_key(row, "messages", "messages", out)
    if type(row.get("tools")) is list:
        result["tools"] = dump_repeated(row["tools"])
    return RowResult(result)
