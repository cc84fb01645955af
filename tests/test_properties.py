"""The engine returns diagnostics, never raises, whatever it is fed."""

import json

from hypothesis import HealthCheck, given, settings, strategies as st

from tunelint.lint import Settings, check_bytes

ALL = Settings(select=["ALL"])

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=10)
keys = st.sampled_from(["messages", "tools", "role", "content", "tool_calls", "function", "name", "arguments",
                        "id", "type", "tool_call_id", "weight", "parameters", "properties", "required", "strict",
                        "function_call", "functions", "parallel_tool_calls", "image_url", "url", "text", "input",
                        "preferred_output", "additionalProperties", "items", "anyOf", "enum"]) | st.text(max_size=5)
values = st.recursive(scalars | st.sampled_from(["assistant", "user", "tool", "function", "system", "object", "string",
                                                 "{}", '{"a": 1}', '"{}"', "text", "image_url"]),
                      lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=6),
                      max_leaves=30)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(values, min_size=1, max_size=4))
def test_arbitrary_json_rows_never_raise(rows):
    data = "\n".join(json.dumps(r) for r in rows).encode() + b"\n"
    for v in check_bytes(data, "t.jsonl", ALL).violations:
        assert v.line >= 1 and 0 <= v.col <= v.end_col


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_never_raise(data):
    for v in check_bytes(data, "t.jsonl", ALL).violations:
        assert v.line >= 1 and v.col >= 0


@settings(max_examples=200, deadline=None)
@given(st.lists(values, min_size=1, max_size=3), st.sampled_from([(",", ":"), (", ", ": ")]), st.booleans())
def test_row_diagnostics_do_not_depend_on_json_style(rows, separators, ascii_only):
    compact = "\n".join(json.dumps(r, separators=(",", ":"), ensure_ascii=False) for r in rows).encode()
    styled = "\n".join(json.dumps(r, separators=separators, ensure_ascii=ascii_only) for r in rows).encode()
    a = [(v.line, v.code, v.message) for v in check_bytes(compact, "t", ALL).violations]
    b = [(v.line, v.code, v.message) for v in check_bytes(styled, "t", ALL).violations]
    assert a == b
