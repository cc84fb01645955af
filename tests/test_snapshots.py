"""Every output format, byte for byte, on one small file (tests/fixtures/snapshot.jsonl).

Run with TUNELINT_UPDATE_SNAPSHOTS=1 to rewrite the snapshots after an intended change,
then read the diff before committing it.
"""

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from tunelint.cli.main import cli
from tunelint.lint.report import FORMATS

HERE = Path(__file__).parent
UPDATE = os.environ.get("TUNELINT_UPDATE_SNAPSHOTS") == "1"


def run_in(tmp_path, monkeypatch, *args, env=None):
    shutil.copy(HERE / "fixtures" / "snapshot.jsonl", tmp_path / "data.jsonl")
    monkeypatch.chdir(tmp_path)
    # What the terminal says is set per test: none of the caller's COLUMNS or colour wishes.
    for name in ("COLUMNS", "NO_COLOR", "FORCE_COLOR", "TUNELINT_OUTPUT_FORMAT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in (env or {}).items():
        monkeypatch.setenv(name, value)
    return CliRunner().invoke(cli, ["check", "data.jsonl", *args])


def compare(name: str, text: str) -> None:
    path = HERE / "snapshots" / name
    if UPDATE:
        path.write_text(text, "utf-8")
    assert text == path.read_text("utf-8"), f"{name} changed; rerun with TUNELINT_UPDATE_SNAPSHOTS=1 if intended"


@pytest.mark.parametrize("fmt", FORMATS)
def test_output_format_snapshot(fmt, tmp_path, monkeypatch):
    result = run_in(tmp_path, monkeypatch, "--output-format", fmt)
    assert result.exit_code == 1
    text = result.stdout.replace(__import__("tunelint.lint").lint.__version__, "<version>")
    compare(f"{fmt}.txt", text)


def test_statistics_snapshot(tmp_path, monkeypatch):
    result = run_in(tmp_path, monkeypatch, "--statistics")
    assert result.exit_code == 1
    compare("statistics.txt", result.stdout)


def test_statistics_json_snapshot(tmp_path, monkeypatch):
    result = run_in(tmp_path, monkeypatch, "--statistics", "--output-format", "json")
    assert result.exit_code == 1
    compare("statistics.json.txt", result.stdout)


@pytest.mark.parametrize("columns", ["80", "200"])
def test_full_fits_the_terminal_width(columns, tmp_path, monkeypatch):
    # Every excerpt and caret line fits in COLUMNS (a wide character counts 2): the
    # window moves along the line, `…` where it is cut. Headers and notes are not cut.
    from tunelint.lint.report import _width

    result = run_in(tmp_path, monkeypatch, "--output-format", "full", "--select", "ALL", env={"COLUMNS": columns})
    assert result.exit_code == 1
    excerpt_lines = [line for line in result.stdout.splitlines() if " | " in line or line.endswith(" |")]
    assert excerpt_lines and all(_width(line) <= int(columns) for line in excerpt_lines)
    compare(f"full.{columns}.txt", result.stdout)


@pytest.mark.parametrize("fmt", ["full", "concise"])
def test_coloured_snapshot(fmt, tmp_path, monkeypatch):
    # FORCE_COLOR colours even into a pipe (CliRunner's stdout is not a terminal).
    result = run_in(tmp_path, monkeypatch, "--output-format", fmt, env={"FORCE_COLOR": "1", "COLUMNS": "100"})
    assert result.exit_code == 1
    assert "\x1b[" in result.stdout
    compare(f"{fmt}.color.txt", result.stdout)


def test_coloured_statistics_snapshot(tmp_path, monkeypatch):
    result = run_in(tmp_path, monkeypatch, "--statistics", env={"FORCE_COLOR": "1"})
    assert "\x1b[" in result.stdout
    compare("statistics.color.txt", result.stdout)


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_stats_snapshot(fmt, tmp_path, monkeypatch):
    shutil.copy(HERE.parent / "examples" / "trip_assistant.jsonl", tmp_path / "trip.jsonl")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["stats", "trip.jsonl", "--output-format", fmt])
    assert result.exit_code == 0, result.stderr
    compare(f"stats.{fmt}.txt", result.stdout)
