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
    check_rows_never_raise(rows)


def check_rows_never_raise(rows):
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


ids = st.sampled_from(["c1", "c2", "c3", "", 7, None])
names = st.sampled_from(["get_weather", "book", "nope", None, 3])
arguments = st.sampled_from(['{"city": "Oslo"}', "{}", '{"city": 3}', "[1]", "{bad", '"{}"', {"a": 1}, None])
tool_calls = st.lists(st.fixed_dictionaries({"id": ids, "type": st.sampled_from(["function", "x"]),
                                             "function": st.fixed_dictionaries({"name": names, "arguments": arguments})}),
                      max_size=3)
chat_messages = st.one_of(
    st.fixed_dictionaries({"role": st.sampled_from(["user", "system", "developer", "human"]),
                           "content": st.sampled_from(["hi", "", "  ", None, [{"type": "text", "text": ""}], 5])}),
    st.fixed_dictionaries({"role": st.just("assistant")}, optional={
        "content": st.sampled_from(["ok", "", None]), "tool_calls": tool_calls | st.just("x"),
        "function_call": st.fixed_dictionaries({"name": names, "arguments": arguments}),
        "weight": st.sampled_from([0, 1, 0.5, True])}),
    st.fixed_dictionaries({"role": st.just("tool"), "content": st.sampled_from(["12", ""])}, optional={"tool_call_id": ids}),
    st.fixed_dictionaries({"role": st.just("function"), "name": names, "content": st.just("12")}),
)
weather = {"type": "function", "function": {"name": "get_weather", "strict": True, "parameters": {
    "type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"], "additionalProperties": False}}}
chat_rows = st.fixed_dictionaries({"messages": st.lists(chat_messages, max_size=7)}, optional={
    "tools": st.sampled_from([[weather], [], "x"]), "functions": st.just([weather["function"]]),
    "parallel_tool_calls": st.sampled_from([True, False, "no"])})


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(chat_rows | values, min_size=1, max_size=3))
def test_survey_shortcuts_never_hide_a_finding(rows):
    """The survey's flags only let rules skip work: forcing every flag on finds the same."""
    from unittest import mock

    from tunelint.lint import survey

    data = "\n".join(json.dumps(r) for r in rows).encode() + b"\n"
    normal = [(v.line, v.code, v.message) for v in check_bytes(data, "t", ALL).violations]
    real = survey._survey

    def suspicious(items):
        found = real(items)
        for flag in ("non_dict_messages", "unknown_keys", "odd_roles", "content_suspect", "weights", "results",
                     "parallel", "malformed_calls", "flow_suspect", "legacy_format", "tools_format", "developer"):
            setattr(found, flag, True)
        return found

    with mock.patch.object(survey, "_survey", suspicious):
        forced = [(v.line, v.code, v.message) for v in check_bytes(data, "t", ALL).violations]
    assert normal == forced


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(chat_rows, min_size=1, max_size=3))
def test_chat_shaped_rows_never_raise(rows):
    check_rows_never_raise(rows)
