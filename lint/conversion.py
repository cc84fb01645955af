"""Lossless row conversion between the legacy function format and the `tools` format.

Pure functions on parsed rows. Key order is kept (a replaced key takes the place of
the one it replaces), and everything the conversion does not concern (`weight`, `name`,
`parallel_tool_calls`, `strict`, unknown keys) is carried over untouched. Ids made for
legacy calls are derived from the row's content, so the same input gives the same ids.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any


from .fingerprint import digest
from .jsonstyle import deferred_write_back
from .model import Applicability, Fix
from .pointer import join_pointer
from .source import Row, needs_exact_reading


@dataclass
class Converted:
    value: dict | None  # None: the row cannot be converted (see problems)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (pointer, message)
    changed: bool = True  # False: the row converts to itself (nothing in it to rewrite)


def _replace_key(obj: dict, old: str, new: str, value: Any) -> dict:
    """A copy of `obj` with `old` replaced by `new` at the same position."""
    return {(new if k == old else k): (value if k == old else v) for k, v in obj.items()}


def call_id(row_digest: bytes, message_index: int) -> str:
    """An id from the row's content and the call's place: the same input gives the same id."""
    digest = hashlib.sha256(row_digest + b"#" + str(message_index).encode()).hexdigest()
    return "call_" + digest[:24]


def legacy_row_to_tools(row: dict, row_digest: int | None = None) -> Converted:
    """`functions` -> `tools`, `function_call` -> `tool_calls`, role `function` -> role `tool`.

    The call ids come from `row_digest`, the row's `digest` (worked out here unless given).
    """
    messages = row.get("messages")
    if type(messages) is not list:
        return Converted(None, [("/messages", "row has no `messages` array to convert")])
    functions = row.get("functions")
    if functions is not None and type(functions) is not list:
        return Converted(None, [("/functions", "`functions` is not an array")])
    for n, function in enumerate(functions or ()):
        if type(function) is not dict:
            return Converted(None, [(join_pointer("functions", n), "`functions` holds an entry that is not an object")])
    pending: list[tuple[str, str]] = []  # (function name, id) of calls not yet answered
    changed = functions is not None
    new_messages: list[Any] = []
    seed = (digest(row) if row_digest is None else row_digest).to_bytes(8, "big")
    for i, message in enumerate(messages):
        if type(message) is not dict:
            new_messages.append(message)
            continue
        if message.get("role") == "assistant" and "function_call" in message:
            function_call = message["function_call"]
            at = join_pointer("messages", i, "function_call")
            if type(function_call) is not dict:
                return Converted(None, [(at, "`function_call` is not an object")])
            if type(function_call.get("name")) is not str:
                return Converted(None, [(at, "`function_call` has no name, so no result can answer it")])
            if "tool_calls" in message:
                return Converted(None, [(join_pointer("messages", i, "tool_calls"), "the turn has `tool_calls` as well")])
            changed = True
            ident = call_id(seed, i)
            pending.append((function_call.get("name"), ident))
            tool_call = {"id": ident, "type": "function", "function": function_call}
            new_messages.append(_replace_key(message, "function_call", "tool_calls", [tool_call]))
        elif message.get("role") == "function":
            name = message.get("name")
            match = next((p for p in reversed(pending) if p[0] == name), None)
            if match is None:
                shown = f"`{name}`" if type(name) is str else "an unnamed function"
                return Converted(None, [(join_pointer("messages", i), f"function result for {shown} answers no earlier `function_call`")])
            if "tool_call_id" in message:
                return Converted(None, [(join_pointer("messages", i, "tool_call_id"),
                                         "the function result already has a `tool_call_id`, which its call's id would replace")])
            pending.remove(match)
            changed = True
            converted = {("tool_call_id" if k == "name" else k): (match[1] if k == "name" else v) for k, v in message.items()}
            converted["role"] = "tool"
            new_messages.append(converted)
        else:
            new_messages.append(message)
    result = _replace_key(row, "messages", "messages", new_messages)
    if functions is not None:
        result = _replace_key(result, "functions", "tools", [{"type": "function", "function": f} for f in functions])
    return Converted(result, changed=changed)


def tools_row_to_legacy(row: dict, split_parallel: bool = False) -> Converted:
    """The reverse. A turn with several calls has no legacy form unless `split_parallel`."""
    messages = row.get("messages")
    if type(messages) is not list:
        return Converted(None, [("/messages", "row has no `messages` array to convert")])
    tools = row.get("tools")
    functions = None
    if tools is not None:
        if type(tools) is not list or any(type(t) is not dict or t.get("type") != "function" or type(t.get("function")) is not dict for t in tools):
            return Converted(None, [("/tools", "`tools` holds entries that are not function tools")])
        for n, tool in enumerate(tools):
            extra = _extra_key(tool, TOOL_KEYS)
            if extra:  # the legacy format declares the function alone: no place for it
                return Converted(None, [(join_pointer("tools", n, extra), f"`tools` entry {n} has `{extra}`, which the legacy format has no place for")])
        functions = [t["function"] for t in tools]
    names: dict[Any, Any] = {}  # call id -> function name
    new_messages: list[Any] = []
    index = 0
    while index < len(messages):
        message = messages[index]
        at = join_pointer("messages", index)
        if type(message) is not dict:
            new_messages.append(message)
        elif message.get("role") == "assistant" and "tool_calls" in message:
            tool_calls = message["tool_calls"]
            if type(tool_calls) is not list or any(type(c) is not dict or type(c.get("function")) is not dict for c in tool_calls):
                return Converted(None, [(at + "/tool_calls", "`tool_calls` holds entries that are not function calls")])
            if not tool_calls:
                return Converted(None, [(at + "/tool_calls", "an empty `tool_calls`, which the legacy format has no place for")])
            if "function_call" in message:
                return Converted(None, [(at + "/function_call", "the turn has a `function_call` as well")])
            for j, c in enumerate(tool_calls):
                if type(c.get("id")) in (dict, list):
                    return Converted(None, [(join_pointer("messages", index, "tool_calls", j, "id"), "call id is not a string")])
                extra = _extra_key(c, CALL_KEYS)
                if extra:
                    return Converted(None, [(join_pointer("messages", index, "tool_calls", j, extra),
                                             f"tool call {j} has `{extra}`, which the legacy format has no place for")])
                names[c.get("id")] = c["function"].get("name")
            if len(tool_calls) > 1:
                if not split_parallel:
                    return Converted(None, [(at + "/tool_calls", f"turn makes {len(tool_calls)} parallel calls, which the legacy format cannot express")])
                index, problem = _split_turn(messages, index, message, tool_calls, new_messages)
                if problem is not None:
                    return Converted(None, [problem])
                continue
            new_messages.append(_replace_key(message, "tool_calls", "function_call", tool_calls[0]["function"]))
        elif message.get("role") == "tool":
            ident = message.get("tool_call_id")
            if type(ident) in (dict, list) or ident not in names:
                return Converted(None, [(at, "tool result answers no earlier call")])
            if "name" in message and message["name"] != names[ident]:
                return Converted(None, [(at + "/name", "the tool result has a `name` other than its call's function")])
            new_messages.append(_tool_to_function(message, names[ident]))
        else:
            new_messages.append(message)
        index += 1
    result = _replace_key(row, "messages", "messages", new_messages)
    if functions is not None:
        result = _replace_key(result, "tools", "functions", functions)
    return Converted(result)


TOOL_KEYS = frozenset({"type", "function"})  # a `tools` entry as the legacy format can hold it
CALL_KEYS = frozenset({"id", "type", "function"})  # a tool call likewise (its id is dropped)


def _extra_key(entry: dict, known: frozenset[str]) -> str | None:
    return next((key for key in entry if key not in known), None)


def _tool_to_function(message: dict, name: Any) -> dict:
    converted = {("name" if k == "tool_call_id" else k): (name if k == "tool_call_id" else v) for k, v in message.items()}
    converted["role"] = "function"
    return converted


def _split_turn(messages: list, index: int, message: dict, tool_calls: list,
                out: list) -> tuple[int, tuple[str, str] | None]:
    """Turn one parallel turn and its results into call, result, call, result ...

    Returns the index of the first message after the turn's results, and the problem
    that stops the split (then `out` is not to be used): a result that answers none of
    the turn's calls, or a second result for one call, has no place in the sequence.
    """
    ids = {call.get("id") for call in tool_calls}  # hashable: the caller checked the ids
    results: dict[Any, dict] = {}
    after = index + 1
    while after < len(messages) and type(messages[after]) is dict and messages[after].get("role") == "tool":
        ident = messages[after].get("tool_call_id")
        if type(ident) in (dict, list) or ident not in ids:
            return after, (join_pointer("messages", after), "tool result answers none of the parallel calls before it")
        if ident in results:
            return after, (join_pointer("messages", after), "a second result for the same parallel call")
        results[ident] = messages[after]
        after += 1
    for n, call in enumerate(tool_calls):
        turn = _replace_key(message, "tool_calls", "function_call", call["function"])
        if n > 0 and "content" in turn:
            turn["content"] = None  # the turn's text is said once, before the first call
        out.append(turn)
        result = results.pop(call.get("id"), None)
        if result is not None:
            out.append(_tool_to_function(result, call["function"].get("name")))
    return after, None


# --- preference pairs -------------------------------------------------------------------------

PAIR_CARRIED = ("tools", "parallel_tool_calls")


def pairs_row_to_dpo(row: dict) -> Converted:
    """`chosen` / `rejected` conversations -> a DPO row (shared prefix as `input`)."""
    chosen, rejected = row.get("chosen"), row.get("rejected")
    if type(chosen) is not list or type(rejected) is not list or not chosen or not rejected:
        return Converted(None, [("/chosen", "`chosen` and `rejected` must be non-empty message arrays")])
    if chosen[:-1] != rejected[:-1]:
        at = next((i for i, (a, b) in enumerate(zip(chosen, rejected)) if a != b), min(len(chosen), len(rejected)) - 1)
        return Converted(None, [(join_pointer("rejected", at), f"the conversations differ at message {at}, before their last turns")])
    for side, messages in (("chosen", chosen), ("rejected", rejected)):
        if type(messages[-1]) is not dict or messages[-1].get("role") != "assistant":
            return Converted(None, [(join_pointer(side, len(messages) - 1), f"the last message of `{side}` is not an assistant turn")])
    given: dict = {"messages": chosen[:-1]}
    given.update({k: row[k] for k in PAIR_CARRIED if k in row})
    result: dict = {}
    for key, value in row.items():  # keep the row's own order and any other keys
        if key == "chosen":
            result["input"] = given
            result["preferred_output"] = [chosen[-1]]
        elif key == "rejected":
            result["non_preferred_output"] = [rejected[-1]]
        elif key not in PAIR_CARRIED:
            result[key] = value
    return Converted(result)


def dpo_row_to_pairs(row: dict) -> Converted:
    """The reverse: each side becomes the full conversation."""
    given = row.get("input")
    if type(given) is not dict or type(given.get("messages")) is not list:
        return Converted(None, [("/input", "`input` needs a `messages` array")])
    result: dict = {}
    for key, value in row.items():
        if key == "input":
            result["chosen"] = given["messages"] + list(row.get("preferred_output") or [])
            result["rejected"] = given["messages"] + list(row.get("non_preferred_output") or [])
            result.update({k: given[k] for k in PAIR_CARRIED if k in given})
        elif key not in ("preferred_output", "non_preferred_output"):
            result[key] = value
    return Converted(result)


def conversion_fix(row: Row, converted: Converted, title: str, unsafe: bool = False) -> tuple[Fix | None, str]:
    """(the fix that writes a converted row in its line's JSON style, "") or (None, why not).

    The row is written only when the fix is applied or shown (see `Fix`)."""
    if converted.value is None:
        return None, converted.problems[0][1]
    if not converted.changed:
        return None, "nothing in it is a call, a result or a declaration the conversion rewrites"
    write, why = deferred_write_back(row, converted.value)
    if write is None:
        return None, why
    # The written text parses back to exactly this value, so the fix loop need not parse it
    # again; unless it holds numbers kept as written, which the checks should see as floats.
    values = None if needs_exact_reading(row.raw) else (converted.value,)
    return Fix(title, Applicability.UNSAFE if unsafe else Applicability.SAFE,
               build=lambda: ((write(),), values)), ""
