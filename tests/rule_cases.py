"""Hand-written fixture rows for every row rule: rows that must fail it, rows that must pass.

Each case: (what it shows, row or raw line, the rules expected on that row).
A failing case lists every rule the row should trigger, so cascades show up as failures.
"""

from __future__ import annotations

from helpers import (WEATHER, assistant, call, calls_turn, result, tool, user, weather_row)

STRICT_BOOK = tool("book", {"date": {"type": "string"}, "guests": {"type": "integer"}}, ["date", "guests"], strict=True)

FAIL: dict[str, list[tuple[str, object, set[str]]]] = {
    "invalid-json": [
        ("a trailing comma in an array", '{"messages": [{"role": "user", "content": "hi"},]}', {"invalid-json"}),
        ("a truncated row (the writer died mid-line)", '{"messages": [{"role": "us', {"invalid-json"}),
        ("NaN is not JSON", '{"messages": [], "x": NaN}', {"invalid-json"}),
        ("nesting deeper than the parser allows", "[" * 2000 + "]" * 2000, {"invalid-json"}),
    ],
    "row-not-object": [
        ("a bare messages array on the line", '[{"role": "user", "content": "hi"}]', {"row-not-object"}),
        ("a string row", '"hello"', {"row-not-object"}),
    ],
    "missing-messages": [
        ("the conversation under another key", {"conversation": [user(), assistant()]}, {"missing-messages", "unknown-row-key"}),
        ("messages is an object, not an array", {"messages": {"role": "user", "content": "hi"}}, {"missing-messages"}),
        ("messages is empty", {"messages": []}, {"missing-messages"}),
        ("a message that is a string", {"messages": [user(), "assistant: hi", assistant()]}, {"missing-messages"}),
    ],
    "unknown-row-key": [
        ("`tool` for `tools` (a typo that drops the definitions)", {"messages": [user(), assistant()], "tool": [WEATHER]}, {"unknown-row-key"}),
    ],
    "unknown-message-key": [
        ("`refusal` copied from an API response", {"messages": [user(), assistant(refusal=None)]}, {"unknown-message-key"}),
    ],
    "invalid-role": [
        ("ShareGPT's `human`", {"messages": [{"role": "human", "content": "hi"}, assistant()]}, {"invalid-role"}),
        ("a message without a role", {"messages": [{"content": "hi"}, assistant()]}, {"invalid-role"}),
        ("a role that is a number", {"messages": [{"role": 1, "content": "hi"}, assistant()]}, {"invalid-role"}),
    ],
    "invalid-content-type": [
        ("content is an object", {"messages": [user({"text": "hi"}), assistant()]}, {"invalid-content-type"}),
        ("null content on a user turn", {"messages": [user(None), assistant()]}, {"invalid-content-type"}),
        ("an image in an assistant turn", {"messages": [user(), assistant([{"type": "image_url", "image_url": {"url": "https://x/y.png"}}])]}, {"invalid-content-type"}),
        ("an unknown part type", {"messages": [user([{"type": "audio", "data": "..."}]), assistant()]}, {"invalid-content-type"}),
        ("an image detail outside low/high/auto", {"messages": [user([{"type": "image_url", "image_url": {"url": "https://x/y.png", "detail": "max"}}]), assistant()]}, {"invalid-content-type"}),
    ],
    "missing-assistant-message": [
        ("a prompt with no answer", {"messages": [{"role": "system", "content": "Be brief."}, user()]}, {"missing-assistant-message"}),
        ("every assistant turn weighted 0", {"messages": [user(), assistant(weight=0)]}, {"missing-assistant-message"}),
    ],
    "invalid-weight": [
        ("a fractional weight", {"messages": [user(), assistant(weight=0.5)]}, {"invalid-weight"}),
        ("true is not 1", {"messages": [user(), assistant(weight=True)]}, {"invalid-weight"}),
        ("a weight on a user turn", {"messages": [{"role": "user", "content": "hi", "weight": 1}, assistant()]}, {"invalid-weight"}),
    ],
    "unexpected-row-kind": [
        ("a DPO pair in a chat file", {"input": {"messages": [user()]}, "preferred_output": [assistant()], "non_preferred_output": [assistant("no")]}, {"unexpected-row-kind"}),
        ("a legacy prompt/completion row", {"prompt": "Q: 2+2?", "completion": " 4"}, {"unexpected-row-kind"}),
        ("an RFT row: no assistant target, a grader key", {"messages": [user()], "reference_answer": "12"}, {"unexpected-row-kind"}),
    ],
    "empty-content": [
        ("a whitespace-only user turn", {"messages": [user("   "), assistant()]}, {"empty-content"}),
        ("an empty assistant answer", {"messages": [user(), assistant("")]}, {"empty-content"}),
        ("an assistant turn with no content and no call", {"messages": [user(), {"role": "assistant"}]}, {"empty-content"}),
        ("an empty text part", {"messages": [user([{"type": "text", "text": ""}]), assistant()]}, {"empty-content"}),
        ("an empty tool result", weather_row(messages=[user(), calls_turn(call("call_1", "get_weather", {"city": "Oslo"})), result("call_1", ""), assistant()]), {"empty-content"}),
    ],
    "missing-tools-array": [
        ("a call with no tools declared", {"messages": [user(), calls_turn(call("call_1", "get_weather", {"city": "Oslo"}))]}, {"missing-tools-array"}),
        ("a call with an empty tools array", {"messages": [user(), calls_turn(call("call_1", "get_weather", {"city": "Oslo"}))], "tools": []}, {"missing-tools-array"}),
        ("a legacy call with no functions", {"messages": [user(), {"role": "assistant", "content": None, "function_call": {"name": "f", "arguments": "{}"}}]},
         {"missing-tools-array", "legacy-function-format"}),
    ],
    "legacy-function-format": [
        ("the whole legacy trio", {"functions": [WEATHER["function"]], "messages": [
            user(), {"role": "assistant", "content": None, "function_call": {"name": "get_weather", "arguments": '{"city": "Oslo"}'}},
            {"role": "function", "name": "get_weather", "content": "12"}, assistant()]}, {"legacy-function-format"}),
    ],
    "mixed-function-formats": [
        ("tools declared, legacy call made", {"tools": [WEATHER], "messages": [
            user(), {"role": "assistant", "content": None, "function_call": {"name": "get_weather", "arguments": '{"city": "Oslo"}'}}]},
         {"mixed-function-formats", "legacy-function-format", "missing-tools-array"}),
    ],
    "undefined-tool": [
        ("a typo in the called name", weather_row(messages=[user(), calls_turn(call("call_1", "get_wether", {"city": "Oslo"})), result("call_1"), assistant()]), {"undefined-tool"}),
    ],
    "invalid-arguments-json": [
        ("arguments given as an object", weather_row(messages=[user(), calls_turn({"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": {"city": "Oslo"}}}), result("call_1"), assistant()]), {"invalid-arguments-json"}),
        ("arguments that do not parse", weather_row(messages=[user(), calls_turn(call("call_1", "get_weather", "{city: Oslo}")), result("call_1"), assistant()]), {"invalid-arguments-json"}),
        ("arguments that are an array", weather_row(messages=[user(), calls_turn(call("call_1", "get_weather", "[1]")), result("call_1"), assistant()]), {"invalid-arguments-json"}),
        ("arguments encoded twice", weather_row(messages=[user(), calls_turn(call("call_1", "get_weather", '"{\\"city\\": \\"Oslo\\"}"')), result("call_1"), assistant()]), {"invalid-arguments-json"}),
    ],
    "arguments-schema-mismatch": [
        ("a value outside the enum", weather_row(messages=[user(), calls_turn(call("call_1", "get_weather", {"city": "Oslo", "unit": "k"})), result("call_1"), assistant()]), {"arguments-schema-mismatch"}),
        ("a required field missing", weather_row(messages=[user(), calls_turn(call("call_1", "get_weather", {"town": "Oslo"})), result("call_1"), assistant()]), {"arguments-schema-mismatch"}),
    ],
    "invalid-tool-definition": [
        ("a space in the function name", {"tools": [tool("get weather")], "messages": [user(), assistant()]}, {"invalid-tool-definition"}),
        ("a type that is not JSON Schema", {"tools": [tool("f", {"x": {"type": "text"}})], "messages": [user(), assistant()]}, {"invalid-tool-definition"}),
        ("a tool of another type", {"tools": [{"type": "retrieval"}], "messages": [user(), assistant()]}, {"invalid-tool-definition"}),
        ("the same name twice", {"tools": [tool("f"), tool("f")], "messages": [user(), assistant()]}, {"invalid-tool-definition"}),
        ("tools is an object", {"tools": {"f": {}}, "messages": [user(), assistant()]}, {"invalid-tool-definition"}),
        ("parallel_tool_calls as a string", {"tools": [WEATHER], "parallel_tool_calls": "no", "messages": [user(), assistant()]}, {"invalid-tool-definition"}),
    ],
    "strict-schema-violation": [
        ("a strict tool with an optional property", {"tools": [tool("book", {"date": {"type": "string"}, "guests": {"type": "integer"}}, ["date"], strict=True)], "messages": [user(), assistant()]}, {"strict-schema-violation"}),
        ("a strict tool without additionalProperties: false", {"tools": [{"type": "function", "function": {"name": "f", "strict": True, "parameters": {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]}}}], "messages": [user(), assistant()]}, {"strict-schema-violation"}),
        ("a strict tool using minLength", {"tools": [tool("f", {"a": {"type": "string", "minLength": 2}}, ["a"], strict=True)], "messages": [user(), assistant()]}, {"strict-schema-violation"}),
    ],
    "parallel-calls-with-strict-tools": [
        ("two calls to a strict tool, parallel calls allowed", {"tools": [STRICT_BOOK], "messages": [
            user("Book the 1st and the 2nd"), calls_turn(call("c1", "book", {"date": "1", "guests": 2}), call("c2", "book", {"date": "2", "guests": 2})),
            result("c1", "ok"), result("c2", "ok"), assistant("Both booked.")]}, {"parallel-calls-with-strict-tools"}),
    ],
    "parallel-calls-disabled": [
        ("two calls although parallel calls are off", weather_row(parallel_tool_calls=False, messages=[
            user("Oslo and Rome?"), calls_turn(call("c1", "get_weather", {"city": "Oslo"}), call("c2", "get_weather", {"city": "Rome"})),
            result("c1"), result("c2"), assistant()]), {"parallel-calls-disabled"}),
    ],
    "orphan-tool-message": [
        ("a result for an id nobody called", weather_row(messages=[user(), calls_turn(call("call_1", "get_weather", {"city": "Oslo"})), result("call_1"), result("call_9"), assistant()]), {"orphan-tool-message"}),
        ("a tool message without tool_call_id", weather_row(messages=[user(), calls_turn(call("call_1", "get_weather", {"city": "Oslo"})), result("call_1"), {"role": "tool", "content": "12"}, assistant()]), {"orphan-tool-message"}),
        ("a legacy function result with no call", {"functions": [WEATHER["function"]], "messages": [user(), {"role": "function", "name": "get_weather", "content": "12"}, assistant()]},
         {"orphan-tool-message", "legacy-function-format"}),
    ],
    "unanswered-tool-call": [
        ("a call followed directly by an answer", weather_row(messages=[user(), calls_turn(call("call_1", "get_weather", {"city": "Oslo"})), assistant()]), {"unanswered-tool-call"}),
    ],
    "duplicate-tool-call-id": [
        ("two calls under one id", weather_row(messages=[user("Oslo and Rome?"), calls_turn(call("c1", "get_weather", {"city": "Oslo"}), call("c1", "get_weather", {"city": "Rome"})), result("c1"), assistant()]), {"duplicate-tool-call-id"}),
    ],
    "malformed-tool-call": [
        ("a tool call without id and type", weather_row(messages=[user(), calls_turn({"function": {"name": "get_weather", "arguments": "{\"city\": \"Oslo\"}"}}), assistant()]), {"malformed-tool-call"}),
        ("tool_calls on a user message", {"tools": [WEATHER], "messages": [{"role": "user", "content": "hi", "tool_calls": []}, assistant()]}, {"malformed-tool-call"}),
    ],
    "row-over-token-limit": [
        ("a pasted document far over gpt-4o-mini's 65,536 tokens", {"messages": [user("word " * 70_000), assistant()]}, {"row-over-token-limit"}),
    ],
    "chosen-rejected-layout": [
        ("(off by default; selected for `convert --to dpo`) a chosen/rejected pair, also of the wrong kind for a chat file",
         {"chosen": [user(), assistant()], "rejected": [user(), assistant("No idea.")]}, {"chosen-rejected-layout", "unexpected-row-kind"}),
    ],
    "tools-format": [
        ("(off by default; selected for `convert --to legacy`) a row in the tools format", weather_row(), {"tools-format"}),
    ],
}

PASS: list[tuple[str, object]] = [
    ("a plain two-turn chat", {"messages": [user(), assistant()]}),
    ("system and developer prompts", {"messages": [{"role": "system", "content": "Be brief."}, {"role": "developer", "content": "No emoji."}, user(), assistant()]}),
    ("call with content absent, result, answer", weather_row()),
    ("call with content null", weather_row(messages=[user(), calls_turn(call("call_1", "get_weather", {"city": "Oslo"}), content=None), result("call_1"), assistant()])),
    ("call with empty content", weather_row(messages=[user(), calls_turn(call("call_1", "get_weather", {"city": "Oslo"}), content=""), result("call_1"), assistant()])),
    ("a row that ends on the call (the call is the target)", weather_row(messages=[user(), calls_turn(call("call_1", "get_weather", {"city": "Oslo"}))])),
    ("parallel calls, parallel_tool_calls true", weather_row(parallel_tool_calls=True, messages=[
        user("Oslo and Rome?"), calls_turn(call("c1", "get_weather", {"city": "Oslo"}), call("c2", "get_weather", {"city": "Rome"})),
        result("c2"), result("c1"), assistant()])),
    ("one call per turn, parallel_tool_calls false, strict tool", {"tools": [STRICT_BOOK], "parallel_tool_calls": False, "messages": [
        user("Book the 1st"), calls_turn(call("c1", "book", {"date": "1", "guests": 2})), result("c1", "ok"), assistant("Booked.")]}),
    ("strict tool with nullable field, nested object and $defs", {"tools": [{"type": "function", "function": {"name": "order", "strict": True, "parameters": {
        "type": "object", "additionalProperties": False, "required": ["item", "note", "address"],
        "properties": {"item": {"type": "string", "enum": ["a", "b"]}, "note": {"type": ["string", "null"]},
                       "address": {"$ref": "#/$defs/address"}},
        "$defs": {"address": {"type": "object", "additionalProperties": False, "required": ["city"], "properties": {"city": {"type": "string", "pattern": "^[A-Z]"}}}}}}}],
        "messages": [user("Order a"), calls_turn(call("c1", "order", {"item": "a", "note": None, "address": {"city": "Oslo"}}))]}),
    ("weights 0 and 1 on assistant turns", {"messages": [user(), assistant("Draft", weight=0), user("Again"), assistant("Better", weight=1)]}),
    ("names on messages", {"messages": [{"role": "system", "content": "x", "name": "policy"}, {"role": "user", "content": "hi", "name": "ana"}, assistant()]}),
    ("a user turn with text and an image", {"messages": [user([{"type": "text", "text": "What is this?"}, {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo=", "detail": "high"}}]), assistant("A cat.")]}),
    ("assistant content as text parts", {"messages": [user(), assistant([{"type": "text", "text": "Hello"}])]}),
    ("a tool declared but not called", weather_row(messages=[user("hi"), assistant("Hello!")])),
    ("a tool with no parameters", {"tools": [{"type": "function", "function": {"name": "now"}}], "messages": [user("time?"), calls_turn(call("c1", "now", {})), result("c1", "12:00"), assistant("Noon.")]}),
    ("unicode everywhere", {"messages": [user("Wie ist das Wetter in Zürich? 🌦"), assistant("Es sind 12 °C in Zürich. 🌤")]}),
]
