"""ShareGPT as LLaMA-Factory reads it, both ways (`--from sharegpt`, `--to sharegpt`).

The layout (LLaMA-Factory data/README.md, "Sharegpt Format", read 2026-12-01): a row's
`conversations` is a list of `{"from": ..., "value": ...}` turns with `from` one of
`human`, `gpt`, `function_call`, `observation` (and `system`, first); a `function_call`'s
value is the JSON string `{"name": ..., "arguments": {...}}`, or a list of them for
parallel calls; `tools` is a JSON string of the declarations; a `system` column may hold
the system prompt. "human and observation should appear in odd positions, while gpt and
function should appear in even positions": LLaMA-Factory skips a row that breaks this
order with only a warning ("Skipping this abnormal example."), so such a row is reported
here, never written.

What ShareGPT has no place for: call ids (calls and results pair by order), a turn's
`weight` or `name`, text beside a call (LLaMA-Factory's own OpenAI converter drops it),
a row's `parallel_tool_calls`, and several results of one parallel call as separate
turns: they go into one `observation`, joined as LLaMA-Factory's own converter joins them
(`\n</tool_response>\n<tool_response>\n`, which Qwen-style templates render as separate
responses), and are split there again on the way back.
"""

from __future__ import annotations

import json
from typing import Any

from ...lint.pointer import join_pointer
from ...lint.source import FloatLiteral
from .common import Turns, dump_arguments, dump_repeated, parse_arguments
from .hf import read_tools
from .ids import openai_call_id
from .model import Loss, RowResult, Unconvertible

RESULTS_JOIN = "\n</tool_response>\n<tool_response>\n"  # LLaMA-Factory's converter.py, OpenAIDatasetConverter
FROM_ROLE = {"human": "user", "gpt": "assistant", "system": "system"}
TURN_KEYS = frozenset({"from", "value"})
ROW_KEYS_HELD = frozenset({"messages", "tools"})


def read(row: Any, seed: bytes) -> RowResult:
    """A ShareGPT row as an OpenAI row: `conversations` becomes `messages`."""
    turns = row.get("conversations") if type(row) is dict else None
    if type(turns) is not list or not turns:
        raise Unconvertible("/conversations", "the row has no `conversations` array to convert")
    messages: list = []
    if "system" in row:
        if type(row["system"]) is not str:
            raise Unconvertible("/system", "`system` is not a text")
        if row["system"]:
            messages.append({"role": "system", "content": row["system"]})
    pending: list[tuple[str, str]] = []  # (name, id) of the last function_call's calls
    for i, turn in enumerate(turns):
        at = join_pointer("conversations", i)
        if type(turn) is not dict or type(turn.get("from")) is not str:
            raise Unconvertible(at, "a turn without `from`")
        extra = next((k for k in turn if k not in TURN_KEYS), None)
        if extra is not None:
            raise Unconvertible(join_pointer("conversations", i, extra), f"the turn has `{extra}`, which has no place in a message")
        kind, value = turn["from"], turn.get("value")
        if type(value) is not str:
            raise Unconvertible(at + "/value", "the turn's `value` is not a text")
        if kind in FROM_ROLE:
            messages.append({"role": FROM_ROLE[kind], "content": value})
        elif kind == "function_call":
            calls, pending = _calls(value, seed, len(messages), at + "/value")
            messages.append({"role": "assistant", "tool_calls": calls})
        elif kind == "observation":
            if not pending:
                raise Unconvertible(at, "an observation that answers no function_call")
            parts = value.split(RESULTS_JOIN) if len(pending) > 1 else [value]
            if len(parts) != len(pending):
                raise Unconvertible(at, f"one observation for {len(pending)} parallel calls, not split into as many results")
            messages.extend({"role": "tool", "tool_call_id": ident, "content": part} for (_, ident), part in zip(pending, parts))
            pending = []
        else:
            raise Unconvertible(at + "/from", f"unknown turn kind `{kind}`")
    result: dict = {}
    for key, value in row.items():
        if key == "conversations":
            result["messages"] = messages
        elif key == "tools":
            result["tools"] = _tools(value)
        elif key != "system":
            result[key] = value
    return RowResult(result, made_ids={c["id"] for m in messages for c in m.get("tool_calls", ())})


def _calls(value: str, seed: bytes, index: int, at: str) -> tuple[list, list[tuple[str, str]]]:
    try:
        parsed = json.loads(value, parse_float=FloatLiteral)
    except (ValueError, RecursionError):
        raise Unconvertible(at, "the function_call's value is not JSON")
    listed = parsed if type(parsed) is list else [parsed]
    calls, pending = [], []
    for j, call in enumerate(listed):
        if type(call) is not dict or type(call.get("name")) is not str:
            raise Unconvertible(at, "a function_call without a function name")
        arguments = call.get("arguments", {})
        if type(arguments) is str:
            text = arguments
        elif type(arguments) is dict:
            text = dump_arguments(arguments)
        else:
            raise Unconvertible(at, "the function_call's `arguments` are not an object")
        ident = openai_call_id(seed, index, j)
        calls.append({"id": ident, "type": "function", "function": {"name": call["name"], "arguments": text}})
        pending.append((call["name"], ident))
    if not calls:
        raise Unconvertible(at, "a function_call with no call in it")
    return calls, pending


def _tools(value: Any) -> list:
    tools = read_tools(value)
    if type(tools) is not list:
        raise Unconvertible("/tools", "`tools` is not a list")
    # LLaMA-Factory takes bare function declarations too: wrap them as OpenAI declares them.
    return [t if type(t) is dict and "function" in t and t.get("type") == "function" else {"type": "function", "function": t}
            for t in tools]


def write(row: Any, seed: bytes) -> RowResult:
    """An OpenAI row as ShareGPT, or the reason it cannot be one."""
    view = Turns(row)
    messages = view.messages
    losses: list[Loss] = []
    turns: list[dict] = []
    i = 0
    while i < len(messages):
        message = messages[i]
        role = message.get("role")
        at = f"/messages/{i}"
        for key in message:
            if key == "weight":
                losses.append(Loss(at + "/weight", "ShareGPT has no per-turn `weight`"))
            elif key == "name" and role != "tool":
                losses.append(Loss(at + "/name", "ShareGPT has no place for a turn's `name`"))
        expected_odd = len(turns) - (1 if turns and turns[0]["from"] == "system" else 0)
        if role in ("system", "developer"):
            if turns:
                raise Unconvertible(at, "a system turn after the first turn, which ShareGPT cannot place")
            turns.append({"from": "system", "value": _text(message, at)})
        elif role == "user":
            _order(expected_odd, False, at, "a user turn")
            turns.append({"from": "human", "value": _text(message, at)})
        elif role == "assistant" and i in view.calls_of:
            _order(expected_odd, True, at, "an assistant turn")
            if message.get("content") not in (None, "", []):
                losses.append(Loss(at + "/content", "the turn has text beside its calls, and a ShareGPT function_call holds calls only"))
            calls = view.calls_of[i]
            for j, call in enumerate(calls):
                if "id" in call:
                    losses.append(Loss(join_pointer("messages", i, "tool_calls", j, "id"), "call ids are not kept", False, call["id"]))
            written = [{"name": c["function"]["name"],
                        "arguments": parse_arguments(c["function"]["arguments"], "messages", i, "tool_calls", j, "function", "arguments")}
                       for j, c in enumerate(calls)]
            if not written:
                raise Unconvertible(at + "/tool_calls", "an empty `tool_calls`, which ShareGPT cannot express")
            turns.append({"from": "function_call", "value": dump_arguments(written if len(written) > 1 else written[0])})
            # The results, in the calls' order: ShareGPT pairs them by place.
            ids = [c.get("id") for c in calls]
            results: dict[Any, str] = {}
            after = i + 1
            while after < len(messages) and messages[after].get("role") == "tool":
                ident = messages[after].get("tool_call_id")
                if ident not in ids or ident in results:
                    raise Unconvertible(join_pointer("messages", after), "a result that answers none of the calls just before it")
                results[ident] = _text(messages[after], join_pointer("messages", after))
                for key in messages[after]:
                    if key == "weight":
                        losses.append(Loss(join_pointer("messages", after, "weight"), "ShareGPT has no per-turn `weight`"))
                after += 1
            if len(ids) != len(set(ids)):
                raise Unconvertible(at + "/tool_calls", "two calls of the turn share an id, so their results cannot be put in order")
            if results:
                if len(results) != len(ids):
                    raise Unconvertible(at + "/tool_calls", "some of the turn's calls have no result, which ShareGPT cannot express")
                if len(ids) > 1:
                    losses.append(Loss(at + "/tool_calls", f"the {len(ids)} results of the parallel calls become one observation "
                                       "(joined as LLaMA-Factory joins them)"))
                turns.append({"from": "observation", "value": RESULTS_JOIN.join(results[ident] for ident in ids)})
            i = after
            continue
        elif role == "assistant":
            _order(expected_odd, True, at, "an assistant turn")
            turns.append({"from": "gpt", "value": _text(message, at)})
        elif role == "tool":
            raise Unconvertible(at, "a result that does not follow its call")
        else:
            raise Unconvertible(at + "/role", f"role `{role}` has no ShareGPT turn")
        i += 1
    body = len(turns) - (1 if turns and turns[0]["from"] == "system" else 0)
    if body % 2 or body == 0:
        raise Unconvertible(join_pointer("messages", len(messages) - 1),
                            "the conversation does not end with an assistant turn after a user turn, which ShareGPT requires")
    result: dict = {}
    for key, value in row.items():
        if key == "messages":
            result["conversations"] = turns
        elif key == "tools":
            result["tools"] = dump_repeated(value)
        else:
            losses.append(Loss(join_pointer(key), f"ShareGPT has no place for the row's `{key}`"))
    return RowResult(result, losses=losses)


def _order(position: int, assistant: bool, at: str, what: str) -> None:
    if (position % 2 == 1) != assistant:
        raise Unconvertible(at, f"{what} out of ShareGPT's order (user or result, then assistant, in turn)")


def _text(message: dict, at: str) -> str:
    content = message.get("content")
    if type(content) is str:
        return content
    if type(content) is list and all(type(p) is dict and p.get("type") == "text" and type(p.get("text")) is str for p in content):
        if len(content) == 1:
            return content[0]["text"]
    raise Unconvertible(at + "/content", "the turn's content is not a text, which a ShareGPT turn must be")
