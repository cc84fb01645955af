"""The dataset stage: the dataset rules over a file's fact columns, and their placement.

Runs once a file's rows are all read (by the engine), or after an edit (by a `Session`,
which keeps the runs of the rules whose facts the edit left alone). Rules that keep
screening keys get the exact facts of the lines whose key repeats (see `screening`),
which the caller's `exact` works out: from the lines read again, on the workers that
read the file, or from an editor's lines.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from itertools import groupby, repeat
from typing import NamedTuple

from .checker import InternalError, snippet, whole
from .facts import FactColumn
from .model import DatasetFinding, Violation
from .pointer import locate
from .registry import Rule
from .screening import ExactColumns, ReadTexts, shared_lines
from .settings import RuleSet
from .spill import SortedSpill


class RuleRun(NamedTuple):
    """One dataset rule's run over a file: what it found (in line order; on disk past a few
    thousand, as a file full of duplicates has a finding on most rows), and (screening
    rules) the lines whose key repeats, from which its exact facts came."""

    findings: SortedSpill[DatasetFinding]
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


def run_rule(rule: Rule, column: FactColumn, options: Mapping) -> SortedSpill[DatasetFinding]:
    """One dataset rule over its column of facts, its findings in line order; its bug is an `InternalError`."""
    try:
        return SortedSpill(finding_line, rule.func(column, options))
    except Exception as exc:
        raise InternalError(f"internal error in {rule.name}: {type(exc).__name__}: {exc}") from exc


def finding_line(f: DatasetFinding) -> int:
    return f.line


def findings_of(ruleset: RuleSet, runs: Mapping[str, RuleRun]) -> Iterator[tuple[Rule, DatasetFinding]]:
    """Every rule's findings as (rule, finding), in line order (rules in the rule set's order on a line)."""
    streams = [zip(repeat(rule), runs[rule.code].findings) for rule in ruleset.dataset_rules if runs[rule.code].findings]
    return heapq.merge(*streams, key=_line_of_pair)


def _line_of_pair(pair: tuple[Rule, DatasetFinding]) -> int:
    return pair[1].line


def place_dataset(found: Iterable[tuple[Rule, DatasetFinding]], path: str, ruleset: RuleSet,
                  read_texts: ReadTexts) -> Iterator[Violation]:
    """Dataset findings as violations, their lines read again one at a time as text (a
    file full of duplicates must not hold thousands of rows at once, nor parse them).
    Findings in line order are placed as they come; others are grouped by line first."""
    found = list(found) if not isinstance(found, Iterator) else found
    if isinstance(found, list):
        found.sort(key=_line_of_pair)
    groups = groupby(found, key=_line_of_pair)
    pending: deque[tuple[int, list[tuple[Rule, DatasetFinding]]]] = deque()

    def wanted() -> Iterator[int]:  # the lines to read, as the groups come
        for line, pairs in groups:
            pending.append((line, list(pairs)))
            yield line

    for line, text in read_texts(wanted()):
        while pending and pending[0][0] < line:  # lines that are gone (the file changed meanwhile)
            yield from (_place(rule, f, "", path, ruleset) for rule, f in pending.popleft()[1])
        if pending and pending[0][0] == line:
            yield from (_place(rule, f, text, path, ruleset) for rule, f in pending.popleft()[1])
    for _, pairs in pending:
        yield from (_place(rule, f, "", path, ruleset) for rule, f in pairs)


def _place(rule: Rule, f: DatasetFinding, text: str, path: str, ruleset: RuleSet) -> Violation:
    # No pointer: the whole row, which parsed (it has facts), so no need to walk its JSON.
    span = f.span or (locate(text, f.pointer, f.on_key) if f.pointer else None) or whole(text)
    severity = ruleset.severity[rule.code]
    if f.severity is not None and rule.code not in ruleset.configured_severity:
        severity = f.severity  # the rule's own grading, unless the user set the severity
    return Violation(rule.code, rule.name, severity, f.message, path, f.line,
                     span[0], span[1], f.pointer, f.fix, f.related, snippet(text, *span), file_level=f.file_level)
