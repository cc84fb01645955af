"""After any sequence of edits, a Session's incremental result equals `check_text` of the final text."""

import json

from hypothesis import given, settings, strategies as st

from helpers import clean_rows
from tunelint.lint import Session, Settings, check_text
from tunelint.lsp.document import Document

SETTINGS = Settings(select=["ALL"])
BASE = "\n".join(json.dumps(r, ensure_ascii=False) for r in clean_rows(6)) + "\n"
SNIPPETS = st.sampled_from(["", "\n", "x", "}", "{", '"', "Zürich 🌦", '{"messages": []}', "\n\n", ",", "get_wether",
                            json.dumps(clean_rows(1)[0]), "\r\n"])


@st.composite
def edits(draw):
    """Edits as (start, end, text) offsets into the text as it is when the edit applies."""
    text = BASE
    out = []
    for _ in range(draw(st.integers(1, 8))):
        a = draw(st.integers(0, len(text)))
        b = draw(st.integers(a, min(len(text), a + 40)))
        new = draw(SNIPPETS)
        out.append((a, b, new))
        text = text[:a] + new + text[b:]
    return out, text


def position(text: str, offset: int) -> tuple[int, int]:
    before = text[:offset]
    line = before.count("\n")
    return line, offset - (before.rfind("\n") + 1)


def summary(violations):
    return [(v.line, v.col, v.end_col, v.code, v.message) for v in violations]


@settings(max_examples=150, deadline=None)
@given(edits())
def test_incremental_equals_full(case):
    changes, final = case
    document = Document.from_text("file:///t.jsonl", "/tmp/t.jsonl", BASE, 1)
    session = Session("/tmp/t.jsonl", SETTINGS, jobs=1)
    session.lint(document.rows)
    text = BASE
    for a, b, new in changes:
        document.replace(position(text, a), position(text, b), new)
        text = text[:a] + new + text[b:]
        incremental = session.lint(document.rows)
    assert document.text == final
    assert summary(incremental) == summary(check_text(final, "/tmp/t.jsonl", SETTINGS).violations)


def test_an_edit_that_keeps_the_screening_key_still_updates_the_findings():
    # Lines 1 and 2 share their prompt and answer differently. The edit changes an earlier
    # call's arguments on line 1: every text, and so the cheap screening key, stays the
    # same, but the prompts now differ and the contradiction must go (and come back).
    from helpers import assistant, call, calls_turn, jsonl, result, tool, user

    book = tool("book_table", {"time": {"type": "string"}})

    def booked(time, answer):
        return {"messages": [user("Book for 4"), calls_turn(call("c1", "book_table", {"time": time})),
                             result("c1", "ok"), assistant(answer)], "tools": [book]}

    settings = Settings(select=["TLD003"])
    document = Document.from_text("file:///t.jsonl", "/tmp/t.jsonl", jsonl(booked("8pm", "Booked."), booked("8pm", "Done.")), 1)
    session = Session("/tmp/t.jsonl", settings, jobs=1)
    first = session.lint(document.rows)
    assert [(v.line, v.code) for v in first] == [(2, "TLD003")]
    for old, new, expected in (("8pm", "9pm", []), ("9pm", "8pm", [(2, "TLD003")])):
        line = document.lines[0]
        column = line.index(old)
        document.replace((0, column), (0, column + len(old)), new)
        after = session.lint(document.rows)
        assert [(v.line, v.code) for v in after] == expected
        assert summary(after) == summary(check_text(document.text, "/tmp/t.jsonl", settings).violations)
