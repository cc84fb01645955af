"""What real files showed: one cause gives one finding, and messages say what is there.

Each test writes a few rows in the shape a public dataset has (named in the test), not the
dataset itself.
"""

from __future__ import annotations

import pytest

import json

from click.testing import CliRunner

from helpers import assistant, jsonl, user
from tunelint.cli.main import cli
from tunelint.lint import Settings, check_paths, check_text


def codes(text: str, settings: Settings | None = None) -> dict[str, int]:
    found: dict[str, int] = {}
    for v in check_text(text, "t.jsonl", settings).violations:
        found[v.code] = found.get(v.code, 0) + 1
    return found


def test_a_cohere_file_is_one_cause_not_thousands():
    # cohere-ai/notebooks scienceQA_train.jsonl: 6,079 rows of `User`/`Chatbot` turns gave
    # invalid-role on every turn, missing-assistant-message on every row and "0 trainable
    # examples". The roles remain (each with its fix); the cascades do not.
    rows = [{"messages": [{"role": "System", "content": "Answer briefly."}, {"role": "User", "content": f"Q{i}?"},
                          {"role": "Chatbot", "content": f"A{i}."}]} for i in range(60)]
    found = codes(jsonl(*rows))
    assert found == {"TLS004": 180, "TLD009": 1}
    message = next(v.message for v in check_text(jsonl(*rows), "t.jsonl").violations if v.code == "TLD009")
    assert "Cohere's chat format" in message and "--fix --unsafe-fixes" in message


def test_cohere_roles_are_renamed_by_the_fixes_and_the_file_is_then_clean(tmp_path):
    rows = [{"messages": [{"role": "User", "content": f"Q{i}?"}, {"role": "Chatbot", "content": f"A{i}."}]}
            for i in range(60)]
    path = tmp_path / "t.jsonl"
    path.write_text(jsonl(*rows))
    CliRunner().invoke(cli, ["check", "--fix", "--unsafe-fixes", str(path)])
    assert [json.loads(line)["messages"][1]["role"] for line in path.read_text().splitlines()] == ["assistant"] * 60
    assert codes(path.read_text()) == {}


def test_prompt_completion_rows_are_said_to_be_another_format_not_a_chat_file():
    # Azure/azureml-examples oai-v1 train.jsonl (408 rows) and a student file: every row
    # prompt/completion; each said "in a file of chat examples", which the file is not.
    rows = [{"prompt": f"Q{i}", "completion": f" A{i}"} for i in range(20)]
    violations = check_text(jsonl(*rows), "t.jsonl").violations
    assert {v.code for v in violations} == {"TLS008", "TLD009"}
    assert all("in a file of" not in v.message for v in violations)


def test_turns_are_named_by_their_place_in_messages_and_in_a_pair():
    # "assistant message 2" for the only assistant turn of a 3-turn row read as the second.
    row = {"messages": [user("Hi"), {"role": "system", "content": "x"}, assistant("")]}
    (empty,) = [v for v in check_text(jsonl(row), "t.jsonl").violations if v.code == "TLC001"]
    assert empty.message == "assistant turn `messages[2]` has empty content"
    pair = {"input": {"messages": [user(" ")]}, "preferred_output": [assistant("a")],
            "non_preferred_output": [assistant("")]}
    messages = {v.message for v in check_text(jsonl(pair), "t.jsonl", Settings(kind="dpo")).violations if v.code == "TLC001"}
    assert messages == {"user turn `input.messages[0]` has whitespace-only content",
                        "assistant turn `non_preferred_output[0]` has empty content"}


def test_tool_imbalance_on_legacy_rows_points_at_functions():
    functions = [{"name": "a", "parameters": {"type": "object", "properties": {}}},
                 {"name": "b", "parameters": {"type": "object", "properties": {}}}]
    rows = [{"functions": functions, "messages": [user(f"q{i}"), {"role": "assistant", "content": None,
                                                                  "function_call": {"name": "a", "arguments": "{}"}},
                                                  {"role": "function", "name": "a", "content": "ok"}, assistant("done")]}
            for i in range(25)]
    text = jsonl(*rows)
    (unused,) = [v for v in check_text(text, "t.jsonl", Settings(select=["TLD006"])).violations
                 if "never called" in v.message]
    assert unused.pointer == "/functions"
    line = text.splitlines()[0]
    assert line[unused.col:unused.end_col] == '"functions"'


def test_a_validation_file_is_not_held_to_the_training_minimum(tmp_path):
    # A 4-row held-out file beside its training file was an error ("needs at least 10").
    rows = [{"messages": [user(f"q{i}"), assistant(f"a{i}")]} for i in range(60)]
    (tmp_path / "train.jsonl").write_text(jsonl(*rows[:56]))
    (tmp_path / "valid.jsonl").write_text(jsonl(*rows[56:]))
    report = check_paths([tmp_path / "train.jsonl", tmp_path / "valid.jsonl"], Settings())
    assert [(f.path.rsplit("/", 1)[-1], [v.code for v in f.violations]) for f in report.files] == \
        [("train.jsonl", []), ("valid.jsonl", [])]
    alone = check_paths([tmp_path / "valid.jsonl"], Settings())
    assert [v.code for v in alone.violations] == ["TLD005"]


@pytest.mark.parametrize("training, held_out", [
    ("stock_toolcall_training.jsonl", "stock_toolcall_validation.jsonl"),  # azure-ai-foundry's sample
    ("stock-train-hallucination.jsonl", "stock-test-hallucination.jsonl"),  # Azure-Samples' sample
])
def test_held_out_files_pair_with_their_training_file_by_the_names_real_samples_use(tmp_path, training, held_out):
    # Both held-out files of 10 rows were told "at least 50 are recommended" when their
    # folder was checked: their names did not pair with the training file's.
    rows = [{"messages": [user(f"q{i}"), assistant(f"a{i}")]} for i in range(70)]
    (tmp_path / training).write_text(jsonl(*rows[:60]))
    (tmp_path / held_out).write_text(jsonl(*rows[60:]))
    report = check_paths([tmp_path / training, tmp_path / held_out], Settings())
    assert [v.code for f in report.files for v in f.violations] == []


def test_stats_counts_in_words_that_agree(tmp_path):
    path = tmp_path / "t.jsonl"
    path.write_text(jsonl({"messages": [user(), assistant()]}) + "not json\n")
    out = CliRunner().invoke(cli, ["stats", str(path)]).output
    assert "1 unparsable line not counted" in out and "(0 distinct tools arrays)" in out
