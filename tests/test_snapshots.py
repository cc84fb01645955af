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


def run_in(tmp_path, monkeypatch, *args):
    shutil.copy(HERE / "fixtures" / "snapshot.jsonl", tmp_path / "data.jsonl")
    monkeypatch.chdir(tmp_path)
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


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_stats_snapshot(fmt, tmp_path, monkeypatch):
    shutil.copy(HERE.parent / "examples" / "trip_assistant.jsonl", tmp_path / "trip.jsonl")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["stats", "trip.jsonl", "--output-format", fmt])
    assert result.exit_code == 0, result.stderr
    compare(f"stats.{fmt}.txt", result.stdout)
