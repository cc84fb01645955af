"""`--fix` never harms valid data: a file the default rules find clean comes back byte for
byte under any selection, rules whose fixes undo each other cannot be selected together,
and a fix loop that would go round in circles stops and says so."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from hypothesis import given, settings as hypothesis_settings, strategies as st

from helpers import clean_rows, jsonl
from tunelint.cli.main import cli
from tunelint.lint import ConfigError, Settings, check_bytes
from tunelint.lint.fix import apply_fixes
from tunelint.lint.registry import FAMILIES

SELECTIONS = [None, ["ALL"], *[[family] for family in FAMILIES]]


@st.composite
def clean_files(draw) -> bytes:
    """Files of valid tool-calling rows, as real exports write them: 50 to 60 rows, some with
    a system prompt, either spacing, ASCII-escaped or not, LF or CRLF, with or without a
    final newline."""
    rows = clean_rows(draw(st.integers(50, 60)))
    for row in rows[1:]:  # the first without: a single shared system prompt is a finding of its own
        if draw(st.booleans()):
            row["messages"].insert(0, {"role": "system", "content": draw(st.sampled_from(["Be brief.", "Réponds en français."]))})
    compact = draw(st.booleans())
    ascii_only = draw(st.booleans())
    lines = [json.dumps(r, ensure_ascii=ascii_only, separators=(",", ":") if compact else None) for r in rows]
    end = draw(st.sampled_from(["\n", "\r\n"]))
    text = end.join(lines) + (end if draw(st.booleans()) else "")
    return text.encode()


@hypothesis_settings(max_examples=40, deadline=None)
@given(clean_files())
def test_fix_leaves_a_clean_file_byte_identical_under_every_selection(data):
    assert check_bytes(data, "train.jsonl", Settings()).violations == []
    for select in SELECTIONS:
        fixed, outcome = apply_fixes(data, Settings(select=select), "train.jsonl")
        assert fixed == data and outcome.fixes == 0, select


def test_all_and_prefixes_pass_over_rules_that_serve_one_target():
    # `tools-format` (TLT015) converts rows to the legacy format and `legacy-function-format`
    # (TLT002) converts them back: ALL once enabled both, and `--fix` flipped valid rows.
    for selector in ("ALL", "TLT", "TLT01", "TLP"):
        enabled = Settings(select=[selector]).enabled
        assert "TLT015" not in enabled and "TLP005" not in enabled, selector
    assert "TLT015" in Settings(select=["tools-format"]).enabled
    assert "TLP005" in Settings(extend_select=["TLP005"]).enabled


def test_rules_whose_fixes_undo_each_other_are_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="`tools-format` .TLT015. and `legacy-function-format` .TLT002. undo"):
        Settings(select=["ALL", "TLT015"])
    path = tmp_path / "t.jsonl"
    path.write_text(jsonl(*clean_rows(10)))
    done = CliRunner().invoke(cli, ["check", "--extend-select", "tools-format", "--fix", str(path)])
    assert done.exit_code == 2 and "undo each other's fixes" in done.stderr


def test_a_fix_that_would_bring_a_row_back_is_not_applied_and_the_row_is_named(monkeypatch):
    # Two rules whose fixes undo each other, forced past the config check: the loop stops
    # at the first repeat instead of flipping the row until its pass bound, and leaves the
    # row as it came (a round trip would have rewritten its call ids).
    from tunelint.lint.settings import Settings as Plain

    monkeypatch.setattr(Plain, "_refuse_conflicts", lambda self: None)
    rows = clean_rows(10)
    data = jsonl(*rows).encode()
    fixed, outcome = apply_fixes(data, Plain(select=["TLT002", "TLT015"]), "t.jsonl")
    assert fixed == data and outcome.fixes == 0
    assert outcome.unsettled == [(line, "TLT015") for line in range(1, 11)]
