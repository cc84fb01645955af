"""Violations point at the exact key or value, whatever the JSON's spacing or escaping."""

import json

import orjson
from hypothesis import given, settings, strategies as st

from helpers import call, calls_turn, lint, result, user, weather_row, assistant
from tunelint.lint.pointer import join_pointer, locate

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=20,
)


def paths(value, prefix=()):
    yield prefix, value
    if isinstance(value, dict):
        for k, v in value.items():
            yield from paths(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from paths(v, prefix + (i,))


@settings(max_examples=200, deadline=None)
@given(json_values, st.sampled_from([(",", ":"), (", ", ": ")]), st.booleans(), st.data())
def test_located_span_parses_back_to_the_value(value, separators, ascii_only, data):
    text = json.dumps(value, separators=separators, ensure_ascii=ascii_only)
    all_paths = list(paths(value))
    path, expected = data.draw(st.sampled_from(all_paths))
    span = locate(text, join_pointer(*path))
    assert span is not None
    assert orjson.loads(text[span[0]:span[1]]) == expected


def test_keys_with_slashes_tildes_and_escapes():
    text = json.dumps({"a/b": {"c~d": 1, "é\"x": [10, 20]}}, ensure_ascii=True)
    assert text[slice(*locate(text, "/a~1b/c~0d"))] == "1"
    assert text[slice(*locate(text, join_pointer("a/b", 'é"x', 1)))] == "20"


def test_duplicate_keys_point_at_the_last_one_like_the_parser():
    text = '{"a": 1, "a": 2}'
    assert text[slice(*locate(text, "/a"))] == "2"


def test_key_span_for_unknown_keys():
    (v,) = lint({"messages": [user(), assistant()], "metadata": {"src": "x"}})
    line = json.dumps({"messages": [user(), assistant()], "metadata": {"src": "x"}}, ensure_ascii=False)
    assert line[v.col:v.end_col] == '"metadata"'


def test_violation_span_covers_the_called_name():
    row = weather_row(messages=[user(), calls_turn(call("call_1", "get_wether", {"city": "Oslo"})), result("call_1"), assistant()])
    (v,) = lint(row)
    line = json.dumps(row, ensure_ascii=False)
    assert line[v.col:v.end_col] == '"get_wether"'


def test_columns_count_code_points_not_bytes():
    row = {"messages": [user("Zürich 🌦 café"), assistant("")]}
    (v,) = lint(row)
    line = json.dumps(row, ensure_ascii=False)
    assert line[v.col:v.end_col] == '""'


def test_a_value_nested_past_the_recursion_limit_is_skipped_without_recursion():
    # Values on the way are skipped by the standard library's scanner, which recurses;
    # 1,020 levels (orjson parses up to 1,024) are past its limit and must still be passed.
    deep = "[" * 1020 + "]" * 1020
    text = '{"messages": ' + deep + ', "tools": [1, 2]}'
    assert orjson.loads(text)["tools"] == [1, 2]
    start, end = locate(text, "/tools/1")
    assert text[start:end] == "2"


def test_a_top_level_key_is_found_past_its_namesakes_and_the_last_copy_wins():
    # Each row hides the reported top-level key among copies that are not it: the same
    # key nested deeper, the spelling as a string value or inside a string, and repeated
    # keys (the parser keeps the last, plain or escaped). The key is last in the row, where
    # it is looked for from the right, or first, where the walk from the left stops early.
    def key_at(text, pointer):
        start, end = locate(text, pointer, on_key=True)
        value_start, _ = locate(text, pointer)
        return text[start:end], text[value_start:].split(",")[0].split("}")[0]

    assert key_at('{"messages": [{"functions": 1}], "x": "functions", "functions": [7]}', "/functions") == ('"functions"', "[7]")
    assert key_at('{"functions": 8, "messages": [{"functions": {"functions": 2}}, "\\"functions\\": 3"]}', "/functions") == ('"functions"', "8")
    assert key_at('{"a": 1, "functions": 1, "messages": [], "functions": 9}', "/functions") == ('"functions"', "9")
    assert key_at('{"a": 1, "functions": 1, "messages": [], "function\\u0073": 5}', "/functions") == ('"function\\u0073"', "5")
    assert key_at('{"functions": 1, "messages": [{"functions": 2}], "function\\u0073": 6}', "/functions") == ('"function\\u0073"', "6")
    assert key_at('{"functions": 1, "messages": [[], [], [], []], "function\\u0073": 3}', "/functions") == ('"function\\u0073"', "3")
    assert key_at('{"messages": [[], [], [], [], [], []], "functions": 1, "function\\u0073": 7}', "/functions") == ('"function\\u0073"', "7")
    assert key_at('{ "m" : [ ] , "tools" : 4 }  ', "/tools") == ('"tools"', "4 ")
