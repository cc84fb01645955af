"""Each target's fixture file (tests/targets/<name>.toml): rows checked for that platform.

The format is the rule fixtures' (see tests/rules/README.md) with `target = "<name>"` at the
top instead of `rule`: each case runs with that target, `kind = "sft"` and `ignore =
["too-few-examples"]` unless its `settings` say otherwise, and `expect` lists every
finding. Every shipped target has a file with a case that passes and one that fails.
Run with TUNELINT_UPDATE_FIXTURES=1 to fill in `expect` (then read what it wrote).
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from tunelint.lint import Settings
from tunelint.lint.settings import settings_from_table
from tunelint.lint.target import shipped_targets

from test_rule_fixtures import UPDATE, Case, rewrite_case, run_case

TARGETS_DIR = Path(__file__).parent / "targets"


class TargetCase(Case):
    def settings(self) -> Settings:
        table: dict[str, Any] = {"kind": "sft", "ignore": ["too-few-examples"], "target": self.rule}
        table.update(self.data.get("settings", {}))
        return settings_from_table(table)

    @property
    def is_fail(self) -> bool:
        return bool(self.findings)


def load() -> list[TargetCase]:
    cases = []
    for path in sorted(TARGETS_DIR.glob("*.toml")):
        table = tomllib.loads(path.read_text("utf-8"))
        assert set(table) <= {"target", "case"}, f"{path.name}: unknown keys"
        for index, data in enumerate(table.get("case", [])):
            cases.append(TargetCase(path, index, table["target"], data))
    return cases


CASES = load()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_target_fixture(case: TargetCase, tmp_path, monkeypatch):
    found = run_case(case, tmp_path, monkeypatch)
    if UPDATE:
        rewrite_case(case, found, None)
        return
    assert found["expect"] == case.data.get("expect"), f"{case.path.name}: findings of {case.what!r} differ"


@pytest.mark.skipif(UPDATE, reason="the cases were read before this run rewrote them")
def test_every_target_has_passing_and_failing_rows():
    by_target = {name: [c for c in CASES if c.rule == name] for name in shipped_targets()}
    for name, cases in by_target.items():
        assert (TARGETS_DIR / f"{name}.toml").is_file(), f"target {name} has no fixture file"
        assert any(c.is_pass for c in cases), f"{name}.toml has no passing case"
        assert any(c.is_fail for c in cases), f"{name}.toml has no failing case"
