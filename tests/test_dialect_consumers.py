"""Each dialect written by `tunelint convert` is read by the library that will read it: a
converted file the consumer rejects (or reads back changed) is a failing test.

- `--to trl`: `datasets.load_dataset("json", ...)`, as TRL and Axolotl load data; the
  rows' arguments and tools come back as they were, though their keys differ from row to
  row (what breaks loads elsewhere: LLaMA-Factory#2471, TRL#5118, Axolotl#3136).
- `--to vertex`: google-genai's types (`Content`, `Part`, `FunctionCall`,
  `FunctionResponse`, `Tool`) validate every row.
- `--to mistral`: mistral-common's request validator in fine-tuning mode.
"""

import json

import pytest
from hypothesis import given, settings

from tunelint.convert.dialects.run import convert_data
from test_dialects import OPENAI, openai_rows

# Rows whose arguments and declarations differ in keys and in types from row to row.
VARIED = [
    {"messages": [{"role": "user", "content": "book"},
                  {"role": "assistant", "tool_calls": [{"id": "call_1", "type": "function", "function": {
                      "name": "book", "arguments": '{"when": "tomorrow", "seats": 2}'}}]},
                  {"role": "tool", "tool_call_id": "call_1", "content": "booked"},
                  {"role": "assistant", "content": "Booked."}],
     "tools": [{"type": "function", "function": {"name": "book", "description": "Book a table.", "parameters": {
         "type": "object", "properties": {"when": {"type": "string"}, "seats": {"type": "integer"}}}}}]},
    {"messages": [{"role": "user", "content": "find"},
                  {"role": "assistant", "tool_calls": [{"id": "call_2", "type": "function", "function": {
                      "name": "search", "arguments": '{"seats": "two", "tags": ["a", "b"], "near": {"lat": 1.5}}'}}]},
                  {"role": "tool", "tool_call_id": "call_2", "content": "[]"},
                  {"role": "assistant", "content": "Nothing."}],
     "tools": [{"type": "function", "function": {"name": "search", "parameters": {
         "type": "object", "properties": {"seats": {"type": "string"}, "tags": {"type": "array", "items": {"type": "string"}},
                                          "near": {"type": "object"}}, "required": ["seats"]}, "strict": False}}]},
    {"messages": [{"role": "user", "content": "hello"}, {"role": "assistant", "content": "Hi!", "weight": 0},
                  {"role": "user", "content": "again"}, {"role": "assistant", "content": "Hello!", "weight": 1}]},
    OPENAI,
]


def converted(rows, target):
    data = b"".join(json.dumps(r).encode() + b"\n" for r in rows)
    out, conversion = convert_data(data, "t.jsonl", None, target, allow_loss=True)
    assert conversion.unconverted == 0, conversion.problems
    return out


def test_trl_output_loads_with_datasets_and_keeps_arguments_and_tools(tmp_path, monkeypatch):
    import datasets
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    path = tmp_path / "trl.jsonl"
    written = converted(VARIED, "trl")
    path.write_bytes(written)
    loaded = datasets.load_dataset("json", data_files=str(path), split="train", cache_dir=str(tmp_path / "cache"))
    assert len(loaded) == len(VARIED)
    for original, raw, row in zip(VARIED, written.splitlines(), loaded):
        assert row["messages"] == json.loads(raw)["messages"]  # nothing added, nothing dropped
        for sent, got in zip(original["messages"], row["messages"]):
            for a, b in zip(sent.get("tool_calls") or [], got.get("tool_calls") or []):
                assert b["function"]["arguments"] == json.loads(a["function"]["arguments"])
            assert got.get("content") == sent.get("content")
        if "tools" in original:
            assert json.loads(row["tools"]) == original["tools"]
        else:
            assert row["tools"] is None


def _vertex_rows_valid(data: bytes):
    from google.genai import types

    for raw in data.splitlines():
        row = json.loads(raw)
        assert set(row) <= {"systemInstruction", "contents", "tools"}
        if "systemInstruction" in row:
            types.Content.model_validate(row["systemInstruction"])
        contents = [types.Content.model_validate(c) for c in row["contents"]]
        assert {c.role for c in contents} <= {"user", "model"}
        for content in contents:
            for part in content.parts:
                if part.function_response is not None:
                    assert isinstance(part.function_response.response, dict)
        for tool in row.get("tools", []):
            types.Tool.model_validate(tool)


def test_vertex_output_validates_with_google_genai_types():
    _vertex_rows_valid(converted(VARIED, "vertex"))


@settings(max_examples=40, deadline=None)
@given(row=openai_rows())
def test_every_generated_row_written_for_vertex_validates(row):
    _vertex_rows_valid(converted([row], "vertex"))


def test_a_schema_genai_rejects_as_parameters_is_written_as_json_schema_it_takes():
    row = json.loads(json.dumps(OPENAI))
    row["tools"][0]["function"]["parameters"]["properties"]["city"]["type"] = ["string", "null"]
    _vertex_rows_valid(converted([row], "vertex"))


def _mistral_rows_valid(data: bytes):
    from mistral_common.protocol.instruct.request import ChatCompletionRequest
    from mistral_common.protocol.instruct.validator import MistralRequestValidatorV3, ValidationMode

    validator = MistralRequestValidatorV3(ValidationMode.finetuning)
    for raw in data.splitlines():
        row = json.loads(raw)
        # mistral-finetune reads an assistant turn's `weight` itself (finetune/data/tokenize.py)
        # before it builds the request it validates: so does this check.
        messages = [{k: v for k, v in m.items() if k != "weight"} for m in row["messages"]]
        request = ChatCompletionRequest.model_validate({"messages": messages, "tools": row.get("tools")})
        validator.validate_request(request)


def test_mistral_output_passes_mistral_commons_fine_tuning_validator():
    _mistral_rows_valid(converted(VARIED, "mistral"))


def test_openai_ids_are_what_mistral_common_rejects():
    # The check above can fail: the same rows with OpenAI's ids do not pass.
    with pytest.raises(Exception, match="must be a-z, A-Z, 0-9, with a length of 9"):
        _mistral_rows_valid(b"".join(json.dumps(r).encode() + b"\n" for r in VARIED[:1]))


@settings(max_examples=40, deadline=None)
@given(row=openai_rows())
def test_every_generated_row_written_for_mistral_validates(row):
    _mistral_rows_valid(converted([row], "mistral"))


def test_trl_rows_as_datasets_returns_them_read_back_to_the_openai_rows(tmp_path, monkeypatch):
    # The whole trip: OpenAI rows -> `--to trl` -> datasets -> `--from hf --to openai`.
    import datasets

    from test_dialects import without_ids
    from tunelint.convert.dialects.run import convert_value

    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    path = tmp_path / "trl.jsonl"
    path.write_bytes(converted(VARIED, "trl"))
    loaded = datasets.load_dataset("json", data_files=str(path), split="train", cache_dir=str(tmp_path / "cache"))
    for original, row in zip(VARIED, loaded):
        row = {key: value for key, value in row.items() if value is not None}  # columns a row did not have
        back = convert_value(row, "hf", "openai")
        assert back.problems == [] and without_ids(back.value) == without_ids(original)
