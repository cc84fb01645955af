"""The dataset stage: the dataset rules over a file's fact columns, and their placement.

Runs once a file's rows are all read (by the engine), or after an edit (by a `Session`,
which keeps the runs of the rules whose facts the edit left alone). Rules that keep
screening keys get the exact facts of the lines whose key repeats (see `screening`),
which the caller's `exact` works out: from the lines read again, on the workers that
read the file, or from an editor's lines.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import NamedTuple

from .checker import InternalError, snippet, whole
from .facts import FactColumn
from .model import DatasetFinding, Violation
from .pointer import locate
from .registry import Rule
from .screening import ExactColumns, ReadTexts, shared_lines
from .settings import RuleSet


class RuleRun(NamedTuple):
    """One dataset rule's run over a file: what it found, and (screening rules) the lines
    whose key repeats, from which its exact facts came."""

    findings: list[DatasetFinding]
    shared: list[int]


def run_dataset_rules(ruleset: RuleSet, columns: Mapping[str, FactColumn], exact: ExactColumns,
                      kept: Mapping[str, RuleRun] | None = None,
                      options: Mapping[str, Mapping] | None = None) -> dict[str, RuleRun]:
    """Each dataset rule's run, in the rule set's order; a rule in `kept` is not run again.
    `options`: each rule's options with what the run tells it (`RowChecker.dataset_options`)."""
    kept = kept or {}
    options = options or ruleset.options
    empty = FactColumn()
    plans = {}
    shared: dict[str, list[int]] = {}
    for rule in ruleset.dataset_rules:
        if rule.exact is not None and rule.code not in kept:
            shared[rule.code] = shared_lines(columns.get(rule.code) or empty)
            plans[rule.code] = (rule.exact, options[rule.code], shared[rule.code])
    exact_facts = exact(plans) if plans else {}
    runs: dict[str, RuleRun] = {}
    for rule in ruleset.dataset_rules:
        code = rule.code
        if code in kept:
            runs[code] = kept[code]
        else:
            column = exact_facts[code] if code in exact_facts else columns.get(code) or empty
            runs[code] = RuleRun(run_rule(rule, column, options[code]), shared.get(code, []))
    return runs


def run_rule(rule: Rule, column: FactColumn, options: Mapping) -> list[DatasetFinding]:
    """One dataset rule over its column of facts; its bug is an `InternalError`."""
    try:
        return list(rule.func(column, options))
    except Exception as exc:
        raise InternalError(f"internal error in {rule.name}: {type(exc).__name__}: {exc}") from exc


def findings_of(ruleset: RuleSet, runs: Mapping[str, RuleRun]) -> list[tuple[Rule, DatasetFinding]]:
    return [(rule, f) for rule in ruleset.dataset_rules for f in runs[rule.code].findings]


def place_dataset(found: Iterable[tuple[Rule, DatasetFinding]], path: str, ruleset: RuleSet,
                  read_texts: ReadTexts) -> Iterator[Violation]:
    """Dataset findings as violations, their lines read again one at a time as text (a
    file full of duplicates must not hold thousands of rows at once, nor parse them)."""
    by_line: dict[int, list[tuple[Rule, DatasetFinding]]] = {}
    for rule, f in found:
        by_line.setdefault(f.line, []).append((rule, f))
    for line, text in read_texts(set(by_line)) if by_line else ():
        for rule, f in by_line.pop(line, ()):
            yield _place(rule, f, text, path, ruleset)
    for pairs in by_line.values():  # lines that are gone (the file changed meanwhile)
        for rule, f in pairs:
            yield _place(rule, f, "", path, ruleset)


def _place(rule: Rule, f: DatasetFinding, text: str, path: str, ruleset: RuleSet) -> Violation:
    # No pointer: the whole row, which parsed (it has facts), so no need to walk its JSON.
    span = f.span or (locate(text, f.pointer, f.on_key) if f.pointer else None) or whole(text)
    severity = ruleset.severity[rule.code]
    if f.severity is not None and rule.code not in ruleset.configured_severity:
        severity = f.severity  # the rule's own grading, unless the user set the severity
    return Violation(rule.code, rule.name, severity, f.message, path, f.line,
                     span[0], span[1], f.pointer, f.fix, f.related, snippet(text, *span))
