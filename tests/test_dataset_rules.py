"""Dataset rules: each one's positive and negative cases, on small hand-written files."""

import json

from click.testing import CliRunner

from helpers import WEATHER, assistant, call, calls_turn, clean_rows, jsonl, lint, result, tool, user
from tunelint.cli.main import cli
from tunelint.lint import Settings, apply_fixes, check_text


def found(text: str, *codes: str, **options):
    settings = Settings(select=list(codes))
    return [(v.line, v.name, v.message) for v in check_text(text, "t.jsonl", settings).violations]


ROW = {"messages": [user("Book for 4 at 8pm"), assistant("Done: 4 people at 20:00.")]}


# --- duplicate-row ---------------------------------------------------------------------------

def test_duplicates_ignore_key_order_whitespace_and_escaping():
    reordered = '{"messages": [{"content": "Book for 4 at 8pm", "role": "user"}, {"content": "Done: 4 people at 20:00.", "role": "assistant"}]}'
    escaped = json.dumps(ROW, ensure_ascii=True).replace("B", "\\u0042")  # "\\u0042ook" is "Book"
    spaced = json.dumps(ROW, indent=None, separators=(" ,  ", " :  "))
    text = jsonl(ROW, reordered, escaped, spaced)
    assert found(text, "TLD001") == [(n, "duplicate-row", "row duplicates line 1") for n in (2, 3, 4)]


def test_different_rows_are_not_duplicates():
    assert found(jsonl(*clean_rows(5)), "TLD001") == []


def test_duplicate_carries_the_first_line_as_related_information():
    (v,) = check_text(jsonl(ROW, clean_rows(1)[0], ROW), "t.jsonl", Settings(select=["TLD001"])).violations
    assert v.line == 3 and [(r.line, r.message) for r in v.related] == [(1, "first copy")]


def test_unsafe_fix_deletes_later_copies_only():
    text = jsonl(ROW, clean_rows(1)[0], ROW, ROW).encode()
    settings = Settings(select=["TLD001"])
    unchanged, outcome = apply_fixes(text, settings)
    assert unchanged == text and outcome.fixes == 0  # unsafe: not applied by a plain --fix
    fixed, outcome = apply_fixes(text, settings, unsafe=True)
    assert fixed == jsonl(ROW, clean_rows(1)[0]).encode() and outcome.fixes == 2


# --- near-duplicate-row ----------------------------------------------------------------------

def test_near_duplicates_fold_case_unicode_and_spacing():
    near = {"messages": [user("book  for 4 at ８pm"), assistant("DONE: 4 people at 20:00.")]}  # fullwidth 8 (NFKC)
    assert found(jsonl(ROW, near), "TLD002") == [(2, "near-duplicate-row", "row has the same training text as line 1 (up to case and spacing)")]


def test_near_duplicate_is_off_by_default_and_leaves_exact_copies_to_duplicate_row():
    assert "near-duplicate-row" not in {v.name for v in check_text(jsonl(ROW, ROW), "t", Settings()).violations}
    assert found(jsonl(ROW, ROW), "TLD002") == []


# --- contradictory-answers -------------------------------------------------------------------

BOOK = tool("book_table", {"guests": {"type": "integer"}, "time": {"type": "string"}})


def booking(ident, time, answer=None):
    messages = [user("Book for 4 at 8pm"), calls_turn(call(ident, "book_table", {"guests": 4, "time": time}))]
    return {"messages": messages, "tools": [BOOK]}


def test_contradiction_that_differs_only_in_the_call_arguments():
    text = jsonl(booking("call_a", "20:00"), booking("call_b", "8pm"))  # ids differ too: ignored
    assert found(text, "TLD003") == [(2, "contradictory-answers", "same prompt as line 1 but other arguments to `book_table`")]
    (v,) = lint(*text.splitlines(), select=["TLD003"])
    assert v.severity.value == "warning"  # other arguments: a real contradiction


def test_text_answer_against_a_call_and_different_texts():
    text_answer = {"messages": [user("Book for 4 at 8pm"), assistant("I cannot book tables.")], "tools": [BOOK]}
    assert found(jsonl(booking("c1", "20:00"), text_answer), "TLD003")[0][2] == \
        "same prompt as line 1 but a text answer where it calls a tool"
    other = {"messages": [user("Book for 4 at 8pm"), assistant("Booked!")]}
    worded = "same prompt as line 1 but the text answer is worded differently (a paraphrase, or another answer)"
    assert found(jsonl(ROW, other), "TLD003")[0][2] == worded
    # Seen on a real chat file: 38 of 43 such findings were paraphrases. Only wording: info.
    (v,) = lint(ROW, other, select=["TLD003"])
    assert v.severity.value == "info"



def test_the_prompt_is_the_same_whatever_shape_the_answer_has():
    # The prompt ends where the last assistant turn starts. A plain-text answer and an
    # answer in content parts are found by different means; each pair below has the same
    # prompt (earlier turns, calls with other ids, a tool result) and must be reported.
    earlier = [[], [user("Hi"), assistant("Hello!")],
               [calls_turn(call("call_x", "book_table", {"guests": 4})),
                {"role": "tool", "tool_call_id": "call_x", "content": "{\"ok\": true}"}]]
    for before in earlier:
        other_ids = json.loads(json.dumps(before).replace("call_x", "call_y"))
        plain = {"messages": [*before, user("Book for 4"), assistant("Booked.")], "tools": [BOOK]}
        parts = {"messages": [*other_ids, user("Book for 4"),
                              {"role": "assistant", "content": [{"type": "text", "text": "No table."}]}], "tools": [BOOK]}
        assert [f[1] for f in found(jsonl(plain, parts), "TLD003")] == ["contradictory-answers"], before
        assert [f[1] for f in found(jsonl(parts, plain), "TLD003")] == ["contradictory-answers"], before

def test_same_answer_or_different_tools_is_no_contradiction():
    assert found(jsonl(booking("c1", "20:00"), booking("c2", "20:00")), "TLD003") == []
    other_tools = booking("c2", "8pm")
    other_tools["tools"] = [BOOK, WEATHER]  # a different prompt: the declared tools differ
    assert found(jsonl(booking("c1", "20:00"), other_tools), "TLD003") == []


# --- screening: what a cheap key cannot tell apart, the exact fingerprints do ---------------

def booked(time: str, answer: str) -> dict:
    """A booking whose earlier call's arguments are the only thing that varies besides the answer:
    every text (and so the cheap screening key of the row and of its prompt) is the same."""
    return {"messages": [user("Book for 4"), calls_turn(call("c1", "book_table", {"time": time})),
                         result("c1", "ok"), assistant(answer)], "tools": [BOOK]}


def test_rows_with_the_same_texts_but_other_call_arguments_are_told_apart():
    # Line 1 and 2 differ only in an earlier call's arguments: not duplicates, and their
    # prompts differ. Line 2 and 3 share their prompt exactly and answer differently.
    text = jsonl(booked("20:00", "Booked."), booked("8pm", "Booked."), booked("8pm", "Done."))
    assert found(text, "TLD001") == []
    assert found(text, "TLD003") == [(3, "contradictory-answers", "same prompt as line 2 but the text answer is worded "
                                                                   "differently (a paraphrase, or another answer)")]


def test_only_rows_whose_screening_key_repeats_are_read_again(tmp_path, monkeypatch):
    from tunelint.lint import check_file
    from tunelint.lint.source import LineIndex

    asked = []
    read, texts = LineIndex.read, LineIndex.texts
    monkeypatch.setattr(LineIndex, "read", lambda self, path, wanted: (asked.append(("rows", set(wanted))), read(self, path, wanted))[1])
    monkeypatch.setattr(LineIndex, "texts", lambda self, path, wanted: (asked.append(("texts", set(wanted))), texts(self, path, wanted))[1])
    rows = [{"messages": [user(f"Question {n}"), assistant(f"Answer {n}")]} for n in range(6)]
    path = tmp_path / "t.jsonl"
    path.write_text(jsonl(*rows, rows[2]), encoding="utf-8")  # line 7 copies line 3
    report = check_file(path, Settings(select=["TLD001", "TLD003"]))
    assert [(v.line, v.message) for v in report.violations] == [(7, "row duplicates line 3")]
    # The copies parsed for their exact fingerprints, then the reported row's text to place it.
    assert asked == [("rows", {3, 7}), ("texts", {7})]


# --- inconsistent-tools ----------------------------------------------------------------------

def test_drifted_schema_is_reported_against_the_majority():
    drifted = tool("get_weather", {"location": {"type": "string"}}, ["location"])
    rows = clean_rows(4)
    odd = {"messages": [user("Weather?"), assistant("Sunny.")], "tools": [drifted]}
    result_ = found(jsonl(*rows[:2], odd, *rows[2:]), "TLD004")
    assert result_ == [(3, "inconsistent-tools", "`tools` differ from those of 4 rows declaring `get_weather` (e.g. line 1): "
                                                 "adds parameter `location` to `get_weather`; removes parameter `city` from "
                                                 "`get_weather` (and 3 more)")]


def test_consistent_tools_and_different_toolsets_are_fine():
    rows = clean_rows(3)
    other = {"messages": [user("Book"), assistant("Ok")], "tools": [BOOK]}
    assert found(jsonl(*rows, other), "TLD004") == []


# --- too-few-examples ------------------------------------------------------------------------

def test_too_few_examples_thresholds_and_options():
    assert found(jsonl(*clean_rows(9)), "TLD005") == [(1, "too-few-examples", "file has 9 trainable examples; fine-tuning needs at least 10")]
    (v,) = check_text(jsonl(*clean_rows(12)), "t", Settings(select=["TLD005"])).violations
    assert v.severity.value == "warning" and "at least 50 are recommended" in v.message
    assert found(jsonl(*clean_rows(50)), "TLD005") == []
    from tunelint.lint.settings import settings_from_table

    relaxed = settings_from_table({"select": ["TLD005"], "rules": {"too-few-examples": {"min-error": 2, "min-warning": 3}}})
    assert check_text(jsonl(*clean_rows(3)), "t", relaxed).violations == []


def test_rows_with_only_weight_zero_answers_do_not_count():
    untrained = [{"messages": [user(f"q{i}"), assistant("a", weight=0)]} for i in range(12)]
    assert "needs at least 10" in found(jsonl(*untrained), "TLD005")[0][2]


# --- tool-imbalance --------------------------------------------------------------------------

def test_one_tool_taking_most_calls_and_a_tool_never_called():
    cancel = tool("cancel")
    rows = []
    for i in range(25):
        name = "book_table" if i < 20 else "get_weather"
        args = {"guests": i} if name == "book_table" else {"city": f"c{i}"}
        rows.append({"messages": [user(f"request {i}"), calls_turn(call("c1", name, args))], "tools": [BOOK, WEATHER, cancel]})
    messages = [m for _, _, m in found(jsonl(*rows), "TLD006")]
    assert messages == ["`book_table` takes 80% of the file's 25 calls (more than 60%)", "`cancel` is declared but never called in this file"]


def test_balanced_calls_and_small_files_are_fine():
    rows = [{"messages": [user(f"r{i}"), calls_turn(call("c1", ["book_table", "get_weather"][i % 2], {}))], "tools": [BOOK, WEATHER]}
            for i in range(30)]
    assert found(jsonl(*rows), "TLD006") == []
    assert found(jsonl(*rows[:5]), "TLD006") == []  # 5 calls: too few to judge


# --- single-system-prompt --------------------------------------------------------------------

def test_every_row_sharing_one_system_prompt():
    system = {"role": "system", "content": "You are Trip."}
    rows = [{"messages": [system, user(f"q{i}"), assistant(f"a{i}")]} for i in range(20)]
    assert found(jsonl(*rows), "TLD007") == [(1, "single-system-prompt", "all 20 rows share one system prompt")]
    rows[5]["messages"][0] = {"role": "system", "content": "You are Trip, concise."}
    assert found(jsonl(*rows), "TLD007") == []


# --- train-validation-overlap ----------------------------------------------------------------

def test_overlap_with_explicit_validation_and_by_file_names(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    train = clean_rows(60)
    near = {"messages": [user("WHAT'S THE WEATHER IN  OSLO?"), *train[0]["messages"][1:]], "tools": train[0]["tools"]}
    fresh = {"messages": [user("Weather in Quito?"), assistant("Warm.")]}
    (tmp_path / "train.jsonl").write_text(jsonl(*train))
    (tmp_path / "valid.jsonl").write_text(jsonl(train[7], fresh, near))
    runner = CliRunner()
    explicit = runner.invoke(cli, ["check", "train.jsonl", "--validation", "valid.jsonl", "--output-format", "concise",
                                   "--select", "TLD008"])
    lines = [line for line in explicit.stdout.splitlines() if "TLD008" in line]
    assert lines == ["valid.jsonl:1:1: TLD008 row is also in train.jsonl (line 8)",
                     "valid.jsonl:3:1: TLD008 row is also in train.jsonl (line 1) (up to case and spacing)"]
    by_name = runner.invoke(cli, ["check", ".", "--output-format", "concise", "--select", "TLD008"])
    assert [line for line in by_name.stdout.splitlines() if "TLD008" in line] == lines
    assert explicit.exit_code == 1


def test_no_overlap_without_a_pair(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    rows = clean_rows(10)
    (tmp_path / "a.jsonl").write_text(jsonl(*rows))
    (tmp_path / "b.jsonl").write_text(jsonl(*rows))
    result = CliRunner().invoke(cli, ["check", ".", "--select", "TLD008"])
    assert result.exit_code == 0


def test_lines_read_back_are_the_lines_the_first_pass_read(tmp_path):
    # The dataset rules read some lines again (exact fingerprints, then to place what they
    # found) by seeking to where the first pass saw them start: a byte-order mark, CRLF, a
    # blank line, a long line, and a last line without a newline must come back the same.
    from tunelint.lint.open_file import OpenFile
    from tunelint.lint.source import LineIndex, rows_from_stream

    path = tmp_path / "t.jsonl"
    path.write_bytes(b'\xef\xbb\xbf{"a": 1}\r\n\n{"b": "' + b"x" * 100 + b'"}\n{"c": "\xff"}\r\n{"d": 4}')
    index = LineIndex()
    first, text = {}, {}
    with path.open("rb") as stream:
        for row in rows_from_stream(stream):
            index.note(row)
            first[row.line] = (row.raw, row.eol, row.bom)
            text[row.line] = row.text
    assert len(first) == 5 and "\ufffd" in text[4]  # line 4 holds a byte that is not UTF-8
    source = OpenFile(path)
    for wanted in ({1}, {2, 3}, {3, 5}, {5}, {1, 2, 3, 4, 5}, {4, 9}):
        again = [(n, (row.raw, row.eol, row.bom)) for n, row in index.read(source, wanted)]
        assert again == [(n, first[n]) for n in sorted(wanted) if n in first], wanted
        # Read as text only (to place findings): what the first pass's rows gave as text.
        assert list(index.texts(source, wanted)) == [(n, text[n]) for n in sorted(wanted) if n in text], wanted
    source.close()
