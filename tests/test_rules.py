"""Every row rule fails its failing fixtures (and nothing else fires), and valid rows pass clean."""

import pytest

from helpers import lint
from rule_cases import FAIL, PASS
from tunelint.lint import Settings, all_rules, find_rule

FAIL_CASES = [(name, what, row, expected) for name, cases in FAIL.items() for what, row, expected in cases]


@pytest.mark.parametrize(("rule", "what", "row", "expected"), FAIL_CASES, ids=[f"{c[0]}: {c[1]}" for c in FAIL_CASES])
def test_failing_row(rule, what, row, expected):
    # A rule that is off by default is selected on top of the defaults for its own cases.
    settings = None if find_rule(rule).default_enabled else Settings(extend_select=[rule], ignore=["too-few-examples"], kind="sft")
    found = {v.name for v in lint(row, settings=settings)}
    assert rule in found, f"{rule} should fire on {what}"
    assert found == expected


@pytest.mark.parametrize(("what", "row"), PASS, ids=[p[0] for p in PASS])
def test_valid_row_is_clean(what, row):
    assert [(v.code, v.message) for v in lint(row)] == []


def test_every_row_rule_has_failing_fixtures():
    # Framing rules have their own tests (test_framing.py), and so do the DPO and RFT
    # rules (test_preference.py), whose rows need files of their kind.
    row_rules = {r.name for r in all_rules() if r.scope == "row" and r.sees in ("conversation", "object")
                 and r.name not in ("blank-line", "byte-order-mark", "invalid-utf8")}
    assert row_rules <= set(FAIL), sorted(row_rules - set(FAIL))


def test_messages_name_the_role_with_its_article():
    # A null `content` on an assistant turn that calls nothing, and on a turn with no role:
    # the messages once read "a assistant message" and "a message without a message".
    row = {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": None},
                        {"content": None}, {"role": "assistant", "content": "Hello"}]}
    found = {v.message for v in lint(row) if v.name == "invalid-content-type"}
    assert found == {"content of an assistant message cannot be null", "content of a message without a role cannot be null"}
