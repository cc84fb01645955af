"""The rule registry: every rule, declared once with its code, name, severity and docs.

Row rules are pure functions of one row. Dataset rules split in two: `collect` keeps a
small fact per row, and the rule itself aggregates the facts of a whole file. Keeping
those apart is what lets the language server re-collect only the rows an edit touched.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .model import DatasetFinding, Finding, FixAvailability, NEVER, Severity

FAMILIES = {
    "TLJ": "framing",
    "TLS": "structure",
    "TLC": "content",
    "TLT": "tools and function calling",
    "TLD": "dataset",
    "TLK": "tokens and cost",
    "TLP": "preference and reinforcement rows",
}
REQUIRED_DOC_SECTIONS = ("Why is this bad?", "Example", "Use instead")
_CODE = re.compile(r"^(TL[A-Z])(\d{3})$")
_NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Option:
    """A per-rule option, set under `[tool.tunelint.rules.<rule-name>]`."""

    name: str
    type: type | tuple[type, ...]
    default: Any
    help: str
    # The target's fact that replaces `default` when the config does not set the option
    # (too-few-examples' `min-error` is the target's `min-examples`).
    target_fact: str | None = None


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    fix: FixAvailability
    func: Callable[..., Iterable[Any]]
    scope: str  # "row", "dataset" (a file's facts) or "files" (the facts of files checked together)
    # Row rules: "line" (every line), "object" (parsed rows), "conversation" (sft rows, and the
    # conversations inside other kinds: see `kinds`), or a kind's own rows: "dpo", "rft".
    sees: str = "conversation"
    default_enabled: bool = True
    options: tuple[Option, ...] = ()
    collect: Callable[..., Any] | None = None
    doc: str = ""
    # Conversation rules also run on the conversations inside other kinds of rows (a DPO
    # pair's input plus each output; an RFT row's messages) unless limited here.
    kinds: tuple[str, ...] = ("sft", "dpo", "rft")
    unsafe_fix: bool = False  # dataset rules: their fix needs --unsafe-fixes (so a plain --fix can skip them)
    exact: Callable[..., Any] | None = None  # dataset rules whose `collect` keeps a screening key: the exact fact
    # What the run tells the rule besides its options, added to them: "model" (and "models",
    # the config's model table) for the token rules, "file-kind" (sft, dpo, rft) for rules
    # that compare a row with the file it sits in, "file-style" (a `FileStyle`) for fixes
    # that write text in the file's style.
    context: tuple[str, ...] = ()
    # A rule that serves one target (converting rows to another format): on only when a
    # selector names it (its code or name), never through ALL or a prefix.
    opt_in: bool = False
    conflicts: tuple[str, ...] = ()  # codes whose fixes undo this rule's: both selected is a config error
    # A platform-only rule: on only where a target's profile enables it (`enable` in
    # lint/targets/<name>.toml) or a selector names it exactly; ALL and prefixes pass over it.
    target_only: bool = False

    @property
    def family(self) -> str:
        return self.code[:3]

    @property
    def summary(self) -> str:
        return self.doc.strip().splitlines()[0] if self.doc.strip() else ""

    def default_options(self) -> dict[str, Any]:
        return {opt.name: opt.default for opt in self.options}


REGISTRY: dict[str, Rule] = {}
BY_NAME: dict[str, Rule] = {}


def _register(rule: Rule) -> None:
    if not _CODE.match(rule.code) or rule.code[:3] not in FAMILIES:
        raise ValueError(f"rule code {rule.code!r} does not follow FAMILY+3 digits")
    if not _NAME.match(rule.name):
        raise ValueError(f"rule name {rule.name!r} is not kebab-case")
    if rule.code in REGISTRY or rule.name in BY_NAME:
        raise ValueError(f"rule {rule.code} {rule.name} is registered twice")
    REGISTRY[rule.code] = rule
    BY_NAME[rule.name] = rule


def _doc(func: Callable) -> str:
    """inspect.cleandoc, without importing inspect on every start."""
    lines = (func.__doc__ or "").expandtabs().splitlines()
    indents = [len(line) - len(line.lstrip()) for line in lines[1:] if line.strip()]
    margin = min(indents, default=0)
    cleaned = [lines[0].strip()] + [line[margin:].rstrip() for line in lines[1:]] if lines else []
    return "\n".join(cleaned).strip("\n")


def row_rule(code: str, name: str, severity: Severity, fix: FixAvailability = NEVER, *,
             sees: str = "conversation", default: bool = True, options: tuple[Option, ...] = (),
             kinds: tuple[str, ...] = ("sft", "dpo", "rft"), context: tuple[str, ...] = (), opt_in: bool = False,
             conflicts: tuple[str, ...] = (), target_only: bool = False):
    """Declare a row rule: `func(row, options) -> Iterable[Finding]`."""

    def wrap(func: Callable[[Any, Mapping[str, Any]], Iterable[Finding]]):
        _register(Rule(code, name, severity, fix, func, "row", sees, default and not opt_in and not target_only, options,
                       doc=_doc(func), kinds=kinds, context=context, opt_in=opt_in, conflicts=conflicts,
                       target_only=target_only))
        return func

    return wrap


def dataset_rule(code: str, name: str, severity: Severity, *, collect: Callable[..., Any],
                 fix: FixAvailability = NEVER, default: bool = True, options: tuple[Option, ...] = (),
                 unsafe_fix: bool = False, exact: Callable[..., Any] | None = None, context: tuple[str, ...] = (),
                 target_only: bool = False):
    """Declare a dataset rule.

    `collect(row, options)` returns a small fact for a row (or None to keep nothing);
    `func(facts, options)` gets the file's facts as a `FactColumn` (iterating it gives
    `(line, fact)` pairs; `.lines` and `.values` are its two columns) and yields DatasetFindings.
    With `exact`, `collect` keeps a cheap screening key and `func` gets the exact facts
    (`exact(row, options)`) of the rows whose key repeats, and only those (see `screening`).
    """

    def wrap(func: Callable[[list[tuple[int, Any]], Mapping[str, Any]], Iterable[DatasetFinding]]):
        _register(Rule(code, name, severity, fix, func, "dataset", "line", default and not target_only, options, collect,
                       _doc(func), unsafe_fix=unsafe_fix, exact=exact, context=context, target_only=target_only))
        return func

    return wrap


def cross_file_rule(code: str, name: str, severity: Severity, *, collect: Callable[..., Any],
                    options: tuple[Option, ...] = ()):
    """Declare a rule over two files checked together, a training file and its validation file.

    `collect(row, options)` keeps a small fact per row of each file (as a dataset rule's
    does); `func(training, validation, options, training_name)` gets both files' facts as
    `FactColumn`s and yields DatasetFindings on the validation file's lines.
    """

    def wrap(func: Callable[..., Iterable[DatasetFinding]]):
        _register(Rule(code, name, severity, NEVER, func, "files", "line", True, options, collect, _doc(func)))
        return func

    return wrap


def all_rules() -> list[Rule]:
    """Every rule, by family in the order FAMILIES lists them, then by code."""
    _load_rules()
    order = list(FAMILIES)
    return sorted(REGISTRY.values(), key=lambda r: (order.index(r.family), r.code))


def find_rule(code_or_name: str) -> Rule | None:
    _load_rules()
    key = code_or_name.strip()
    return REGISTRY.get(key.upper()) or BY_NAME.get(key.lower())


def did_you_mean(selector: str) -> str:
    """` (did you mean `missing-tools-array`?)` for a misspelled rule code or name, or ""."""
    import difflib

    _load_rules()
    sel = selector.strip()
    names = difflib.get_close_matches(sel.lower(), list(BY_NAME), n=1, cutoff=0.75)
    codes = difflib.get_close_matches(sel.upper(), [*REGISTRY, *FAMILIES], n=1, cutoff=0.75)
    found = names or codes
    return f" (did you mean `{found[0]}`?)" if found else ""


def matching(selector: str) -> list[Rule]:
    """Rules a selector names: `ALL`, a family (`TLT`), a code prefix (`TLT00`), a code or a name."""
    _load_rules()
    sel = selector.strip()
    if sel.upper() == "ALL":
        return all_rules()
    if sel.lower() in BY_NAME:
        return [BY_NAME[sel.lower()]]
    upper = sel.upper()
    if re.fullmatch(r"TL[A-Z]\d{0,3}", upper):
        return [r for r in all_rules() if r.code.startswith(upper)]
    return []


def doc_sections(doc: str) -> dict[str, str]:
    """Split a rule docstring into its `## ` sections (the summary under key '')."""
    sections: dict[str, list[str]] = {"": []}
    current = ""
    for line in doc.splitlines():
        if line.startswith("## "):
            current = line[3:].strip()
            sections[current] = []
        else:
            sections[current].append(line)
    return {k: "\n".join(v).strip() for k, v in sections.items()}


_loaded = False


def _load_rules() -> None:
    global _loaded
    if not _loaded:
        # Marked loaded only once every module is in: a second thread (the language
        # server loads the rules in the background) waits on the import lock meanwhile.
        from . import rules  # noqa: F401  (registers every rule module)
        _loaded = True
