"""The one loop body: a row in, its placed violations and its dataset facts out.

Every way tunelint reads rows (the serial and the parallel check, the fix loop, the
language server's edits) checks each row with a `RowChecker`: the row rules the file's
kind calls for, the dataset rules' per-row facts, and the columns of what was found.
Positions are worked out only for findings that are reported (`place`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .file_style import FileStyle
from .kinds import row_kind
from .model import Finding, ToolError, Violation
from .pair_conversations import inside
from .pointer import locate
from .registry import Rule
from .settings import RuleSet
from .source import Row

SNIPPET_CONTEXT = 60


class InternalError(Exception):
    """A rule failed: a bug in tunelint, reported with where it happened (the row's line,
    when a row rule failed on it)."""

    def __init__(self, detail: str, line: int | None = None) -> None:
        self.detail, self.line = detail, line
        super().__init__(f"internal error while checking line {line}: {detail}" if line is not None else detail)

    def __reduce__(self):  # a worker's error reaches the parent whole
        return InternalError, (self.detail, self.line)

    def moved(self, lines: int) -> InternalError:
        """The same error in a file whose lines start `lines` further down (a worker's range)."""
        return InternalError(self.detail, self.line + lines) if self.line is not None else self


@dataclass(frozen=True, slots=True)
class CheckedRow:
    """One row's outcome, independent of anything but the row's text and the rules."""

    violations: tuple[Violation, ...]  # placed on the row's line
    facts: tuple[Any, ...]  # one per dataset rule, in the rule set's order (None: no fact)


Bound = tuple[tuple[Rule, Any, dict[str, Any]], ...]  # (rule, function, options): no lookups in the loop


class RowChecker:
    """The rules of one file, bound to its kind, its name and what a report keeps.

    `kind` is what the file is linted as (sft, dpo, rft); with `edits`, the fixes of the
    violations carry the rows they write (see `Fix.as_reported`). The facts kept are the
    dataset rules', then those of the cross-file rules in `keep`. `style` is how the
    file's rows are written, for fixes that follow it (learnt when a fix first asks).
    """

    __slots__ = ("ruleset", "kind", "path", "edits", "style", "fact_codes", "dataset_options", "_collectors", "_line",
                 "_object", "_own", "_inner")

    def __init__(self, ruleset: RuleSet, kind: str, path: str, edits: bool = False, keep: Iterable[Rule] = (),
                 role: str = "training", style: FileStyle | None = None) -> None:
        self.ruleset, self.kind, self.path, self.edits = ruleset, kind, path, edits
        self.style = style if style is not None else FileStyle()
        # What a rule may be told about the run (see `Rule.context`): the file's kind;
        # whether it is a training file, the validation file of one, or a training file
        # checked with no validation file ("unpaired": see `run.check_paths`); its style.
        context = {"file-kind": kind, "file-role": role, "file-style": self.style}
        self._line = self._bind(ruleset.line_rules, context)
        self._object = self._bind(ruleset.object_rules, context)
        if kind == "sft":
            self._own, self._inner = self._bind(ruleset.conversation_rules, context), ()
        else:
            self._own = self._bind(tuple(r for r in ruleset.kind_rules if r.sees == kind), context)
            self._inner = self._bind(tuple(r for r in ruleset.conversation_rules if kind in r.kinds), context)
        rules = (*ruleset.dataset_rules, *keep)
        self.dataset_options = {rule.code: options for rule, _, options in self._bind(ruleset.dataset_rules, context)}
        self.fact_codes = tuple(rule.code for rule in rules)
        self._collectors = tuple((rule.collect, ruleset.options[rule.code]) for rule in rules)

    def _bind(self, rules: tuple[Rule, ...], context: dict[str, Any]) -> Bound:
        options = self.ruleset.options
        return tuple((rule, rule.func, {**options[rule.code], **{k: context[k] for k in rule.context if k in context}}
                      if rule.context else options[rule.code]) for rule in rules)

    def findings(self, row: Row) -> list[tuple[Rule, Any]]:
        """What the row rules find in the row, not yet placed (the fix loop takes these)."""
        found: list[tuple[Rule, Any]] = []
        try:
            is_object = row.obj is not None
            if not is_object or row.bom:
                _run(row, self._line, found)
            if is_object:
                _run(row, self._object, found)
                kind = self.kind
                if row_kind(row) == kind:
                    _run(row, self._own, found)
                    if kind == "dpo":
                        found.extend(inside(row, lambda conversation: _run(conversation, self._inner, [])))
                    elif self._inner:
                        _run(row, self._inner, found)
        except ToolError:
            raise
        except Exception as exc:  # a rule's bug must not become a traceback in the user's face
            raise InternalError(f"{type(exc).__name__}: {exc}", row.line) from exc
        return found

    @property
    def sole_row_rule(self) -> str | None:
        """The code of the one rule that looks at parsed rows, when only one does (`convert`)."""
        rules = (*self._object, *self._own, *self._inner)
        return rules[0][0].code if len(rules) == 1 else None

    def facts(self, row: Row) -> tuple[Any, ...]:
        """The dataset rules' facts of the row."""
        try:
            return tuple([collect(row, options) for collect, options in self._collectors])
        except ToolError:
            raise
        except Exception as exc:
            raise InternalError(f"{type(exc).__name__}: {exc}", row.line) from exc

    def check(self, row: Row) -> CheckedRow:
        return CheckedRow(tuple([self.place(row, rule, f) for rule, f in self.findings(row)]), self.facts(row))

    def place(self, row: Row, rule: Rule, finding: Finding) -> Violation:
        """A finding as a violation on the row's line, with columns (the row's text is at hand)."""
        text = row.text
        span = finding.span or locate(text, finding.pointer, finding.on_key) or whole(text)
        fix = finding.fix.as_reported(self.edits) if finding.fix is not None else None
        return Violation(rule.code, rule.name, self.ruleset.severity[rule.code], finding.message, self.path, row.line,
                         span[0], span[1], finding.pointer, fix, finding.related, snippet(text, *span))


def _run(row: Row, group: Bound, found: list) -> list:
    for rule, func, options in group:
        for finding in func(row, options):
            found.append((rule, finding))
    return found


def whole(text: str) -> tuple[int, int]:
    """The span of a whole line, without its surrounding whitespace."""
    stripped = text.lstrip()
    start = len(text) - len(stripped)
    return start, start + len(stripped.rstrip())


def snippet(text: str, start: int, end: int) -> tuple[str, int, bool]:
    """A window of the line around a span, for excerpts: (text, its offset, whether the line goes on)."""
    lo = max(0, start - SNIPPET_CONTEXT)
    hi = min(len(text), min(max(end, start + 1), start + 2 * SNIPPET_CONTEXT) + SNIPPET_CONTEXT)
    return text[lo:hi], lo, hi < len(text)
