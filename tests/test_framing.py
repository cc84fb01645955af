"""Bad input is normal input: every kind gives a diagnostic with a line and column, never a traceback."""

import json

from helpers import ROW_FIXTURE_SETTINGS, clean_rows, jsonl, weather_row
from tunelint.lint import Settings, apply_fixes
from tunelint.lint import check_bytes as check_any


def check_bytes(data, path):
    return check_any(data, path, ROW_FIXTURE_SETTINGS)

GOOD = json.dumps(weather_row()).encode()


def names(data: bytes):
    return [(v.line, v.col, v.name) for v in check_bytes(data, "t.jsonl").violations]


def test_invalid_json_reports_the_parsers_column():
    # `tru` is cut short: the parser stops at the start of the literal (0-based column 14).
    (v,) = check_bytes(b'{"a": 1, "b": tru}\n', "t.jsonl").violations
    assert (v.name, v.line, v.col) == ("invalid-json", 1, len('{"a": 1, "b": '))
    assert "expected 'true'" in v.message


def test_invalid_utf8_names_the_byte_and_its_column():
    # Latin-1 é (0xE9) inside a UTF-8 file, after 4 code points of text on line 2.
    data = GOOD + b"\n" + b'{"messages": [{"role": "user", "content": "caf\xe9"}]}\n'
    (v,) = check_bytes(data, "t.jsonl").violations
    assert v.name == "invalid-utf8" and v.line == 2
    assert v.col == len('{"messages": [{"role": "user", "content": "caf')
    assert "0xe9" in v.message


def test_bom_is_reported_once_and_the_row_is_still_checked():
    data = b"\xef\xbb\xbf" + json.dumps({"messages": [{"role": "user", "content": ""}, {"role": "assistant", "content": "hi"}]}).encode() + b"\n"
    assert [n for _, _, n in names(data)] == ["byte-order-mark", "empty-content"]


def test_crlf_and_missing_final_newline_are_fine():
    a, b, c = (json.dumps(r).encode() for r in clean_rows(3))
    assert names(a + b"\r\n" + b + b"\r\n" + c) == []


def test_blank_lines_are_reported_with_their_line():
    a, b = (json.dumps(r).encode() for r in clean_rows(2))
    assert names(a + b"\n\n   \n" + b + b"\n") == [(2, 0, "blank-line"), (3, 0, "blank-line")]


def test_a_lone_carriage_return_does_not_split_a_row():
    # "\r" alone is not a JSONL line break; the row stays one (invalid) line.
    assert [n for _, _, n in names(b'{"a": 1}\r{"b": 2}\n')] == ["invalid-json"]


def test_empty_file_and_whitespace_only_file():
    # (too-few-examples stays quiet where there is no chat row at all: empty-file says it)
    assert names(b"") == [(1, 0, "empty-file")]
    assert [(line, n) for line, _, n in names(b"\n\n")] == [(1, "blank-line"), (1, "empty-file"), (2, "blank-line")]


def test_deep_nesting_is_a_diagnostic_not_a_crash():
    (v,) = check_bytes(b"[" * 5000 + b"]" * 5000 + b"\n", "t.jsonl").violations
    assert v.name == "invalid-json" and "nesting" in v.message


def test_deep_nesting_inside_a_valid_schema_does_not_crash():
    # 900 levels parse fine, and jsonschema / the strict walker must not blow the stack.
    deep = {"type": "object"}
    for _ in range(400):
        deep = {"type": "object", "properties": {"a": deep}, "required": ["a"], "additionalProperties": False}
    row = {"tools": [{"type": "function", "function": {"name": "f", "strict": True, "parameters": deep}}],
           "messages": [{"role": "user", "content": "x"}, {"role": "assistant", "content": "y"}]}
    check_any(json.dumps(row).encode(), "t.jsonl", Settings(select=["ALL"]))  # completes; any finding is acceptable


def test_rows_deeper_than_orjson_writes_are_fingerprinted_and_fixed():
    # orjson parses 1024 levels but writes only 255: duplicates, conversion and fixes must cope.
    deep = "x"
    for _ in range(600):
        deep = [deep]
    legacy = {"functions": [{"name": "f", "parameters": {"type": "object", "properties": {}}}], "extra": deep,
              "messages": [{"role": "user", "content": "go"}, {"role": "assistant", "content": None,
                                                              "function_call": {"name": "f", "arguments": "{}"}}]}
    data = (json.dumps(legacy) + "\n") * 2
    found = {v.name for v in check_any(data.encode(), "t.jsonl", Settings(select=["ALL"])).violations}
    assert {"duplicate-row", "legacy-function-format"} <= found
    fixed, outcome = apply_fixes(data.encode(), Settings(select=["TLT002"]))
    assert outcome.fixes == 2 and b"tool_calls" in fixed


def test_a_50_mb_line_is_checked():
    big = {"messages": [{"role": "user", "content": "x" * 50_000_000}, {"role": "assistant", "content": ""}]}
    found = check_bytes(json.dumps(big).encode() + b"\n", "t.jsonl").violations
    assert [x.name for x in found] == ["row-over-token-limit", "empty-content"]
    v = found[1]
    assert v.col > 50_000_000
    assert len(v.snippet[0]) < 300  # the excerpt is a window, not the whole line


def test_wrong_types_at_every_key_give_diagnostics():
    rows = [
        {"messages": [{"role": "assistant", "tool_calls": "call it"}]},
        {"messages": [{"role": "assistant", "tool_calls": [None, 3, {"function": "f"}]}], "tools": [None]},
        {"messages": [{"role": "assistant", "function_call": [1]}], "functions": "f"},
        {"messages": [{"role": "tool", "tool_call_id": 5, "content": 5}], "tools": {"a": 1}, "parallel_tool_calls": 1},
        {"messages": [None, [], 1.5, {"role": None, "content": None, "weight": "1"}]},
    ]
    report = check_bytes(jsonl(*rows).encode(), "t.jsonl")
    assert {v.line for v in report.violations} == {1, 2, 3, 4, 5}
