"""An open document as the server keeps it: its lines, and per-line lint results.

Row rules are pure functions of one line, so a line's result (its placed violations and
its dataset facts) is cached by the line's text and reused whatever its position. An
edit re-checks only the lines it touched; the dataset rules then re-aggregate the
cached facts, which is cheap.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain, compress, count, repeat
from operator import attrgetter, is_, is_not
from typing import Any, NamedTuple

from ..lint.chat import detect_kind
from ..lint.engine import aggregate_rule, check_row, place, place_dataset
from ..lint.facts import FactColumn
from ..lint.model import DatasetFinding, Violation
from ..lint.registry import Rule
from ..lint.settings import RuleSet, Settings
from ..lint.screening import repeated_lines
from ..lint.source import line_text, parse_row
from .cold import check_many


@dataclass(frozen=True, slots=True)
class LineResult:
    violations: tuple[Violation, ...]  # placed on line 0: shifted to the line's number when used
    facts: tuple[Any, ...]  # one per dataset rule, in the rule set's order (None: no fact)


class Document:
    """`lines` is the text split on "\\n" exactly (a final "" after a final newline), so
    client positions map onto it directly; the rows are those lines but that final "".

    A document opened from a text is split on first use: splitting 38 MB copies all of
    it (about 0.1 s), which the first publication of a large document does not wait for
    (it needs only the top rows: `head`).
    """

    def __init__(self, uri: str, path: str, text: str, version: int | None = None) -> None:
        self.uri, self.path, self.version = uri, path, version
        self._lines: list[str] | None = None
        self._text: str | None = text
        self.cache: dict[Any, LineResult] = {}
        self.cache_identity = ""  # the settings the cached results were computed with

    @classmethod
    def from_text(cls, uri: str, path: str, text: str, version: int | None) -> Document:
        return cls(uri, path, text, version)

    @property
    def lines(self) -> list[str]:
        if self._lines is None:
            self._lines, self._text = self._text.split("\n"), None
        return self._lines

    @lines.setter
    def lines(self, lines: list[str]) -> None:
        self._lines, self._text = lines, None

    @property
    def text(self) -> str:
        return self._text if self._lines is None else "\n".join(self._lines)

    @property
    def rows(self) -> list[str]:
        lines = self.lines
        return lines[:-1] if lines and lines[-1] == "" else lines

    def row_count(self) -> int:
        """len(self.rows), without splitting a text not split yet."""
        if self._lines is not None:
            return len(self.rows)
        text = self._text
        return text.count("\n") + (0 if text.endswith("\n") or not text else 1)

    def head(self, count: int) -> list[str]:
        """The first `count` rows (fewer in a shorter document), copying only them."""
        if self._lines is not None:
            return self.rows[:count]
        text, rows, start = self._text, [], 0
        while len(rows) < count and start < len(text):
            end = text.find("\n", start)
            if end < 0:
                end = len(text)
            rows.append(text[start:end])
            start = end + 1
        return rows

    def replace(self, start: tuple[int, int], end: tuple[int, int], new_text: str) -> None:
        """Apply one edit, positions in code points (line, column); untouched lines keep their objects."""
        (sl, sc), (el, ec) = start, end
        lines = self.lines
        last = len(lines) - 1
        sl, el = min(sl, last), min(el, last)
        head = lines[sl][:sc]
        tail = lines[el][ec:]
        lines[sl:el + 1] = (head + new_text + tail).split("\n")


def lint_lines(lines: list[str], path: str, settings: Settings, cache: dict[Any, LineResult]
               ) -> tuple[list[Violation], dict[Any, LineResult]]:
    """All violations of a document, reusing cached line results; returns the cache to keep.

    The cache is keyed by a line's text (the first line by `(True, text)`: only it may hold
    a byte-order mark). Unchanged lines are the same string objects, so lookups do not
    re-hash them. The last lint's outcome (`_Snapshot`) is kept too: an edit is the run
    of lines whose results are not the ones it had, and only that run's violations,
    facts and the dataset rules whose facts it changed are worked out again.
    """
    ruleset = settings.ruleset_for(path)
    kind = _kind(lines, settings, cache)
    if cache.get(_KIND, kind) != kind:
        # The rows' kind changed (chat to DPO, ...): every line means something else now.
        cache = {_KIND_FROM: cache[_KIND_FROM]} if _KIND_FROM in cache else {}
    cache[_KIND] = kind
    # Comprehensions rather than one loop: on an edit nearly every line is a cache hit.
    results: list[LineResult | None] = [cache.get((True, lines[0]))] if lines else []
    results += map(cache.get, lines[1:])
    missing = list(compress(range(len(results)), map(is_, results, repeat(None))))
    # A first lint of a large document goes to every core; an edit's few lines stay here.
    checked = check_many(lines, missing, lambda text, first: _check_line(text, first, path, ruleset, kind))
    if checked is None:
        checked = [_check_line(lines[index], index == 0, path, ruleset, kind) for index in missing]
    for index, result in zip(missing, checked):
        text = lines[index]
        results[index] = cache[text if index else (True, text)] = result
    if len(cache) > 2 * len(lines) + 64:  # drop results of lines that are gone
        kept = {(text if index else (True, text)): result for index, (text, result) in enumerate(zip(lines, results))}
        kept.update({key: cache[key] for key in (_SNAPSHOT, _KIND, _KIND_FROM) if key in cache})
        cache = kept
    snapshot = _update(cache.get(_SNAPSHOT), results, ruleset, lines)
    cache[_SNAPSHOT] = snapshot  # one assignment: a lint running alongside sees the old one or this one, whole

    def texts(wanted: set[int]) -> Iterator[tuple[int, str]]:
        return ((n, line_text(n, _chunk(lines[n - 1]))) for n in sorted(wanted) if 0 < n <= len(lines))

    violations = list(chain.from_iterable(snapshot.placed))
    violations.extend(place_dataset(snapshot.found, path, ruleset, texts))
    violations.sort(key=lambda v: (v.line, v.col, v.code))
    return violations, cache


class _Snapshot(NamedTuple):
    """A lint's outcome, what the next lint of the document starts from (never changed in place)."""

    results: list[LineResult]  # every line's result
    columns: list[list[Any]]  # per dataset rule, the fact of every line (None: none)
    placed: list[tuple[Violation, ...]]  # per line, its row violations on its line number
    aggregated: dict[str, _Aggregated]  # per dataset rule, its findings and what they came from
    exact: dict[tuple[str, bool, str], Any]  # screening rules' exact facts of shared lines, by (code, first line?, text)
    found: list[tuple[Rule, DatasetFinding]]
    codes: tuple[str, ...]  # the dataset rules it ran


def _update(last: _Snapshot | None, results: list[LineResult], ruleset: RuleSet, lines: list[str]) -> _Snapshot:
    """The outcome for `results`, from the last one where it still holds.

    The edit is the run of lines between the longest common head and tail (compared by
    identity, at C speed) of the old and new results. Lines before it keep their placed
    violations; lines after it too when no line was added or removed (else they moved).
    A dataset rule runs again only if a fact in that run changed, or lines moved.
    """
    rules = ruleset.dataset_rules
    codes = tuple(rule.code for rule in rules)
    if last is None or last.codes != codes:
        columns = [list(column) for column in zip(*map(_FACTS, results))] if results else [[] for _ in rules]
        placed = [_placed(result, number) for number, result in enumerate(results, 1)]
        return _Snapshot(results, columns, placed, *_aggregate(ruleset, columns, [True] * len(rules), {}, {}, lines),
                         codes)
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
    return _Snapshot(results, columns, placed, *_aggregate(ruleset, columns, dirty, last.aggregated, last.exact, lines),
                     codes)


_NOTHING: tuple[Violation, ...] = ()


def _placed(result: LineResult, number: int) -> tuple[Violation, ...]:
    return tuple([_moved(v, number) for v in result.violations]) if result.violations else _NOTHING


HEAD_LINES = 300  # about a screenful or five: checked in a few tens of milliseconds


def lint_head(lines: list[str], path: str, settings: Settings, cache: dict[Any, LineResult],
              count: int = HEAD_LINES) -> list[Violation]:
    """The row findings of the first `count` lines, their results cached for the full lint.

    What an editor shows first when it opens a large document: published at once, while
    the rest of the rows and the dataset rules are still being checked.
    """
    ruleset = settings.ruleset_for(path)
    kind = _kind(lines, settings, cache)
    if cache.setdefault(_KIND, kind) != kind:
        return []  # results of another kind: the full lint starts over
    violations: list[Violation] = []
    for index, text in enumerate(lines[:count]):
        key = text if index else (True, text)
        result = cache.get(key)
        if result is None:
            result = cache[key] = _check_line(text, index == 0, path, ruleset, kind)
        violations.extend(_moved(v, index + 1) for v in result.violations)
    return violations


KIND_SAMPLE = 50  # lines the file kind is told from


def _kind(lines: list[str], settings: Settings, cache: dict) -> str:
    """The file kind from its first lines, told again only when one of them changed
    (an edit elsewhere compares 50 strings, mostly by identity, instead of parsing them)."""
    if settings.kind:
        return settings.kind
    head = lines[:KIND_SAMPLE]
    known = cache.get(_KIND_FROM)
    if known is None or known[0] != head:
        known = cache[_KIND_FROM] = (head, detect_kind(parse_row(n + 1, _chunk(text)) for n, text in enumerate(head)))
    return known[1]


# A line result's facts, read at C speed over the lines an edit changed.
_FACTS = attrgetter("facts")

# The cache's entries besides line results (line keys are strings, or `(True, text)` for line 1).
_SNAPSHOT = ("snapshot",)  # the last lint's outcome
_KIND = ("kind",)  # the file kind the cached results were computed for
_KIND_FROM = ("kind from",)  # (the first lines, the kind they tell)


def _aggregate(ruleset: RuleSet, columns: list[list[Any]], dirty: list[bool], previous: dict[str, _Aggregated],
               memo: dict, lines: list[str]
               ) -> tuple[dict[str, _Aggregated], dict, list[tuple[Rule, DatasetFinding]]]:
    """The dataset rules' findings, each rule run again only when its facts changed.

    Most edits change one or two rules' facts (a row's fingerprint, its prompt); the
    other rules keep their findings. A rule that keeps screening keys also depends on
    the text of the lines whose key repeats (their exact facts come from it): an edit
    there, which may leave the key as it was, runs the rule again. Exact facts are kept
    by line text between edits.
    """
    kept: dict[str, _Aggregated] = {}
    kept_memo: dict[tuple[str, bool, str], Any] = {}
    found: list[tuple[Rule, DatasetFinding]] = []
    for rule, column, changed in zip(ruleset.dataset_rules, columns, dirty):
        last = None if changed else previous.get(rule.code)
        if last is not None:
            shared = last.shared
        else:
            shared = repeated_lines(count(1), column) if rule.exact is not None else []
        texts = tuple([lines[n - 1] for n in shared])
        if last is not None and last.texts == texts:
            findings = last.findings
            kept_memo.update((key, memo[key]) for key in _memo_keys(rule, shared, texts) if key in memo)
        elif rule.exact is not None:
            exact = _exact_column(rule, ruleset.options[rule.code], shared, texts, memo, kept_memo)
            findings = aggregate_rule(rule, exact, ruleset)
        else:
            findings = aggregate_rule(rule, _fact_column(column), ruleset)
        kept[rule.code] = _Aggregated(findings, shared, texts)
        found.extend((rule, f) for f in findings)
    return kept, kept_memo, found


class _Aggregated(NamedTuple):
    """A dataset rule's last run in a document: what it found, and the texts it read."""

    findings: list[DatasetFinding]
    shared: list[int]  # screening rules: the lines whose key repeats
    texts: tuple[str, ...]  # and their text, which their exact facts come from


def _memo_keys(rule: Rule, shared: list[int], texts: tuple[str, ...]) -> list[tuple[str, bool, str]]:
    return [(rule.code, n == 1, text) for n, text in zip(shared, texts)]


def _exact_column(rule: Rule, options: Any, shared: list[int], texts: tuple[str, ...], memo: dict, kept: dict
                  ) -> FactColumn:
    """The exact facts of a screening rule's shared lines, parsed again unless known."""
    numbers, facts = [], []
    for n, text, key in zip(shared, texts, _memo_keys(rule, shared, texts)):
        fact = memo.get(key, _UNKNOWN)
        if fact is _UNKNOWN:
            row = parse_row(n, _chunk(text))
            fact = rule.exact(row, options) if row.obj is not None else None
        kept[key] = fact
        if fact is not None:
            numbers.append(n)
            facts.append(fact)
    return FactColumn.from_pairs(numbers, facts)


_UNKNOWN = object()


def _fact_column(column: list[Any]) -> FactColumn:
    """A rule's facts as the column it reads, at C speed (this runs on every edit for the
    columns it changed). Plain lists, not the compact arrays a whole-file lint keeps."""
    nones = column.count(None)
    if nones == len(column):
        return FactColumn.of_lists([], [])
    if nones:
        kept = list(map(is_not, column, repeat(None)))
        return FactColumn.of_lists(list(compress(range(1, len(column) + 1), kept)), list(compress(column, kept)))
    return FactColumn.of_lists(range(1, len(column) + 1), column)


def _check_line(text: str, first: bool, path: str, ruleset: RuleSet, kind: str, edits: bool = False) -> LineResult:
    row = parse_row(1 if first else 2, _chunk(text))
    row.line = 0
    result = check_row(row, ruleset, kind)
    placed = tuple(place(row, rule, finding, path, ruleset, edits) for rule, finding in result.findings)
    return LineResult(placed, result.facts)


def fix_lines(lines: list[str], v: Violation, path: str, settings: Settings, cache: dict[Any, LineResult]
              ) -> tuple[str | bytes, ...] | None:
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
    result = _check_line(lines[index], index == 0, path, settings.ruleset_for(path), _kind(lines, settings, cache), edits=True)
    same = (u.fix for u in result.violations if (u.code, u.pointer, u.message) == (v.code, v.pointer, v.message))
    fix = next(same, None)
    return fix.lines if fix is not None else None


def _chunk(text: str) -> bytes:
    # With its terminator, so a CRLF line's "\\r" is read as part of the line ending.
    return (text + "\n").encode("utf-8", "surrogatepass")


def _moved(v: Violation, line: int) -> Violation:
    return Violation(v.code, v.name, v.severity, v.message, v.path, line, v.col, v.end_col, v.pointer, v.fix,
                     v.related, v.snippet, v.end_line)
