"""Lossless row conversion between the legacy function format and the `tools` format.

Pure functions on parsed rows. Key order is kept (a replaced key takes the place of
the one it replaces), and everything the conversion does not concern (`weight`, `name`,
`parallel_tool_calls`, `strict`, unknown keys) is carried over untouched. Ids made for
legacy calls are derived from the row's content, so the same input gives the same ids.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
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

PAIR_CARRIED = ("tools", "parallel_tool_calls")  # declared beside a pair's messages: they go into `input`
PAIR_SIDE_KEYS = frozenset({"messages", *PAIR_CARRIED})  # a side written as a conversation object
DPO_KEYS = ("input", "preferred_output", "non_preferred_output")
Problem = tuple[str, str]  # (pointer, message)


@dataclass
class _Pair:
    """A pair's two sides as whole conversations, whatever the layout it was written in."""
    chosen: list
    rejected: list
    carried: dict  # `tools` and `parallel_tool_calls`, for `input`
    where: Callable[[str, int], tuple[str, int]]  # (side, message) -> (its pointer in the row, its index there)
    sides: str = "the conversations"  # what the row's `chosen` and `rejected` hold, for the reports


def pairs_row_to_dpo(row: dict) -> Converted:
    """A chosen/rejected pair (any layout `_read_pair` reads) -> a DPO row: the shared
    beginning of the two conversations becomes `input`, their last turns the outputs."""
    pair = _read_pair(row)
    if not isinstance(pair, _Pair):
        return Converted(None, [pair])
    chosen, rejected = pair.chosen, pair.rejected
    if chosen[:-1] != rejected[:-1]:
        at = next((i for i, (a, b) in enumerate(zip(chosen, rejected)) if a != b), min(len(chosen), len(rejected)) - 1)
        pointer, index = pair.where("rejected", at)
        return Converted(None, [(pointer, f"{pair.sides} differ at message {index}, before their last turns")])
    for side, messages in (("chosen", chosen), ("rejected", rejected)):
        if messages[-1].get("role") != "assistant":
            pointer = pair.where(side, len(messages) - 1)[0]
            return Converted(None, [(pointer, f"the last message of `{side}` is not an assistant turn")])
    if len(chosen) == 1:
        return Converted(None, [("/chosen", "nothing comes before the answers, and a DPO row needs the prompt they answer")])
    given: dict = {"messages": chosen[:-1], **pair.carried}
    result: dict = {}
    for key, value in row.items():  # keep the row's own order and any other keys
        if key in ("prompt", "chosen") and "input" not in result:
            result["input"] = given
        if key == "chosen":
            result["preferred_output"] = [chosen[-1]]
        elif key == "rejected":
            result["non_preferred_output"] = [rejected[-1]]
        elif key not in PAIR_CARRIED and key != "prompt":
            result[key] = value
    return Converted(result)


def _read_pair(row: dict) -> _Pair | Problem:
    """Both sides of a pair as whole conversations, from TRL's layouts (implicit prompt:
    two conversations; explicit: `prompt` and the answers) or Fireworks' (each side an
    object with `messages`); or the problem that stops it."""
    for key in DPO_KEYS:
        if key in row:
            return join_pointer(key), f"the row already has `{key}`, which the conversion writes"
    carried = {key: row[key] for key in PAIR_CARRIED if key in row}
    chosen, rejected = row.get("chosen"), row.get("rejected")
    if type(chosen) is dict or type(rejected) is dict:
        return _pair_under_messages(row, carried)
    if "prompt" in row:
        return _pair_with_prompt(row, carried)
    if type(chosen) is str and type(rejected) is str:
        return "/chosen", "`chosen` and `rejected` are texts without a `prompt`, so where the prompt ends in them is not known"
    problem = _messages_problem(chosen, "chosen") or _messages_problem(rejected, "rejected")
    if problem is not None:
        return problem
    return _Pair(chosen, rejected, carried, lambda side, i: (join_pointer(side, i), i))


def _pair_with_prompt(row: dict, carried: dict) -> _Pair | Problem:
    """TRL's explicit prompt: `prompt`, then each side's answer. Each is a message array
    (conversational) or a text (standard): a text prompt is one user turn, a text answer
    one assistant turn."""
    texts = {key: type(row.get(key)) is str for key in ("prompt", "chosen", "rejected")}
    parts: dict[str, list] = {}
    for key, role in (("prompt", "user"), ("chosen", "assistant"), ("rejected", "assistant")):
        if texts[key]:
            parts[key] = [{"role": role, "content": row[key]}]
            continue
        problem = _messages_problem(row.get(key), key)
        if problem is not None:
            return problem
        parts[key] = row[key]
    prompt = parts["prompt"]

    def at(side: str, i: int) -> str:
        return join_pointer(side) if texts[side] else join_pointer(side, i)

    if all(parts[side][:len(prompt)] == prompt for side in ("chosen", "rejected")):
        # Both sides repeat the prompt (whole conversations, as UltraFeedback writes them): a copy.
        return _Pair(parts["chosen"], parts["rejected"], carried, lambda side, i: (at(side, i), i))
    for side in ("chosen", "rejected"):
        if parts[side][0].get("role") != "assistant":  # a prompt repeated with a difference, say
            return at(side, 0), f"`{side}` does not start with an assistant turn, so it is no answer to the `prompt`"

    def where(side: str, i: int) -> tuple[str, int]:
        if i < len(prompt):
            return at("prompt", i), i
        return at(side, i - len(prompt)), i - len(prompt)

    return _Pair(prompt + parts["chosen"], prompt + parts["rejected"], carried, where, "the answers")


def _pair_under_messages(row: dict, carried: dict) -> _Pair | Problem:
    """Fireworks' layout: each side a conversation object, `{"messages": [...], "tools":
    [...]}`. What the two declare beside their messages must agree: it goes into `input`."""
    if "prompt" in row:
        return "/prompt", "a `prompt` beside conversations under `messages`: which of them holds the prompt is not known"
    sides: dict[str, dict] = {}
    for side in ("chosen", "rejected"):
        value = row.get(side)
        if type(value) is not dict:
            return join_pointer(side), f"`{side}` must be an object with `messages`, as the other side is"
        extra = _extra_key(value, PAIR_SIDE_KEYS)
        if extra:
            return join_pointer(side, extra), f"`{side}` has `{extra}`, which a DPO row has no place for"
        problem = _messages_problem(value.get("messages"), side, "messages")
        if problem is not None:
            return problem
        sides[side] = value
    chosen, rejected = sides["chosen"], sides["rejected"]
    carried = dict(carried)
    for key in PAIR_CARRIED:
        if (key in chosen, chosen.get(key)) != (key in rejected, rejected.get(key)):
            pointer = join_pointer("rejected" if key in rejected else "chosen", key)
            return pointer, f"`chosen` and `rejected` declare different `{key}`"
        if key in chosen and key in carried and carried[key] != chosen[key]:
            return join_pointer(key), f"the row's `{key}` differs from the one its conversations declare"
        if key in chosen:
            carried[key] = chosen[key]
    return _Pair(chosen["messages"], rejected["messages"], {k: carried[k] for k in PAIR_CARRIED if k in carried},
                 lambda side, i: (join_pointer(side, "messages", i), i))


def _messages_problem(value: Any, *path: str) -> Problem | None:
    """Why `value`, at `path` in the row, is not a non-empty array of messages (None: it is)."""
    name = ".".join(path)
    if type(value) is not list or not value:
        return join_pointer(*path), f"`{name}` must be a non-empty message array"
    bad = next((i for i, message in enumerate(value) if type(message) is not dict), None)
    if bad is not None:
        return join_pointer(*path, bad), f"`{name}` holds an entry that is not a message object"
    return None


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
