"""Incremental linting of a document being edited: re-check only what an edit touched.

A row's outcome (`CheckedRow`: its violations and its dataset facts) depends only on its
text, so a `Session` keeps each line's by text and reuses it wherever the line moves.
After an edit only the lines whose text is new are checked; the dataset rules run
again only where their facts changed (or, for the rules that read lines again, where
those lines did); the rest keep what they found. The result is always what `check_text`
gives for the same text: the engine's `RowChecker` and dataset stage do the work.

`lines` are the document split on "\\n" without the empty string after a final newline,
exactly as `check_text` reads rows from the text. Calls on one session run one at a
time (the first lint of a large document shares its rows out over the cores).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping
from itertools import compress, count, repeat
from operator import attrgetter, is_, is_not
from typing import Any, NamedTuple

from .aggregate import RuleRun, findings_of, place_dataset, run_dataset_rules
from .checker import CheckedRow, RowChecker
from .facts import FactColumn
from .file_style import FileStyle
from .kinds import sample_kind
from .model import Fix, Violation
from .screening import Plans, ascending
from .settings import Settings
from .source import Row, line_text, parse_row
from .workers import default_jobs, fork_map

HEAD_LINES = 300  # about a screenful or five: checked in a few tens of milliseconds
MIN_PARALLEL_LINES = 2000  # new lines to check before sharing them out over the cores pays
_FACTS = attrgetter("facts")


class Session:
    def __init__(self, path: str, settings: Settings, jobs: int | None = None) -> None:
        self.path = path
        self.settings = settings
        self.ruleset = settings.ruleset_for(path)
        self.jobs = default_jobs() if jobs is None else jobs
        self._lock = threading.Lock()
        self._results: dict[Any, CheckedRow] = {}  # by line text (line 1 by `(True, text)`: only it may hold a BOM)
        self._kind: _Kind | None = None
        self._checker: RowChecker | None = None
        self._last: _Snapshot | None = None

    # --- what a client asks for -----------------------------------------------------------

    @property
    def is_new(self) -> bool:
        """Nothing linted yet: the first lint checks every row (a large one takes a while)."""
        return self._last is None

    def lint(self, lines: list[str]) -> list[Violation]:
        """Every violation of the document, as `check_text` of its text gives them."""
        with self._lock:
            checker = self._checker_for(lines)
            results = self._checked(lines, checker)
            snapshot = self._last = _update(self._last, results, checker, lines)
            violations = [v for placed in snapshot.placed for v in placed]
            violations.extend(place_dataset(findings_of(self.ruleset, snapshot.runs), self.path, self.ruleset,
                                            lambda wanted: _texts(lines, wanted)))
            violations.sort(key=lambda v: (v.line, v.col, v.code))
            return violations

    def head(self, lines: list[str], count: int = HEAD_LINES) -> list[Violation]:
        """The row findings of the first `count` lines, their outcomes kept for the full lint:
        what an editor shows first of a large document, while the rest is being checked."""
        with self._lock:
            checker = self._checker_for(lines)
            top = lines[:count]
            results = self._checked(top, checker, parallel=False)
            return [_moved(v, number) for number, result in enumerate(results, 1) for v in result.violations]

    def fix_lines(self, lines: list[str], v: Violation) -> tuple[str | bytes, ...] | None:
        """The rows a violation's quick fix writes, from its line as the document has it now.

        A lint keeps only a fix's title (a conversion is written for the one fix asked for,
        not for every row of a legacy file): the line is checked again with edits, and the
        same finding's fix is taken. None when the line no longer has that finding.
        """
        if v.fix is not None and v.fix.lines is not None:
            return v.fix.lines
        index = v.line - 1
        if not 0 <= index < len(lines):
            return None
        with self._lock:
            checker = self._checker_for(lines)
        # The document is the file: a fix that follows the file's style learns it from these lines.
        editing = RowChecker(self.ruleset, checker.kind, self.path, edits=True,
                             style=FileStyle(lambda: (_row(text, n == 1) for n, text in enumerate(lines, 1))))
        row = _row(lines[index], index == 0)
        same = (editing.place(row, rule, f) for rule, f in editing.findings(row))
        fix: Fix | None = next((u.fix for u in same if (u.code, u.pointer, u.message) == (v.code, v.pointer, v.message)),
                               None)
        return fix.lines if fix is not None else None

    # --- the rows -------------------------------------------------------------------------

    def _checker_for(self, lines: list[str]) -> RowChecker:
        kind = self.settings.kind or self._told_kind(lines)
        if self._checker is None or self._checker.kind != kind:
            # Another kind (chat to DPO, ...): every line means something else now.
            self._checker = RowChecker(self.ruleset, kind, self.path)
            self._results, self._last = {}, None
        return self._checker

    def _told_kind(self, lines: list[str]) -> str:
        """The document's kind from its first parsed rows, as `detect_kind` tells it, told
        again only when one of the lines it was told from changed (an edit elsewhere
        compares those lines, mostly by identity, instead of parsing them)."""
        known = self._kind
        if known is not None and lines[:len(known.lines)] == known.lines and (known.complete or len(lines) == len(known.lines)):
            return known.kind
        kind, read, complete = sample_kind(_row(text, number == 1) for number, text in enumerate(lines, 1))
        self._kind = _Kind(lines[:read], kind, complete)
        return kind

    def _checked(self, lines: list[str], checker: RowChecker, parallel: bool = True) -> list[CheckedRow]:
        """Every line's outcome, from the kept ones where the text is known."""
        known = self._results
        # Comprehensions rather than one loop: on an edit nearly every line is known.
        results: list[CheckedRow | None] = [known.get((True, lines[0]))] if lines else []
        results += map(known.get, lines[1:])
        missing = list(compress(range(len(results)), map(is_, results, repeat(None))))
        if not missing:
            return results  # type: ignore[return-value]

        def check(share: list[int]) -> list[CheckedRow]:
            return [_check(checker, lines[index], index == 0) for index in share]

        if parallel and self.jobs > 1 and len(missing) >= MIN_PARALLEL_LINES:
            # A first lint of a large document goes to every core; an edit's few lines stay here.
            step = -(-len(missing) // (self.jobs * 4))
            shares = [missing[start:start + step] for start in range(0, len(missing), step)]
            checked = [result for part in fork_map(check, shares, self.jobs) for result in part]
        else:
            checked = check(missing)
        for index, result in zip(missing, checked):
            text = lines[index]
            results[index] = known[text if index else (True, text)] = result
        if len(known) > 2 * len(lines) + 64:  # forget the outcomes of lines that are gone
            self._results = {(text if index else (True, text)): result
                             for index, (text, result) in enumerate(zip(lines, results))}
        return results  # type: ignore[return-value]


class _Kind(NamedTuple):
    lines: list[str]  # the lines it was told from
    kind: str
    complete: bool  # told from a full sample: later lines cannot change it


def _row(text: str, first: bool) -> Row:
    # With its terminator, so a CRLF line's "\r" is read as part of the line ending.
    return parse_row(1 if first else 2, (text + "\n").encode("utf-8", "surrogatepass"))


def _check(checker: RowChecker, text: str, first: bool) -> CheckedRow:
    row = _row(text, first)
    row.line = 0  # placed on line 0: moved to the line's number when used
    return checker.check(row)


def _texts(lines: list[str], wanted: Iterable[int]) -> Iterator[tuple[int, str]]:
    return ((n, line_text(n, (lines[n - 1] + "\n").encode("utf-8", "surrogatepass")))
            for n in ascending(wanted) if 0 < n <= len(lines))


def _moved(v: Violation, line: int) -> Violation:
    return Violation(v.code, v.name, v.severity, v.message, v.path, line, v.col, v.end_col, v.pointer, v.fix,
                     v.related, v.snippet, v.end_line, v.file_level)


_NOTHING: tuple[Violation, ...] = ()


def _placed(result: CheckedRow, number: int) -> tuple[Violation, ...]:
    return tuple([_moved(v, number) for v in result.violations]) if result.violations else _NOTHING


# --- the dataset stage, again where it changed ---------------------------------------------

class _Snapshot(NamedTuple):
    """A lint's outcome, what the next lint of the document starts from (never changed in place)."""

    results: list[CheckedRow]  # every line's outcome
    columns: list[list[Any]]  # per dataset rule, the fact of every line (None: none)
    placed: list[tuple[Violation, ...]]  # per line, its row violations on its line number
    runs: dict[str, RuleRun]  # per dataset rule, its last run
    texts: dict[str, tuple[str, ...]]  # per screening rule, the texts of its shared lines
    exact: dict[tuple[str, bool, str], Any]  # screening rules' exact facts, by (code, first line?, text)


def _update(last: _Snapshot | None, results: list[CheckedRow], checker: RowChecker, lines: list[str]) -> _Snapshot:
    """The outcome for `results`, from the last one where it still holds.

    The edit is the run of lines between the longest common head and tail (compared by
    identity, at C speed) of the old and new results. Lines before it keep their placed
    violations; lines after it too when no line was added or removed (else they moved).
    A dataset rule runs again only if a fact in that run changed, or lines moved.
    """
    rules = checker.ruleset.dataset_rules
    if last is None:
        columns = [list(column) for column in zip(*map(_FACTS, results))] if results else [[] for _ in rules]
        placed = [_placed(result, number) for number, result in enumerate(results, 1)]
        return _Snapshot(results, columns, placed, *_aggregate(checker, columns, [True] * len(rules), None, lines))
    old, new = len(last.results), len(results)
    head = next(compress(count(), map(is_not, results, last.results)), min(old, new))
    tail = next(compress(count(), map(is_not, reversed(results), reversed(last.results))), min(old, new))
    tail = min(tail, min(old, new) - head)
    old_end, new_end = old - tail, new - tail
    run = results[head:new_end]
    pieces = list(zip(*map(_FACTS, run))) if run else [() for _ in rules]
    moved = old != new
    columns, dirty = [], []
    for column, piece in zip(last.columns, pieces):
        dirty.append(moved or tuple(column[head:old_end]) != piece)
        columns.append(column[:head] + list(piece) + column[old_end:])
    placed = last.placed[:head] + [_placed(result, number) for number, result in enumerate(run, head + 1)]
    if moved:
        placed += [_placed(result, number) for number, result in enumerate(results[new_end:], new_end + 1)]
    else:
        placed += last.placed[old_end:]
    return _Snapshot(results, columns, placed, *_aggregate(checker, columns, dirty, last, lines))


def _aggregate(checker: RowChecker, columns: list[list[Any]], dirty: list[bool], last: _Snapshot | None,
               lines: list[str]) -> tuple[dict[str, RuleRun], dict[str, tuple[str, ...]], dict]:
    """The dataset rules' runs, each rule run again only when its facts changed.

    Most edits change one or two rules' facts (a row's fingerprint, its prompt); the
    other rules keep their findings. A rule that keeps screening keys also depends on
    the text of the lines whose key repeats (their exact facts come from it): an edit
    there, which may leave the key as it was, runs the rule again. Exact facts are kept
    by line text between edits.
    """
    ruleset = checker.ruleset
    kept: dict[str, RuleRun] = {}
    for rule, changed in zip(ruleset.dataset_rules, dirty):
        previous = None if changed or last is None else last.runs.get(rule.code)
        if previous is not None and last.texts.get(rule.code, ()) == _shared_texts(lines, previous.shared):
            kept[rule.code] = previous
    memo = last.exact if last is not None else {}
    fresh: dict[tuple[str, bool, str], Any] = {}

    def exact(plans: Plans) -> dict[str, FactColumn]:
        return {code: _exact_column(code, func, options, lines_, lines, memo, fresh)
                for code, (func, options, lines_) in plans.items()}

    by_code = {rule.code: column for rule, column in zip(ruleset.dataset_rules, columns)}
    runs = run_dataset_rules(ruleset, _Columns(by_code), exact, kept, checker.dataset_options)
    texts = {rule.code: _shared_texts(lines, runs[rule.code].shared) for rule in ruleset.dataset_rules
             if rule.exact is not None}
    for code, run in kept.items():  # their exact facts are still those of the same lines
        fresh.update((key, memo[key]) for key in _memo_keys(code, run.shared, texts.get(code, ())) if key in memo)
    return runs, texts, fresh


def _shared_texts(lines: list[str], shared: list[int]) -> tuple[str, ...]:
    return tuple([lines[n - 1] for n in shared if 0 < n <= len(lines)])


def _memo_keys(code: str, shared: list[int], texts: tuple[str, ...]) -> list[tuple[str, bool, str]]:
    return [(code, n == 1, text) for n, text in zip(shared, texts)]


_UNKNOWN = object()


def _exact_column(code: str, func: Any, options: Any, shared: list[int], lines: list[str], memo: dict, fresh: dict
                  ) -> FactColumn:
    """The exact facts of a screening rule's shared lines, parsed again unless known."""
    numbers, facts = [], []
    for n in shared:
        text = lines[n - 1]
        key = (code, n == 1, text)
        fact = memo.get(key, _UNKNOWN)
        if fact is _UNKNOWN:
            row = _row(text, n == 1)
            row.line = n
            fact = func(row, options) if row.obj is not None else None
        fresh[key] = fact
        if fact is not None:
            numbers.append(n)
            facts.append(fact)
    return FactColumn.from_pairs(numbers, facts)


class _Columns(Mapping[str, FactColumn]):
    """The rules' fact columns, built only for the rules that run (this runs on every edit)."""

    def __init__(self, positional: dict[str, list[Any]]) -> None:
        self._positional = positional

    def __getitem__(self, code: str) -> FactColumn:
        return FactColumn.from_positional(self._positional[code])

    def get(self, code: str, default: Any = None) -> Any:
        return self[code] if code in self._positional else default

    def __iter__(self) -> Iterator[str]:
        return iter(self._positional)

    def __len__(self) -> int:
        return len(self._positional)


__all__ = ["Session", "HEAD_LINES"]
