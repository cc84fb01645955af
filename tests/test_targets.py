"""Targets: profiles as data, their config overrides, and `--target` on the commands a user runs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from helpers import clean_rows, jsonl
from tunelint.cli.main import cli
from tunelint.lint import check_text
from tunelint.lint.settings import ConfigError, Settings, settings_from_table
from tunelint.lint.target import UnknownTarget, load_target, shipped_targets

ROOT = Path(__file__).resolve().parent.parent
CALL = {"messages": [{"role": "user", "content": "Weather in Oslo?"},
                     {"role": "assistant", "content": "Let me check.",
                      "tool_calls": [{"id": "call_98660886", "type": "function",
                                      "function": {"name": "get_weather", "arguments": "{\"city\": \"Oslo\"}"}}]},
                     {"role": "tool", "tool_call_id": "call_98660886", "content": "12"},
                     {"role": "assistant", "content": "It is 12°C."}],
        "tools": [{"type": "function", "function": {"name": "get_weather", "description": "Current weather",
                                                    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}]}
TWO_ASSISTANTS = {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"},
                               {"role": "assistant", "content": "How can I help?"}]}


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TUNELINT_OUTPUT_FORMAT", raising=False)

    def invoke(*args):
        return CliRunner().invoke(cli, list(args), catch_exceptions=False)

    return invoke


def codes(text: str, **settings) -> list[tuple[str, str]]:
    table = {"kind": "sft", "ignore": ["too-few-examples"], **settings}
    return [(v.code, v.severity.value) for v in check_text(text, "t.jsonl", settings_from_table(table)).violations]


# --- profiles ----------------------------------------------------------------------------------

def test_every_shipped_fact_has_a_source_and_a_date():
    for name in shipped_targets():
        target = load_target(name)
        assert target.facts, name
        for fact_name, fact in target.facts.items():
            assert fact.source.strip(), f"{name}: fact {fact_name} has no source"
            assert fact.read == "2026-12-01" or fact.read.startswith("2026-"), f"{name}: fact {fact_name} has no date"
        for model in target.models.values():
            assert model.source.strip(), f"{name}: model {model.name} has no source"
            assert model.price is not None or model.price_note or name == "openai", f"{name}: {model.name}: no price, no note"


def test_a_target_decides_the_severity_of_a_shared_rule():
    text = jsonl(TWO_ASSISTANTS)
    assert codes(text) == [("TLS009", "warning")]
    assert codes(text, target="azure") == [("TLS009", "error")]  # Foundry: "invalid schema (20)"
    tools_row = jsonl(dict(CALL, messages=[m for m in CALL["messages"] if "content" not in m or "tool_calls" not in m]))
    assert ("TLT015", "error") in codes(tools_row, target="legacy-openai")  # off (or info, when named) elsewhere
    assert not any(code == "TLT015" for code, _ in codes(tools_row))


def test_the_config_overrides_a_shipped_fact_and_adds_a_target():
    text = jsonl(dict(CALL, weight=1.0))
    # Fireworks takes a row-level weight; the config takes it away, as a user whose docs changed would.
    assert ("TLS002", "warning") not in codes(text, target="fireworks")
    changed = {"fireworks": {"facts": {"row-keys": {"value": ["messages", "tools"], "source": "our reading"}}}}
    assert ("TLS002", "warning") in codes(text, target="fireworks", targets=changed)
    added = {"acme": {"extends": "mistral", "title": "Acme (Mistral's format, 2 examples at least)",
                      "facts": {"min-examples": {"value": 2, "source": "acme docs"}}}}
    found = check_text(jsonl(CALL), "t.jsonl", settings_from_table({"kind": "sft", "target": "acme", "targets": added}))
    assert {v.code for v in found.violations} == {"TLT017", "TLT018", "TLD005"}
    assert "needs at least 2" in next(v.message for v in found.violations if v.code == "TLD005")


def test_per_file_target_picks_the_platform_by_path(tmp_path):
    settings = settings_from_table({"kind": "sft", "per-file-target": {"mistral/*.jsonl": "mistral"}}, root=tmp_path)
    (tmp_path / "mistral").mkdir()
    assert settings.target_for(tmp_path / "mistral" / "train.jsonl") == "mistral"
    assert settings.target_for(tmp_path / "train.jsonl") == "openai"
    assert "TLT017" in settings.ruleset_for(tmp_path / "mistral" / "train.jsonl").codes
    assert "TLT017" not in settings.ruleset_for(tmp_path / "train.jsonl").codes
    # A target on the command line is every file's.
    assert settings.with_overrides(target="azure").target_for(tmp_path / "mistral" / "train.jsonl") == "azure"


@pytest.mark.parametrize("table, message", [
    ({"target": "mistrall"}, "unknown target `mistrall`; known: azure, fireworks, legacy-openai, mistral, openai, together"),
    ({"per-file-target": {"a/*": "nope"}}, "`tool.tunelint.per-file-target`: unknown target `nope`"),
    ({"target": 3}, "`tool.tunelint.target` must be a string"),
    ({"targets": {"x": {"extends": "x"}}, "target": "x"}, "extends itself"),
    ({"targets": {"x": {"extends": "openai", "enable": ["TLX999"]}}, "target": "x"}, "names `TLX999`, which is no rule's code"),
    ({"targets": {"azure": {"facts": {"bom": {"value": "maybe", "source": "s"}}}}, "target": "azure"}, "must be one of error, allowed"),
    ({"targets": {"azure": {"colour": "blue"}}, "target": "azure"}, "unknown key `colour`"),
    ({"target": ""}, "unknown target ``; known: azure"),
    # A target the config adjusts is checked even when no file uses it today.
    ({"targets": {"azure": {"models": {"x": 3}}}}, "`tool.tunelint.targets.azure`: target `azure`: `models.x` must be a table"),
    ({"targets": {"azure": {"enable": ["TLX999"]}}}, "names `TLX999`, which is no rule's code"),
])
def test_a_broken_target_is_a_config_error_naming_it(table, message):
    with pytest.raises(ConfigError, match=None) as caught:
        settings_from_table(table)
    assert message in str(caught.value)


def test_legacy_openai_is_the_tools_format_rule_as_a_target():
    enabled = Settings(target="legacy-openai").enabled
    assert "TLT015" in enabled and "TLT002" not in enabled
    assert "TLT015" not in Settings().enabled  # still off by default elsewhere


def test_model_aliases_name_their_snapshot():
    openai = load_target("openai")
    assert openai.model("gpt-4o-mini").name == "gpt-4o-mini-2024-07-18"
    assert openai.model("ft:gpt-4o-mini:acme::abc").name == "gpt-4o-mini-2024-07-18"
    assert openai.alias_note("gpt-4.1") == "`gpt-4.1` means `gpt-4.1-2025-04-14` on openai"
    with pytest.raises(UnknownTarget):
        load_target("nowhere")


# --- the command line -------------------------------------------------------------------------

def test_check_target_reports_what_the_platform_refuses(run):
    Path("train.jsonl").write_text(jsonl(*clean_rows(49), CALL), "utf-8")
    default = run("check", "train.jsonl", "--output-format", "concise")
    assert default.exit_code == 0, default.output
    mistral = run("check", "train.jsonl", "--target", "mistral", "--output-format", "concise")
    assert mistral.exit_code == 1
    assert "train.jsonl:50:97: TLT018 `messages[1]` has `content` beside `tool_calls`" in mistral.output
    assert "train.jsonl:50:136: TLT017 call id `call_98660886`" in mistral.output


def test_target_in_the_config(run):
    Path("train.jsonl").write_text(jsonl(*clean_rows(49), CALL), "utf-8")
    Path("pyproject.toml").write_text('[tool.tunelint]\ntarget = "mistral"\n', "utf-8")
    assert run("check", "train.jsonl").exit_code == 1
    assert run("check", "train.jsonl", "--target", "openai").exit_code == 0


def test_unknown_target_or_model_exits_2_naming_the_known_ones(run):
    Path("train.jsonl").write_text(jsonl(*clean_rows(50)), "utf-8")
    result = CliRunner().invoke(cli, ["check", "train.jsonl", "--target", "vertex"])
    assert result.exit_code == 2
    assert "unknown target `vertex`; known: azure, fireworks, legacy-openai, mistral, openai, together" in result.output
    result = CliRunner().invoke(cli, ["stats", "train.jsonl", "--target", "azure", "--model", "gpt-5"])
    assert result.exit_code == 2
    assert "unknown model `gpt-5` for target `azure`; known: gpt-4.1-2025-04-14" in result.output
    assert "(aliases: gpt-4.1, gpt-4.1-mini, gpt-4.1-nano, gpt-4o, gpt-4o-mini, o4-mini)" in result.output


def test_stats_accepts_an_alias_and_says_which_snapshot(run):
    Path("train.jsonl").write_text(jsonl(*clean_rows(50)), "utf-8")
    result = CliRunner().invoke(cli, ["stats", "train.jsonl", "--model", "gpt-4o-mini", "--output-format", "json"])
    assert result.exit_code == 0, result.output
    assert "`gpt-4o-mini` means `gpt-4o-mini-2024-07-18` on openai" in result.stderr
    assert json.loads(result.stdout)[0]["model"] == "gpt-4o-mini-2024-07-18"


def test_stats_says_no_price_where_none_is_recorded(run):
    Path("train.jsonl").write_text(jsonl(*clean_rows(50)), "utf-8")
    result = run("stats", "train.jsonl", "--target", "mistral", "--model", "open-mistral-nemo")
    assert result.exit_code == 0, result.output
    assert "estimated cost        none: no per-token price recorded for open-mistral-nemo on mistral" in result.output
    assert "over the limit        unknown: mistral publishes no per-example limit" in result.output
    assert "(estimates: counted with o200k_base, not the model's own tokenizer)" in result.output
    data = json.loads(run("stats", "train.jsonl", "--target", "azure", "--output-format", "json").output)[0]
    assert data["estimate"]["cost_usd"] is None and data["limit"] == 65536
    assert "$" not in "".join(str(o["cost_usd"]) for o in data["other_models"] if o["cost_usd"] is not None)
    assert run("stats", "train.jsonl", "--target", "together").exit_code == 2  # no model table: say so, not a guess


def test_rule_lists_what_applies_on_a_target(run):
    together = run("rule", "--all", "--target", "together").output
    assert "TLS015  roles-not-alternating" in together and "TLT017" not in together
    assert "TLS002  unknown-row-key                    error" in together
    assert "TLT017  tool-call-id-form" in run("rule", "--all", "--target", "mistral").output
    doc = run("rule", "TLS009").output
    assert "Targets: on by default for: azure (error), fireworks, legacy-openai, mistral, openai, together." in doc
    assert "not for: azure, fireworks, legacy-openai, openai, together" in run("rule", "TLT017").output
    assert run("rule", "--all", "--target", "nope").exit_code == 2


@pytest.mark.parametrize("name", shipped_targets())
def test_docs_targets_pages_are_the_commands_output(name):
    """docs/targets/<name>.md is `tunelint rule --all --target <name> --output-format markdown`
    (regenerate: `for t in ...; do tunelint rule --all --target $t --output-format markdown > docs/targets/$t.md; done`)."""
    out = subprocess.run([sys.executable, "-m", "tunelint.cli", "rule", "--all", "--target", name, "--output-format", "markdown"],
                         capture_output=True, text=True, check=True).stdout
    assert (ROOT / "docs" / "targets" / f"{name}.md").read_text("utf-8") == out


def test_the_editor_can_choose_the_target(tmp_path):
    """The language server's client settings take `target` as the CLI's --target (an unknown one is a config error)."""
    from tunelint.lsp.client_settings import ClientSettings

    client = ClientSettings()
    path = str(tmp_path / "train.jsonl")
    assert client.settings_for(path).target_for(path) == "openai"
    client.update({"target": "mistral"})
    assert "TLT017" in client.settings_for(path).ruleset_for(path).codes
    client.update({"target": "mistrall"})
    with pytest.raises(ConfigError, match="unknown target `mistrall`"):
        client.settings_for(path)


def test_rule_all_target_json_carries_the_facts_and_their_sources(run):
    data = json.loads(run("rule", "--all", "--target", "mistral", "--output-format", "json").output)
    assert data["facts"]["tool-call-id"]["value"] == "^[a-zA-Z0-9]{9}$"
    assert "mistral-common" in data["facts"]["tool-call-id"]["source"]
    assert {r["code"]: r["severity"] for r in data["rules"]}["TLS010"] == "error"


def test_mistral_takes_a_validation_file_of_1_mb_at_most(run):
    """The validation file is held to Mistral's 1 MB; the same rows as a training file pass."""
    rows = clean_rows(50)
    big = jsonl(*[dict(r, messages=[dict(m, content=(m.get("content") or "") + " " + "x" * 400)
                                    if m.get("role") == "user" else m for m in r["messages"]])
                  for r in rows * 60])
    assert len(big.encode()) > 2**20
    Path("train.jsonl").write_text(jsonl(*clean_rows(50)), "utf-8")
    Path("valid.jsonl").write_text(big, "utf-8")
    result = run("check", "train.jsonl", "--validation", "valid.jsonl", "--target", "mistral", "--select", "TLD011",
                 "--output-format", "concise")
    assert result.exit_code == 1
    assert result.output.startswith("valid.jsonl:1:1: TLD011 file is 2.8 MiB; mistral takes a validation file of at most 1.0 MiB\n")
    assert "train.jsonl" not in result.output


def test_show_settings_says_what_the_target_decides(run):
    Path("train.jsonl").write_text(jsonl(*clean_rows(5)), "utf-8")
    out = run("check", "train.jsonl", "--target", "fireworks", "--show-settings").output
    # key = value  # origin, the keys padded to the longest one's width
    lines = {line.split(" = ")[0].strip(): line.split(" = ", 1)[1] for line in out.splitlines() if " = " in line}
    assert lines["target"] == '"fireworks"  # command line (--target)'
    assert lines["rules.TLD005.min-error"] == "3  # target fireworks (min-examples)"
    assert lines["rules.TLD010.severity"] == '"warning"  # target fireworks'
    assert "TLD010" in out.split("enabled rules")[1]
