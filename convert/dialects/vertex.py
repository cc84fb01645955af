"""Gemini supervised tuning on Vertex AI, both ways (`--to vertex`, `--from vertex`).

The layout (read 2026-12-01: cloud.google.com/vertex-ai/generative-ai/docs/models/
gemini-supervised-tuning-prepare and .../tune-function-calling): a row is
`{"systemInstruction": {"parts": [{"text": ...}]}, "contents": [...], "tools": [...]}`;
each content has `role` `user` or `model` and `parts`; a call is a part
`{"functionCall": {"name": ..., "args": {...}}}`, a result a part of a `user` content
`{"functionResponse": {"name": ..., "response": {...}}}`; `tools` is
`[{"functionDeclarations": [{"name", "description", "parameters"}]}]`.

How OpenAI's turns map: system turns at the start become `systemInstruction`; a tool
result names its function, found through its `tool_call_id`; its text is wrapped as
`{"output": text}` (google-genai's `FunctionResponse.response`: "Use 'output' key to
specify function output"), and an `{"output": text}` alone is unwrapped on the way back;
consecutive results share one `user` content, as Gemini's multi-turn examples do.

What Gemini has no place for, reported row by row: call ids (pairing is by name and
order; the way back makes new ids), a turn's `weight` or `name`, a declaration's
`strict`, the row's `parallel_tool_calls` and any other row key, content that is not text
(image parts), a system turn after the conversation started, and parameter schemas using
JSON Schema keywords Vertex's `parameters` (an OpenAPI subset) does not take: those are
written as `parametersJsonSchema` (the Gemini API's field for full JSON Schema; the
tuning docs do not mention it).
"""

from __future__ import annotations

from typing import Any

import orjson

from ...lint.pointer import join_pointer
from .common import Turns, dump_arguments, parse_arguments
from .ids import openai_call_id
from .model import Loss, RowResult, Unconvertible

# The keys of google-genai's `types.Schema` (google-genai 3.6.1, read 2026-12-01) as JSON
# spells them; its model forbids any other key.
SCHEMA_KEYS = frozenset({
    "additionalProperties", "anyOf", "default", "description", "enum", "example", "format", "items", "maxItems",
    "maxLength", "maxProperties", "maximum", "minItems", "minLength", "minProperties", "minimum", "nullable",
    "pattern", "properties", "propertyOrdering", "required", "title", "type"})
SCHEMA_TYPES = frozenset({"string", "number", "integer", "boolean", "array", "object", "null"})
DECLARATION_KEYS = frozenset({"name", "description", "parameters"})
ROLE = {"user": "user", "assistant": "model"}


def write(row: Any, seed: bytes) -> RowResult:
    view = Turns(row)
    losses: list[Loss] = []
    system: list[dict] = []
    contents: list[dict] = []
    for i, message in enumerate(view.messages):
        role = message.get("role")
        at = f"/messages/{i}"
        for key in message:
            if key == "weight":
                losses.append(Loss(at + "/weight", "Gemini tuning has no per-turn `weight`"))
            elif key == "name" and role != "tool":
                losses.append(Loss(at + "/name", "Gemini has no place for a turn's `name`"))
        if role in ("system", "developer"):
            if contents:
                raise Unconvertible(at, "a system turn after the conversation started, which Gemini cannot place")
            system.extend(_text_parts(message, at))
        elif role == "user":
            contents.append({"role": "user", "parts": _text_parts(message, at)})
        elif role == "assistant":
            parts = _text_parts(message, at, optional=True)
            for j, call in enumerate(view.calls_of.get(i, ())):
                if "id" in call:
                    losses.append(Loss(join_pointer("messages", i, "tool_calls", j, "id"), "call ids are not kept", False, call["id"]))
                function = call["function"]
                args = parse_arguments(function["arguments"], "messages", i, "tool_calls", j, "function", "arguments")
                parts.append({"functionCall": {"name": function["name"], "args": args}})
            if not parts:
                raise Unconvertible(at, "an assistant turn with neither text nor calls")
            contents.append({"role": "model", "parts": parts})
        elif role == "tool":
            content = message.get("content")
            if type(content) is not str:
                raise Unconvertible(at + "/content", "the tool result is not a text")
            part = {"functionResponse": {"name": view.name_of[i], "response": {"output": content}}}
            previous = contents[-1] if contents else None
            if previous is not None and previous["role"] == "user" and all("functionResponse" in p for p in previous["parts"]):
                previous["parts"].append(part)
            else:
                contents.append({"role": "user", "parts": [part]})
        else:
            raise Unconvertible(at + "/role", f"role `{role}` has no Gemini content")
    result: dict = {}
    if system:
        result["systemInstruction"] = {"parts": system}
    for key, value in row.items():
        if key == "messages":
            result["contents"] = contents
        elif key == "tools":
            result["tools"] = _declarations(value, losses)
        else:
            losses.append(Loss(join_pointer(key), f"Gemini tuning has no place for the row's `{key}`"))
    return RowResult(result, losses=losses)


def _text_parts(message: dict, at: str, optional: bool = False) -> list[dict]:
    content = message.get("content")
    if content is None and optional:
        return []
    if type(content) is str:
        return [{"text": content}] if content or not optional else []
    if type(content) is list and content and all(type(p) is dict and p.get("type") == "text" and type(p.get("text")) is str for p in content):
        return [{"text": p["text"]} for p in content]
    raise Unconvertible(at + "/content", "the turn's content is not text, which this conversion does not carry")


_DECLARED: dict[bytes, tuple[list[dict], list[Loss]]] = {}  # a `tools` array's bytes -> what it becomes


def _declarations(tools: Any, losses: list[Loss]) -> list[dict]:
    """`tools` as Gemini's declarations, remembered by the array's bytes (rows repeat the
    same few; the declarations are shared between rows, which are only written)."""
    try:
        key = orjson.dumps(tools)
    except (TypeError, orjson.JSONEncodeError):
        declarations, lost = _declared(tools)
    else:
        found = _DECLARED.get(key)
        if found is None:
            if len(_DECLARED) >= 256:
                _DECLARED.clear()
            found = _DECLARED[key] = _declared(tools)
        declarations, lost = found
    losses.extend(lost)
    return declarations


def _declared(tools: Any) -> tuple[list[dict], list[Loss]]:
    losses: list[Loss] = []
    if type(tools) is not list:
        raise Unconvertible("/tools", "`tools` is not a list")
    declarations = []
    for n, tool in enumerate(tools):
        at = join_pointer("tools", n)
        if type(tool) is not dict or tool.get("type") != "function" or type(tool.get("function")) is not dict:
            raise Unconvertible(at, "a tool that is not a function, which Gemini's declarations cannot hold")
        for key in tool:
            if key not in ("type", "function"):
                losses.append(Loss(f"{at}/{key}", f"Gemini has no place for a tool's `{key}`"))
        declaration = {}
        for key, value in tool["function"].items():
            if key == "parameters":
                bad = _schema_problem(value)
                if bad is None:
                    declaration["parameters"] = value
                else:
                    losses.append(Loss(f"{at}/function/parameters{bad[0]}", f"{bad[1]}, which Vertex's `parameters` does not take: "
                                       "written as `parametersJsonSchema`, which the tuning docs do not mention"))
                    declaration["parametersJsonSchema"] = value
            elif key in DECLARATION_KEYS:
                declaration[key] = value
            else:
                losses.append(Loss(f"{at}/function/{key}", f"Gemini's declarations have no `{key}`"))
        declarations.append(declaration)
    return ([{"functionDeclarations": declarations}] if declarations else []), losses


def _schema_problem(schema: Any, at: str = "") -> tuple[str, str] | None:
    """(where, what) of the first part of `schema` Gemini's `Schema` does not take, or None."""
    if type(schema) is not dict:
        return at, "a schema that is not an object"
    for key, value in schema.items():
        here = join_pointer(*(at.split("/")[1:] if at else []), key)
        if key not in SCHEMA_KEYS:
            return here, f"the schema keyword `{key}`"
        if key == "type" and not (type(value) is str and value.lower() in SCHEMA_TYPES):
            return here, "a `type` that is not one type name"
        if key == "properties":
            if type(value) is not dict:
                return here, "`properties` that is not an object"
            for name, sub in value.items():
                found = _schema_problem(sub, join_pointer(*(here.split("/")[1:]), name))
                if found:
                    return found
        elif key == "items" or key == "additionalProperties" and type(value) is dict:
            found = _schema_problem(value, here)
            if found:
                return found
        elif key == "anyOf":
            if type(value) is not list:
                return here, "`anyOf` that is not a list"
            for n, sub in enumerate(value):
                found = _schema_problem(sub, join_pointer(*(here.split("/")[1:]), n))
                if found:
                    return found
    return None


def read(row: Any, seed: bytes) -> RowResult:
    """A Gemini tuning row as an OpenAI row."""
    if type(row) is not dict:
        raise Unconvertible("", "the row is not a JSON object")
    contents = row.get("contents")
    if type(contents) is not list or not contents:
        raise Unconvertible("/contents", "the row has no `contents` array to convert")
    messages: list = []
    system_key = "systemInstruction" if "systemInstruction" in row else "system_instruction"
    if system_key in row:
        messages.append({"role": "system", "content": _read_text(row[system_key], join_pointer(system_key))})
    pending: list[list] = []  # [name, id] of calls not yet answered, in order
    for i, content in enumerate(contents):
        at = join_pointer("contents", i)
        if type(content) is not dict or type(content.get("parts")) is not list:
            raise Unconvertible(at, "a content without `parts`")
        role = content.get("role")
        if role == "model":
            text = [p["text"] for p in content["parts"] if type(p) is dict and "text" in p]
            calls = []
            for j, part in enumerate(content["parts"]):
                if type(part) is not dict or not ("text" in part or "functionCall" in part):
                    raise Unconvertible(join_pointer("contents", i, "parts", j), "a part that is neither text nor a call")
                if "functionCall" in part:
                    call = part["functionCall"]
                    if type(call) is not dict or type(call.get("name")) is not str:
                        raise Unconvertible(join_pointer("contents", i, "parts", j), "a call without a name")
                    ident = openai_call_id(seed, len(messages), len(calls))
                    calls.append({"id": ident, "type": "function",
                                  "function": {"name": call["name"], "arguments": dump_arguments(call.get("args") or {})}})
                    pending.append([call["name"], ident])
            message: dict = {"role": "assistant"}
            if text:
                message["content"] = _joined(text)
            if calls:
                message["tool_calls"] = calls
            messages.append(message)
        elif role == "user":
            text = []
            for j, part in enumerate(content["parts"]):
                if type(part) is dict and "functionResponse" in part:
                    response = part["functionResponse"]
                    name = response.get("name") if type(response) is dict else None
                    match = next((p for p in pending if p[0] == name), None)
                    if match is None:
                        raise Unconvertible(join_pointer("contents", i, "parts", j), f"a response for `{name}` answers no earlier call")
                    pending.remove(match)
                    body = response.get("response")
                    plain = type(body) is dict and list(body) == ["output"] and type(body["output"]) is str
                    messages.append({"role": "tool", "tool_call_id": match[1],
                                     "content": body["output"] if plain else dump_arguments(body)})
                elif type(part) is dict and type(part.get("text")) is str:
                    text.append(part["text"])
                else:
                    raise Unconvertible(join_pointer("contents", i, "parts", j), "a part that is neither text nor a response")
            if text:
                messages.append({"role": "user", "content": _joined(text)})
        else:
            raise Unconvertible(at + "/role", f"role `{role}` is neither `user` nor `model`")
    result: dict = {"messages": messages}
    made = {c["id"] for m in messages for c in m.get("tool_calls", ())}
    for key, value in row.items():
        if key == "tools":
            result["tools"] = _read_tools(value)
        elif key not in ("contents", system_key):
            result[key] = value
    return RowResult(result, made_ids=made)


def _joined(texts: list[str]) -> Any:
    return texts[0] if len(texts) == 1 else [{"type": "text", "text": t} for t in texts]


def _read_text(value: Any, at: str) -> Any:
    parts = value.get("parts") if type(value) is dict else None
    if type(parts) is not list or not all(type(p) is dict and type(p.get("text")) is str for p in parts):
        raise Unconvertible(at, "a system instruction that is not text parts")
    return _joined([p["text"] for p in parts])


def _read_tools(tools: Any) -> list:
    if type(tools) is not list:
        raise Unconvertible("/tools", "`tools` is not a list")
    out = []
    for n, tool in enumerate(tools):
        declarations = tool.get("functionDeclarations", tool.get("function_declarations")) if type(tool) is dict else None
        if type(declarations) is not list:
            raise Unconvertible(join_pointer("tools", n), "a tool that is not function declarations")
        for declaration in declarations:
            function = {("parameters" if k in ("parametersJsonSchema", "parameters_json_schema") else k): v
                        for k, v in declaration.items()}
            out.append({"type": "function", "function": function})
    return out
