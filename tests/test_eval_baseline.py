"""`tunelint eval --baseline`: two models with scripted answers on the same held-out rows,
against the local API stand-in; a paired result known in advance."""

import json
from math import comb

import pytest
from click.testing import CliRunner

from fake_api import FakeApi
from helpers import WEATHER, call, jsonl, tool
from tunelint.cli.main import cli
from tunelint.lint.paired import mcnemar_exact

KEY, OTHER_KEY = "sk-test-candidate-111", "sk-test-baseline-222"
BOOK = tool("book_table", {"guests": {"type": "integer"}})
CANDIDATE, BASELINE = "ft:gpt-4o-mini:acme::abc123", "gpt-4o-mini"
CITIES = ["Oslo", "Rome", "Lima", "Kyiv", "Doha", "Bern", "Riga", "Baku", "Oran", "Nice"]


def held_out() -> list[dict]:
    """Lines 1-10 ask the weather, 11-12 book a table, 13 is small talk."""
    rows = [{"messages": [{"role": "user", "content": f"Weather in {city}?"},
                          {"role": "assistant", "tool_calls": [call("c1", "get_weather", {"city": city})]}],
             "tools": [WEATHER, BOOK]} for city in CITIES]
    rows += [{"messages": [{"role": "user", "content": f"Book for {n}"},
                           {"role": "assistant", "tool_calls": [call("c1", "book_table", {"guests": n})]}],
              "tools": [WEATHER, BOOK]} for n in (2, 4)]
    rows.append({"messages": [{"role": "user", "content": "Thanks!"}, {"role": "assistant", "content": "Welcome."}],
                 "tools": [WEATHER, BOOK]})
    return rows


def scripted(body: dict) -> dict:
    """The candidate is right but for line 12 (a wrong guest count). The baseline gets the
    city wrong on lines 1-8, calls the wrong tool on line 11, and is right on line 12."""
    question = body["messages"][-1]["content"]
    candidate = body["model"] == CANDIDATE
    if question.startswith("Weather in "):
        city = question[len("Weather in "):-1]
        wrong = not candidate and CITIES.index(city) < 8
        return {"role": "assistant", "content": None,
                "tool_calls": [call("x", "get_weather", {"city": "Paris" if wrong else city})]}
    if question.startswith("Book for "):
        n = int(question.split()[-1])
        if candidate:
            return {"role": "assistant", "content": None, "tool_calls": [call("x", "book_table", {"guests": n + (n == 4)})]}
        if n == 2:
            return {"role": "assistant", "content": None, "tool_calls": [call("x", "get_weather", {"city": "Oslo"})]}
        return {"role": "assistant", "content": None, "tool_calls": [call("x", "book_table", {"guests": n})]}
    return {"role": "assistant", "content": "My pleasure."}


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.delenv("AZURE_OPENAI_ENDPOINT", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    (tmp_path / "held.jsonl").write_text(jsonl(*held_out()))
    return tmp_path


def run(*args):
    return CliRunner().invoke(cli, list(args))


def binomial_two_sided(successes: int, trials: int) -> float:
    """The textbook exact two-sided binomial test at p = 1/2, written out here apart from the code under test."""
    k = min(successes, trials - successes)
    return min(1.0, 2 * sum(comb(trials, i) for i in range(k + 1)) / 2 ** trials)


def test_known_values_of_the_exact_test():
    # 1 of 9 discordant pairs: 2 * (1 + 9) / 512, the two-sided exact binomial p-value (scipy's binomtest(1, 9) gives it too).
    assert mcnemar_exact(8, 1) == pytest.approx(0.0390625, abs=1e-12)
    assert mcnemar_exact(0, 0) == 1.0 and mcnemar_exact(1, 1) == 1.0 and mcnemar_exact(5, 0) == pytest.approx(0.0625)
    assert mcnemar_exact(600, 400) == pytest.approx(binomial_two_sided(400, 1000))  # large counts stay exact


def test_both_models_scored_with_a_paired_test(env):
    with FakeApi() as api:
        api.answer = scripted
        result = run("eval", "held.jsonl", "--model", CANDIDATE, "--baseline", BASELINE, "--base-url", api.url,
                     "--output-format", "json")
        chats = [p for m, p in api.requests if p.endswith("/chat/completions")]
    assert result.exit_code == 0, result.output
    assert len(chats) == 26  # both models, every row, once
    out = json.loads(result.stdout)
    assert out["scores"]["arguments_exact_match"] == pytest.approx(11 / 12, abs=1e-4)
    assert out["baseline_scores"]["arguments_exact_match"] == 0.25
    assert out["difference"]["arguments_exact_match"] == pytest.approx(11 / 12 - 0.25, abs=1e-3)
    args = out["paired"]["arguments_exact_match"]
    assert (args["candidate_only"], args["baseline_only"], args["both_right"], args["both_wrong"]) == (9, 1, 2, 0)
    assert args["p_value"] == pytest.approx(binomial_two_sided(1, 10), abs=1e-6)  # 22/1024
    names = out["paired"]["tool_name_accuracy"]
    assert (names["candidate_only"], names["baseline_only"], names["p_value"]) == (1, 0, 1.0)
    weather = out["per_tool"]["get_weather"]["arguments_exact_match"]
    assert (weather["candidate_only"], weather["baseline_only"]) == (8, 0)
    assert weather["p_value"] == pytest.approx(binomial_two_sided(0, 8), abs=1e-6)  # 2/256
    assert out["per_tool"]["book_table"]["arguments_exact_match"]["p_value"] == 1.0
    lines = {d["line"]: d for d in out["disagreements"]}
    assert sorted(lines) == [1, 2, 3, 4, 5, 6, 7, 8, 11, 12]
    assert lines[1] == {"line": 1, "differs_on": "arguments", "expected": 'get_weather({"city":"Oslo"})',
                        "candidate": 'get_weather({"city":"Oslo"})', "baseline": 'get_weather({"city":"Paris"})',
                        "right": "candidate"}
    assert lines[11]["differs_on"] == "tool names" and lines[11]["baseline"].startswith("get_weather(")
    assert lines[12]["right"] == "baseline" and lines[12]["candidate"] == 'book_table({"guests":5})'


def test_text_report_and_gates(env):
    with FakeApi() as api:
        api.answer = scripted
        passed = run("eval", "held.jsonl", "--model", CANDIDATE, "--baseline", BASELINE, "--base-url", api.url,
                     "--min-tool-accuracy", "0.95", "--min-args-match", "0.9", "--min-gain", "0.5", "--max-p-value", "0.05")
        before = len(api.requests)
        gain = run("eval", "held.jsonl", "--model", CANDIDATE, "--baseline", BASELINE, "--base-url", api.url,
                   "--min-gain", "0.7")
        chance = run("eval", "held.jsonl", "--model", CANDIDATE, "--baseline", BASELINE, "--base-url", api.url,
                     "--max-p-value", "0.01")
        assert len(api.requests) == before  # every answer came from the cache
    assert passed.exit_code == 0, passed.output
    text = passed.stdout
    assert "arguments exact match        91.7%     25.0%   +66.7     0.02148" in text
    assert "get_weather                 10   100% vs 100%       1   100% vs  20% 0.00781" in text
    assert "per-tool p-values are not adjusted for testing 2 tools" in text
    assert "line 12: arguments, baseline right; expected book_table({\"guests\":4})" in text
    assert "candidate: book_table({\"guests\":5})" in text and "McNemar's exact test" in text
    assert gain.exit_code == 1 and "arguments exact match gain +0.6667 over gpt-4o-mini < 0.7" in gain.stderr
    assert chance.exit_code == 1 and "not better than gpt-4o-mini at p <= 0.01 (p = 0.02148" in chance.stderr


def test_baseline_on_another_api_with_its_own_key(env, monkeypatch):
    monkeypatch.setenv("BASELINE_KEY", OTHER_KEY)
    with FakeApi() as candidate_api, FakeApi() as baseline_api:
        candidate_api.answer = baseline_api.answer = scripted
        result = run("eval", "held.jsonl", "--model", CANDIDATE, "--base-url", candidate_api.url,
                     "--baseline", BASELINE, "--baseline-base-url", baseline_api.url, "--baseline-key-env", "BASELINE_KEY",
                     "--output-format", "json")
    assert result.exit_code == 0, result.output
    assert {h["authorization"] for h in candidate_api.headers} == {f"Bearer {KEY}"}
    assert {h["authorization"] for h in baseline_api.headers} == {f"Bearer {OTHER_KEY}"}
    assert len(candidate_api.headers) == len(baseline_api.headers) == 13
    assert KEY not in result.output and OTHER_KEY not in result.output
    assert json.loads(result.stdout)["paired"]["arguments_exact_match"]["candidate_only"] == 9


def test_baseline_options_without_a_baseline_and_a_missing_key(env, monkeypatch):
    alone = run("eval", "held.jsonl", "--model", CANDIDATE, "--min-gain", "0.1")
    assert alone.exit_code == 2 and "need --baseline" in alone.stderr
    monkeypatch.delenv("NOPE", raising=False)
    with FakeApi() as api:
        api.answer = scripted
        missing = run("eval", "held.jsonl", "--model", CANDIDATE, "--baseline", BASELINE, "--base-url", api.url,
                      "--baseline-base-url", api.url + "/", "--baseline-key-env", "NOPE")
    assert missing.exit_code == 2 and "--baseline-key-env NOPE: that variable is not set" in missing.stderr
    assert "Traceback" not in missing.output


def test_a_text_row_one_model_answers_with_a_call_is_listed():
    from tunelint.lint.paired import Comparison

    row = {"messages": [{"role": "user", "content": "Thanks!"}, {"role": "assistant", "content": "Welcome."}],
           "tools": [WEATHER]}
    comparison = Comparison()
    comparison.add(7, row, {"role": "assistant", "content": "Any time!"},
                   {"role": "assistant", "content": None, "tool_calls": [call("x", "get_weather", {"city": "Oslo"})]})
    [disagreement] = comparison.disagreements
    assert disagreement.as_dict() == {"line": 7, "differs_on": "text vs call", "expected": 'text "Welcome."',
                                      "candidate": 'text "Any time!"', "baseline": 'get_weather({"city":"Oslo"})',
                                      "right": "candidate"}
    assert comparison.overall["tool_name_accuracy"].rows == 0  # a text row is not a tool-name outcome


def test_arguments_that_are_no_json_are_shown_as_written():
    from tunelint.lint.paired import describe

    answer = {"role": "assistant", "tool_calls": [call("x", "get_weather", '{"city": Oslo}'),
                                                   call("y", "book_table", {"guests": 2})]}
    assert describe(answer) == 'get_weather({"city": Oslo}); book_table({"guests":2})'


def test_a_file_with_nothing_to_score_is_one_line(env):
    (env / "none.jsonl").write_text(jsonl({"messages": [{"role": "user", "content": "Hi"}]}, "{not json"))
    result = run("eval", "none.jsonl", "--model", CANDIDATE, "--baseline", BASELINE, "--base-url", "http://127.0.0.1:9/v1")
    assert result.exit_code == 2 and "has no row with an answer to score" in result.stderr
    assert "Traceback" not in result.output
