"""`tunelint convert` between OpenAI's tools format and other trainers' dialects: fixture
pairs each way, round trips over generated rows, and what the CLI says and exits with.

Every row here is hand-written; each says what it shows. The patterns come from the
corpus: the FunctionGemma files (HF/TRL tool format: calls without ids, arguments as
objects, a `developer` turn), the Cohere files (roles `User`/`Chatbot`/`System`), the
cookbook's drone file (every call id the literal "call_id").
"""

import json

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings, strategies as st

from tunelint.cli.main import cli
from tunelint.convert.dialects.ids import MISTRAL_ID
from tunelint.convert.dialects.run import convert_data, convert_value

WEATHER = {"type": "function", "function": {"name": "get_weather", "description": "Weather now.",
                                            "parameters": {"type": "object", "properties": {"city": {"type": "string"}},
                                                           "required": ["city"]}}}


def line(row) -> bytes:
    return (json.dumps(row, ensure_ascii=False) + "\n").encode()


def rows(data: bytes) -> list:
    return [json.loads(x) for x in data.splitlines() if x.strip()]


def call(ident, name, arguments):
    return {"id": ident, "type": "function", "function": {"name": name, "arguments": arguments}}


# An OpenAI row with a parallel call, its two results, and a final answer.
OPENAI = {
    "messages": [
        {"role": "system", "content": "You are Sky."},
        {"role": "user", "content": "Weather in Oslo and Rome?"},
        {"role": "assistant", "tool_calls": [call("call_a", "get_weather", '{"city": "Oslo"}'),
                                             call("call_b", "get_weather", '{"city": "Rome"}')]},
        {"role": "tool", "tool_call_id": "call_a", "content": "3 C"},
        {"role": "tool", "tool_call_id": "call_b", "content": "18 C"},
        {"role": "assistant", "content": "Oslo 3 C, Rome 18 C."},
    ],
    "tools": [WEATHER],
}

# The same row as the Hugging Face / TRL tool format writes it (the FunctionGemma files'
# layout, with results): no ids, arguments as objects, results named by their function.
HF = {
    "messages": [
        {"role": "system", "content": "You are Sky."},
        {"role": "user", "content": "Weather in Oslo and Rome?"},
        {"role": "assistant", "tool_calls": [{"type": "function", "function": {"name": "get_weather", "arguments": {"city": "Oslo"}}},
                                             {"type": "function", "function": {"name": "get_weather", "arguments": {"city": "Rome"}}}]},
        {"role": "tool", "name": "get_weather", "content": "3 C"},
        {"role": "tool", "name": "get_weather", "content": "18 C"},
        {"role": "assistant", "content": "Oslo 3 C, Rome 18 C."},
    ],
    "tools": [WEATHER],
}


def without_ids(row):
    """The row with each call id replaced by its place (the ids a conversion may change)."""
    row = json.loads(json.dumps(row))
    names = {}
    for message in row.get("messages", []):
        for c in message.get("tool_calls") or []:
            names[c["id"]] = c["id"] = f"#{len(names)}"
        if message.get("role") == "tool":
            message["tool_call_id"] = names.get(message["tool_call_id"], "?")
    return row


def to_openai(row, source):
    result = convert_value(row, source, "openai")
    assert result.problems == [], result.problems
    return result.value


def to(row, target, source="openai"):
    result = convert_value(row, source, target)
    assert result.problems == [], result.problems
    return result


# --- dialects in ----------------------------------------------------------------------------


def test_hf_rows_get_ids_that_their_results_answer_and_arguments_as_strings():
    out = to_openai(HF, "hf")
    assert without_ids(out) == without_ids(OPENAI)
    first, second = out["messages"][2]["tool_calls"]
    assert out["messages"][3]["tool_call_id"] == first["id"] and out["messages"][4]["tool_call_id"] == second["id"]
    assert first["id"] != second["id"] and first["id"].startswith("call_")


def test_hf_ids_are_the_same_every_run_and_differ_between_rows():
    assert to_openai(HF, "hf") == to_openai(HF, "hf")
    other = json.loads(json.dumps(HF))
    other["messages"][1]["content"] = "Weather in Bergen and Rome?"
    assert to_openai(other, "hf")["messages"][2]["tool_calls"][0]["id"] != to_openai(HF, "hf")["messages"][2]["tool_calls"][0]["id"]


def test_hf_result_pairs_with_the_call_of_its_function_not_just_the_next_one():
    # Two calls of different functions answered in the other order: names decide.
    row = {"messages": [
        {"role": "user", "content": "time and weather"},
        {"role": "assistant", "tool_calls": [{"function": {"name": "clock", "arguments": {}}},
                                             {"function": {"name": "get_weather", "arguments": {"city": "Oslo"}}}]},
        {"role": "tool", "name": "get_weather", "content": "3 C"},
        {"role": "tool", "name": "clock", "content": "12:00"},
        {"role": "assistant", "content": "ok"}]}
    out = to_openai(row, "hf")
    calls = out["messages"][1]["tool_calls"]
    assert out["messages"][2]["tool_call_id"] == calls[1]["id"] and out["messages"][3]["tool_call_id"] == calls[0]["id"]
    assert calls[0]["type"] == "function" and calls[1]["function"]["arguments"] == '{"city": "Oslo"}'


def test_hf_result_for_no_call_is_reported():
    row = {"messages": [{"role": "user", "content": "x"}, {"role": "tool", "name": "f", "content": "r"}]}
    result = convert_value(row, "hf", "openai")
    assert result.value is None and result.problems == [("/messages/1", "the result of `f` answers no earlier call")]


def test_hf_tools_as_a_json_string_are_read():
    row = dict(HF, tools=json.dumps([WEATHER]))
    assert to_openai(row, "hf")["tools"] == [WEATHER]


def test_cohere_roles_become_chat_roles():
    # The Cohere files of the corpus: System / User / Chatbot.
    row = {"messages": [{"role": "System", "content": "table"}, {"role": "User", "content": "q"}, {"role": "Chatbot", "content": "a"}]}
    assert to_openai(row, "cohere") == {"messages": [{"role": "system", "content": "table"}, {"role": "user", "content": "q"},
                                                     {"role": "assistant", "content": "a"}]}


def test_openai_turns_under_conversations_move_to_messages_in_place():
    row = {"id": 7, "conversations": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}], "tools": []}
    out = to_openai(row, "conversations")
    assert list(out) == ["id", "messages", "tools"] and out["messages"] == row["conversations"]


SHAREGPT = {
    "conversations": [
        {"from": "human", "value": "Weather in Oslo and Rome?"},
        {"from": "function_call", "value": json.dumps([{"name": "get_weather", "arguments": {"city": "Oslo"}},
                                                       {"name": "get_weather", "arguments": {"city": "Rome"}}])},
        {"from": "observation", "value": "3 C\n</tool_response>\n<tool_response>\n18 C"},
        {"from": "gpt", "value": "Oslo 3 C, Rome 18 C."},
    ],
    "system": "You are Sky.",
    "tools": json.dumps([WEATHER["function"]]),
}


def test_sharegpt_row_reads_as_openai_with_its_system_column_first_and_the_observation_split():
    assert without_ids(to_openai(SHAREGPT, "sharegpt")) == without_ids(OPENAI)


def test_sharegpt_observation_that_cannot_be_split_is_reported():
    row = json.loads(json.dumps(SHAREGPT))
    row["conversations"][2]["value"] = "3 C and 18 C"
    result = convert_value(row, "sharegpt", "openai")
    assert result.value is None and "one observation for 2 parallel calls" in result.problems[0][1]


VERTEX = {
    "systemInstruction": {"parts": [{"text": "You are Sky."}]},
    "contents": [
        {"role": "user", "parts": [{"text": "Weather in Oslo and Rome?"}]},
        {"role": "model", "parts": [{"functionCall": {"name": "get_weather", "args": {"city": "Oslo"}}},
                                    {"functionCall": {"name": "get_weather", "args": {"city": "Rome"}}}]},
        {"role": "user", "parts": [{"functionResponse": {"name": "get_weather", "response": {"output": "3 C"}}},
                                   {"functionResponse": {"name": "get_weather", "response": {"output": "18 C"}}}]},
        {"role": "model", "parts": [{"text": "Oslo 3 C, Rome 18 C."}]},
    ],
    "tools": [{"functionDeclarations": [WEATHER["function"]]}],
}


def test_vertex_row_reads_as_openai():
    assert without_ids(to_openai(VERTEX, "vertex")) == without_ids(OPENAI)


def test_openai_row_written_for_vertex_is_the_vertex_fixture():
    assert to(OPENAI, "vertex").value == VERTEX


def test_openai_row_written_for_sharegpt_holds_the_system_as_its_first_turn():
    out = to(OPENAI, "sharegpt").value
    assert out["conversations"][0] == {"from": "system", "value": "You are Sky."}
    assert out["conversations"][1:] == SHAREGPT["conversations"]
    assert json.loads(out["tools"]) == [WEATHER]  # declared as OpenAI declares them: LLaMA-Factory takes both


# --- dialects out ---------------------------------------------------------------------------


def test_mistral_ids_are_nine_alphanumerics_mapped_consistently():
    out = to(OPENAI, "mistral").value
    calls = out["messages"][2]["tool_calls"]
    assert all(MISTRAL_ID.fullmatch(c["id"]) for c in calls) and calls[0]["id"] != calls[1]["id"]
    assert [m["tool_call_id"] for m in out["messages"][3:5]] == [c["id"] for c in calls]
    assert without_ids(out) == without_ids(OPENAI)


def test_mistral_gives_two_calls_sharing_an_id_two_ids_and_results_follow_their_order():
    # The cookbook's drone file gives every call the id "call_id".
    row = {"messages": [{"role": "user", "content": "x"},
                        {"role": "assistant", "content": None, "tool_calls": [call("call_id", "f", "{}")]},
                        {"role": "tool", "tool_call_id": "call_id", "content": "1"},
                        {"role": "assistant", "content": None, "tool_calls": [call("call_id", "f", "{}")]},
                        {"role": "tool", "tool_call_id": "call_id", "content": "2"},
                        {"role": "assistant", "content": "done"}]}
    out = to(row, "mistral").value["messages"]
    assert out[1]["tool_calls"][0]["id"] != out[3]["tool_calls"][0]["id"]
    assert out[2]["tool_call_id"] == out[1]["tool_calls"][0]["id"] and out[4]["tool_call_id"] == out[3]["tool_calls"][0]["id"]
    assert "content" not in out[1] and "content" not in out[3]  # content: null removed


def test_mistral_text_beside_calls_is_a_loss():
    row = json.loads(json.dumps(OPENAI))
    row["messages"][2]["content"] = "Let me look."
    result = to(row, "mistral")
    assert [(loss.pointer, loss.blocking) for loss in result.losses] == [("/messages/2/content", True)]


def test_trl_writes_objects_names_and_tools_as_a_string():
    out = to(OPENAI, "trl").value
    assert out["messages"][2]["tool_calls"][0]["function"]["arguments"] == {"city": "Oslo"}
    assert [m.get("name") for m in out["messages"][3:5]] == ["get_weather", "get_weather"]
    assert json.loads(out["tools"]) == [WEATHER]


def test_trl_reports_arguments_that_are_not_an_object():
    # The older cookbook file double-encodes arguments: a JSON string holding JSON.
    row = json.loads(json.dumps(OPENAI))
    row["messages"][2]["tool_calls"][0]["function"]["arguments"] = json.dumps('{"city": "Oslo"}')
    result = convert_value(row, "openai", "trl")
    assert result.value is None and "encoded twice" in result.problems[0][1]


def test_sharegpt_writes_a_parallel_call_as_a_list_and_says_results_were_joined():
    result = to(OPENAI, "sharegpt")
    turns = result.value["conversations"]
    assert [t["from"] for t in turns] == ["system", "human", "function_call", "observation", "gpt"]
    assert json.loads(turns[2]["value"]) == [{"name": "get_weather", "arguments": {"city": "Oslo"}},
                                             {"name": "get_weather", "arguments": {"city": "Rome"}}]
    assert [loss.blocking for loss in result.losses] == [False, False, True]  # two ids, then the joined results


def test_sharegpt_refuses_a_row_out_of_its_turn_order():
    row = {"messages": [{"role": "user", "content": "a"}, {"role": "user", "content": "b"}, {"role": "assistant", "content": "c"}]}
    result = convert_value(row, "openai", "sharegpt")
    assert result.value is None and result.problems == [("/messages/1", "a user turn out of ShareGPT's order "
                                                                         "(user or result, then assistant, in turn)")]


def test_vertex_recovers_result_names_wraps_text_and_says_what_it_drops():
    row = json.loads(json.dumps(OPENAI))
    row["parallel_tool_calls"] = False
    row["messages"][5]["weight"] = 0
    row["tools"][0]["function"]["strict"] = True
    result = to(row, "vertex")
    out = result.value
    assert out["contents"][2] == VERTEX["contents"][2]
    assert out["systemInstruction"] == VERTEX["systemInstruction"]
    blocking = sorted(loss.pointer for loss in result.losses if loss.blocking)
    assert blocking == ["/messages/5/weight", "/parallel_tool_calls", "/tools/0/function/strict"]
    assert sorted(loss.pointer for loss in result.losses if not loss.blocking) == ["/messages/2/tool_calls/0/id",
                                                                                   "/messages/2/tool_calls/1/id"]


def test_vertex_writes_a_schema_gemini_does_not_take_as_json_schema_and_says_so():
    row = json.loads(json.dumps(OPENAI))
    row["tools"][0]["function"]["parameters"]["properties"]["city"]["type"] = ["string", "null"]
    result = to(row, "vertex")
    declaration = result.value["tools"][0]["functionDeclarations"][0]
    assert "parametersJsonSchema" in declaration and "parameters" not in declaration
    assert any(loss.pointer == "/tools/0/function/parameters/properties/city/type" for loss in result.losses)


# --- round trips ------------------------------------------------------------------------------

names = st.sampled_from(["get_weather", "clock", "book_table", "search"])
texts = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=12)
arguments = st.dictionaries(st.text(st.characters(min_codepoint=97, max_codepoint=122), min_size=1, max_size=6),
                            st.one_of(st.integers(-1000, 1000), texts, st.booleans(), st.lists(st.integers(0, 9), max_size=3)),
                            max_size=4)


@st.composite
def openai_rows(draw):
    """A row of OpenAI's tools format: a system prompt or not, exchanges of a question,
    one or several calls (each answered, in order), then an answer."""
    messages = []
    if draw(st.booleans()):
        messages.append({"role": "system", "content": draw(texts)})
    used = set()
    for exchange in range(draw(st.integers(1, 3))):
        messages.append({"role": "user", "content": draw(texts)})
        calls = []
        for n in range(draw(st.integers(0, 3))):
            name = draw(names)
            used.add(name)
            calls.append(call(f"call_{exchange}_{n}", name, json.dumps(draw(arguments), ensure_ascii=False)))
        if calls:
            messages.append({"role": "assistant", "tool_calls": calls})
            messages.extend({"role": "tool", "tool_call_id": c["id"], "content": draw(texts)} for c in calls)
        messages.append({"role": "assistant", "content": draw(texts)})
    row = {"messages": messages}
    if used:
        row["tools"] = [{"type": "function", "function": {"name": n, "description": "d",
                                                          "parameters": {"type": "object", "properties": {}}}}
                        for n in sorted(used)]
    return row


@pytest.mark.parametrize("dialect", ["mistral", "trl", "sharegpt", "vertex"])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(row=openai_rows())
def test_openai_to_a_dialect_and_back_gives_the_same_row_up_to_ids(dialect, row):
    written = convert_value(row, "openai", dialect)
    assert written.problems == []
    back = convert_value(written.value, {"trl": "hf", "mistral": "openai"}.get(dialect, dialect), "openai")
    assert back.problems == []
    assert without_ids(back.value) == without_ids(row)


@settings(max_examples=60, deadline=None)
@given(row=openai_rows())
def test_hf_rows_in_and_trl_out_agree_with_openai(row):
    # The HF form of a generated row (ids dropped, arguments as objects, results named)
    # reads as the row itself, and `--to trl` writes that form back (ids aside).
    hf = convert_value(row, "openai", "trl").value
    for message in hf["messages"]:
        for c in message.get("tool_calls") or []:
            del c["id"]
        message.pop("tool_call_id", None)
    assert without_ids(convert_value(hf, "hf", "openai").value) == without_ids(row)


@settings(max_examples=60, deadline=None)
@given(row=openai_rows())
def test_mistral_output_ids_are_always_of_its_form_and_unique_in_the_row(row):
    out = convert_value(row, "openai", "mistral").value
    ids = [c["id"] for m in out["messages"] for c in m.get("tool_calls") or []]
    assert all(MISTRAL_ID.fullmatch(i) for i in ids) and len(ids) == len(set(ids))


# --- files and the command --------------------------------------------------------------------


def test_untouched_rows_stay_byte_identical_and_converted_rows_keep_the_line_style():
    plain = b'{"messages": [{"role": "user",   "content": "hi"}, {"role": "assistant", "content": "yo"}]}\n'
    compact = json.dumps(HF, separators=(",", ":")).encode() + b"\n"
    out, conversion = convert_data(plain + compact, "t.jsonl", None, "openai")
    first, second = out.splitlines(keepends=True)
    assert first == plain and conversion.source == "hf" and conversion.rows_changed == 1
    assert second.startswith(b'{"messages":[{"role":"system",') and without_ids(json.loads(second)) == without_ids(OPENAI)


def run(*args, input=None):
    return CliRunner().invoke(cli, ["convert", *args], input=input)


def test_check_exits_1_only_when_a_row_would_change(tmp_path):
    said = " ".join(CliRunner().invoke(cli, ["convert", "--help"]).output.split())
    assert "--check Write nothing; exit 1 if any row would change, 0 if none would. Rows that cannot be converted " \
           "are listed on stderr and make it exit 2" in said
    hf = tmp_path / "hf.jsonl"
    hf.write_bytes(line(HF))
    assert run(str(hf), "--to", "openai", "--check").exit_code == 1
    done = tmp_path / "done.jsonl"
    assert run(str(hf), "--to", "openai", "-o", str(done)).exit_code == 0
    assert run(str(done), "--to", "openai", "--check").exit_code == 0
    # What cannot be converted is listed, and --check exits 2 as `ruff format --check` does
    # for a file it cannot read: nothing would change, but the file is not as it should be.
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(line({"messages": [{"role": "user", "content": "x"}, {"role": "tool", "name": "f", "content": "r"}]}))
    checked = run(str(bad), "--to", "openai", "--check")
    assert checked.exit_code == 2 and "answers no earlier call" in checked.stderr
    assert "1 row cannot be converted" in checked.stderr
    assert run(str(bad), "--to", "openai", "-o", str(tmp_path / "o.jsonl")).exit_code == 1


def test_detection_is_said_and_a_mixed_file_is_refused(tmp_path):
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(line(HF) + line(SHAREGPT))
    result = run(str(path), "--to", "openai", "--check")
    assert result.exit_code == 2
    assert "the Hugging Face tool format (1 row from line 1); ShareGPT (LLaMA-Factory) (1 row from line 2)" in result.stderr
    ok = run(str(path), "--to", "openai", "--from", "hf", "--check")
    assert ok.exit_code == 2 and "the row has no `messages` array" in ok.stderr
    single = tmp_path / "hf.jsonl"
    single.write_bytes(line(HF) * 3)
    assert "read as the Hugging Face tool format: 3 rows" in run(str(single), "--to", "openai", "--check").stderr


def test_a_loss_leaves_the_row_as_it_was_unless_allowed(tmp_path):
    row = json.loads(json.dumps(OPENAI))
    row["messages"][5]["weight"] = 0
    path = tmp_path / "w.jsonl"
    path.write_bytes(line(row))
    out = tmp_path / "g.jsonl"
    refused = run(str(path), "--to", "vertex", "-o", str(out))
    assert refused.exit_code == 1 and out.read_bytes() == line(row)
    assert f"{path}:1:" in refused.stderr and "Gemini tuning has no per-turn `weight` (--allow-loss drops it)" in refused.stderr
    allowed = run(str(path), "--to", "vertex", "--allow-loss", "-o", str(out))
    assert allowed.exit_code == 0 and "converted without it: Gemini tuning has no per-turn `weight`" in allowed.stderr
    assert "contents" in json.loads(out.read_bytes())


def test_in_place_and_diff_work_for_dialects(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.jsonl").write_bytes(line(SHAREGPT))
    diff = run("a.jsonl", "--to", "openai", "--diff")
    assert diff.exit_code == 1 and diff.stdout.startswith("--- a/a.jsonl\n+++ b/a.jsonl\n@@ -1,1 +1,1 @@\n-")
    assert run("a.jsonl", "--to", "openai", "--in-place").exit_code == 0
    assert without_ids(rows((tmp_path / "a.jsonl").read_bytes())[0]) == without_ids(OPENAI)


def test_bad_lines_are_reported_and_kept(tmp_path):
    path = tmp_path / "b.jsonl"
    path.write_bytes(line(HF) + b"{not json\n\n[1]\n")
    out = tmp_path / "o.jsonl"
    result = run(str(path), "--to", "openai", "-o", str(out))
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    assert out.read_bytes().splitlines()[1:] == [b"{not json", b"", b"[1]"]
    assert f"{path}:2:" in result.stderr and f"{path}:4:1: not converted: the row is not a JSON object" in result.stderr


def test_stdin_is_never_rewritten_in_place():
    # It used to say "converted 1 row" and write nothing anywhere.
    refused = run("-", "--to", "vertex", "--in-place", input=line(OPENAI))
    assert refused.exit_code == 2 and "stdin (-) cannot be rewritten in place" in refused.output


def test_stdin_to_stdout():
    result = run("-", "--to", "trl", input=line(OPENAI))
    assert result.exit_code == 0
    assert json.loads(result.stdout)["messages"][2]["tool_calls"][0]["function"]["arguments"] == {"city": "Oslo"}


def test_from_and_allow_loss_need_a_dialect_target():
    assert run("-", "--to", "legacy", "--from", "hf", input=b"").exit_code == 2
    refused = run("-", "--to", "tools", "--allow-loss", input=b"")
    assert refused.exit_code == 2 and "--allow-loss goes with --to openai" in refused.output


def test_a_fifo_is_read_once_for_detection_and_conversion(tmp_path):
    # Detecting the dialect reads the rows before converting them: a pipe cannot be read twice.
    import os
    import threading

    fifo = tmp_path / "hf.jsonl"
    os.mkfifo(fifo)

    def feed():
        with open(fifo, "wb") as out:
            out.write(line(HF))

    writer = threading.Thread(target=feed)
    writer.start()
    done = run(str(fifo), "--to", "openai", "--check")
    writer.join(10)
    assert done.exit_code == 1 and "would convert 1 row" in done.stderr
    assert "read as the Hugging Face tool format: 1 row" in done.stderr


# --- bad input: every dialect, every target, any shape ---------------------------------------

json_values = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), texts),
                           lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                   st.dictionaries(st.sampled_from(
                                                       ["role", "content", "tool_calls", "function", "name", "arguments",
                                                        "id", "tool_call_id", "type", "from", "value", "parts", "text",
                                                        "functionCall", "functionResponse", "args", "response", "tools",
                                                        "messages", "conversations", "contents", "system", "weight",
                                                        "systemInstruction", "functionDeclarations", "parameters"]),
                                                       inner, max_size=4)),
                           max_leaves=12)
shaped = st.fixed_dictionaries({}, optional={
    "messages": st.lists(st.one_of(json_values, st.fixed_dictionaries({"role": st.sampled_from(
        ["user", "assistant", "tool", "system", "User", "Chatbot", "developer", "function", 5])}, optional={
        "content": json_values, "tool_calls": json_values, "tool_call_id": json_values, "name": json_values})), max_size=4),
    "conversations": json_values, "contents": json_values, "tools": json_values, "system": json_values,
    "parallel_tool_calls": json_values, "prompt": json_values, "chosen": json_values, "rejected": json_values,
    "input": json_values, "preferred_output": json_values})


@settings(max_examples=150, deadline=None)
@given(row=st.one_of(shaped, json_values), source=st.sampled_from(["openai", "hf", "sharegpt", "conversations", "cohere", "preference",
                                                                   "vertex"]),
       target=st.sampled_from(["openai", "mistral", "trl", "sharegpt", "vertex"]))
def test_any_row_converts_or_is_reported_never_raises(row, source, target):
    data = line(row)
    out, conversion = convert_data(data, "t.jsonl", source, target, allow_loss=True)
    if conversion.problems and not any(p.converted for p in conversion.problems):
        assert out == data  # what cannot be converted stays as it was
    json.loads(out)


@pytest.mark.parametrize("depth", [400, 1015])
def test_deep_nesting_and_odd_bytes_are_reported_not_raised(depth):
    # Arguments nested as deep as the parser goes (1024 levels): the writers' encoders stop
    # short of that, and a row they cannot write is reported and kept, never a traceback.
    deep = b'{"messages": [{"role": "user", "content": "x"}, {"role": "assistant", "tool_calls": [{"function": ' + \
        b'{"name": "f", "arguments": ' + b'{"a": ' * depth + b"1" + b"}" * depth + b"}}]}]}"
    for target in ("openai", "mistral", "trl", "sharegpt", "vertex"):
        data = b"\xef\xbb\xbf" + line(HF) + b'{"messages": "\xff"}\n' + deep + b"\n\n[]\n"
        out, conversion = convert_data(data, "t.jsonl", "hf", target, allow_loss=True)
        kept = out.splitlines()
        assert kept[1] == data.splitlines()[1] and kept[3:] == [b"", b"[]"]
        assert {p.line for p in conversion.problems} >= {2, 5}
        if kept[2] == deep:
            assert 3 in {p.line for p in conversion.problems}


def test_a_file_converted_in_pieces_on_two_cores_gives_what_one_process_gives(tmp_path, monkeypatch):
    from tunelint.convert.dialects import run as dialect_run

    mixed_rows = [line(OPENAI), b"{broken\n", line(dict(OPENAI, parallel_tool_calls=False)), b"\n",
                  line({"messages": [{"role": "user", "content": "a"}, {"role": "user", "content": "b"}]})]
    path = tmp_path / "big.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + b"".join(mixed_rows * 40))
    for target in ("sharegpt", "vertex", "mistral"):
        one = dialect_run.convert_path(path, "openai", target, output=tmp_path / "one.jsonl", keep_changes=True)
        monkeypatch.setattr(dialect_run, "worth_parallel", lambda size, jobs: True)
        monkeypatch.setattr(dialect_run, "PIECE_BYTES", 1500)
        many = dialect_run.convert_path(path, "openai", target, output=tmp_path / "many.jsonl", keep_changes=True, jobs=2)
        monkeypatch.undo()
        assert (tmp_path / "one.jsonl").read_bytes() == (tmp_path / "many.jsonl").read_bytes()
        assert (one.rows, one.rows_changed, one.problems, one.notes) == (many.rows, many.rows_changed, many.problems, many.notes)
        assert [c[0] for c in one.changes] == [c[0] for c in many.changes] and one.problems


@pytest.mark.parametrize("dialect", ["mistral", "trl", "sharegpt", "vertex"])
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(row=openai_rows())
def test_converting_a_converted_file_again_changes_nothing(dialect, row):
    # What `--to X --check` in CI needs: a file already in X has nothing left to convert.
    once, _ = convert_data(line(row), "t.jsonl", None, dialect, allow_loss=True)
    twice, conversion = convert_data(once, "t.jsonl", None, dialect, allow_loss=True)
    assert twice == once and conversion.rows_changed == 0 and conversion.problems == []


def test_preference_layouts_read_as_openai_dpo_rows(tmp_path):
    # TRL's explicit prompt and Fireworks' conversations under `messages`: `--to openai`
    # detects the layout and writes OpenAI's DPO rows (the `--to dpo` conversion).
    explicit = {"prompt": [{"role": "user", "content": "Hi"}], "chosen": [{"role": "assistant", "content": "Hello!"}],
                "rejected": [{"role": "assistant", "content": "What?"}]}
    fireworks = {"chosen": {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}]},
                 "rejected": {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "What?"}]}}
    path = tmp_path / "pairs.jsonl"
    path.write_bytes(line(explicit) + line(fireworks))
    out = tmp_path / "dpo.jsonl"
    done = run(str(path), "--to", "openai", "-o", str(out))
    assert done.exit_code == 0 and "read as a chosen/rejected preference layout: 2 rows" in done.stderr
    expected = {"input": {"messages": [{"role": "user", "content": "Hi"}]},
                "preferred_output": [{"role": "assistant", "content": "Hello!"}],
                "non_preferred_output": [{"role": "assistant", "content": "What?"}]}
    assert rows(out.read_bytes()) == [expected, expected]


def test_a_folder_in_ci_each_file_read_in_its_own_dialect(tmp_path):
    # `tunelint convert data/ --to openai --check`: an HF file is left to convert, an
    # OpenAI file and a converted one are not; each file says what it was read as.
    data = tmp_path / "data"
    data.mkdir()
    (data / "hf.jsonl").write_bytes(line(HF))
    (data / "openai.jsonl").write_bytes(line(OPENAI))
    (data / "cohere.jsonl").write_bytes(line({"messages": [{"role": "User", "content": "q"}, {"role": "Chatbot", "content": "a"}]}))
    checked = run(str(data), "--to", "openai", "--check")
    assert checked.exit_code == 1 and "3 files: would convert 2 rows, left 1 alone, 0 problems." in checked.stderr
    assert "hf.jsonl: read as the Hugging Face tool format: 1 row" in checked.stderr
    assert "cohere.jsonl: read as Cohere's chat format: 1 row" in checked.stderr
    assert run(str(data), "--to", "openai", "--in-place").exit_code == 0
    assert run(str(data), "--to", "openai", "--check").exit_code == 0


def test_a_file_in_no_dialect_read_here_is_said_not_passed_over(tmp_path):
    # The corpus' prompt/completion files: `--to openai` must not report "nothing to convert".
    path = tmp_path / "completions.jsonl"
    path.write_bytes(line({"prompt": "2+2=", "completion": " 4"}) * 2)
    done = run(str(path), "--to", "openai", "-o", str(tmp_path / "o.jsonl"))
    assert done.exit_code == 1 and "read as none of the dialects read here: 2 rows" in done.stderr
    assert f"{path}:2:1: cannot be converted to OpenAI's format: a prompt/completion row" in done.stderr


def test_lost_ids_are_said_for_every_row_as_line_ranges(tmp_path):
    plain = {"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]}
    path = tmp_path / "t.jsonl"
    path.write_bytes(line(OPENAI) * 3 + line(plain) + line(OPENAI))
    done = run(str(path), "--to", "vertex", "-o", str(tmp_path / "o.jsonl"))
    assert done.exit_code == 0
    assert f"{path}: call ids are not kept (4 rows: lines 1-3, 5); the way back makes new ones" in done.stderr


def test_a_pair_with_hf_calls_becomes_a_dpo_row_in_the_tools_format():
    # Axolotl's DPO drops tool calls (axolotl#3824); here the pair's calls keep their place,
    # get ids (the same in `input` for both answers) and their arguments as JSON strings.
    pair = {"prompt": [{"role": "user", "content": "Weather in Oslo?"},
                       {"role": "assistant", "tool_calls": [{"type": "function", "function": {"name": "get_weather",
                                                                                              "arguments": {"city": "Oslo"}}}]},
                       {"role": "tool", "name": "get_weather", "content": "3 C"}],
            "chosen": [{"role": "assistant", "content": "3 C in Oslo."}],
            "rejected": [{"role": "assistant", "content": "Sunny!"}],
            "tools": [WEATHER]}
    out = to_openai(pair, "preference")
    messages = out["input"]["messages"]
    ident = messages[1]["tool_calls"][0]["id"]
    assert messages[1]["tool_calls"][0]["function"]["arguments"] == '{"city": "Oslo"}'
    assert messages[2] == {"role": "tool", "tool_call_id": ident, "content": "3 C"}
    assert out["input"]["tools"] == [WEATHER]
    assert out["preferred_output"] == [{"role": "assistant", "content": "3 C in Oslo."}]
    assert out["non_preferred_output"] == [{"role": "assistant", "content": "Sunny!"}]
    assert convert_value(pair, "preference", "openai").value == out  # the same ids every time
