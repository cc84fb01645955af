"""Conversion as text edits: the edited row parses to exactly the value the re-serialising
conversion wrote, over generated rows in every style, and keeps what it does not touch.

`legacy_row_to_tools` (the value-level conversion) is the reference: the edits are
checked against it here, not at run time.
"""

from __future__ import annotations

import json
import random

import orjson
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from tunelint.lint import Settings, conversion
from tunelint.lint.conversion import legacy_row_edits, legacy_row_to_tools, _legacy_plan
from tunelint.lint.fingerprint import digest_bytes
from tunelint.lint.jsonstyle import detect_style
from tunelint.lint.source import canonical_dump, parse_row
from tunelint.lint.text_edits import apply_edits

names = st.sampled_from(["get_weather", "book", "f", "über_tool", "a-b"])
texts = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20), texts,
                    st.floats(allow_nan=False, allow_infinity=False))
# Values that may hold keys the conversion looks for, nested where it must not touch them.
nested = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3),
    st.dictionaries(st.sampled_from(["function_call", "functions", "role", "name", "x", "content"]), inner, max_size=3)),
    max_leaves=6)


@st.composite
def legacy_rows(draw) -> dict:
    functions = [{"name": name, "parameters": draw(st.sampled_from([
        {"type": "object", "properties": {}},
        {"type": "object", "properties": {"function_call": {"type": "string", "default": "x"}}},
        {"type": "object", "properties": {"role": {"enum": ["function"]}, "name": {"type": "string"}}},
    ])), **({"x_extra": draw(nested)} if draw(st.booleans()) else {})}
        for name in draw(st.lists(names, min_size=1, max_size=3, unique=True))]
    messages: list = [{"role": "user", "content": draw(texts)}]
    for _ in range(draw(st.integers(1, 3))):
        name = draw(st.sampled_from([f["name"] for f in functions]))
        call = {"role": "assistant", "content": None,
                "function_call": {"name": name, "arguments": json.dumps({"v": draw(scalars)})}}
        if draw(st.booleans()):
            call = dict(reversed(list(call.items())))
        messages.append(call)
        result = {"role": "function", "name": name, "content": draw(texts)}
        order = draw(st.permutations(list(result)))
        messages.append({key: result[key] for key in order})
        if draw(st.booleans()):
            messages.append({"role": "assistant", "content": draw(texts), "weight": draw(st.sampled_from([0, 1]))})
    row = {"messages": messages, "functions": functions}
    if draw(st.booleans()):
        row = {"functions": functions, "messages": messages}
    if draw(st.booleans()):
        row["metadata"] = draw(nested)
    return row


@st.composite
def written(draw) -> str:
    """A legacy row written in some style: separators, escaping, and now and then a key
    spelled with an escape (`"function\\u005fcall"`), which parses the same."""
    row = draw(legacy_rows())
    item, key = draw(st.sampled_from([(", ", ": "), (",", ":"), (" , ", " : ")]))
    text = json.dumps(row, ensure_ascii=draw(st.booleans()), separators=(item, key))
    if draw(st.booleans()):
        text = text.replace('"function_call"', '"function\\u005fcall"', 1)
    return text


def converted_text(text: str) -> str | None:
    row = parse_row(1, text.encode())
    dump = canonical_dump(row)
    plan = _legacy_plan(row.obj, digest_bytes(dump))
    if isinstance(plan, conversion.Converted):
        return None
    return apply_edits(text, legacy_row_edits(text, plan, detect_style(row.raw), dump))


def reference(text: str):
    row = parse_row(1, text.encode())
    return legacy_row_to_tools(json.loads(text), digest_bytes(canonical_dump(row))).value


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(written())
def test_edited_rows_parse_to_what_the_value_conversion_writes(text):
    edited = converted_text(text)
    if edited is None:  # a result no call asked for: both refuse
        assert reference(text) is None
        return
    assert json.loads(edited) == reference(text)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(written())
def test_the_walk_finds_what_the_spelling_search_finds(text):
    fast = converted_text(text)
    original = conversion._spelled_places
    conversion._spelled_places = lambda text, plan, canonical: None  # always walk the members
    try:
        walked = converted_text(text)
    finally:
        conversion._spelled_places = original
    assert walked == fast


def test_what_the_edits_do_not_touch_stays_as_written():
    # Numbers as written (a float's trailing zero, a long integer, an exponent), escapes,
    # odd spacing and key order: a re-serialisation would have rewritten them all.
    text = ('{"messages":[ {"content":"W\\u00e9ather?","role":"user"},{"role":"assistant","content":null,'
            '"function_call":{"name":"f","arguments":"{\\"t\\": 1.50}"}}, {"name":"f","role":"function",'
            '"content":"12"}],"functions":[{"name":"f","parameters":{"type":"object","default":1.50,'
            '"big":123456789012345678901234567890,"e":1E+2}}]}')
    edited = converted_text(text)
    for kept in ('"W\\u00e9ather?"', '"default":1.50', '"big":123456789012345678901234567890', '"e":1E+2',
                 '"{\\"t\\": 1.50}"', '{"content":"W'):
        assert kept in edited
    assert json.loads(edited)["tools"][0]["type"] == "function"
    assert json.loads(edited)["messages"][2]["role"] == "tool"


def test_edits_that_overlap_are_refused():
    with pytest.raises(ValueError):
        apply_edits("abcdef", [(1, 4, "x"), (3, 5, "y")])
    assert apply_edits("abc", [(1, 1, "X"), (1, 1, "Y"), (3, 3, "!")]) == "aXYbc!"


def test_convert_writes_the_same_bytes_through_the_fix_loop_as_the_edits_give(tmp_path):
    # The command end to end, on rows of several styles: each converted line is what the
    # edits give, and parses to the value conversion's result.
    rng = random.Random(3)
    lines = []
    for i in range(60):
        row = {"messages": [{"role": "user", "content": f"q{i}"},
                            {"role": "assistant", "content": None, "function_call": {"name": "f", "arguments": "{}"}},
                            {"role": "function", "name": "f", "content": str(i / 7)}],
               "functions": [{"name": "f", "parameters": {"type": "object", "properties": {}}}]}
        sep = rng.choice([(", ", ": "), (",", ":")])
        lines.append(json.dumps(row, separators=sep))
    path = tmp_path / "legacy.jsonl"
    path.write_text("\n".join(lines) + "\n")
    from tunelint.convert import convert_file

    convert_file(path, Settings(), output=tmp_path / "out.jsonl")
    out = (tmp_path / "out.jsonl").read_text().splitlines()
    assert out == [converted_text(line) for line in lines]
    assert [orjson.loads(line) for line in out] == [reference(line) for line in lines]


# --- which rows need the exact reading --------------------------------------------------------

_REFERENCE_FLOAT = __import__("re").compile(rb"[:,\[]\s*(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)")


def _reference_needs_exact_reading(raw: bytes) -> bool:
    """The first version: a regex over every number of the line (ten times slower)."""
    if b"0" * 19 in bytes(0x30 if 0x30 <= b <= 0x39 else 0x20 for b in raw):
        return True
    for match in _REFERENCE_FLOAT.finditer(raw):
        literal = match.group(1)
        if (b"." in literal or b"e" in literal or b"E" in literal) and repr(float(literal)).encode() != literal:
            return True
    return False


number_texts = st.one_of(st.floats(allow_nan=False, allow_infinity=False).map(repr),
                         st.integers(-10**25, 10**25).map(str),
                         st.from_regex(r"-?[0-9]{1,3}(\.[0-9]{1,4})?([eE][+-]?[0-9]{1,3})?", fullmatch=True))


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(number_texts, st.sampled_from([": ", ":", ", ", ",", "[", ": \t"]), texts), max_size=6))
def test_the_quick_screen_for_numbers_agrees_with_the_regex_over_every_number(parts):
    from tunelint.lint.source import needs_exact_reading

    raw = "".join(f'{sep}{number} "{json.dumps(word)[1:-1]}" e-mail 3.x' for number, sep, word in parts).encode()
    assert needs_exact_reading(raw) == _reference_needs_exact_reading(raw)
