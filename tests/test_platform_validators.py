"""tunelint's targets against the platforms' own validators, on the same rows.

For each platform that ships its validator on PyPI: every row tunelint finds clean (on that
target) passes the platform's validator, and every row the validator rejects gets a tunelint
finding with a line and a column.

- Mistral: mistral-common's `MistralRequestValidatorV3` in fine-tuning mode (what
  mistral-finetune runs on each row), in the `test` extras.
- Together: `check_file` of the current SDK (together 3.x, in the `test` extras: it checks
  only that each line is a JSON object and leaves the rest to the server), and of together
  1.5.35 (`together files check` before the 2.x SDK: extra columns, roles, alternation,
  `content` on every message). 1.5.35 cannot share a virtualenv with 3.x: it lives in its
  own (`.ci/run` makes it; TUNELINT_TOGETHER1_PYTHON names its python). The two versions
  differ on tool rows: 1.5.35 refuses `tools` and role `tool`, which the current docs and
  SDK take and so does tunelint's `together` target; that difference is asserted too.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from external import require
from tunelint.lint import check_bytes
from tunelint.lint.settings import settings_from_table

TOOLS = [{"type": "function", "function": {"name": "get_weather", "description": "Current weather",
                                           "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}]
ARGS = json.dumps({"city": "Oslo"})


def _call(cid: str = "a1B2c3D4e", name: str = "get_weather", **extra) -> dict:
    return {"id": cid, "type": "function", "function": {"name": name, "arguments": ARGS}, **extra}


def _tool_row(cid: str = "a1B2c3D4e", content=None, tools=TOOLS, name="get_weather", **top) -> dict:
    assistant = {"role": "assistant", "tool_calls": [_call(cid, name)]}
    if content is not None:
        assistant = {"role": "assistant", "content": content, "tool_calls": [_call(cid, name)]}
    return {"messages": [{"role": "user", "content": "Weather in Oslo?"}, assistant,
                         {"role": "tool", "tool_call_id": cid, "content": "12"},
                         {"role": "assistant", "content": "It is 12°C."}], "tools": tools, **top}


def _chat(*turns, **top) -> dict:
    return {"messages": [{"role": r, "content": c} for r, c in turns], **top}


# Rows as they turn up in datasets moved off OpenAI: each is one file's only line.
TOOL_ROWS: dict[str, dict | str] = {
    "valid tools row, 9-character ids": _tool_row(),
    "OpenAI call ids": _tool_row("call_98660886"),
    "id with an underscore": _tool_row("abc_12345"),
    "a sentence beside the calls": _tool_row(content="Let me check."),
    "empty content beside the calls": _tool_row(content=""),
    "parallel calls and two results": {"messages": [
        {"role": "user", "content": "Oslo and Rome?"},
        {"role": "assistant", "tool_calls": [_call("a1B2c3D4e"), _call("f5G6h7I8j")]},
        {"role": "tool", "tool_call_id": "a1B2c3D4e", "content": "12"},
        {"role": "tool", "tool_call_id": "f5G6h7I8j", "content": "21"},
        {"role": "assistant", "content": "Oslo 12°C, Rome 21°C."}], "tools": TOOLS},
    "more results than calls": {"messages": [
        {"role": "user", "content": "Oslo?"}, {"role": "assistant", "tool_calls": [_call()]},
        {"role": "tool", "tool_call_id": "a1B2c3D4e", "content": "12"},
        {"role": "tool", "tool_call_id": "a1B2c3D4e", "content": "12"},
        {"role": "assistant", "content": "12°C."}], "tools": TOOLS},
    "a result right after the user": {"messages": [
        {"role": "user", "content": "Oslo?"}, {"role": "tool", "tool_call_id": "a1B2c3D4e", "content": "12"},
        {"role": "assistant", "content": "12°C."}], "tools": TOOLS},
    "function name with a space": _tool_row(name="get weather", tools=[
        {"type": "function", "function": {"name": "get weather", "description": "w", "parameters": {"type": "object", "properties": {}}}}]),
    "parameters that are no JSON schema": _tool_row(tools=[
        {"type": "function", "function": {"name": "get_weather", "description": "w", "parameters": {"type": "objekt"}}}]),
    "parallel_tool_calls at the top": _tool_row(parallel_tool_calls=False),
    "legacy function format": {"messages": [
        {"role": "user", "content": "Oslo?"}, {"role": "assistant", "function_call": {"name": "get_weather", "arguments": ARGS}},
        {"role": "function", "name": "get_weather", "content": "12"}, {"role": "assistant", "content": "12°C."}],
        "functions": [TOOLS[0]["function"]]},
}
CHAT_ROWS: dict[str, dict | str] = {
    "plain chat": _chat(("system", "Be brief."), ("user", "Hi"), ("assistant", "Hello!")),
    "ends on a user turn": _chat(("user", "Hi"), ("assistant", "Hello!"), ("user", "Thanks")),
    "two user turns": _chat(("user", "Hi"), ("user", "Weather?"), ("assistant", "12°C.")),
    "two assistant turns": _chat(("user", "Hi"), ("assistant", "Hello!"), ("assistant", "How can I help?")),
    "developer message": _chat(("developer", "Be brief."), ("user", "Hi"), ("assistant", "Hello!")),
    "no assistant turn": _chat(("user", "Hi")),
    "assistant with no content": {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant"}]},
    "assistant with null content": {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": None}]},
    "metadata column": _chat(("user", "Hi"), ("assistant", "Hello!"), id="row-17"),
    "unknown role": _chat(("human", "Hi"), ("assistant", "Hello!")),
    "weight 0 on an assistant turn": {"messages": [{"role": "user", "content": "Hi"},
                                                   {"role": "assistant", "content": "Hello!", "weight": 0},
                                                   {"role": "user", "content": "Bye"}, {"role": "assistant", "content": "Bye!"}]},
    "system message in the middle": _chat(("user", "Hi"), ("assistant", "Hello!"), ("system", "Be brief."),
                                          ("user", "Bye"), ("assistant", "Bye!")),
}
BAD_LINES: dict[str, str] = {
    "not JSON": '{"messages": [',
    "a JSON array": '[{"role": "user", "content": "Hi"}]',
    "a byte-order mark before the row": "\ufeff" + json.dumps(_chat(("user", "Hi"), ("assistant", "Hello!"))),
}


def _line(row: dict | str) -> bytes:
    return (row if isinstance(row, str) else json.dumps(row, ensure_ascii=False)).encode("utf-8") + b"\n"


def tunelint_findings(row: dict | str, target: str) -> list[tuple[str, int, int, str]]:
    """tunelint's row findings on a one-line file (the dataset rules judge files, not rows)."""
    settings = settings_from_table({"target": target, "kind": "sft", "ignore": ["TLD"]})
    report = check_bytes(_line(row), "row.jsonl", settings)
    return [(v.code, v.line, v.col, v.severity.value) for v in report.violations]


def judge(rows: dict[str, dict | str], target: str, accepts) -> list[str]:
    """The disagreements: a clean row the platform rejects, or a rejected row tunelint passes."""
    problems = []
    for what, row in rows.items():
        found = tunelint_findings(row, target)
        verdict = accepts(row)
        if not found and verdict is not True:
            problems.append(f"{what}: tunelint finds it clean, the platform rejects it: {verdict}")
        if verdict is not True:
            if not any(sev == "error" for *_, sev in found):
                problems.append(f"{what}: rejected ({verdict}) but tunelint reports no error: {found}")
            for code, line, col, _ in found:
                assert line == 1 and col >= 0, (what, code, line, col)
    return problems


# --- Mistral ---------------------------------------------------------------------------------

def mistral_accepts(row: dict | str) -> bool | str:
    from mistral_common.protocol.instruct.messages import FinetuningMessage
    from mistral_common.protocol.instruct.request import ChatCompletionRequest
    from mistral_common.protocol.instruct.validator import MistralRequestValidatorV3, ValidationMode

    try:
        value = json.loads(row) if isinstance(row, str) else row
        if type(value) is not dict:
            return "not a JSON object"
        # What mistral-finetune reads of a row (`messages`, `tools`), with its message types (weights allowed).
        request = ChatCompletionRequest[FinetuningMessage].model_validate({k: value[k] for k in ("messages", "tools") if k in value})
        MistralRequestValidatorV3(ValidationMode.finetuning).validate_request(request)
    except Exception as exc:  # pydantic's ValidationError and mistral-common's own exceptions alike
        return f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
    return True


def test_mistral_validator_agrees_with_the_mistral_target():
    pytest.importorskip("mistral_common", reason="mistral-common is in the test extras: pip install -e '.[test]'")
    rows = {**TOOL_ROWS, **CHAT_ROWS, **BAD_LINES}
    verdicts = {what: mistral_accepts(row) for what, row in rows.items()}
    # The validator does reject what the target is about (or this test would prove nothing).
    assert "must be a-z, A-Z, 0-9, with a length of 9" in verdicts["OpenAI call ids"]
    assert "either content or tool_calls, but not both" in verdicts["a sentence beside the calls"]
    assert "Expected last role Assistant for finetuning" in verdicts["ends on a user turn"]
    assert verdicts["valid tools row, 9-character ids"] is True
    assert judge(rows, "mistral", mistral_accepts) == []


def test_the_default_target_misses_what_mistral_rejects():
    """Without --target mistral the OpenAI rules pass rows Mistral refuses: the target is what finds them."""
    pytest.importorskip("mistral_common", reason="mistral-common is in the test extras: pip install -e '.[test]'")
    problems = judge({"OpenAI call ids": TOOL_ROWS["OpenAI call ids"]}, "openai", mistral_accepts)
    assert problems and "tunelint finds it clean, the platform rejects it" in problems[0]


# --- Together ----------------------------------------------------------------------------------

def _write_rows(rows: dict[str, dict | str], folder: Path) -> dict[str, Path]:
    paths = {}
    for i, (what, row) in enumerate(rows.items()):
        paths[what] = folder / f"row{i}.jsonl"
        paths[what].write_bytes(_line(row))
    return paths


def _together_verdicts(python: str, paths: dict[str, Path], module: str) -> dict[str, bool | str]:
    script = (f"import json, sys\nfrom {module} import check_file\n"
              "print(json.dumps([check_file(p) for p in sys.argv[1:]]))")
    env = {**os.environ, "TOGETHER_NO_BANNER": "1"}
    out = subprocess.run([python, "-c", script, *map(str, paths.values())], capture_output=True, text=True,
                         check=True, env=env, timeout=300).stdout
    reports = json.loads(out.strip().splitlines()[-1])
    return {what: True if r["is_check_passed"] else r["message"] for what, r in zip(paths, reports)}


def test_together_current_check_agrees_with_the_together_target(tmp_path):
    pytest.importorskip("together", reason="together is in the test extras: pip install -e '.[test]'")
    import sys

    rows = {**TOOL_ROWS, **CHAT_ROWS, **BAD_LINES}
    verdicts = _together_verdicts(sys.executable, _write_rows(rows, tmp_path), "together.lib.utils.files")
    assert "Each line must be a JSON object" in verdicts["a JSON array"]
    assert verdicts["valid tools row, 9-character ids"] is True
    assert judge(rows, "together", lambda row: verdicts[next(w for w, r in rows.items() if r is row)]) == []


def together1_python() -> str:
    return require(os.environ.get("TUNELINT_TOGETHER1_PYTHON", "/tmp/tunelint-together1/bin/python"),
                   "python3 -m venv /tmp/tunelint-together1 && /tmp/tunelint-together1/bin/pip install together==1.5.35 "
                   "(or set TUNELINT_TOGETHER1_PYTHON to a python that has it)")


def test_together_1x_file_check_agrees_on_chat_rows(tmp_path):
    python = together1_python()
    rows = {**CHAT_ROWS, **BAD_LINES}
    verdicts = _together_verdicts(python, _write_rows(rows, tmp_path), "together.utils.files")
    assert "conversation roles must alternate" in verdicts["two user turns"]
    assert verdicts["metadata column"] == 'Found extra column "id" in the line 1.'
    assert verdicts["plain chat"] is True
    assert judge(rows, "together", lambda row: verdicts[next(w for w, r in rows.items() if r is row)]) == []


def test_together_1x_refuses_tool_rows_the_current_sdk_and_the_target_take(tmp_path):
    """Where the versions differ: the old `together files check` refuses every OpenAI tool row."""
    python = together1_python()
    valid = {"valid tools row, 9-character ids": TOOL_ROWS["valid tools row, 9-character ids"]}
    old = _together_verdicts(python, _write_rows(valid, tmp_path), "together.utils.files")
    assert old["valid tools row, 9-character ids"] == 'Found extra column "tools" in the line 1.'
    assert tunelint_findings(valid["valid tools row, 9-character ids"], "together") == []
