"""`tunelint check` and `tunelint rule` as a user runs them: exit codes, streams, files."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from helpers import clean_rows, jsonl, user, weather_row, write
from tunelint.cli.main import cli

CLEAN = jsonl(*clean_rows(50))  # fifty distinct valid rows: the recommended minimum size
# Line 50: an empty user turn (error), after 49 valid rows.
PROBLEMS = jsonl(*clean_rows(49), {"messages": [user(""), {"role": "assistant", "content": "ok"}]})
WARN_ONLY = jsonl(*clean_rows(49), weather_row(source="crawl"))  # an unknown key: a warning only


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TUNELINT_OUTPUT_FORMAT", raising=False)

    def invoke(*args, input=None):
        return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)

    return invoke


def test_clean_file_exits_0(run):
    write("train.jsonl", CLEAN)
    result = run("check", "train.jsonl")
    assert result.exit_code == 0 and "All checks passed!" in result.stdout


def test_errors_exit_1_and_are_listed(run):
    write("train.jsonl", PROBLEMS)
    result = run("check", "train.jsonl", "--output-format", "concise")
    assert result.exit_code == 1
    assert "train.jsonl:50:" in result.stdout and "TLC001 user turn `messages[0]` has empty content" in result.stdout


def test_warnings_exit_0_unless_strict(run):
    write("train.jsonl", WARN_ONLY)
    assert run("check", "train.jsonl").exit_code == 0
    assert run("check", "train.jsonl", "--strict").exit_code == 1


def test_exit_zero(run):
    write("train.jsonl", PROBLEMS)
    assert run("check", "train.jsonl", "--exit-zero").exit_code == 0


def test_folders_expand_to_jsonl_files_and_respect_exclude(run):
    write("data/a.jsonl", PROBLEMS)
    write("data/sub/b.jsonl", PROBLEMS)
    write("data/notes.json", "not jsonl")
    write("data/raw/c.jsonl", PROBLEMS)
    write("pyproject.toml", '[tool.tunelint]\nexclude = ["data/raw"]\n')
    result = run("check", "data", "--output-format", "concise")
    files = {line.split(":")[0] for line in result.stdout.splitlines() if ":" in line and line.startswith("data")}
    assert files == {"data/a.jsonl", "data/sub/b.jsonl"}


def test_force_exclude_applies_to_named_files(run):
    write("data/raw/c.jsonl", PROBLEMS)
    write("pyproject.toml", '[tool.tunelint]\nexclude = ["data/raw"]\n')
    assert run("check", "data/raw/c.jsonl").exit_code == 1
    assert run("check", "data/raw/c.jsonl", "--force-exclude").exit_code == 0


def test_stdin_with_a_filename(run):
    result = run("check", "-", "--stdin-filename", "piped.jsonl", "--output-format", "concise", input=PROBLEMS)
    assert result.exit_code == 1 and result.stdout.startswith("piped.jsonl:50:")


def test_select_and_ignore_on_the_command_line(run):
    write("train.jsonl", PROBLEMS + WARN_ONLY)
    only_warn = run("check", "train.jsonl", "--select", "TLS", "--output-format", "concise")
    assert "TLS002" in only_warn.stdout and "TLC001" not in only_warn.stdout
    ignored = run("check", "train.jsonl", "--ignore", "TLC001,TLS002", "--output-format", "concise")
    assert ignored.exit_code == 0


def test_output_format_from_environment(run, monkeypatch):
    write("train.jsonl", PROBLEMS)
    monkeypatch.setenv("TUNELINT_OUTPUT_FORMAT", "json")
    result = run("check", "train.jsonl")
    assert json.loads(result.stdout)[0]["code"] == "TLC001"


def test_missing_path_exits_2(run):
    result = run("check", "nope.jsonl")
    assert result.exit_code == 2 and "nope.jsonl: no such file" in result.stderr
    assert "All checks passed!" not in result.stdout  # a file went unread: nothing passed


def test_a_folder_with_no_datasets_passes_with_a_warning(run):
    Path("notes").mkdir()
    write("notes/readme.txt", "not a dataset")
    result = run("check", "notes")
    assert result.exit_code == 0 and "warning: no .jsonl files found under notes (or all are excluded)" in result.stderr


def test_bad_config_exits_2_naming_the_key(run):
    write("train.jsonl", CLEAN)
    write("pyproject.toml", '[tool.tunelint]\nselekt = ["TLT"]\n')
    result = run("check", "train.jsonl")
    assert result.exit_code == 2 and "tool.tunelint.selekt" in result.stderr


def test_unknown_selector_on_the_command_line_exits_2(run):
    write("train.jsonl", CLEAN)
    assert run("check", "train.jsonl", "--select", "TLQ9").exit_code == 2


def test_unreadable_file_exits_2(run):
    # Reading /proc/self/mem from offset 0 fails with EIO even for root: a real read error.
    result = run("check", "/proc/self/mem")
    assert result.exit_code == 2 and "cannot read /proc/self/mem" in result.stderr


def test_broken_symlink_exits_2(run):
    Path("train.jsonl").symlink_to("gone.jsonl")
    assert run("check", "train.jsonl").exit_code == 2


def test_a_directory_named_x_jsonl_is_not_a_crash(run):
    Path("odd.jsonl").mkdir()
    assert run("check", "odd.jsonl").exit_code == 0  # a folder: expanded, holds nothing


def test_fix_rewrites_fixable_rows_and_leaves_others_byte_identical(run):
    legacy = {"functions": [{"name": "f", "parameters": {"type": "object", "properties": {}}}],
              "messages": [user("go"), {"role": "assistant", "content": None, "function_call": {"name": "f", "arguments": "{}"}}]}
    odd_spacing = '{"messages":[{"role":"user","content":"x"},   {"role":"assistant","content":"y"}]}'
    write("train.jsonl", odd_spacing + "\n\n" + json.dumps(legacy) + "\n")
    result = run("check", "train.jsonl", "--fix", "--ignore", "too-few-examples")
    assert result.exit_code == 0, result.stdout
    assert "Fixed 2 problems." in result.stdout
    lines = Path("train.jsonl").read_text().splitlines()
    assert lines[0] == odd_spacing
    assert len(lines) == 2 and json.loads(lines[1])["tools"][0]["function"]["name"] == "f"


def test_fixed_arguments_keep_integers_past_64_bits(run):
    # Arguments given as an object (encoded by the fix) and arguments encoded twice (decoded),
    # in rows that also hold an integer orjson would read as a float.
    big = 98765432109876543210987
    as_object = weather_row(messages=[user("go"), {"role": "assistant", "tool_calls": [
        {"id": "c1", "type": "function", "function": {"name": "get_weather", "arguments": {"city": "Oslo", "n": big}}}]},
        {"role": "tool", "tool_call_id": "c1", "content": "ok"}, {"role": "assistant", "content": "done"}], seed=big)
    twice = json.loads(json.dumps(as_object))
    twice["messages"][1]["tool_calls"][0]["function"]["arguments"] = json.dumps(json.dumps({"city": "Oslo"}))
    write("train.jsonl", json.dumps(as_object) + "\n" + json.dumps(twice) + "\n")
    run("check", "train.jsonl", "--fix", "--select", "invalid-arguments-json")
    first, second = (json.loads(line) for line in Path("train.jsonl").read_text().splitlines())
    assert first["seed"] == big and second["seed"] == big
    assert json.loads(first["messages"][1]["tool_calls"][0]["function"]["arguments"]) == {"city": "Oslo", "n": big}
    assert json.loads(second["messages"][1]["tool_calls"][0]["function"]["arguments"]) == {"city": "Oslo"}


def test_fix_from_stdin_writes_the_fixed_data_to_stdout(run):
    result = run("check", "-", "--fix", input=CLEAN + "\n")
    assert result.stdout == CLEAN
    assert result.exit_code == 0


def test_rule_shows_docs_by_code_or_name(run):
    by_name = run("rule", "missing-tools-array")
    assert by_name.exit_code == 0 and "## Why is this bad?" in by_name.stdout
    assert run("rule", "TLT001").stdout == by_name.stdout
    assert run("rule", "nope").exit_code == 2


def test_rule_all_as_json_lists_every_rule(run):
    rules = json.loads(run("rule", "--all", "--output-format", "json").stdout)
    assert {r["name"] for r in rules} >= {"invalid-json", "missing-tools-array", "strict-schema-violation"}
    assert all(r["sections"]["Why is this bad?"] for r in rules)


def test_installed_console_script_runs(tmp_path):
    (tmp_path / "train.jsonl").write_text(PROBLEMS)
    done = subprocess.run([sys.executable, "-m", "tunelint.cli", "check", str(tmp_path / "train.jsonl")],
                          capture_output=True, text=True)
    assert done.returncode == 1 and "TLC001" in done.stdout and done.stderr == ""


def test_docs_page_is_up_to_date():
    from tunelint.lint.report import rules_markdown

    page = Path(__file__).parent.parent / "docs" / "rules.md"
    assert page.read_text("utf-8") == rules_markdown(), "regenerate: tunelint rule --all --output-format markdown > docs/rules.md"


@pytest.mark.parametrize("output_format", ["concise", "json", "json-lines", "gitlab", "sarif", "junit", "github"])
def test_a_file_name_that_is_not_utf8_is_reported_in_every_format(tmp_path, output_format):
    # `caf\xe9.jsonl` (Latin-1 bytes) holds a row with no messages. Even with a strict
    # stdout, each format reports it: the human ones with the name's own bytes, the
    # machine ones (JSON, XML) with U+FFFD for the byte, and valid documents.
    folder = tmp_path / "data"
    folder.mkdir()
    with open(bytes(folder) + b"/caf\xe9.jsonl", "wb") as out:
        out.write(b'{"messages": []}\n')
    done = subprocess.run([sys.executable, "-m", "tunelint.cli", "check", "data", "--output-format", output_format],
                          cwd=tmp_path, capture_output=True, env={**os.environ, "PYTHONIOENCODING": "utf-8:strict"})
    assert done.returncode == 1, done.stderr.decode(errors="replace")
    if output_format in ("concise", "github"):
        assert b"data/caf\xe9.jsonl" in done.stdout
    elif output_format == "junit":
        from xml.etree import ElementTree

        assert ElementTree.fromstring(done.stdout).find("testsuite").get("name") == "data/caf\ufffd.jsonl"
    else:
        text = done.stdout.decode("utf-8")  # strict: valid UTF-8
        documents = [json.loads(line) for line in text.splitlines()] if output_format == "json-lines" else [json.loads(text)]
        assert "data/caf\ufffd.jsonl" in text and documents


def test_stats_as_json_names_a_file_that_is_not_utf8(tmp_path):
    # The same Latin-1 name: `stats --output-format json` writes valid JSON naming it.
    with open(bytes(tmp_path) + b"/caf\xe9.jsonl", "wb") as out:
        out.write(b'{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]}\n')
    done = subprocess.run([sys.executable, "-m", "tunelint.cli", "stats", os.fsdecode(bytes(tmp_path) + b"/caf\xe9.jsonl"),
                           "--output-format", "json"], capture_output=True, env={**os.environ, "PYTHONIOENCODING": "utf-8:strict"})
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    assert json.loads(done.stdout.decode("utf-8"))[0]["path"].endswith("caf\ufffd.jsonl")


@pytest.mark.parametrize("output_format", ["concise", "full", "github"])
def test_control_characters_from_the_data_are_escaped_in_terminal_output(run, output_format):
    # An unknown key and a role that hold an ANSI escape and a bell: the messages quote
    # them, and a terminal would obey them. They are shown as JSON escapes instead.
    write("train.jsonl", jsonl(*clean_rows(49), {"x\x1b[2J\x07": 1, "messages": [
        {"role": "user\x1b[31m", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]}))
    out = run("check", "train.jsonl", "--output-format", output_format).stdout
    assert "unknown top-level key `x\\u001b[2J\\u0007`" in out and "role `user\\u001b[31m`" in out
    assert not any(c in out for c in "\x1b\x07")
