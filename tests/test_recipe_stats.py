"""`tunelint stats` gives the recipe's hyperparameter advice for small sets, as advice with its source."""

import json

from click.testing import CliRunner

from helpers import clean_rows, jsonl
from tunelint.cli.main import cli


def stats(path, *args):
    return CliRunner().invoke(cli, ["stats", str(path), *args])


def test_small_set_gets_advice_with_its_source(tmp_path):
    (tmp_path / "train.jsonl").write_text(jsonl(*clean_rows(60)))
    text = stats(tmp_path / "train.jsonl")
    assert text.exit_code == 0, text.output
    assert "advice (not a platform fact): with 60 examples (under 200), practitioners train more epochs" in text.stdout
    assert "source: a practitioners' recipe for tool-calling fine-tunes" in text.stdout
    # The platform's own default is still what the epochs line reports.
    assert "epochs                3 (the platform's default for 60 trainable examples)" in text.stdout
    data = json.loads(stats(tmp_path / "train.jsonl", "--output-format", "json").stdout)[0]
    assert [a["source"].split(" (")[0] for a in data["advice"]] == [
        "a practitioners' recipe for tool-calling fine-tunes", "OpenAI API reference"]


def test_no_small_set_advice_from_200_examples(tmp_path):
    (tmp_path / "train.jsonl").write_text(jsonl(*clean_rows(200)))
    result = stats(tmp_path / "train.jsonl", "--output-format", "json")
    assert json.loads(result.stdout)[0]["advice"] == []
    assert "advice (not a platform fact)" not in stats(tmp_path / "train.jsonl").stdout
