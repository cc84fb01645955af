"""Every rule's fixture file (tests/rules/<CODE>.toml): each case's findings, positions and fix.

One file per rule, named by its code, with `rule = "<CODE>"` and a list of `[[case]]`
tables. A case is a small JSONL file and everything the rules say about it:

    [[case]]
    what = "a typo in the called name"   # what the case shows, one line (the test id)
    seen_in = "..."          # optional: where this pattern turns up in real data
    rows = '''
    {"messages": [...], "tools": [...]}
    '''
    expect = [
        "1:170-182 TLT004 assistant calls `get_wether`, which the row's `tools` do not declare (did ...)",
    ]
    fixed = '''...'''        # optional: the file after `apply_fixes` (bytes compared)
    unsafe = true            # optional: apply unsafe fixes too (default false)
    settings = { kind = "dpo", select = ["TLP001"] }   # optional, see below

`rows` is the file's text, one JSON row per line (a TOML multi-line literal string; its
first newline is dropped by TOML; backslashes stay as written, as JSON needs them). A TOML
basic string ("...\\n") also works; bytes that text cannot show are written with `bytes`.

`expect` is EVERY finding of the file, in the order the library returns them (by line,
column, code), each written `line:startcol-endcol CODE message`: 1-based line, 1-based
start column, 1-based exclusive end column (`Violation.col + 1`, `Violation.end_col + 1`),
columns counting code points as the CLI does (a string value's span includes its quotes;
on a line after a byte-order mark, columns start after the mark). `expect = []` is a
passing case: no rule says anything about the file. A failing case (one where the file's rule fires) lists the
other rules' findings too, so a cascade (one cause reported by several rules) shows up. A
case may also show the rule staying quiet while another one speaks (exact copies are left
to duplicate-row). Each file needs at least one passing and one failing case, and each
rule with a fix a case whose `fixed` differs from its rows.

`settings` takes the keys of a `[tool.tunelint]` config table (`select`, `extend-select`,
`ignore`, `kind`, `rules`, `model`, `models`). By default a case runs with the default
rules, plus the file's rule when it is off by default, as `kind = "sft"`, and ignoring
`too-few-examples` (TLD005) unless the file is about it; each key a case gives replaces
that default. `kind = "detect"` leaves the kind to detection from the rows.

`bytes = true` makes `\\xNN` in `rows`, `validation_rows` and `fixed` stand for the byte
0xNN (everything else is UTF-8): how a case writes invalid UTF-8, a byte-order mark
(`\\xEF\\xBB\\xBF`), a carriage return (`\\x0D`), a whitespace-only line that an editor
would trim (`\\x20\\x09`). Such rows are checked with `check_bytes`, others with
`check_text`.

`expand = { DOC = ["word ", 70000] }` replaces each `${DOC}` in the rows by the text
repeated that many times: for a row too long to write out (the token limit).

Cross-file rules (TLD008) need two files: `validation_rows` is the validation file and
`validation_expect` its findings; `rows` (and `expect`) are then the training file. Both
are written to a temporary folder as `train.jsonl` and `valid.jsonl` and checked with
`check_paths([train, valid], settings, validation=valid)`.

`alone = true` writes the rows to `rft_train.jsonl` and checks it with `check_paths([it])`:
a training file checked with no validation file, as `tunelint check FILE` does (TLD017).

Run with TUNELINT_UPDATE_FIXTURES=1 to rewrite `expect`, `validation_expect` and `fixed`
(only in cases that have a `fixed` key: write `fixed = ''` to ask for one) from what
the rules produce; a case without `expect` gets one. Then read every rewritten line: it
must be what the rule should say about that row, on the right span.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tunelint.lint import Settings, Violation, all_rules, apply_fixes, check_bytes, check_paths, check_text, find_rule
from tunelint.lint.model import NEVER
from tunelint.lint.settings import settings_from_table

HERE = Path(__file__).parent
RULES_DIR = HERE / "rules"
UPDATE = os.environ.get("TUNELINT_UPDATE_FIXTURES") == "1"
CASE_KEYS = {"what", "seen_in", "rows", "expect", "fixed", "unsafe", "settings", "bytes", "alone", "expand",
             "validation_rows", "validation_expect"}
FILE_KEYS = {"rule", "case"}
TOO_FEW = "TLD005"


@dataclass
class Case:
    path: Path
    index: int  # the case's position in its file (0-based)
    rule: str
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def what(self) -> str:
        return self.data["what"]

    @property
    def id(self) -> str:
        return f"{self.rule}: {self.what}"

    @property
    def findings(self) -> list[str]:
        return self.data.get("expect", []) + self.data.get("validation_expect", [])

    @property
    def is_pass(self) -> bool:
        """Nothing at all is reported."""
        return "expect" in self.data and not self.findings

    @property
    def is_fail(self) -> bool:
        """The file's rule is reported (with whatever else the row triggers)."""
        return any(line.split(" ", 2)[1] == self.rule for line in self.findings)

    def raw(self, key: str) -> bytes:
        """`rows`, `validation_rows` or `fixed` as the bytes of a file."""
        text = self.data[key]
        for name, (piece, times) in self.data.get("expand", {}).items():
            text = text.replace("${" + name + "}", piece * times)
        if self.data.get("bytes"):
            return unescape_bytes(text)
        return text.encode("utf-8")

    def settings(self) -> Settings:
        rule = find_rule(self.rule)
        table: dict[str, Any] = {"kind": "sft"}
        if not rule.default_enabled:
            table["extend-select"] = [self.rule]
        # Rules whose fixes undo this one's cannot be on beside it (a config error).
        table["ignore"] = ([] if self.rule == TOO_FEW else ["too-few-examples"]) + list(rule.conflicts)
        table.update(self.data.get("settings", {}))
        if table.get("kind") == "detect":
            del table["kind"]
        return settings_from_table(table)


def unescape_bytes(text: str) -> bytes:
    parts = re.split(r"\\x([0-9A-Fa-f]{2})", text)
    out = bytearray()
    for i, part in enumerate(parts):
        out += bytes([int(part, 16)]) if i % 2 else part.encode("utf-8")
    return bytes(out)


def load_cases() -> tuple[list[Case], dict[str, Path]]:
    cases: list[Case] = []
    files: dict[str, Path] = {}
    for path in sorted(RULES_DIR.glob("*.toml")):
        with path.open("rb") as stream:
            table = tomllib.load(stream)
        rule = table.get("rule", "")
        files[rule] = path
        for index, data in enumerate(table.get("case", [])):
            cases.append(Case(path, index, rule, data))
    return cases, files


CASES, FILES = load_cases()


def show(v: Violation) -> str:
    """A finding as the fixtures write it: `line:startcol-endcol CODE message` (1-based, end exclusive)."""
    return f"{v.line}:{v.col + 1}-{v.end_col + 1} {v.code} {v.message}"


def run_case(case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """What the rules say: {"expect": [...]} (and "validation_expect" for two files)."""
    data = case.raw("rows")
    if "validation_rows" in case.data:
        monkeypatch.chdir(tmp_path)
        Path("train.jsonl").write_bytes(data)
        Path("valid.jsonl").write_bytes(case.raw("validation_rows"))
        train, valid = Path("train.jsonl"), Path("valid.jsonl")
        report = check_paths([train, valid], case.settings(), validation=valid)
        by_path = {f.path: f for f in report.files}
        assert all(f.error is None for f in report.files), [f.error for f in report.files]
        return {"expect": [show(v) for v in by_path["train.jsonl"].violations],
                "validation_expect": [show(v) for v in by_path["valid.jsonl"].violations]}
    if case.data.get("alone"):
        path = tmp_path / "rft_train.jsonl"
        path.write_bytes(data)
        report = check_paths([path], case.settings())
        assert report.files[0].error is None, report.files[0].error
        return {"expect": [show(v) for v in report.files[0].violations]}
    if case.data.get("bytes"):
        report = check_bytes(data, "t.jsonl", case.settings())
    else:
        report = check_text(data.decode("utf-8"), "t.jsonl", case.settings())
    return {"expect": [show(v) for v in report.violations]}


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_rule_fixture(case: Case, tmp_path, monkeypatch):
    unknown = set(case.data) - CASE_KEYS
    assert not unknown, f"{case.path.name}: case {case.what!r} has unknown keys {sorted(unknown)}"
    found = run_case(case, tmp_path, monkeypatch)
    fixed = None
    if "fixed" in case.data:
        fixed, _ = apply_fixes(case.raw("rows"), case.settings(), "t.jsonl", unsafe=case.data.get("unsafe", False))
    if UPDATE:
        rewrite_case(case, found, fixed)
        return
    for key, lines in found.items():
        assert key in case.data, f"{case.path.name}: {case.what!r} has no `{key}`; run with TUNELINT_UPDATE_FIXTURES=1"
        assert lines == case.data[key], f"{case.path.name}: findings of {case.what!r} differ"
    if fixed is not None:
        assert fixed == case.raw("fixed"), f"{case.path.name}: the fixed file of {case.what!r} differs"


@pytest.mark.skipif(UPDATE, reason="the cases were read before this run rewrote them")
def test_every_rule_has_a_fixture_file_with_passing_and_failing_cases():
    registered = {r.code for r in all_rules()}
    assert set(FILES) - registered == set(), "fixture files for unknown rules"
    assert registered - set(FILES) == set(), "rules without a fixture file"
    for code, path in FILES.items():
        assert path.stem == code, f"{path.name} holds the cases of {code}"
        with path.open("rb") as stream:
            table = tomllib.load(stream)
        assert set(table) <= FILE_KEYS, f"{path.name}: unknown keys {sorted(set(table) - FILE_KEYS)}"
        cases = [c for c in CASES if c.rule == code]
        assert any(c.is_pass for c in cases), f"{path.name} has no passing case"
        assert any(c.is_fail for c in cases), f"{path.name} has no case its rule fails"
        whats = [c.what for c in cases]
        assert len(whats) == len(set(whats)), f"{path.name}: two cases share a `what`"


@pytest.mark.skipif(UPDATE, reason="the cases were read before this run rewrote them")
def test_every_fixable_rule_has_a_case_whose_fix_changes_the_file():
    for rule in all_rules():
        if rule.fix is NEVER:
            continue
        cases = [c for c in CASES if c.rule == rule.code and "fixed" in c.data]
        assert any(c.raw("fixed") != c.raw("rows") for c in cases), f"{rule.code} has no case with a fix"


# --- update mode: rewrite `expect`, `validation_expect` and `fixed` in place ------------------

_CASE_HEADER = re.compile(r"^\[\[case\]\][ \t]*\n", re.M)


def _value_pattern(key: str) -> re.Pattern[str]:
    """A key's value in the forms this module writes (a list, a literal or a basic string)."""
    return re.compile(rf"^{key} = (?:\[\]|\[\n(?:[ \t]+[^\n]*\n)*\]|'''.*?'''|'[^'\n]*'|\"(?:[^\"\\\n]|\\.)*\")[ \t]*$",
                      re.M | re.S)


def toml_string(text: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's, and TOML wants DEL escaped too)."""
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def toml_list(lines: list[str]) -> str:
    if not lines:
        return "[]"
    return "[\n" + "".join(f"    {toml_string(line)},\n" for line in lines) + "]"


def toml_file_text(data: bytes, as_bytes: bool) -> str:
    """A file's bytes as a TOML string that `Case.raw` reads back to the same bytes."""
    if as_bytes:
        text = data.decode("utf-8", errors="surrogateescape")
        shown = []
        for ch in text:
            if 0xDC80 <= ord(ch) <= 0xDCFF:
                shown.append(f"\\x{ord(ch) - 0xDC00:02X}")
            elif ch == "\ufeff" or (ch not in "\n\t" and (ord(ch) < 0x20 or ord(ch) == 0x7F)):
                shown.append("".join(f"\\x{b:02X}" for b in ch.encode("utf-8")))
            else:
                shown.append(ch)
        literal = "".join(shown)
        assert unescape_bytes(literal) == data, "these bytes cannot be written with \\xNN escapes"
        return "'''\n" + literal + "'''"
    text = data.decode("utf-8")
    if "'''" not in text and not text.endswith("'") and not any(
            (ord(ch) < 0x20 and ch not in "\n\t") or ord(ch) == 0x7F or ch == "\ufeff" for ch in text):
        return "'''\n" + text + "'''"
    return toml_string(text)


def rewrite_case(case: Case, found: dict[str, list[str]], fixed: bytes | None) -> None:
    text = case.path.read_text("utf-8")
    headers = list(_CASE_HEADER.finditer(text))
    assert len(headers) > case.index, f"{case.path.name}: write each case under a `[[case]]` line of its own"
    start = headers[case.index].end()
    end = headers[case.index + 1].start() if case.index + 1 < len(headers) else len(text)
    chunk = text[start:end]
    values = dict(found)
    if fixed is not None:
        assert "expand" not in case.data, "update mode does not write `fixed` for an expanded case"
        values["fixed"] = fixed
    for key, value in values.items():
        shown = toml_file_text(value, bool(case.data.get("bytes"))) if key == "fixed" else toml_list(value)
        pattern = _value_pattern(key)
        if key in case.data:
            chunk, n = pattern.subn(lambda _: f"{key} = {shown}", chunk, count=1)
            assert n == 1, f"{case.path.name}: {case.what!r}: write `{key}` as this module does to update it"
        else:
            body = chunk.rstrip("\n")
            chunk = body + f"\n{key} = {shown}\n" + chunk[len(body):].replace("\n", "", 1)
    case.path.write_text(text[:start] + chunk + text[end:], "utf-8")
