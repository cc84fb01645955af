"""DPO and RFT datasets: detection, their rules, chat rules inside them, tokens, conversion."""

import json

from click.testing import CliRunner
from hypothesis import given, settings, strategies as st

from helpers import WEATHER, call, jsonl
from tunelint.cli.main import cli
from tunelint.convert import convert_bytes
from tunelint.lint import Settings, check_text
from tunelint.lint.conversion import dpo_row_to_pairs, pairs_row_to_dpo
from tunelint.lint.models import model_facts
from tunelint.lint.token_count import TokenCounter


def dpo(i: int, preferred: str | None = None, other: str | None = None, **extra) -> dict:
    """A valid DPO pair: a weather question, a tool call preferred over a guess."""
    row = {"input": {"messages": [{"role": "user", "content": f"Weather in city {i}?"}], "tools": [WEATHER]},
           "preferred_output": [{"role": "assistant", "tool_calls": [call("c1", "get_weather", {"city": f"city {i}"})]}],
           "non_preferred_output": [{"role": "assistant", "content": other or f"Probably sunny in city {i}."}]}
    if preferred is not None:
        row["preferred_output"] = [{"role": "assistant", "content": preferred}]
    row.update(extra)
    return row


def rft(i: int, **extra) -> dict:
    row = {"messages": [{"role": "developer", "content": f"Answer with a number (task {i})."},
                        {"role": "user", "content": f"What is {i} + {i}?"}],
           "reference_answer": str(2 * i)}
    row.update(extra)
    return row


def lint(*rows, **settings):
    found = check_text(jsonl(*rows), "t.jsonl", Settings(**settings)).violations
    return [(v.line, v.name, v.pointer, v.message) for v in found]


def names(*rows, **settings):
    return [(line, name) for line, name, _, _ in lint(*rows, **settings)]


def test_valid_dpo_and_rft_files_lint_clean():
    assert lint(*[dpo(i) for i in range(50)]) == []
    assert lint(*[rft(i) for i in range(50)]) == []


def test_invalid_preference_pairs():
    rows = [dpo(i) for i in range(50)]
    rows[1] = {"input": {"messages": [{"role": "user", "content": "Hi"}]}, "preferred_output": {"role": "assistant", "content": "Hello"},
               "non_preferred_output": [{"role": "assistant", "content": "a"}, {"role": "assistant", "content": "b"}]}
    rows[2] = {"input": {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]},
               "preferred_output": [{"role": "user", "content": "x"}], "non_preferred_output": [{"role": "assistant", "content": "y"}]}
    messages = [m for line, name, _, m in lint(*rows) if name == "invalid-preference-pair"]
    assert messages == [
        "`preferred_output` must be an array holding one assistant message, not an object",
        "`non_preferred_output` must hold exactly one message, not 2",
        "`input` ends with an assistant turn; the answers to compare belong in the outputs",
        "`preferred_output` must be an assistant message",
    ]


def test_identical_and_inverted_preferences():
    rows = [dpo(i) for i in range(50)]
    rows[3] = dpo(3, preferred="Paris.", other="Paris.")
    rows[4] = dpo(4, preferred="Paris.", other="Lyon.")
    rows[5] = dpo(4, preferred="Lyon.", other="Paris.")
    found = lint(*rows)
    assert (4, "identical-preference-pair", "/non_preferred_output", "the non-preferred output is the same as the preferred one") in found
    assert (6, "inverted-preference", "", "prefers the opposite of line 5 for the same input") in found


def test_chat_rules_run_inside_pairs_and_point_into_the_real_row():
    rows = [dpo(i) for i in range(50)]
    rows[0]["input"]["messages"][0]["content"] = "  "
    rows[1]["preferred_output"][0]["tool_calls"][0]["function"]["name"] = "get_wether"
    rows[2]["non_preferred_output"] = [{"role": "assistant", "tool_calls": [call("c1", "get_weather", {"town": "x"})]}]
    found = {(line, name, pointer) for line, name, pointer, _ in lint(*rows)}
    assert found == {
        (1, "empty-content", "/input/messages/0/content"),
        (2, "undefined-tool", "/preferred_output/0/tool_calls/0/function/name"),
        (3, "arguments-schema-mismatch", "/non_preferred_output/0/tool_calls/0/function/arguments"),
    }


def test_rft_rules_and_grader_keys():
    rows = [rft(i) for i in range(50)]
    rows[0] = {"messages": [{"role": "system", "content": "Answer."}], "reference_answer": 42}
    found = [(line, name, m) for line, name, _, m in lint(*rows)]
    assert found == [
        (1, "invalid-rft-row", "RFT row has no user turn to answer"),
        (1, "invalid-rft-row", "RFT rows give instructions as `developer`, not `system`"),
        (1, "invalid-rft-row", "grader key `reference_answer` must be text, not a number"),
    ]


def test_a_row_of_another_kind_is_reported_once():
    rows = [dpo(i) for i in range(50)] + [{"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yo"}]}]
    assert lint(*rows)[-1][1:] == ("unexpected-row-kind", "", "row looks like a chat example (`messages`), not a DPO preference pair (`input`, `preferred_output`, `non_preferred_output`)")
    # --kind overrides detection: each DPO row in a file declared RFT gets one diagnostic.
    forced = names(*rows[:3], kind="rft", ignore=["too-few-examples"])
    assert forced == [(1, "unexpected-row-kind"), (2, "unexpected-row-kind"), (3, "unexpected-row-kind")]


def test_duplicates_and_tokens_for_dpo():
    rows = [dpo(i) for i in range(50)] + [dpo(7)]
    assert (51, "duplicate-row") in names(*rows)
    plain = {"input": {"messages": [{"role": "user", "content": "Hello world"}]},
             "preferred_output": [{"role": "assistant", "content": "Hi!"}],
             "non_preferred_output": [{"role": "assistant", "content": "Hello world"}]}
    # user 3+1+2, preferred 3+1+2, non-preferred 3+1+2, primer 3: both outputs are billed.
    assert TokenCounter(model_facts(None)).row(plain).total == 6 + 6 + 6 + 3


PAIR = {"id": 7, "chosen": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}],
        "rejected": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "What?"}], "tools": [WEATHER]}


def test_convert_chosen_rejected_to_dpo():
    out, conversion = convert_bytes((json.dumps(PAIR) + "\n").encode(), Settings(), "dpo")
    assert conversion.problems == []
    assert json.loads(out) == {"id": 7, "input": {"messages": [{"role": "user", "content": "Hi"}], "tools": [WEATHER]},
                               "preferred_output": [{"role": "assistant", "content": "Hello!"}],
                               "non_preferred_output": [{"role": "assistant", "content": "What?"}]}


def test_pairs_whose_prefixes_differ_are_reported_not_guessed():
    odd = {**PAIR, "rejected": [{"role": "user", "content": "Hey"}, {"role": "assistant", "content": "What?"}]}
    data = (json.dumps(odd) + "\n").encode()
    out, conversion = convert_bytes(data, Settings(), "dpo")
    assert out == data and "differ at message 0" in conversion.problems[0].message


def test_convert_command_to_dpo(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pairs.jsonl").write_text(json.dumps(PAIR) + "\n")
    result = CliRunner().invoke(cli, ["convert", "--to", "dpo", "pairs.jsonl", "-o", "dpo.jsonl"])
    assert result.exit_code == 0 and "converted 1 row" in result.stderr
    assert "preferred_output" in json.loads((tmp_path / "dpo.jsonl").read_text())


def as_layout(layout: str, row: dict) -> dict:
    """A valid DPO row written in one of the chosen/rejected layouts `convert --to dpo` reads."""
    prompt, tools = row["input"]["messages"], row["input"].get("tools")
    good, bad = row["preferred_output"], row["non_preferred_output"]
    declared = {"tools": tools} if tools else {}
    if layout == "TRL implicit prompt":
        return {"chosen": prompt + good, "rejected": prompt + bad, **declared}
    if layout == "TRL explicit prompt":
        return {"prompt": prompt, "chosen": good, "rejected": bad, **declared}
    if layout == "TRL standard (texts)":
        return {"prompt": prompt[0]["content"], "chosen": good[0]["content"], "rejected": bad[0]["content"]}
    if layout == "UltraFeedback (the prompt repeated)":
        return {"prompt": prompt[0]["content"], "chosen": prompt + good, "rejected": prompt + bad}
    assert layout == "Fireworks"
    return {"chosen": {"messages": prompt + good, **declared}, "rejected": {"messages": prompt + bad, **declared}}


def text_pair(i: int) -> dict:
    return {"input": {"messages": [{"role": "user", "content": f"Weather in city {i}?"}]},
            "preferred_output": [{"role": "assistant", "content": f"I cannot look up city {i} from here."}],
            "non_preferred_output": [{"role": "assistant", "content": f"Sunny in city {i}."}]}


LAYOUTS = ("TRL implicit prompt", "TRL explicit prompt", "TRL standard (texts)", "UltraFeedback (the prompt repeated)",
           "Fireworks")
PLAIN = ("TRL standard (texts)", "UltraFeedback (the prompt repeated)")  # text answers, no tools


def test_each_pair_layout_converts_to_a_dpo_file_the_check_accepts(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for layout in LAYOUTS:
        expected = [text_pair(i) if layout in PLAIN else dpo(i) for i in range(50)]
        (tmp_path / "pairs.jsonl").write_text(jsonl(*[as_layout(layout, row) for row in expected]))
        result = CliRunner().invoke(cli, ["convert", "--to", "dpo", "pairs.jsonl", "-o", "dpo.jsonl"])
        assert result.exit_code == 0 and "converted 50 rows, left 0 alone, 0 problems" in result.stderr, (layout, result.stderr)
        converted = (tmp_path / "dpo.jsonl").read_text()
        assert [json.loads(line) for line in converted.splitlines()] == expected, layout
        assert check_text(converted, "dpo.jsonl", Settings(kind="dpo")).violations == [], layout


def test_rows_that_cannot_convert_are_left_as_they_are_and_each_reported_with_why(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    rows = [dpo(i) for i in range(4)]
    texts_only = {"chosen": "The sky is blue.", "rejected": "The sky is green."}
    other_tools = as_layout("Fireworks", dpo(5))
    other_tools["rejected"]["tools"] = []
    no_prompt = {"prompt": [], "chosen": [{"role": "assistant", "content": "a"}], "rejected": [{"role": "assistant", "content": "b"}]}
    lines = [as_layout("TRL explicit prompt", rows[0]), texts_only, as_layout("Fireworks", rows[1]), other_tools, no_prompt]
    (tmp_path / "pairs.jsonl").write_text(jsonl(*lines))
    result = CliRunner().invoke(cli, ["convert", "--to", "dpo", "pairs.jsonl", "-o", "dpo.jsonl"])
    assert result.exit_code == 1 and "converted 2 rows, left 3 alone, 3 problems" in result.stderr
    written = (tmp_path / "dpo.jsonl").read_text().splitlines()
    assert [json.loads(line) for line in written] == [rows[0], texts_only, rows[1], other_tools, no_prompt]
    reported = [(line.split(":")[1], line.split("cannot be converted: ")[1]) for line in result.stderr.splitlines() if "TLP005" in line]
    assert reported == [
        ("2", "`chosen` and `rejected` are texts without a `prompt`, so where the prompt ends in them is not known"),
        ("4", "`chosen` and `rejected` declare different `tools`"),
        ("5", "`prompt` must be a non-empty message array"),
    ]


def test_what_converts_is_what_the_kind_detection_calls_a_pair():
    # Every layout is a "pairs" row (TLS008 points at `convert --to dpo`), and the DPO row it becomes is a "dpo" one.
    from tunelint.lint.kinds import row_kind
    from tunelint.lint.source import parse_row

    for layout in LAYOUTS:
        pair = as_layout(layout, text_pair(1) if layout in PLAIN else dpo(1))
        assert row_kind(parse_row(1, json.dumps(pair).encode())) == "pairs", layout
        converted = pairs_row_to_dpo(pair).value
        assert row_kind(parse_row(1, json.dumps(converted).encode())) == "dpo", layout


messages = st.lists(st.fixed_dictionaries({"role": st.sampled_from(["user", "system", "tool"]), "content": st.text(max_size=5)}),
                    min_size=1, max_size=4)
answers = st.fixed_dictionaries({"role": st.just("assistant"), "content": st.text(max_size=5)})


@settings(max_examples=150, deadline=None)
@given(messages, answers, answers, st.booleans())
def test_dpo_to_pairs_to_dpo_round_trip(prompt, good, bad, with_tools):
    row = {"input": {"messages": prompt, **({"tools": [WEATHER]} if with_tools else {})},
           "preferred_output": [good], "non_preferred_output": [bad]}
    assert pairs_row_to_dpo(dpo_row_to_pairs(row).value).value == row


@settings(max_examples=150, deadline=None)
@given(messages, answers, answers, st.booleans())
def test_every_layout_of_a_pair_converts_to_the_same_dpo_row(prompt, good, bad, with_tools):
    row = {"input": {"messages": prompt, **({"tools": [WEATHER]} if with_tools else {})},
           "preferred_output": [good], "non_preferred_output": [bad]}
    for layout in ("TRL implicit prompt", "TRL explicit prompt", "Fireworks"):
        assert pairs_row_to_dpo(as_layout(layout, row)).value == row, layout


def test_kind_from_config(tmp_path, monkeypatch):
    from tunelint.lint.settings import ConfigError, settings_from_table

    assert settings_from_table({"kind": "sft"}).kind == "sft"
    assert settings_from_table({"kind": "dpo"}).kind == "dpo"
    try:
        settings_from_table({"kind": "pretraining"})
    except ConfigError as exc:
        assert "kind" in str(exc)
    else:
        raise AssertionError("an unknown kind must be a config error")


def test_stats_counts_rft_rows_as_trainable(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "rft.jsonl").write_text(jsonl(*[rft(i) for i in range(20)]))
    result = CliRunner().invoke(cli, ["stats", "rft.jsonl", "--output-format", "json"])
    stats = json.loads(result.stdout)[0]
    assert stats["trainable_examples"] == 20 and stats["epochs"] == 5
