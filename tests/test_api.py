"""`tunelint upload` and `tunelint eval` against a local server speaking the API's wire format."""

import json
import socket

import pytest
from click.testing import CliRunner

from fake_api import FakeApi
from helpers import WEATHER, call, clean_rows, jsonl
from tunelint.cli.main import cli

KEY = "sk-test-secret-key-123"


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("TUNELINT_POLL_SECONDS", "0.01")
    monkeypatch.delenv("AZURE_OPENAI_ENDPOINT", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    (tmp_path / "train.jsonl").write_text(jsonl(*clean_rows(60)))
    (tmp_path / "valid.jsonl").write_text(jsonl(*clean_rows(70)[60:]))
    return tmp_path


def run(*args):
    return CliRunner().invoke(cli, list(args))


def test_clean_upload_creates_and_follows_the_job(env):
    with FakeApi() as api:
        result = run("upload", "train.jsonl", "--validation", "valid.jsonl", "--model", "gpt-4o-mini-2024-07-18",
                     "--base-url", api.url, "--follow", "--suffix", "weather")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "estimated cost: $" in out and out.index("estimated cost") < out.index("uploaded train.jsonl as file-1")
    assert "uploaded valid.jsonl as file-2" in out and "created job ftjob-1" in out
    assert "job ftjob-1: running" in out and "job ftjob-1: succeeded" in out
    assert "Fine-tuning job started" in out and out.index("job started") < out.index("Step 10/10")
    assert "succeeded: ft:gpt-4o-mini-2024-07-18:acme::abc123" in out
    assert KEY not in result.output


def test_upload_refused_when_the_check_finds_errors(env):
    (env / "train.jsonl").write_text(jsonl(*clean_rows(59), {"messages": [{"role": "user", "content": ""}]}))
    with FakeApi() as api:
        result = run("upload", "train.jsonl", "--model", "gpt-4o-mini-2024-07-18", "--base-url", api.url)
        assert api.requests == []
    assert result.exit_code == 1 and "nothing was uploaded" in result.stderr and "TLC001" in result.stderr


def test_failed_job_shows_its_error(env):
    with FakeApi() as api:
        api.job_outcome = "failed"
        result = run("upload", "train.jsonl", "--model", "gpt-4o-mini-2024-07-18", "--base-url", api.url, "--follow")
    assert result.exit_code == 1 and "job ftjob-1 failed: Training file has too many examples" in result.stderr


def test_network_failure_is_one_line_and_exit_2(env):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = run("upload", "train.jsonl", "--model", "gpt-4o-mini-2024-07-18", "--base-url", f"http://127.0.0.1:{port}/v1",
                 "--max-retries", "0")
    assert result.exit_code == 2
    assert "cannot reach the API" in result.stderr and "nothing was created" in result.stderr
    assert "Traceback" not in result.output and KEY not in result.output


def test_missing_key_is_a_clear_error(env, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY")
    result = run("upload", "train.jsonl", "--model", "gpt-4o-mini-2024-07-18", "--base-url", "http://127.0.0.1:9/v1")
    assert result.exit_code == 2 and "set OPENAI_API_KEY" in result.stderr


def held_out(n=12):
    rows = clean_rows(n)
    for row in rows:
        row["messages"] = row["messages"][:2]  # the call turn is the target
    rows.append({"messages": [{"role": "user", "content": "Thanks!"}, {"role": "assistant", "content": "You're welcome."}],
                 "tools": [WEATHER]})
    return rows


def answering(wrong_every=4):
    """Right calls, except a wrong argument on every `wrong_every`-th city; text for text."""
    def answer(body):
        question = body["messages"][-1]["content"]
        if "weather" not in question:
            return {"role": "assistant", "content": "My pleasure."}
        city = question.split(" in ")[1].rstrip("?")
        index = [r["messages"][0]["content"] for r in held_out(12)].index(question)
        arguments = {"city": "Paris"} if index % wrong_every == 0 else {"city": city}
        return {"role": "assistant", "content": None, "tool_calls": [call("call_x", "get_weather", arguments)]}
    return answer


def test_eval_scores_and_gates(env):
    (env / "held.jsonl").write_text(jsonl(*held_out()))
    with FakeApi() as api:
        api.answer = answering()
        result = run("eval", "held.jsonl", "--model", "ft:gpt-4o-mini:acme::abc123", "--base-url", api.url,
                     "--output-format", "json", "--min-args-match", "0.9")
    scores = json.loads(result.stdout)
    assert scores["rows"] == 13 and scores["rows_expecting_calls"] == 12
    assert scores["tool_name_accuracy"] == 1.0 and scores["arguments_exact_match"] == 0.75
    assert scores["arguments_valid"] == 1.0 and scores["text_vs_call_agreement"] == 1.0
    assert scores["per_tool"]["get_weather"]["rows"] == 12
    assert result.exit_code == 1 and "below the gate" in result.stderr


def test_eval_retries_429_then_succeeds(env):
    (env / "held.jsonl").write_text(jsonl(*held_out(3)))
    with FakeApi() as api:
        api.answer, api.rate_limit_first = answering(wrong_every=99), 2
        result = run("eval", "held.jsonl", "--model", "m", "--base-url", api.url, "--concurrency", "1")
        chat_posts = [r for r in api.requests if r[1].endswith("/chat/completions")]
    assert result.exit_code == 0, result.output
    assert len(chat_posts) == 4 + 2  # four rows, two of them asked again after a 429
    assert "tool-name accuracy       100.0%" in result.stdout


def test_interrupted_eval_resumes_from_the_cache(env):
    (env / "held.jsonl").write_text(jsonl(*held_out(6)))
    with FakeApi() as api:
        asked = []

        def flaky(body):
            asked.append(body["messages"][-1]["content"])
            if len(asked) == 4:
                raise ConnectionAbortedError  # the server dies mid-run
            return answering(wrong_every=99)(body)

        api.answer = flaky
        first = run("eval", "held.jsonl", "--model", "m", "--base-url", api.url, "--concurrency", "1", "--max-retries", "0")
        assert first.exit_code == 2
        api.answer = answering(wrong_every=99)
        before = len([r for r in api.requests if r[1].endswith("/chat/completions")])
        second = run("eval", "held.jsonl", "--model", "m", "--base-url", api.url, "--concurrency", "1")
        after = len([r for r in api.requests if r[1].endswith("/chat/completions")])
    assert "resuming: 3 of 7 answers are cached" in second.stderr
    assert after - before == 4 and second.exit_code == 0


def test_azure_client_from_the_usual_environment(env, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY")
    (env / "held.jsonl").write_text(jsonl(*held_out(2)))
    with FakeApi() as api:
        monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", api.root)
        monkeypatch.setenv("AZURE_OPENAI_API_KEY", KEY)
        monkeypatch.setenv("OPENAI_API_VERSION", "2024-10-21")
        api.answer = answering(wrong_every=99)
        uploaded = run("upload", "train.jsonl", "--model", "gpt-4o-mini-2024-07-18", "--create-job")
        evaluated = run("eval", "held.jsonl", "--model", "my-deployment")
    assert uploaded.exit_code == 0 and evaluated.exit_code == 0, uploaded.output + evaluated.output
    paths = [p for _, p in api.requests]
    assert any(p.startswith("/openai/files?api-version=2024-10-21") for p in paths)
    assert any(p.startswith("/openai/deployments/my-deployment/chat/completions") for p in paths)
    assert all(h.get("api-key") == KEY for h in api.headers)  # Azure's header; never printed
    assert KEY not in uploaded.output + evaluated.output
