"""Every rule is documented (why, a failing example, the fix) and named by the conventions."""

import re

import pytest

from tunelint.lint.registry import REQUIRED_DOC_SECTIONS, all_rules, doc_sections


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.name)
def test_rule_docstring_has_every_section(rule):
    sections = doc_sections(rule.doc)
    assert sections[""], f"{rule.name} has no summary"
    for title in REQUIRED_DOC_SECTIONS:
        assert sections.get(title), f"{rule.name} lacks '## {title}'"


def test_codes_and_names_are_unique_and_well_formed():
    rules = all_rules()
    assert len({r.code for r in rules}) == len(rules) == len({r.name for r in rules})
    for r in rules:
        assert re.fullmatch(r"TL[JSCTDKP]\d{3}", r.code)
        assert re.fullmatch(r"[a-z]+(-[a-z0-9]+)*", r.name)
