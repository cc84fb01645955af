"""TLT: tools and function calling. Do the calls match what the row declares?"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import orjson

from ..survey import Call, calls, message_dicts, survey, uses_legacy_format, uses_tools_format, well_formed_call
from ..fingerprint import compact, digest_bytes
from ..conversion import conversion_fix, legacy_row_to_tools, tools_row_to_legacy
from ..jsonstyle import write_back
from ..model import ERROR, INFO, SOMETIMES, WARNING, Applicability, Finding, Fix
from ..pointer import join_pointer
from ..registry import row_rule
from ..analysis import UNSET
from ..source import Row, canonical_dump, exact_obj, fresh_copy
from ..toolset import EMPTY, ToolSet, analyse, json_type


def declared(row: Row, legacy: bool) -> ToolSet | None:
    """The row's analysed `tools` (or `functions`), or None when it declares none."""
    analysis = row.analysis
    found = analysis.functions if legacy else analysis.tools
    if found is UNSET:
        value = row.obj.get("functions" if legacy else "tools")
        found = None if value is None else analyse(value, legacy)
        if legacy:
            analysis.functions = found
        else:
            analysis.tools = found
    return found


def toolset_for(row: Row, call: Call) -> ToolSet | None:
    return declared(row, legacy=call.index is None)


def _name(call: Call) -> str:
    return f"`{call.name}`" if type(call.name) is str else "a function"


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


@row_rule("TLT001", "missing-tools-array", ERROR)
def missing_tools_array(row: Row, options: Mapping[str, Any]) -> Iterator[Finding]:
    """An assistant turn calls a tool but the row declares no tools.

    `tool_calls` need a `tools` array in the row; a legacy `function_call` needs a
    `functions` array.

    ## Why is this bad?
    The model learns to call functions from the definitions it sees. Without them the
    example teaches it to call a function nobody declared, and at inference time, with
    real definitions in the prompt, the learned behaviour does not transfer.

    ## Example
    ```json
    {"messages": [{"role": "user", "content": "Weather in Oslo?"},
      {"role": "assistant", "tool_calls": [{"id": "call_1", "type": "function",
        "function": {"name": "get_weather", "arguments": "{\\"city\\": \\"Oslo\\"}"}}]}]}
    ```

    ## Use instead
    ```json
    {"messages": [...], "tools": [{"type": "function", "function": {"name": "get_weather",
      "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}]}
    ```
    """
    obj = row.obj
    reported: set[bool] = set()
    for call in calls(row):
        legacy = call.index is None
        key = "functions" if legacy else "tools"
        value = obj.get(key)
        if (value is None or value == []) and legacy not in reported:
            reported.add(legacy)
            names = sorted({c.name for c in calls(row) if (c.index is None) == legacy and type(c.name) is str})
            shown = ", ".join(f"`{n}`" for n in names) or "a function"
            yield Finding(call.pointer, f"assistant calls {shown} but the row has no `{key}` array")


def _legacy_fix(row: Row) -> tuple[Fix | None, str]:
    """The conversion fix, or None and the reason the row cannot be converted."""
    dump = canonical_dump(row)  # the row's digest is made of it: no second dump
    converted = legacy_row_to_tools(exact_obj(row), digest_bytes(dump) if dump is not None else None)
    return conversion_fix(row, converted, "Convert the row to the `tools` format")


@row_rule("TLT002", "legacy-function-format", WARNING, SOMETIMES)
def legacy_function_format(row: Row, options: Mapping[str, Any]) -> Iterator[Finding]:
    """A row uses the deprecated function-calling format.

    `functions`, an assistant `function_call` and role `function` results were replaced
    by `tools`, `tool_calls` (with ids) and role `tool` (with `tool_call_id`).

    ## Why is this bad?
    Current models are served with the `tools` format. A model fine-tuned on the legacy
    format learns a prompt layout it will not see at inference, cannot make parallel
    calls, and the legacy fields are deprecated on the platforms that still take them.

    ## Example
    ```json
    {"functions": [{"name": "get_weather", "parameters": {...}}],
     "messages": [..., {"role": "assistant", "function_call": {"name": "get_weather", "arguments": "{}"}},
       {"role": "function", "name": "get_weather", "content": "12°C"}]}
    ```

    ## Use instead
    ```json
    {"tools": [{"type": "function", "function": {"name": "get_weather", "parameters": {...}}}],
     "messages": [..., {"role": "assistant", "tool_calls": [{"id": "call_...", "type": "function",
       "function": {"name": "get_weather", "arguments": "{}"}}]},
       {"role": "tool", "tool_call_id": "call_...", "content": "12°C"}]}
    ```

    The fix (safe) converts the row losslessly, as `tunelint convert` does; it is not
    offered when the row also uses the `tools` format or has a result no call asked for.
    """
    yield from _format_finding(row, uses_legacy_format, uses_tools_format, _legacy_fix,
                               "row uses the deprecated function-calling format (`functions`/`function_call`)",
                               "it cannot be converted: it also uses the `tools` format", "it cannot be converted: ")


def _format_finding(row: Row, uses_this, uses_other, fixer, message: str, mixed: str, prefix: str) -> Iterator[Finding]:
    """The shared shape of the two format rules: where the row uses a format, and the
    conversion fix (none when the row mixes both formats; then the reason why not)."""
    at = uses_this(row)
    if at is None:
        return
    if uses_other(row):
        fix, why = None, mixed
    else:
        fix, why = fixer(row)
        why = prefix + why if why else ""
    yield Finding(at, f"{message}; {why}" if why else message, on_key=at in ("/functions", "/tools"), fix=fix)


def _legacy_target_fix(row: Row) -> tuple[Fix | None, str]:
    converted = tools_row_to_legacy(exact_obj(row))
    if converted.value is not None:
        return conversion_fix(row, converted, "Convert the row to the legacy function format")
    # Parallel calls become consecutive single calls: the model learns another turn structure (unsafe).
    fix, why = conversion_fix(row, tools_row_to_legacy(exact_obj(row), split_parallel=True),
                              "Split parallel calls and convert the row to the legacy function format", unsafe=True)
    return fix, converted.problems[0][1] if fix is not None else why


@row_rule("TLT015", "tools-format", INFO, SOMETIMES, default=False)
def tools_format(row: Row, options: Mapping[str, Any]) -> Iterator[Finding]:
    """A row uses the `tools` format, for a target that needs the legacy function format.

    Off by default: the `tools` format is the current one. `tunelint convert --to legacy`
    selects this rule and applies its fixes, for an older model or platform that only
    takes `functions`, `function_call` and role `function`.

    ## Why is this bad?
    It is not, unless your target predates `tools`: there, rows in the `tools` format are
    refused or rendered as plain text.

    ## Example
    ```json
    {"tools": [{"type": "function", "function": {"name": "f"}}],
     "messages": [..., {"role": "assistant", "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{}"}}]},
       {"role": "tool", "tool_call_id": "call_1", "content": "ok"}]}
    ```

    ## Use instead
    ```json
    {"functions": [{"name": "f"}],
     "messages": [..., {"role": "assistant", "function_call": {"name": "f", "arguments": "{}"}},
       {"role": "function", "name": "f", "content": "ok"}]}
    ```

    Call ids are dropped (the legacy format has no place for them). A turn with several
    parallel calls has no legacy form: its fix, which splits the turn into consecutive
    single calls, is unsafe (`--split-parallel`).
    """
    yield from _format_finding(row, uses_tools_format, uses_legacy_format, _legacy_target_fix,
                               "row uses the `tools` format", "it also uses the legacy format", "")


@row_rule("TLT003", "mixed-function-formats", ERROR)
def mixed_function_formats(row: Row, options: Mapping[str, Any]) -> Iterator[Finding]:
    """A row mixes the legacy function format with the `tools` format.

    ## Why is this bad?
    A row is rendered in one format or the other: with both, the platform refuses the row
    or drops one half, and the calls no longer line up with their results.

    ## Example
    ```json
    {"tools": [...], "messages": [..., {"role": "assistant", "function_call": {...}}]}
    ```

    ## Use instead
    Use the `tools` format throughout (`tunelint convert` rewrites legacy rows).
    """
    legacy_at = uses_legacy_format(row)
    if legacy_at is None:
        return
    tools_at = uses_tools_format(row)
    if tools_at is not None:
        yield Finding(legacy_at, f"row mixes the legacy function format (here) with the `tools` format (at `{tools_at}`)",
                      on_key=legacy_at == "/functions")


@row_rule("TLT004", "undefined-tool", ERROR)
def undefined_tool(row: Row, options: Mapping[str, Any]) -> Iterator[Finding]:
    """An assistant turn calls a function the row does not declare.

    ## Why is this bad?
    The model learns to call a function that will not exist at inference time, usually
    because of a typo or a tool renamed in the definitions but not in the examples.

    ## Example
    ```json
    {"tools": [{"type": "function", "function": {"name": "get_weather"}}],
     "messages": [..., {"role": "assistant", "tool_calls": [{"id": "call_1", "type": "function",
       "function": {"name": "get_wether", "arguments": "{}"}}]}]}
    ```

    ## Use instead
    Call `get_weather`, or declare the function the example calls.
    """
    for call in calls(row):
        toolset = toolset_for(row, call)
        declared_value = row.obj.get("functions" if call.index is None else "tools")
        if toolset is None or type(declared_value) is not list or not declared_value:
            continue  # missing-tools-array or invalid-tool-definition reports it
        if type(call.name) is not str:
            continue  # malformed-tool-call reports it
        if call.name not in toolset.functions:
            key = "functions" if call.index is None else "tools"
            hint = difflib.get_close_matches(call.name, list(toolset.functions), n=1)
            suffix = f" (did you mean `{hint[0]}`?)" if hint else ""
            yield Finding(call.function_pointer + "/name", f"assistant calls `{call.name}`, which the row's `{key}` do not declare{suffix}")


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

    The fix (safe) serialises an object given as `arguments`, or unwraps arguments
    encoded twice.
    """
    for call in calls(row):
        if call.name is None and call.arguments is None:
            continue  # malformed-tool-call reports it
        status, value = parsed_arguments(row, call)
        if status == OK:
            continue
        at = call.function_pointer + "/arguments"
        name = _name(call)
        if status == NOT_STRING:
            if call.arguments is None and "arguments" not in _function_obj(row, call):
                yield Finding(call.function_pointer, f"call to {name} has no `arguments`")
            elif type(value) is dict:
                yield Finding(at, f"arguments of {name} must be a JSON string, not an object",
                              fix=_rewrite_arguments(row, call, compact, "Encode the arguments object as a JSON string"))
            else:
                yield Finding(at, f"arguments of {name} must be a JSON string, not {json_type(value)}")
        elif status == NOT_JSON:
            yield Finding(at, f"arguments of {name} are not valid JSON: {value}")
        elif status == NOT_OBJECT:
            yield Finding(at, f"arguments of {name} must encode a JSON object, not {json_type(value)}")
        elif status == DOUBLE:
            yield Finding(at, f"arguments of {name} are JSON encoded twice",
                          fix=_rewrite_arguments(row, call, orjson.loads, "Decode the doubly encoded arguments"))


def _function_obj(row: Row, call: Call) -> dict:
    message = row.obj["messages"][call.message]
    if call.index is None:
        return message["function_call"]
    return message["tool_calls"][call.index].get("function") or {}


def _rewrite_arguments(row: Row, call: Call, rewrite: Callable[[Any], str], title: str) -> Fix | None:
    """The row with the call's arguments replaced by `rewrite(arguments)`, both taken from
    an exact private copy of the row (no integer of it read as a float). None when the
    row cannot be written back (see `write_back`)."""
    value = fresh_copy(row)
    message = value["messages"][call.message]
    function = message["function_call"] if call.index is None else message["tool_calls"][call.index]["function"]
    function["arguments"] = rewrite(function["arguments"])
    text, _ = write_back(row, value)
    return Fix(title, Applicability.SAFE, (text,)) if text is not None else None


@row_rule("TLT006", "arguments-schema-mismatch", ERROR)
def arguments_schema_mismatch(row: Row, options: Mapping[str, Any]) -> Iterator[Finding]:
    """A call's arguments do not satisfy the called function's `parameters` schema.

    Checked with jsonschema against the schema the row declares; the message names the
    first failing path inside the arguments.

    ## Why is this bad?
    The example teaches the model to send arguments your function rejects: a missing
    required field, a wrong type, a value outside an enum. Such rows are usually from an
    older schema version, or hand-edited.

    ## Example
    ```json
    {"tools": [{"type": "function", "function": {"name": "set_temp", "parameters": {"type": "object",
       "properties": {"unit": {"enum": ["c", "f"]}}, "required": ["unit"]}}}],
     "messages": [..., {"role": "assistant", "tool_calls": [{"id": "call_1", "type": "function",
       "function": {"name": "set_temp", "arguments": "{\\"unit\\": \\"kelvin\\"}"}}]}]}
    ```

    ## Use instead
    Arguments the schema accepts: `"{\\"unit\\": \\"c\\"}"`.
    """
    for call in calls(row):
        if type(call.name) is not str:
            continue
        toolset = toolset_for(row, call)
        function = toolset.functions.get(call.name) if toolset is not None else None
        if function is None:
            continue
        status, value = parsed_arguments(row, call)
        if status != OK:
            continue  # invalid-arguments-json reports it
        errors = function.argument_errors(value)
        if errors:
            path, message = errors[0]
            more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
            where = f" at `{path}`" if path != "/" else ""
            yield Finding(call.function_pointer + "/arguments", f"arguments of `{call.name}` fail its schema{where}: {message}{more}")


@row_rule("TLT007", "invalid-tool-definition", ERROR)
def invalid_tool_definition(row: Row, options: Mapping[str, Any]) -> Iterator[Finding]:
    """A declared tool is malformed.

    Each `tools` entry needs `type: "function"` and a `function` with a name matching
    `^[a-zA-Z0-9_-]{1,64}$`, an optional string description, and `parameters` that are a
    valid JSON Schema object; names must be unique. `parallel_tool_calls` must be a boolean.

    ## Why is this bad?
    The upload refuses malformed definitions, and a schema that is not valid JSON Schema
    cannot constrain anything the model learns.

    ## Example
    ```json
    {"tools": [{"type": "function", "function": {"name": "get weather",
       "parameters": {"type": "object", "properties": {"city": {"type": "text"}}}}}]}
    ```

    ## Use instead
    ```json
    {"tools": [{"type": "function", "function": {"name": "get_weather",
       "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}]}
    ```
    """
    for legacy in (False, True):
        toolset = declared(row, legacy)
        if toolset is not None:
            for at, message in toolset.problems:
                yield Finding(at, message)
    if "parallel_tool_calls" in row.obj and type(row.obj["parallel_tool_calls"]) is not bool:
        yield Finding("/parallel_tool_calls", f"`parallel_tool_calls` must be true or false, not {json_type(row.obj['parallel_tool_calls'])}")


@row_rule("TLT008", "strict-schema-violation", ERROR)
def strict_schema_violation(row: Row, options: Mapping[str, Any]) -> Iterator[Finding]:
    """A `strict: true` function's schema breaks the rules of strict mode.

    Strict mode (Structured Outputs) needs every object to set `additionalProperties:
    false` and to list all its properties in `required`, a root of type `object`, and only
    the supported keywords (no `minLength`, `oneOf`, `patternProperties`, ...).

    ## Why is this bad?
    Such a schema is refused when the model is called with it, so the fine-tuned model is
    trained on a definition it will never be served with.

    ## Example
    ```json
    {"type": "function", "function": {"name": "book", "strict": true, "parameters": {"type": "object",
      "properties": {"date": {"type": "string"}, "guests": {"type": "integer"}}, "required": ["date"]}}}
    ```

    ## Use instead
    ```json
    {"type": "function", "function": {"name": "book", "strict": true, "parameters": {"type": "object",
      "properties": {"date": {"type": "string"}, "guests": {"type": ["integer", "null"]}},
      "required": ["date", "guests"], "additionalProperties": false}}}
    ```
    """
    for legacy in (False, True):
        toolset = declared(row, legacy)
        if toolset is not None:
            for at, message in toolset.strict_problems:
                yield Finding(at, message)


def _parallel_turns(row: Row) -> Iterator[tuple[int, list]]:
    if not survey(row).parallel:
        return
    for i, message in message_dicts(row):
        tool_calls = message.get("tool_calls")
        if message.get("role") == "assistant" and type(tool_calls) is list and len(tool_calls) > 1:
            yield i, tool_calls


@row_rule("TLT009", "parallel-calls-with-strict-tools", WARNING)
def parallel_calls_with_strict_tools(row: Row, options: Mapping[str, Any]) -> Iterator[Finding]:
    """A turn makes several calls at once while a called tool is `strict`.

    ## Why is this bad?
    Strict mode is not applied to parallel calls: when the model may call several
    functions in one turn, their arguments are not held to the schema. An example with
    parallel calls to strict tools teaches a pattern whose guarantees are off at inference.

    ## Example
    ```json
    {"tools": [{"type": "function", "function": {"name": "get_weather", "strict": true, ...}}],
     "messages": [..., {"role": "assistant", "tool_calls": [{...get_weather Oslo...}, {...get_weather Rome...}]}]}
    ```

    ## Use instead
    Make one call per turn and set `"parallel_tool_calls": false`, or drop `strict` from
    tools that are called in parallel.
    """
    if row.obj.get("parallel_tool_calls") is False:
        return
    toolset = declared(row, legacy=False) or EMPTY
    for i, tool_calls in _parallel_turns(row):
        strict = sorted({c.name for c in calls(row) if c.message == i and type(c.name) is str
                         and c.name in toolset.functions and toolset.functions[c.name].strict})
        if strict:
            shown = ", ".join(f"`{s}`" for s in strict)
            yield Finding(join_pointer("messages", i, "tool_calls"),
                          f"turn makes {len(tool_calls)} parallel calls including strict {shown}; strict mode does not apply to parallel calls")


@row_rule("TLT010", "parallel-calls-disabled", ERROR)
def parallel_calls_disabled(row: Row, options: Mapping[str, Any]) -> Iterator[Finding]:
    """A turn makes several calls at once although the row sets `parallel_tool_calls: false`.

    ## Why is this bad?
    The row says the model makes at most one call per turn, and then shows it making
    several: the example contradicts its own settings.

    ## Example
    ```json
    {"parallel_tool_calls": false, "messages": [..., {"role": "assistant", "tool_calls": [{...}, {...}]}]}
    ```

    ## Use instead
    Split the calls over consecutive turns, or remove `"parallel_tool_calls": false`.
    """
    if row.obj.get("parallel_tool_calls") is not False:
        return
    for i, tool_calls in _parallel_turns(row):
        yield Finding(join_pointer("messages", i, "tool_calls"),
                      f"turn makes {len(tool_calls)} calls although `parallel_tool_calls` is false")


@row_rule("TLT011", "orphan-tool-message", ERROR)
def orphan_tool_message(row: Row, options: Mapping[str, Any]) -> Iterator[Finding]:
    """A tool result answers no earlier call.

    A `tool` message's `tool_call_id` must be the id of a call made earlier in the row; a
    legacy `function` message must follow a `function_call` to a function of its `name`.

    ## Why is this bad?
    The model sees a result appear from nowhere. Usually ids were regenerated on one side
    only, or turns were reordered or cut.

    ## Example
    ```json
    {"role": "assistant", "tool_calls": [{"id": "call_1", ...}]},
    {"role": "tool", "tool_call_id": "call_2", "content": "12°C"}
    ```

    ## Use instead
    ```json
    {"role": "tool", "tool_call_id": "call_1", "content": "12°C"}
    ```
    """
    if not survey(row).flow_suspect:
        return
    ids: set[Any] = set()
    legacy_names: list[Any] = []
    by_message: dict[int, list[Call]] = {}
    for call in calls(row):
        by_message.setdefault(call.message, []).append(call)
    for i, message in message_dicts(row):
        role = message.get("role")
        if role == "assistant":
            for call in by_message.get(i, ()):
                if call.index is None:
                    legacy_names.append(call.name)
                elif type(call.id) is str:
                    ids.add(call.id)
        elif role == "tool":
            if "tool_call_id" not in message:
                yield Finding(join_pointer("messages", i), f"tool message {i} has no `tool_call_id`")
                continue
            call_id = message["tool_call_id"]
            if type(call_id) is not str:
                yield Finding(join_pointer("messages", i, "tool_call_id"), f"`tool_call_id` must be a string, not {json_type(call_id)}")
            elif call_id not in ids:
                yield Finding(join_pointer("messages", i, "tool_call_id"), f"tool message answers `{call_id}`, which no earlier call has as its id")
        elif role == "function":
            name = message.get("name")
            if name not in legacy_names:
                shown = f"`{name}`" if type(name) is str else "a function"
                yield Finding(join_pointer("messages", i), f"function result for {shown} follows no `function_call` to it")


@row_rule("TLT012", "unanswered-tool-call", ERROR)
def unanswered_tool_call(row: Row, options: Mapping[str, Any]) -> Iterator[Finding]:
    """A call gets no result before the next assistant turn.

    The final assistant turn of a row may end in calls (that is what the model learns to
    emit); a call followed by another assistant turn must be answered in between.

    ## Why is this bad?
    The next assistant turn is trained to continue as if the result had arrived, so the
    model learns to invent tool results.

    ## Example
    ```json
    {"role": "assistant", "tool_calls": [{"id": "call_1", ...}]},
    {"role": "assistant", "content": "It is 12°C in Oslo."}
    ```

    ## Use instead
    ```json
    {"role": "assistant", "tool_calls": [{"id": "call_1", ...}]},
    {"role": "tool", "tool_call_id": "call_1", "content": "12°C"},
    {"role": "assistant", "content": "It is 12°C in Oslo."}
    ```
    """
    if not survey(row).flow_suspect:
        return
    pending: list[Call] = []
    by_message: dict[int, list[Call]] = {}
    for call in calls(row):
        by_message.setdefault(call.message, []).append(call)
    for i, message in message_dicts(row):
        role = message.get("role")
        if role == "assistant":
            yield from _unanswered(pending)
            # A call without an id cannot be answered; malformed-tool-call reports it.
            pending = [c for c in by_message.get(i, ()) if c.index is None or type(c.id) is str]
        elif role == "tool":
            pending = [c for c in pending if c.index is None or c.id != message.get("tool_call_id")]
        elif role == "function":
            for c in pending:
                if c.index is None and c.name == message.get("name"):
                    pending.remove(c)
                    break


def _unanswered(pending: list[Call]) -> Iterator[Finding]:
    for call in pending:
        ident = f" (`{call.id}`)" if type(call.id) is str else ""
        yield Finding(call.pointer, f"call to {_name(call)}{ident} gets no result before the next assistant turn")


@row_rule("TLT013", "duplicate-tool-call-id", ERROR)
def duplicate_tool_call_id(row: Row, options: Mapping[str, Any]) -> Iterator[Finding]:
    """Two calls in one row share an id.

    ## Why is this bad?
    A result is matched to its call by id; with two calls under one id, one of them is
    answered twice and the other not at all, as far as the model can tell.

    ## Example
    ```json
    {"role": "assistant", "tool_calls": [{"id": "call_1", ...get_weather Oslo...}, {"id": "call_1", ...get_weather Rome...}]}
    ```

    ## Use instead
    Give each call its own id (`call_1`, `call_2`) and answer each.
    """
    found = calls(row)
    if len(found) < 2:
        return
    seen: dict[str, Call] = {}
    for call in found:
        if call.index is None or type(call.id) is not str:
            continue
        first = seen.get(call.id)
        if first is None:
            seen[call.id] = call
        else:
            yield Finding(call.pointer + "/id", f"call id `{call.id}` is used twice (first at message {first.message})")


@row_rule("TLT014", "malformed-tool-call", ERROR)
def malformed_tool_call(row: Row, options: Mapping[str, Any]) -> Iterator[Finding]:
    """An entry of `tool_calls` (or a `function_call`) lacks the fields a call needs.

    A tool call is `{"id": "...", "type": "function", "function": {"name": "...",
    "arguments": "..."}}`; a legacy function call is `{"name": "...", "arguments": "..."}`.

    ## Why is this bad?
    The upload refuses calls without an id, a type or a function name, and a converter
    that wrote them this way has usually lost more on the way.

    ## Example
    ```json
    {"role": "assistant", "tool_calls": [{"function": {"name": "get_weather", "arguments": "{}"}}]}
    ```

    ## Use instead
    ```json
    {"role": "assistant", "tool_calls": [{"id": "call_1", "type": "function",
      "function": {"name": "get_weather", "arguments": "{}"}}]}
    ```
    """
    if not survey(row).malformed_calls:
        return
    for i, message in message_dicts(row):
        if "tool_calls" in message:
            tool_calls = message["tool_calls"]
            if message.get("role") != "assistant":
                yield Finding(join_pointer("messages", i, "tool_calls"), "only assistant messages can make tool calls", on_key=True)
                continue
            if type(tool_calls) is not list:
                yield Finding(join_pointer("messages", i, "tool_calls"), f"`tool_calls` must be an array, not {json_type(tool_calls)}")
                continue
            for j, call in enumerate(tool_calls):
                if not well_formed_call(call):
                    yield from _check_tool_call(call, join_pointer("messages", i, "tool_calls", j), j)
        if "function_call" in message:
            function_call = message["function_call"]
            if type(function_call) is dict and type(function_call.get("name")) is str and message.get("role") == "assistant":
                continue
            at = join_pointer("messages", i, "function_call")
            if message.get("role") != "assistant":
                yield Finding(at, "only assistant messages can make function calls", on_key=True)
            elif type(function_call) is not dict:
                yield Finding(at, f"`function_call` must be an object, not {json_type(function_call)}")
            else:
                yield Finding(at, "`function_call` needs a string `name`")


def _check_tool_call(call: Any, at: str, j: int) -> Iterator[Finding]:
    if type(call) is not dict:
        yield Finding(at, f"tool call {j} must be an object, not {json_type(call)}")
        return
    if type(call.get("id")) is not str or not call.get("id"):
        yield Finding(at + "/id" if "id" in call else at, f"tool call {j} needs a non-empty string `id`")
    if call.get("type") != "function":
        yield Finding(at + "/type" if "type" in call else at, f"tool call {j} needs `\"type\": \"function\"`")
    function = call.get("function")
    if type(function) is not dict:
        yield Finding(at + "/function" if "function" in call else at, f"tool call {j} needs a `function` object")
    elif type(function.get("name")) is not str:
        yield Finding(at + "/function", f"tool call {j} needs a string `function.name`")
