"""Fix (and convert) one large file on several cores, streaming, in file order.

The file is cut at newlines into pieces of a few MB. Forked workers fix a piece each
with the same `fix_chunks` a single process uses, and send back its bytes and what it
found; the parent writes the pieces in file order and shifts the line numbers of what a
worker reported into place. Only a few pieces are in flight at a time, so memory stays
constant in the file size, whatever the order the workers finish in.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any

from . import parallel
from .fix import FixOutcome, fix_chunks
from .parallel import ranges, read_range
from .settings import RuleSet

PIECE_BYTES = 4 * 1024 * 1024  # small enough to keep memory flat, large enough that messaging is noise
IN_FLIGHT_PER_JOB = 2  # pieces queued per worker: no worker waits, no result piles up

_job: dict[str, Any] = {}  # what forked workers inherit


def can_fix_in_parallel(path: Path, jobs: int, deletions: dict[int, str]) -> bool:
    """Worth it (a large file, several cores) and possible (dataset deletions need the
    file's absolute line numbers, which a piece does not know)."""
    if jobs <= 1 or deletions:
        return False
    try:
        if path.stat().st_size < parallel.MIN_PARALLEL_BYTES:
            return False
    except OSError:
        return False
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


def _fix_piece(span: tuple[int, int]) -> tuple[bytes, FixOutcome]:
    start, end = span
    outcome = FixOutcome()
    # Only the file's first line may carry a byte-order mark: number later pieces from 2.
    data = b"".join(fix_chunks(read_range(_job["path"], start, end), _job["ruleset"], unsafe=_job["unsafe"],
                               kind=_job["kind"], outcome=outcome, keep_changes=_job["keep_changes"],
                               path=_job["display"], first_line=1 if start == 0 else 2))
    if start != 0:
        outcome.changes = [(line - 1, before, after) for line, before, after in outcome.changes]
    return data, outcome


def fix_pieces(path: Path, ruleset: RuleSet, jobs: int, *, unsafe: bool, kind: str, outcome: FixOutcome,
               keep_changes: bool = False, display: str | None = None,
               on_chunk: Callable[[int], None] | None = None) -> Iterator[bytes]:
    """The fixed file's bytes, piece by piece in order; `outcome` sums the pieces'.

    With `display`, what no fix repaired goes to `outcome.remaining` at its output line.
    """
    import multiprocessing

    spans = ranges(path, max(jobs, path.stat().st_size // PIECE_BYTES + 1))
    _job.update(path=path, ruleset=ruleset, unsafe=unsafe, kind=kind, keep_changes=keep_changes, display=display)
    try:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            pending = iter(spans)
            waiting = deque((span, pool.apply_async(_fix_piece, (span,)))
                            for span in islice(pending, jobs * IN_FLIGHT_PER_JOB))
            while waiting:
                (start, end), result = waiting.popleft()
                data, piece = result.get()
                _merge(outcome, piece)
                if on_chunk is not None:
                    on_chunk(end - start)
                yield data
                following = next(pending, None)
                if following is not None:
                    waiting.append((following, pool.apply_async(_fix_piece, (following,))))
    finally:
        _job.clear()


def _merge(total: FixOutcome, piece: FixOutcome) -> None:
    """Add a piece's counts, its lines moved down past the pieces before it."""
    for line, before, after in piece.changes:
        total.changes.append((line + total.rows, before, after))
    for violation in piece.remaining:
        violation.line += total.rows_written
        total.remaining.append(violation)
    total.rows += piece.rows
    total.rows_written += piece.rows_written
    total.rows_changed += piece.rows_changed
    total.fixes += piece.fixes
    for code, count in piece.by_rule.items():
        total.by_rule[code] = total.by_rule.get(code, 0) + count
