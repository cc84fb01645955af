"""The engine: files in, sorted violations out. Never prints, never exits.

A file is read one row at a time (`scan`): the `RowChecker` runs the row rules while the
row is in memory and keeps the dataset rules' small facts. A large file is scanned in
byte ranges on several processes (`workers`), the ranges' results joined in file order.
When the rows are done the dataset stage runs over the facts (`aggregate`); its few
findings are placed by reading their lines again. A run over several files (`run`)
adds the cross-file rules (`crossfile`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .aggregate import findings_of, place_dataset, run_dataset_rules
from .checker import InternalError, RowChecker
from .facts import FactColumn, FactTable
from .file_style import FileStyle
from .kinds import detect_kind
from .model import FileReport, Violation, violation_order
from .open_file import NotRegularFile, OpenFile, read_stream
from .registry import Rule
from .screening import Plans, ReadRows, ascending, exact_columns
from .settings import Settings
from .source import LineIndex, Row, rows_from_bytes, rows_from_lines
from .spill import SortedSpill
from .workers import fork_map, worth_parallel

RANGES_PER_JOB = 16  # several ranges per worker even out the load
RANGE_BYTES = 16 * 1024 * 1024  # and none so large that what a worker sends back is large
MIN_PARALLEL_EXACT = 500  # rows to read again before sharing the work is worth its messages

Progress = Callable[[int], None]  # told the bytes read as a check goes


@dataclass
class Scan:
    """What the row pass over a run of lines found: violations, facts, where lines start.
    A file's violations may move to disk as they grow (`SortedSpill`); a worker's range
    keeps them in a list, to send back."""

    violations: list[Violation] | SortedSpill[Violation] = field(default_factory=lambda: SortedSpill(violation_order))
    columns: dict[str, FactColumn] = field(default_factory=dict)
    index: LineIndex = field(default_factory=LineIndex)
    rows: int = 0

    def extend(self, part: Scan, offset: int) -> None:
        """Append the scan of the range that starts at byte `offset` and follows this one."""
        for v in part.violations:
            v.line += self.rows
        self.violations.extend(part.violations)
        # Most rules keep a fact on every row: their columns' lines are equal, shift them once.
        source = shifted = None
        for code, column in part.columns.items():
            if source is None or column.lines != source:
                source, shifted = column.lines, FactColumn.shifted_lines(column.lines, self.rows)
            self.columns.setdefault(code, FactColumn()).extend_shifted(column, shifted)
        self.index.extend(part.index, offset)
        self.rows += part.rows


def scan(rows: Iterable[Row], checker: RowChecker, on_row: Callable[[Row], None] | None = None,
         worker: bool = False) -> Scan:
    """Check rows one at a time, keeping their violations, their facts and their line starts
    (a `worker`'s scan of one range keeps them in memory, to send them back)."""
    found = Scan(index=LineIndex(may_spill=not worker))
    if worker:
        found.violations = []
    table = FactTable(code for code in checker.fact_codes)
    violations, index, check, add = found.violations, found.index, checker.check, table.add
    for row in rows:
        index.note(row)
        checked = check(row)
        if checked.violations:
            violations.extend(checked.violations)
        add(row.line, checked.facts)
        if on_row is not None:
            on_row(row)
    found.rows = len(index)
    found.columns = table.flush()
    return found


def finish(found: Scan, checker: RowChecker, read_rows: ReadRows,
           read_texts: Callable[[Iterable[int]], Iterable[tuple[int, str]]],
           exact: Callable[[Plans], dict[str, FactColumn]] | None = None) -> SortedSpill[Violation]:
    """The scan's violations with the dataset rules' added, in order."""
    ruleset = checker.ruleset
    runs = run_dataset_rules(ruleset, found.columns, exact or (lambda plans: exact_columns(plans, read_rows)),
                             options=checker.dataset_options)
    violations = found.violations
    if not isinstance(violations, SortedSpill):
        violations = SortedSpill(violation_order, violations)
    violations.extend(place_dataset(findings_of(ruleset, runs), checker.path, ruleset, read_texts))
    return violations


# --- in memory -----------------------------------------------------------------------------

def check_bytes(data: bytes, path: str = "-", settings: Settings | None = None, edits: bool = False) -> FileReport:
    """Lint JSONL held in memory. With `edits`, fixes carry the rows they write (see `Fix.as_reported`)."""
    return _check_in_memory(data, path, settings or Settings(), edits, ()).report


def check_text(text: str, path: str = "-", settings: Settings | None = None, edits: bool = False) -> FileReport:
    """Lint an editor buffer or any string holding JSONL."""
    return check_bytes(text.encode("utf-8", errors="surrogatepass"), path, settings, edits)


@dataclass
class FileCheck:
    """A file's report, and what the cross-file rules need of it (when asked to keep it):
    the facts of the rules kept, and a way to read lines of it again as text."""

    report: FileReport
    kept: dict[str, FactColumn] = field(default_factory=dict)
    reread: Callable[[set[int]], Iterable[tuple[int, str]]] | None = None


def _check_in_memory(data: bytes, path: str, settings: Settings, edits: bool, keep: tuple[Rule, ...],
                     role: str = "training") -> FileCheck:
    rows = list(rows_from_bytes(data))
    checker = RowChecker(settings.ruleset_for(path), settings.kind or detect_kind(rows), path, edits, keep=keep, role=role,
                         style=FileStyle(lambda: rows))
    found = scan(rows, checker)

    def read_rows(wanted: Iterable[int]) -> Iterator[tuple[int, Row]]:
        return ((n, rows[n - 1]) for n in ascending(wanted) if 0 < n <= len(rows))

    def read_texts(wanted: Iterable[int]) -> Iterator[tuple[int, str]]:
        return ((n, row.text) for n, row in read_rows(wanted))

    report = FileReport(path, finish(found, checker, read_rows, read_texts), found.rows)
    return FileCheck(report, {rule.code: found.columns[rule.code] for rule in keep}, read_texts if keep else None)


# --- files ---------------------------------------------------------------------------------

def check_file(path: Path, settings: Settings, display: str | None = None, *, jobs: int = 1,
               on_progress: Progress | None = None, edits: bool = False) -> FileReport:
    """Lint one file, streaming (on `jobs` processes when it is large).

    With `edits`, fixes carry the rows they write (see `Fix.as_reported`)."""
    return file_check(path, settings, display, jobs, on_progress, edits, ()).report


def file_check(path: Path, settings: Settings, display: str | None, jobs: int, on_progress: Progress | None,
               edits: bool, keep: tuple[Rule, ...], role: str = "training") -> FileCheck:
    """`check_file`, keeping what the cross-file rules in `keep` need of the file; `role`
    says whether it is a training file or a validation file."""
    shown = display or str(path)
    try:
        with OpenFile(path) as source:
            checker = file_checker(source, settings, shown, edits, keep, role)
            if worth_parallel(source.size, jobs):
                found, exact = _scan_in_parallel(source, checker, jobs, on_progress)
            else:
                on_row = (lambda row: on_progress(len(row.raw) + len(row.eol))) if on_progress else None
                found, exact = scan(rows_from_lines(source.lines()), checker, on_row), None
            index = found.index
            violations = finish(found, checker, lambda wanted: index.read(source, wanted),
                                lambda wanted: index.texts(source, wanted), exact)
            if source.changed():  # lines moved under the reading: what was found may sit elsewhere now
                return FileCheck(FileReport(shown, error=f"{shown} changed while it was checked; check it again"))
    except NotRegularFile:  # a FIFO, a device: read once, into memory (it cannot be read again)
        try:
            data = read_stream(path)
        except OSError as exc:
            return FileCheck(FileReport(shown, error=f"cannot read {shown}: {exc.strerror or exc}"))
        return _check_in_memory(data, shown, settings, edits, keep, role)
    except OSError as exc:
        return FileCheck(FileReport(shown, error=f"cannot read {shown}: {exc.strerror or exc}"))

    def reread(wanted: Iterable[int]) -> Iterator[tuple[int, str]]:
        try:
            with OpenFile(path) as again:
                yield from index.texts(again, wanted)
        except OSError:  # gone since: the findings keep their lines, without columns
            return

    kept = {rule.code: found.columns[rule.code] for rule in keep}
    return FileCheck(FileReport(shown, violations, found.rows), kept, reread if keep else None)


def file_checker(source: OpenFile, settings: Settings, shown: str, edits: bool = False,
                 keep: tuple[Rule, ...] = (), role: str = "training") -> RowChecker:
    """The checker of a file: its rules, its kind (set, or told from its first rows) and
    its style (learnt from its first rows if a fix asks, while `source` is open)."""
    kind = settings.kind or detect_kind(rows_from_lines(source.lines()))
    return RowChecker(settings.ruleset_for(source.path), kind, shown, edits, keep=keep, role=role,
                      style=FileStyle(lambda: rows_from_lines(source.lines())))


def _scan_in_parallel(source: OpenFile, checker: RowChecker, jobs: int, on_progress: Progress | None
                      ) -> tuple[Scan, Callable[[Plans], dict[str, FactColumn]]]:
    """The file's byte ranges scanned on `jobs` processes and joined in file order, and the
    way to work out exact facts on processes too (a file with many repeated rows has
    thousands of lines to read again, parse and fingerprint)."""
    spans = source.ranges(max(jobs * RANGES_PER_JOB, -(-source.size // RANGE_BYTES)))
    if checker.edits:  # the fixes are written: every worker writes them in the style learnt once, here
        checker.style.learn()

    def scan_range(span: tuple[int, int]) -> Scan:
        start, end = span
        # parse_row takes line 1 as the place of a byte-order mark: only the first range has it.
        rows = rows_from_lines(source.lines(start, end), 1 if start == 0 else 2)
        if start:
            rows = _renumbered(rows)
        return scan(rows, checker, worker=True)

    found = Scan(columns={})
    try:
        for (start, end), part in zip(spans, fork_map(scan_range, spans, jobs)):
            found.extend(part, start)
            if on_progress is not None:
                on_progress(end - start)
    except InternalError as error:  # raised in its range's turn: the ranges before it are in
        raise error.moved(found.rows) from None

    def exact(plans: Plans) -> dict[str, FactColumn]:
        wanted = sorted({line for _, _, lines in plans.values() for line in lines})
        index = found.index
        if len(wanted) < MIN_PARALLEL_EXACT:
            return exact_columns(plans, lambda lines: index.read(source, lines))
        size = -(-len(wanted) // jobs)
        shares = []
        for first in range(0, len(wanted), size):
            low, high = wanted[first], wanted[min(first + size, len(wanted)) - 1]
            shares.append({code: (func, options, [n for n in lines if low <= n <= high])
                           for code, (func, options, lines) in plans.items()})
        columns = {code: FactColumn() for code in plans}
        for part in fork_map(lambda share: exact_columns(share, lambda lines: index.read(source, lines)), shares, jobs):
            for code, column in part.items():
                columns[code].extend_shifted(column, 0)
        return columns

    return found, exact


def _renumbered(rows: Iterator[Row]) -> Iterator[Row]:
    for row in rows:
        row.line -= 1
        yield row


__all__ = ["check_bytes", "check_file", "check_text", "scan", "finish", "InternalError",
           "Scan"]
