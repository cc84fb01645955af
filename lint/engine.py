"""The engine: rows in, sorted violations out. Never prints, never exits.

A file is read one row at a time. Row rules run while the row is in memory; dataset
rules keep a small fact per row and run when the file is done. Positions are found only
for violations that are reported, from the row's text while it is still at hand (or,
for dataset findings, by reading those few lines again).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .chat import detect_kind, row_kind
from .facts import FactColumn, FactTable
from .model import DatasetFinding, FileReport, Finding, Related, Report, ToolError, Violation
from .pointer import locate
from .preference import inside
from .registry import Rule
from .screening import ExactColumns, ReadRows, ReadTexts, exact_columns, shared_lines
from .settings import RuleSet, Settings
from .source import STREAM_BUFFER, LineIndex, Row, rows_from_bytes, rows_from_stream

SNIPPET_CONTEXT = 60


class InternalError(Exception):
    """A rule failed on a row: a bug in tunelint, reported with where it happened."""


@dataclass
class RowResult:
    """What the rules found in one row, kept independent of the row's line number."""

    findings: list[tuple[Rule, Finding]] = field(default_factory=list)
    facts: tuple[Any, ...] = ()  # one fact per dataset rule, in the ruleset's order (None: none)


def check_row(row: Row, ruleset: RuleSet, kind: str = "chat") -> RowResult:
    """Run the row rules on one row and collect its facts for the dataset rules."""
    result = RowResult()
    found = result.findings
    try:
        is_object = row.obj is not None
        if not is_object or row.bom:
            _run(row, ruleset.bound_line, found)
        if is_object:
            row.cache["file_kind"] = kind
            _run(row, ruleset.bound_object, found)
            if row_kind(row) == kind:
                if kind == "chat":
                    _run(row, ruleset.bound_chat, found)
                else:
                    own, chat = ruleset.bound_kind(kind)
                    _run(row, own, found)
                    if kind == "dpo":
                        found.extend(inside(row, lambda conversation: _run(conversation, chat, [])))
                    else:
                        _run(row, chat, found)
        result.facts = tuple([collect(row, opts) for collect, opts in ruleset.collectors])
    except ToolError:
        raise
    except Exception as exc:  # a rule's bug must not become a traceback in the user's face
        raise InternalError(f"internal error while checking line {row.line}: {type(exc).__name__}: {exc}") from exc
    return result


def _run(row: Row, group, found: list) -> list:
    for rule, func, opts in group:
        for finding in func(row, opts):
            found.append((rule, finding))
    return found


def place(row: Row, rule: Rule, finding: Finding, path: str, ruleset: RuleSet, edits: bool = False) -> Violation:
    """Turn a row finding into a violation with columns, while the row is in memory.

    With `edits`, the violation's fix carries the rows it writes (JSON output, editors);
    without, only its title and applicability (see `Fix.placed`)."""
    text = row.text
    span = finding.span or locate(text, finding.pointer, finding.on_key) or _whole(text)
    fix = finding.fix.placed(edits) if finding.fix is not None else None
    return Violation(rule.code, rule.name, ruleset.severity[rule.code], finding.message, path, row.line,
                     span[0], span[1], finding.pointer, fix, finding.related, snippet(text, *span))


def _whole(text: str) -> tuple[int, int]:
    stripped = text.lstrip()
    start = len(text) - len(stripped)
    return start, start + len(stripped.rstrip())


def snippet(text: str, start: int, end: int) -> tuple[str, int, bool]:
    lo = max(0, start - SNIPPET_CONTEXT)
    hi = min(len(text), min(max(end, start + 1), start + 2 * SNIPPET_CONTEXT) + SNIPPET_CONTEXT)
    return text[lo:hi], lo, hi < len(text)


def aggregate(facts: dict[str, FactColumn], ruleset: RuleSet, read_rows: ReadRows,
              exact: ExactColumns | None = None) -> list[tuple[Rule, DatasetFinding]]:
    """Run the dataset rules over the facts of a whole file.

    Rules that keep screening keys get the exact facts of their shared lines, which
    `read_rows` reads again (once for all such rules; usually a handful of lines), or
    which `exact` works out (several processes share a file's many repeated rows).
    """
    columns = {rule.code: facts.get(rule.code) or FactColumn() for rule in ruleset.dataset_rules}
    plans = {rule.code: (rule.exact, ruleset.options[rule.code], shared_lines(columns[rule.code]))
             for rule in ruleset.dataset_rules if rule.exact is not None}
    columns.update(exact(plans) if exact is not None else exact_columns(plans, read_rows))
    out: list[tuple[Rule, DatasetFinding]] = []
    for rule in ruleset.dataset_rules:
        out.extend((rule, f) for f in aggregate_rule(rule, columns[rule.code], ruleset))
    return out


def aggregate_rule(rule: Rule, column: FactColumn, ruleset: RuleSet) -> list[DatasetFinding]:
    """One dataset rule over its column of facts."""
    try:
        return list(rule.func(column, ruleset.options[rule.code]))
    except Exception as exc:
        raise InternalError(f"internal error in {rule.name}: {type(exc).__name__}: {exc}") from exc


def place_dataset(found: list[tuple[Rule, DatasetFinding]], path: str, ruleset: RuleSet,
                  read_texts: ReadTexts) -> list[Violation]:
    """Dataset findings as violations, their lines read again one at a time as text (a
    file full of duplicates must not hold thousands of rows at once, nor parse them)."""
    by_line: dict[int, list[tuple[Rule, DatasetFinding]]] = {}
    for rule, f in found:
        by_line.setdefault(f.line, []).append((rule, f))
    placed = []
    for line, text in read_texts(set(by_line)) if by_line else ():
        placed.extend(_place_found(rule, f, text, path, ruleset) for rule, f in by_line.pop(line, ()))
    for pairs in by_line.values():  # lines that are gone (the file changed meanwhile)
        placed.extend(_place_found(rule, f, "", path, ruleset) for rule, f in pairs)
    return placed


def _place_found(rule: Rule, f: DatasetFinding, text: str, path: str, ruleset: RuleSet) -> Violation:
    # No pointer: the whole row, which parsed (it has facts), so no need to walk its JSON.
    span = f.span or (locate(text, f.pointer, f.on_key) if f.pointer else None) or _whole(text)
    severity = ruleset.severity[rule.code]
    if f.severity is not None and rule.code not in ruleset.configured_severity:
        severity = f.severity  # the rule's own grading, unless the user set the severity
    return Violation(rule.code, rule.name, severity, f.message, path, f.line,
                     span[0], span[1], f.pointer, f.fix, f.related, snippet(text, *span))


def check_rows(rows: Iterable[Row], path: str, ruleset: RuleSet,
               read_lines: ReadRows, kind: str = "chat",
               on_row: Callable[[Row], None] | None = None, read_texts: ReadTexts | None = None,
               edits: bool = False) -> FileReport:
    report = FileReport(path)
    table = FactTable(r.code for r in ruleset.dataset_rules)
    violations = report.violations
    count = 0
    for row in rows:
        count += 1
        result = check_row(row, ruleset, kind)
        for rule, finding in result.findings:
            violations.append(place(row, rule, finding, path, ruleset, edits))
        table.add(row.line, result.facts)
        if on_row is not None:
            on_row(row)
    report.rows = count
    if read_texts is None:
        def read_texts(wanted: set[int]) -> Iterator[tuple[int, str]]:
            return ((line, row.text) for line, row in read_lines(wanted))
    violations.extend(place_dataset(aggregate(table.flush(), ruleset, read_lines), path, ruleset, read_texts))
    violations.sort(key=lambda v: (v.line, v.col, v.code))
    return report


def _lines_from_rows(rows: list[Row]) -> ReadRows:
    return lambda wanted: ((n, rows[n - 1]) for n in sorted(wanted) if 0 < n <= len(rows))


def check_bytes(data: bytes, path: str = "-", settings: Settings | None = None, edits: bool = False) -> FileReport:
    """Lint JSONL held in memory. With `edits`, fixes carry the rows they write (see `place`)."""
    settings = settings or Settings()
    rows = list(rows_from_bytes(data))
    return check_rows(rows, path, settings.ruleset_for(path), _lines_from_rows(rows), settings.kind or detect_kind(rows),
                      edits=edits)


def check_text(text: str, path: str = "-", settings: Settings | None = None, edits: bool = False) -> FileReport:
    """Lint an editor buffer or any string holding JSONL."""
    return check_bytes(text.encode("utf-8", errors="surrogatepass"), path, settings, edits)


def check_file(path: Path, settings: Settings, display: str | None = None,
               on_row: Callable[[Row], None] | None = None, edits: bool = False) -> FileReport:
    """Lint one file, streaming. With `edits`, fixes carry the rows they write (see `place`)."""
    shown = display or str(path)
    try:
        kind = settings.kind or file_kind(path)
        index = LineIndex()

        def noted(row: Row) -> None:
            index.note(row)
            if on_row is not None:
                on_row(row)

        with path.open("rb", buffering=STREAM_BUFFER) as stream:
            return check_rows(rows_from_stream(stream), shown, settings.ruleset_for(path),
                              lambda wanted: index.read(path, wanted), kind, noted,
                              lambda wanted: index.texts(path, wanted), edits)
    except OSError as exc:
        return FileReport(shown, error=f"cannot read {shown}: {exc.strerror or exc}")


def file_kind(path: Path) -> str:
    """The kind of a file (chat, dpo, rft) from its first rows."""
    with path.open("rb") as stream:
        return detect_kind(rows_from_stream(stream))


def check_paths(paths: Iterable[Path], settings: Settings,
                on_row: Callable[[Row], None] | None = None, edits: bool = False) -> Report:
    """Lint files (already discovered: see `files.discover`)."""
    report = Report()
    for path in paths:
        report.files.append(check_file(path, settings, on_row=on_row, edits=edits))
    return report


__all__ = ["check_bytes", "check_file", "check_paths", "check_row", "check_rows", "check_text", "aggregate", "aggregate_rule",
           "place", "place_dataset", "InternalError", "RowResult", "Related"]
