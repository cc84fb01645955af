"""Configuration: discovery, selection precedence, per-file ignores, and strict validation."""

from pathlib import Path

import pytest

from helpers import lint, user
from tunelint.lint import ConfigError, Settings, load_settings
from tunelint.lint.settings import settings_from_table

# A row with an empty user turn (TLC001, error) and an unknown top-level key (TLS002, warning).
ROW = {"messages": [user(""), {"role": "assistant", "content": "hi"}], "source": "crawl"}


def names(settings):
    return sorted(v.name for v in lint(ROW, settings=settings))


def test_default_selection_runs_every_default_rule():
    # One row is also far too few examples for a training file.
    assert names(Settings()) == ["empty-content", "too-few-examples", "unknown-row-key"]


def test_select_by_family_code_and_name():
    assert names(Settings(select=["TLC"])) == ["empty-content"]
    assert names(Settings(select=["TLS002"])) == ["unknown-row-key"]
    assert names(Settings(select=["empty-content"])) == ["empty-content"]


def test_more_specific_selector_wins_over_ignore():
    assert names(Settings(select=["ALL"], ignore=["TLS", "TLD"])) == ["empty-content"]
    assert names(Settings(select=["TLS002"], ignore=["TLS"])) == ["unknown-row-key"]
    assert names(Settings(extend_select=["TLS002"], ignore=["TLS0", "TLD"])) == ["empty-content", "unknown-row-key"]


def test_rule_option_allows_extra_row_keys():
    settings = settings_from_table({"rules": {"unknown-row-key": {"allowed": ["source"]}}, "ignore": ["TLD005"]})
    assert names(settings) == ["empty-content"]


def test_severity_override():
    settings = settings_from_table({"rules": {"TLS002": {"severity": "error"}}})
    assert {v.name: v.severity.value for v in lint(ROW, settings=settings)}["unknown-row-key"] == "error"


def test_per_file_ignores_match_relative_paths(tmp_path):
    settings = settings_from_table({"per-file-ignores": {"legacy/*.jsonl": ["TLC001"]}}, root=tmp_path)
    assert "TLC001" not in settings.ruleset_for(tmp_path / "legacy" / "a.jsonl").codes
    assert "TLC001" in settings.ruleset_for(tmp_path / "new" / "a.jsonl").codes


@pytest.mark.parametrize(("table", "named"), [
    ({"selct": ["TLT"]}, "tool.tunelint.selct"),
    ({"select": ["TLX001"]}, "TLX001"),
    ({"ignore": "TLT001"}, "tool.tunelint.ignore"),
    ({"rules": {"no-such-rule": {}}}, "no-such-rule"),
    ({"rules": {"unknown-row-key": {"allow": []}}}, "tool.tunelint.rules.unknown-row-key.allow"),
    ({"rules": {"unknown-row-key": {"allowed": "id"}}}, "allowed"),
    ({"rules": {"TLT001": {"severity": "fatal"}}}, "severity"),
    ({"per-file-ignores": {"a/*.jsonl": ["NOPE"]}}, "NOPE"),
])
def test_bad_config_names_the_bad_key(table, named):
    with pytest.raises(ConfigError, match=named.replace(".", r"\.")):
        settings_from_table(table, Path("pyproject.toml"))


def test_nearest_pyproject_with_a_tunelint_table_is_found(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.tunelint]\nselect = ["TLC"]\n')
    (tmp_path / "data" / "deep").mkdir(parents=True)
    (tmp_path / "data" / "pyproject.toml").write_text('[project]\nname = "x"\n')  # no table: skipped
    settings = load_settings(start=tmp_path / "data" / "deep")
    assert settings.source == tmp_path / "pyproject.toml"
    assert settings.select == ["TLC"]


def test_tunelint_toml_takes_top_level_keys(tmp_path):
    (tmp_path / "tunelint.toml").write_text('ignore = ["TLS002"]\n')
    assert load_settings(start=tmp_path).ignore == ["TLS002"]


def test_broken_toml_is_a_config_error(tmp_path):
    (tmp_path / "tunelint.toml").write_text("select = [\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(start=tmp_path)
