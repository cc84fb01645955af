"""Lossless row conversion between the legacy function format and the `tools` format.

Pure functions on parsed rows. Key order is kept (a replaced key takes the place of
the one it replaces), and everything the conversion does not concern (`weight`, `name`,
`parallel_tool_calls`, `strict`, unknown keys) is carried over untouched. Ids made for
legacy calls are derived from the row's content, so the same input gives the same ids.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


from .fingerprint import digest
from .jsonstyle import JsonStyle, deferred_write_back, detect_style, refusal, write_back
from .model import Applicability, Fix
from .pointer import join_pointer
from .source import Row, canonical_dump, exact_obj, needs_exact_reading
from .pointer import _skip_value
from .text_edits import Edit, apply_edits, elements, member, members, row_start


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


@dataclass
class LegacyPlan:
    """What converting a legacy row to the `tools` format changes: its declarations, and
    the call (and result) turns by index with the id each gets."""

    functions: list | None
    calls: dict[int, str]
    results: dict[int, str]
    changed: bool
    functions_last: bool = False  # `functions` is the row's last key


def _legacy_plan(row: dict, row_digest: int | None) -> LegacyPlan | Converted:
    """The plan, or a `Converted` saying why the row cannot be converted."""
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
    calls: dict[int, str] = {}
    results: dict[int, str] = {}
    seed = (digest(row) if row_digest is None else row_digest).to_bytes(8, "big")
    for i, message in enumerate(messages):
        if type(message) is not dict:
            continue
        if message.get("role") == "assistant" and "function_call" in message:
            function_call = message["function_call"]
            if type(function_call) is not dict:
                return Converted(None, [(join_pointer("messages", i, "function_call"), "`function_call` is not an object")])
            if type(function_call.get("name")) is not str:
                return Converted(None, [(join_pointer("messages", i, "function_call"),
                                         "`function_call` has no name, so no result can answer it")])
            if "tool_calls" in message:
                return Converted(None, [(join_pointer("messages", i, "tool_calls"), "the turn has `tool_calls` as well")])
            calls[i] = ident = call_id(seed, i)
            pending.append((function_call.get("name"), ident))
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
            results[i] = match[1]
    return LegacyPlan(functions, calls, results, functions is not None or bool(calls) or bool(results),
                      functions is not None and next(reversed(row)) == "functions")


def legacy_row_to_tools(row: dict, row_digest: int | None = None) -> Converted:
    """`functions` -> `tools`, `function_call` -> `tool_calls`, role `function` -> role `tool`.

    The call ids come from `row_digest`, the row's `digest` (worked out here unless given).
    """
    plan = _legacy_plan(row, row_digest)
    if isinstance(plan, Converted):
        return plan
    new_messages: list[Any] = []
    for i, message in enumerate(row["messages"]):
        if i in plan.calls:
            tool_call = {"id": plan.calls[i], "type": "function", "function": message["function_call"]}
            new_messages.append(_replace_key(message, "function_call", "tool_calls", [tool_call]))
        elif i in plan.results:
            converted = {("tool_call_id" if k == "name" else k): (plan.results[i] if k == "name" else v) for k, v in message.items()}
            converted["role"] = "tool"
            new_messages.append(converted)
        else:
            new_messages.append(message)
    result = _replace_key(row, "messages", "messages", new_messages)
    if plan.functions is not None:
        result = _replace_key(result, "functions", "tools", [{"type": "function", "function": f} for f in plan.functions])
    return Converted(result, changed=plan.changed)


_WS = "[ \t\r\n]*"
_FUNCTIONS_KEY = re.compile(f'"functions"{_WS}:{_WS}')
_CALL_KEY = re.compile(f'"function_call"{_WS}:{_WS}')
# A call's value as it usually is: an object of strings only, matched without building it.
_ROLE_THEN_NAME = re.compile(f'"role"{_WS}:{_WS}("function"){_WS},{_WS}("name"){_WS}:{_WS}')


def legacy_row_edits(text: str, plan: LegacyPlan, style: JsonStyle, canonical: bytes | None = None) -> list[Edit]:
    """The conversion as edits of the row's text: keys renamed, the call's and each
    declaration's wrapper written around them, results' `name` turned into the id. What
    the edits leave alone stays as written (numbers, escapes, spacing, key order).

    The places are found by their spelling first, at C speed: in JSON that parsed, a
    quote inside a string is escaped, so `"function_call":` can only be a key. When a
    spelling occurs in the text exactly as often as the plan has places for it, and the
    row's `canonical` dump (orjson's, every key written plainly) has that many such keys
    anywhere in the row, the matches are those places, in order. Otherwise (a key spelled
    with an escape, a nested object with the same key, a result whose `name` does not
    follow its `role`) the row's members are walked to find them."""
    k, sep = style.key_separator, style.item_separator
    fast = _spelled_places(text, plan, canonical) if canonical is not None else None
    if fast is None:
        return _walked_edits(text, plan, k, sep)
    functions_key, calls, results = fast
    edits: list[Edit] = []
    if functions_key is not None:
        edits.extend(_declaration_edits(text, functions_key, k, sep, last=plan.functions_last))
    for (key_start, value_start), ident in zip(calls, plan.calls.values()):
        value_end = _skip_value(text, value_start)
        edits += ((key_start, key_start + len('"function_call"'), '"tool_calls"'),
                  (value_start, value_start, f'[{{"id"{k}"{ident}"{sep}"type"{k}"function"{sep}"function"{k}'),
                  (value_end, value_end, "}]"))
    for match, ident in zip(results, plan.results.values()):
        name_value = match.end()
        edits += ((match.start(1), match.end(1), '"tool"'),
                  (match.start(2), match.end(2), '"tool_call_id"'),
                  (name_value, _skip_value(text, name_value), f'"{ident}"'))
    return edits


def _spelled_places(text: str, plan: LegacyPlan, canonical: bytes):
    """(the `functions` key's span, the calls' (key start, value start), the results'
    matches) when each spelling occurs exactly as often as the plan needs, in the text
    and anywhere in the row (its canonical dump); else None."""
    functions_key = None
    if plan.functions is not None:
        if canonical.count(b'"functions":') != 1:
            return None
        found = list(_FUNCTIONS_KEY.finditer(text))
        if len(found) != 1:
            return None
        functions_key = (found[0].start(), found[0].end())
    if canonical.count(b'"function_call":') != len(plan.calls):
        return None
    calls = [(m.start(), m.end()) for m in _CALL_KEY.finditer(text)]
    if len(calls) != len(plan.calls):
        return None
    results = []
    if plan.results:
        if canonical.count(b'"role":"function"') != len(plan.results):
            return None
        # No other object of the row has role `function` (the count above), so these
        # matches are result turns; as many as there are results, they are all of them.
        results = list(_ROLE_THEN_NAME.finditer(text))
        if len(results) != len(plan.results):
            return None
    return functions_key, calls, results


def _declaration_edits(text: str, functions_key: tuple[int, int], k: str, sep: str, last: bool = False) -> list[Edit]:
    """`functions` renamed and each declaration wrapped. When `functions` is the row's
    last member (`last`), its array runs to the row's closing brace, and the elements'
    places within it are looked up by its text: rows of a dataset declare the same few
    arrays over and over, and walking one costs a parse of it."""
    key_start, value_start = functions_key
    edits = [(key_start, key_start + len('"functions"'), '"tools"')]
    opening = f'{{"type"{k}"function"{sep}"function"{k}'
    spans = None
    if last:
        close = text.rstrip().rfind("}")
        array = text[value_start:close].rstrip()
        spans = _ELEMENTS.get(array)
        if spans is None:
            spans = tuple((start - value_start, end - value_start) for start, end in elements(text, value_start))
            if len(_ELEMENTS) >= 256:
                _ELEMENTS.clear()
            _ELEMENTS[array] = spans
    else:
        spans = tuple((start - value_start, end - value_start) for start, end in elements(text, value_start))
    for start, end in spans:
        edits += ((value_start + start, value_start + start, opening), (value_start + end, value_start + end, "}"))
    return edits


_ELEMENTS: dict[str, tuple[tuple[int, int], ...]] = {}  # a declarations array's text -> its elements' places


def _walked_edits(text: str, plan: LegacyPlan, k: str, sep: str) -> list[Edit]:
    """`legacy_row_edits` by walking the row's members (see there)."""
    arrays: dict[str, list[tuple[int, int]]] = {"messages": []}
    top = members(text, row_start(text), arrays)
    edits: list[Edit] = []
    if plan.functions is not None:
        key = top["functions"]
        edits.extend(_declaration_edits(text, (key.key_start, key.value_start), k, sep))
    spans = arrays["messages"]
    for i, ident in plan.calls.items():
        call = member(text, *spans[i], "function_call")
        edits += ((call.key_start, call.key_end, '"tool_calls"'),
                  (call.value_start, call.value_start, f'[{{"id"{k}"{ident}"{sep}"type"{k}"function"{sep}"function"{k}'),
                  (call.value_end, call.value_end, "}]"))
    for i, ident in plan.results.items():
        role, name = member(text, *spans[i], "role"), member(text, *spans[i], "name")
        edits += ((role.value_start, role.value_end, '"tool"'),
                  (name.key_start, name.key_end, '"tool_call_id"'),
                  (name.value_start, name.value_end, f'"{ident}"'))
    return edits


def legacy_fix(row: Row, row_digest: int | None, title: str) -> tuple[Fix | None, str]:
    """The fix converting a legacy row, as edits of its text (see `legacy_row_edits`)."""
    plan = _legacy_plan(row.obj, row_digest)
    if isinstance(plan, Converted):
        return None, plan.problems[0][1]
    if not plan.changed:
        return None, "nothing in it is a call, a result or a declaration the conversion rewrites"
    why = refusal(row)
    if why:
        return None, why

    def build() -> tuple[tuple[str], None]:
        text = row.text
        try:
            return (apply_edits(text, legacy_row_edits(text, plan, detect_style(row.raw), canonical_dump(row))),), None
        except (IndexError, KeyError, ValueError):  # text the walk does not read as the parser did
            written, _ = write_back(row, legacy_row_to_tools(exact_obj(row), row_digest).value)
            return ((written,) if written is not None else (text,)), None

    # Every call, result and declaration is rewritten, so the row has no legacy part left.
    return Fix(title, Applicability.SAFE, build=build, settles=True), ""


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
