"""Check one large file on several cores: byte ranges cut at newlines, one process each.

Workers run the row rules on their range and return violations and per-row facts with
line numbers local to the range; the parent shifts them into place and runs the dataset
rules once over all the facts, exactly as a single process would.
"""

from __future__ import annotations

import os
from array import array
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from .engine import aggregate, check_file, check_row, file_kind, place, place_dataset
from .facts import FactColumn, FactTable
from .model import FileReport, Violation
from .settings import RuleSet, Settings
from .screening import Plans, ReadRows, exact_columns
from .source import STREAM_BUFFER, LineIndex, Row, parse_row

MIN_PARALLEL_BYTES = 8 * 1024 * 1024  # below this, starting processes costs more than it saves
CHUNKS_PER_JOB = 16  # several ranges per worker even out the load

_job: dict[str, Any] = {}  # what forked workers inherit: the settings and the file


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def ranges(path: Path, pieces: int) -> list[tuple[int, int]]:
    """Byte ranges that start at a line start and together cover the file."""
    size = path.stat().st_size
    cuts = [0]
    with path.open("rb") as stream:
        for n in range(1, pieces):
            stream.seek(max(cuts[-1], size * n // pieces))
            stream.readline()  # move to the start of the next line
            position = stream.tell()
            if position >= size:
                break
            if position > cuts[-1]:
                cuts.append(position)
    cuts.append(size)
    return [(a, b) for a, b in zip(cuts, cuts[1:]) if b > a]


def read_range(path: Path, start: int, end: int) -> Iterator[bytes]:
    """The lines (with their terminators) of a range that `ranges` cut."""
    with path.open("rb", buffering=STREAM_BUFFER) as stream:
        stream.seek(start)
        position = start
        while position < end:
            chunk = stream.readline()
            if not chunk:
                return
            position += len(chunk)
            yield chunk


def _check_range(span: tuple[int, int]) -> tuple[int, int, list[Violation], dict[str, FactColumn], LineIndex]:
    start, end = span
    settings: Settings = _job["settings"]
    path: Path = _job["path"]
    ruleset = settings.ruleset_for(path)
    kind = _job["kind"]
    violations: list[Violation] = []
    table = FactTable(r.code for r in ruleset.dataset_rules)
    index = LineIndex()  # line starts within the range
    local = 0
    for chunk in read_range(path, start, end):
        local += 1
        # parse_row treats line 1 as the place for a byte-order mark: only the first range has it.
        row = parse_row(local if start == 0 else local + 1, chunk)
        index.note(row)
        row.line = local
        result = check_row(row, ruleset, kind)
        for rule, finding in result.findings:
            violations.append(place(row, rule, finding, _job["display"], ruleset, _job["edits"]))
        table.add(local, result.facts)
    return start, local, violations, table.flush(), index


def check_file_parallel(path: Path, settings: Settings, jobs: int, display: str | None = None,
                        on_bytes: Callable[[int], None] | None = None, edits: bool = False) -> FileReport:
    """Like `check_file`, spread over `jobs` processes when the file is large enough."""
    shown = display or str(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        return FileReport(shown, error=f"cannot read {shown}: {exc.strerror or exc}")
    import multiprocessing  # only for large files: it is not free to import

    if jobs <= 1 or size < MIN_PARALLEL_BYTES or "fork" not in multiprocessing.get_all_start_methods():
        return check_file(path, settings, display, on_row=(lambda row: on_bytes(len(row.raw) + len(row.eol))) if on_bytes else None,
                          edits=edits)
    spans = ranges(path, jobs * CHUNKS_PER_JOB)
    _job.update(settings=settings, path=path, display=shown, kind=settings.kind or file_kind(path), edits=edits)
    ruleset = settings.ruleset_for(path)
    report = FileReport(shown)
    merged = _Merged(report, ruleset, [start for start, _ in spans])
    try:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            for part in pool.imap_unordered(_check_range, spans):
                merged.add(part)  # while the workers go on: the parent is otherwise idle
                if on_bytes is not None:
                    start = part[0]
                    on_bytes(next(b - a for a, b in spans if a == start))
            report.rows = merged.rows
            index = merged.index

            def read(wanted: set[int]) -> Iterator[tuple[int, Row]]:
                return index.read(path, wanted)

            def exact(plans: Plans) -> dict[str, FactColumn]:
                return _exact_on_workers(plans, index, pool, jobs, read)

            found = aggregate(merged.facts, ruleset, read, exact)
    except OSError as exc:
        return FileReport(shown, error=f"cannot read {shown}: {exc.strerror or exc}")
    finally:
        _job.clear()

    def texts(wanted: set[int]) -> Iterator[tuple[int, str]]:
        return index.texts(path, wanted)

    report.violations.extend(place_dataset(found, shown, ruleset, texts))
    report.violations.sort(key=lambda v: (v.line, v.col, v.code))
    return report


MIN_PARALLEL_EXACT = 500  # rows to read again before sharing the work is worth its messages


def _exact_on_workers(plans: Plans, index: LineIndex, pool, jobs: int, read: ReadRows) -> dict[str, FactColumn]:
    """The exact facts of the rows whose screening keys repeat, worked out by the pool.

    A file with many repeated rows has thousands to read again, parse and fingerprint.
    Their lines are cut into `jobs` runs; each worker does one with the same
    `exact_columns` a single process uses, and the columns are joined in line order.
    """
    wanted = sorted({line for _, _, lines in plans.values() for line in lines})
    if len(wanted) < MIN_PARALLEL_EXACT:
        return exact_columns(plans, read)
    size = -(-len(wanted) // jobs)
    tasks = []
    for first in range(0, len(wanted), size):
        low, high = wanted[first], wanted[min(first + size, len(wanted)) - 1]
        share = {code: (func, options, [n for n in lines if low <= n <= high])
                 for code, (func, options, lines) in plans.items()}
        tasks.append((share, index.starts))  # 8 bytes a line: the worker seeks as the parent would
    columns = {code: FactColumn() for code in plans}
    for part in pool.map(_exact_run, tasks):  # in order: runs of ascending lines
        for code, column in part.items():
            columns[code].extend_shifted(column, 0)
    return columns


def _exact_run(task: tuple[Plans, array]) -> dict[str, FactColumn]:
    plans, starts = task
    index = LineIndex()
    index.starts = starts
    path: Path = _job["path"]
    return exact_columns(plans, lambda wanted: index.read(path, wanted))


class _Merged:
    """The ranges' results joined in file order as they arrive (in any order): each
    range's lines are shifted past the rows of the ranges before it."""

    def __init__(self, report: FileReport, ruleset: RuleSet, starts: list[int]) -> None:
        self.report = report
        self.order = iter(starts)
        self.facts = {r.code: FactColumn() for r in ruleset.dataset_rules}
        self.index = LineIndex()
        self.rows = 0
        self.next_start = next(self.order, None)
        self.waiting: dict[int, tuple] = {}  # ranges that arrived before the one they follow

    def add(self, part: tuple) -> None:
        self.waiting[part[0]] = part
        while self.next_start in self.waiting:
            start, count, violations, part_facts, part_index = self.waiting.pop(self.next_start)
            self.index.starts.extend(map(start.__add__, part_index.starts))
            for v in violations:
                v.line += self.rows
            self.report.violations.extend(violations)
            # Most rules keep a fact on every row: their columns' lines are equal, shift them once.
            source = shifted = None
            for code, column in part_facts.items():
                if source is None or column.lines != source:
                    source, shifted = column.lines, array("q", map(self.rows.__add__, column.lines))
                self.facts[code].extend_shifted(column, shifted)
            self.rows += count
            self.next_start = next(self.order, None)
