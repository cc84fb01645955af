"""A file's findings as a report shows them: counts per rule, the first few of each, and
the dataset rules' repeated rows as groups of lines (duplicates, near duplicates,
contradictory answers).

The violations are read once, as they come (a large report is read back from disk), and
only capped lists are kept: a file with 100,000 findings gives the same small summary
shape as one with ten, with the counts of what was left out.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from .model import FileReport, Violation
from .registry import find_rule
from .report import Tally, rule_url

# Dataset rules whose findings name an earlier line of the same group (their first row).
GROUPED = {"TLD001": "duplicates", "TLD002": "near_duplicates", "TLD003": "contradictions"}


@dataclass
class RuleFindings:
    code: str
    name: str
    summary: str  # the first line of the rule's documentation
    url: str  # the rule's documentation page
    count: int = 0
    by_severity: Counter = field(default_factory=Counter)
    shown: list[Violation] = field(default_factory=list)  # the first ones, in file order

    @property
    def more(self) -> int:
        return self.count - len(self.shown)


@dataclass
class Group:
    first: int  # the line the others repeat (or contradict)
    lines: list[int]  # the lines of the group, the first one included, capped
    size: int  # rows in the group, with the first

    @property
    def more(self) -> int:
        return self.size - len(self.lines)


@dataclass
class Groups:
    groups: list[Group] = field(default_factory=list)  # the first ones by their first line, capped
    total: int = 0  # groups in the file
    rows: int = 0  # rows reported (the later rows of each group)

    @property
    def more(self) -> int:
        return self.total - len(self.groups)


@dataclass
class Elsewhere:
    """Rows of this file found in another file: (line, the other file, its line), capped."""

    pairs: list[tuple[int, str, int]] = field(default_factory=list)
    total: int = 0

    @property
    def more(self) -> int:
        return self.total - len(self.pairs)


@dataclass
class FindingsSummary:
    path: str
    rows: int
    error: str | None
    tally: Tally
    rules: list[RuleFindings]  # most findings first
    duplicates: Groups
    near_duplicates: Groups
    contradictions: Groups
    elsewhere: Elsewhere  # rows that another file (the training file) also holds


def summarize(report: FileReport, per_rule: int = 20, groups: int = 50, lines_per_group: int = 20) -> FindingsSummary:
    """The summary of a file's report, keeping at most `per_rule` findings of each rule,
    `groups` groups of each kind and `lines_per_group` lines in each."""
    tally = Tally()
    rules: dict[str, RuleFindings] = {}
    members: dict[str, dict[int, list[int]]] = {key: {} for key in GROUPED.values()}
    sizes: dict[str, Counter] = {key: Counter() for key in GROUPED.values()}
    elsewhere = Elsewhere()
    for v in tally.counting(report.violations):
        found = rules.get(v.code)
        if found is None:
            found = rules[v.code] = _rule_findings(v)
        found.count += 1
        found.by_severity[v.severity] += 1
        if len(found.shown) < per_rule:
            found.shown.append(v)
        if v.related and v.related[0].path is not None:  # another file's row (train-validation-overlap)
            elsewhere.total += 1
            if len(elsewhere.pairs) < groups:
                elsewhere.pairs.append((v.line, v.related[0].path, v.related[0].line))
            continue
        kind = GROUPED.get(v.code)
        if kind is not None and v.related:
            first = v.related[0].line
            size = sizes[kind]
            size[first] += 1
            kept = members[kind]
            lines = kept.get(first)
            if lines is None and len(kept) < groups:
                lines = kept[first] = [first]
            if lines is not None and len(lines) < lines_per_group:
                lines.append(v.line)
    grouped = {kind: Groups([Group(first, sorted(lines), sizes[kind][first] + 1)
                             for first, lines in sorted(members[kind].items())],
                            len(sizes[kind]), sum(sizes[kind].values()))
               for kind in GROUPED.values()}
    ordered = sorted(rules.values(), key=lambda r: (-r.count, r.code))
    return FindingsSummary(report.path, report.rows, report.error, tally, ordered, elsewhere=elsewhere, **grouped)


def _rule_findings(v: Violation) -> RuleFindings:
    rule = find_rule(v.code)
    summary = rule.summary if rule is not None else ""
    return RuleFindings(v.code, v.name, summary, rule_url(v.name))
