"""What issue 24 asked of the CLI, as a user meets it next to ruff: colour, width, previews
of fixes, settings and files, statistics, suggestions, formats, counts, convert --check."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from helpers import clean_rows, jsonl, user, weather_row, write
from tunelint.cli.main import cli

ANSI = re.compile(r"\x1b\[[0-9;]*m")
# Line 50: an empty user turn (error); line 51 a blank line (fixable): after 49 valid rows.
PROBLEMS = jsonl(*clean_rows(49), {"messages": [user(""), {"role": "assistant", "content": "ok"}]}) + "\n"


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("TUNELINT_OUTPUT_FORMAT", "TUNELINT_OUTPUT_FILE", "NO_COLOR", "FORCE_COLOR", "COLUMNS", "TERM"):
        monkeypatch.delenv(name, raising=False)

    def invoke(*args, input=None, env=None):
        return CliRunner().invoke(cli, list(args), input=input, env=env, catch_exceptions=False)

    return invoke


# --- colour ------------------------------------------------------------------------------

def test_no_colour_into_a_pipe_and_colour_when_forced(run):
    write("train.jsonl", PROBLEMS)
    piped = run("check", "train.jsonl")
    assert "\x1b[" not in piped.stdout
    forced = run("check", "train.jsonl", env={"FORCE_COLOR": "1"})
    assert "\x1b[31m\x1b[1mTLC001\x1b[0m" in forced.stdout  # the code, red: an error
    assert "\x1b[1mFound 2 problems\x1b[0m" in forced.stdout
    assert ANSI.sub("", forced.stdout) == piped.stdout  # the same text, only coloured


def test_no_color_beats_force_color_and_the_flag_beats_both(run):
    write("train.jsonl", PROBLEMS)
    assert "\x1b[" not in run("check", "train.jsonl", env={"FORCE_COLOR": "1", "NO_COLOR": "1"}).stdout
    assert "\x1b[" in run("check", "train.jsonl", "--color", env={"NO_COLOR": "1"}).stdout
    assert "\x1b[" not in run("check", "train.jsonl", "--no-color", env={"FORCE_COLOR": "1"}).stdout


def test_colour_in_a_real_terminal_and_not_with_term_dumb(tmp_path):
    # A pseudo-terminal as stdout: what a user at a terminal (or under tmux) sees.
    import pty

    (tmp_path / "train.jsonl").write_text(PROBLEMS)
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}

    def through_a_terminal(term):
        leader, follower = pty.openpty()
        done = subprocess.run([sys.executable, "-m", "tunelint.cli", "check", "train.jsonl"], cwd=tmp_path,
                              stdout=follower, stderr=subprocess.PIPE, env={**env, "TERM": term})
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        os.close(leader)
        assert done.returncode == 1, done.stderr
        return b"".join(chunks)

    shown = through_a_terminal("tmux-256color")
    assert b"\x1b[" in shown
    # A pseudo-terminal nobody sized (pre-commit runs hooks in one) reports 0 columns: the
    # excerpt gets the width of a pipe, and the 84-character row shows whole.
    assert b'"content": "ok"}]}\r\n' in re.sub(rb"\x1b\[[0-9;]*m", b"", shown)
    assert b"\x1b[" not in through_a_terminal("dumb")


def test_output_file_has_no_colour_unless_asked(run):
    write("train.jsonl", PROBLEMS)
    result = run("check", "train.jsonl", "--output-file", "out/report.txt", env={"FORCE_COLOR": "1"})
    assert result.exit_code == 1 and result.stdout == ""
    text = Path("out/report.txt").read_text()
    assert "TLC001" in text and "\x1b[" not in text and "Found 2 problems" in text
    run("check", "train.jsonl", "--output-file", "coloured.txt", "--color")
    assert "\x1b[" in Path("coloured.txt").read_text()


def test_output_file_in_a_machine_format(run):
    write("train.jsonl", PROBLEMS)
    run("check", "train.jsonl", "-o", "report.json", "--output-format", "json")
    assert [v["code"] for v in json.loads(Path("report.json").read_text())] == ["TLC001", "TLJ003"]


# --- width -------------------------------------------------------------------------------

LONG = weather_row(messages=[user("Weather in Oslo? " * 30), {"role": "assistant", "content": "Sunny. " * 40}])


def test_a_long_row_fits_80_columns_with_marks_where_cut(run):
    write("train.jsonl", jsonl(LONG, LONG))  # a duplicate: its span is the whole (long) row
    out = run("check", "train.jsonl", "--select", "duplicate-row", env={"COLUMNS": "80"}).stdout
    lines = out.splitlines()
    assert all(len(line) <= 80 for line in lines if "|" in line[:8]), out
    excerpt = next(line for line in lines if line.startswith("2 | "))
    assert excerpt.endswith("…")
    carets = next(line for line in lines if "^" in line)
    assert set(carets.split("| ", 1)[1].strip()) == {"^"} and len(carets) <= 80
    assert "duplicate-row (warning)" in out  # the label, on its own line when the carets fill the width


def test_the_window_follows_a_span_far_along_the_line(run):
    row = weather_row(messages=[user("x" * 500), {"role": "assistant", "content": "ok"}], source="crawl")
    write("train.jsonl", jsonl(row))
    out = run("check", "train.jsonl", "--select", "unknown-row-key", env={"COLUMNS": "80"}).stdout
    excerpt = next(line for line in out.splitlines() if line.startswith("1 | "))
    assert excerpt.startswith("1 | …") and '"source"' in excerpt and len(excerpt) <= 80
    caret_line = next(line for line in out.splitlines() if "^" in line)
    start = caret_line.index("^")
    assert excerpt[start:start + len('"source"')] == '"source"'


def test_wide_characters_count_two_columns(run):
    row = weather_row(messages=[user("東京の天気は？" * 40), {"role": "assistant", "content": "晴れ"}], source="crawl")
    write("train.jsonl", jsonl(row))
    out = run("check", "train.jsonl", "--select", "unknown-row-key", env={"COLUMNS": "60"}).stdout
    from tunelint.lint.report import _width

    assert all(_width(line) <= 60 for line in out.splitlines() if line[:3] in ("1 |", "  |"))


def test_a_file_level_finding_shows_no_row(run):
    write("train.jsonl", jsonl(*clean_rows(3)))
    out = run("check", "train.jsonl", "--select", "too-few-examples").stdout
    assert out.startswith("train.jsonl: TLD005 file has 3 trainable examples")
    assert "1 |" not in out and "about the file as a whole" in out
    concise = run("check", "train.jsonl", "--select", "too-few-examples", "--output-format", "concise").stdout
    assert concise.startswith("train.jsonl:1:1: TLD005")  # a location editors can jump to


# --- previews and settings ---------------------------------------------------------------

FIXABLE = jsonl(*clean_rows(50)[:49]) + "\n" + jsonl(clean_rows(50)[49])  # a blank line (fixable) at line 50


def test_diff_previews_the_fix_writes_nothing_and_exits_1(run):
    path = write("train.jsonl", FIXABLE)
    result = run("check", "train.jsonl", "--diff")
    assert result.exit_code == 1, result.stderr
    assert result.stdout.startswith("--- a/train.jsonl\n+++ b/train.jsonl\n@@ ")
    assert "\n-\n" in result.stdout  # the blank line, deleted
    assert "Would fix 1 problem." in result.stderr
    assert path.read_text() == FIXABLE
    # What the diff shows is what --fix writes: patch it in and compare.
    fixed = Path("fixed.jsonl")
    fixed.write_text(FIXABLE)
    from external import require

    patch = require("patch", "apt-get install patch")
    subprocess.run([patch, "-s", "--batch", str(fixed)], input=result.stdout, text=True, check=True)
    run("check", "train.jsonl", "--fix")
    assert fixed.read_text() == path.read_text()


def test_diff_with_nothing_to_fix_exits_0(run):
    write("train.jsonl", PROBLEMS.rstrip("\n") + "\n")
    result = run("check", "train.jsonl", "--diff", "--ignore", "blank-line")
    assert result.exit_code == 0 and result.stdout == ""  # TLC001 is left, but --diff only previews fixes


def test_diff_hints_at_unsafe_fixes_it_leaves_out(run):
    # Line 2 repeats line 1: deleting it is an unsafe fix (duplicate-row, a dataset rule).
    rows = clean_rows(50)
    write("train.jsonl", jsonl(rows[0], *rows))
    result = run("check", "train.jsonl", "--diff")
    assert result.exit_code == 0 and result.stdout == ""
    assert result.stderr == "No problems would be fixed (1 fix available with `--unsafe-fixes`).\n"
    unsafe = run("check", "train.jsonl", "--diff", "--unsafe-fixes")
    assert unsafe.exit_code == 1 and unsafe.stderr == "Would fix 1 problem.\n"
    assert unsafe.stdout.count("\n-{") == 1


def test_diff_of_stdin(run):
    result = run("check", "-", "--diff", input=FIXABLE)
    assert result.exit_code == 1 and result.stdout.startswith("--- a/-\n+++ b/-\n")


def test_fix_only_fixes_and_does_not_report_what_is_left(run):
    path = write("train.jsonl", PROBLEMS)
    result = run("check", "train.jsonl", "--fix-only")
    assert result.exit_code == 0 and result.stdout == "Fixed 1 problem.\n"
    assert "\n\n" not in path.read_text()
    assert run("check", "train.jsonl", "--fix-only").stdout == ""  # nothing left to fix: nothing said
    write("again.jsonl", PROBLEMS)
    assert run("check", "again.jsonl", "--fix-only", "--exit-non-zero-on-fix").exit_code == 1


def test_show_files_lists_what_would_be_checked(run):
    write("data/b.jsonl", "{}\n")
    write("data/a.jsonl", "{}\n")
    write("data/raw/c.jsonl", "{}\n")
    write("pyproject.toml", '[tool.tunelint]\nexclude = ["data/raw"]\n')
    result = run("check", "data", "--show-files")
    assert result.exit_code == 0 and result.stdout == "data/a.jsonl\ndata/b.jsonl\n"


def test_show_settings_says_where_each_value_comes_from(run):
    write("train.jsonl", PROBLEMS)
    write("pyproject.toml", '[tool.tunelint]\nignore = ["TLC001"]\n[tool.tunelint.rules.too-few-examples]\nmin-warning = 20\n')
    result = run("check", "train.jsonl", "--show-settings", "--ignore", "TLS002", "--model", "gpt-4.1-2025-04-14",
                 env={"TUNELINT_OUTPUT_FORMAT": "concise"})
    assert result.exit_code == 0
    settings = {line.split(" = ")[0].strip(): line.split(" = ", 1)[1] for line in result.stdout.splitlines() if " = " in line}
    config = str(Path("pyproject.toml").resolve())
    assert settings["ignore"] == f'["TLC001", "TLS002"]  # {config} + command line (--ignore)'
    assert settings["model"] == '"gpt-4.1-2025-04-14"  # command line (--model)'
    assert settings["output-format"] == '"concise"  # environment (TUNELINT_OUTPUT_FORMAT=concise)'
    assert settings["rules.TLD005.min-warning"] == f"20  # {config}"
    assert settings["rules.TLD005.min-error"] == "10  # default"
    assert result.stdout.startswith("Resolved settings for: train.jsonl\nSettings path: " + config)


# --- statistics --------------------------------------------------------------------------

def test_statistics_as_json(run):
    write("train.jsonl", PROBLEMS + "\n")
    result = run("check", "train.jsonl", "--statistics", "--output-format", "json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == [
        {"code": "TLJ003", "name": "blank-line", "count": 2, "fixable": True},
        {"code": "TLC001", "name": "empty-content", "count": 1, "fixable": False},
    ]


def test_statistics_text_keeps_columns_for_unfixable_rules_and_ends_with_a_summary(run):
    rows = [*clean_rows(40), *[{"messages": [user(""), {"role": "assistant", "content": f"ok {i}"}]} for i in range(12)]]
    write("train.jsonl", jsonl(*rows) + "\n")
    out = run("check", "train.jsonl", "--statistics", "--select", "TLC001,TLJ003").stdout.splitlines()
    assert out[:2] == ["12\tTLC001\t[ ] empty-content", " 1\tTLJ003\t[*] blank-line"]
    assert out[2] == "Found 13 problems (13 errors)."


def test_statistics_in_another_format_is_a_usage_error(run):
    write("train.jsonl", PROBLEMS)
    result = run("check", "train.jsonl", "--statistics", "--output-format", "sarif")
    assert result.exit_code == 2 and "--statistics prints text or json, not sarif" in result.stderr


# --- suggestions, formats, counts ----------------------------------------------------------

def test_did_you_mean_a_rule(run):
    write("train.jsonl", PROBLEMS)
    result = run("check", "train.jsonl", "--select", "missing-tool-array")
    assert result.exit_code == 2 and "(did you mean `missing-tools-array`?)" in result.stderr
    write("pyproject.toml", '[tool.tunelint]\nignore = ["TLT0001"]\n')
    assert "(did you mean `TLT001`?)" in run("check", "train.jsonl").stderr
    assert "(did you mean `undefined-tool`?)" in run("rule", "undefined-tools").stderr


def test_did_you_mean_a_command(run):
    result = run("chek", "x.jsonl")
    assert result.exit_code == 2 and "No such command 'chek'. Did you mean 'check'?" in result.stderr
    assert "Did you mean" not in run("zzz").stderr


def test_text_is_the_full_format_for_check_as_for_rule_and_stats(run):
    write("train.jsonl", PROBLEMS)
    text = run("check", "train.jsonl", "--output-format", "text")
    assert text.exit_code == 1 and text.stdout == run("check", "train.jsonl", "--output-format", "full").stdout


def test_a_bad_output_format_from_the_environment_names_the_variable(run):
    write("train.jsonl", PROBLEMS)
    result = run("check", "train.jsonl", env={"TUNELINT_OUTPUT_FORMAT": "bogus"})
    assert result.exit_code == 2 and "TUNELINT_OUTPUT_FORMAT='bogus' is not an output format" in result.stderr
    on_the_line = run("check", "train.jsonl", "--output-format", "bogus")
    assert on_the_line.exit_code == 2 and "'--output-format'" in on_the_line.stderr


def test_counts_have_thousands_separators(run):
    rows = [{"messages": [user(""), {"role": "assistant", "content": f"ok {i}"}]} for i in range(1200)]
    write("train.jsonl", jsonl(*rows))
    check = run("check", "train.jsonl", "--select", "empty-content")
    assert "Found 1,200 problems (1,200 errors)." in check.stdout
    assert run("check", "train.jsonl", "--select", "empty-content", "--statistics").stdout.startswith("1,200\tTLC001")
    assert "1,200 (1,200 trainable)" in run("stats", "train.jsonl").stdout


def test_stats_of_an_empty_file_says_no_examples(run):
    write("empty.jsonl", "")
    result = run("stats", "empty.jsonl")
    assert result.exit_code == 0 and result.stdout == "empty.jsonl\n  no examples\n"
    write("broken.jsonl", "{oops\n")
    assert run("stats", "broken.jsonl").stdout == "broken.jsonl\n  no examples (1 unparsable line not counted)\n"


# --- convert --check -----------------------------------------------------------------------

LEGACY = {"functions": [{"name": "f", "parameters": {"type": "object", "properties": {}}}],
          "messages": [user("go"), {"role": "assistant", "content": None, "function_call": {"name": "f", "arguments": "{}"}}]}


def test_convert_check_exits_as_ruff_format_check(run):
    write("tools.jsonl", jsonl(*clean_rows(3)))
    assert run("convert", "--check", "tools.jsonl").exit_code == 0  # nothing would change
    write("legacy.jsonl", jsonl(LEGACY))
    assert run("convert", "--check", "legacy.jsonl").exit_code == 1  # a row would change
    write("broken.jsonl", jsonl(*clean_rows(3)) + "{oops\n")
    broken = run("convert", "--check", "broken.jsonl")  # nothing would change, a row cannot be converted
    assert broken.exit_code == 2 and "1 row cannot be converted" in broken.stderr
    assert "broken.jsonl:4:2: TLJ001" in broken.stderr
    help_text = run("convert", "--help").stdout
    assert "exit 1 if any row would change" in " ".join(help_text.split())
