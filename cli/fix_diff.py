"""`tunelint check --diff`: what `--fix` would change, as a unified diff, written nowhere else.

As `ruff check --diff`: the diff on stdout (`patch -p1` and `git apply` take it, see
`convert/diff.py`), "Would fix N problems." on stderr, exit 1 when any fix would apply and
0 when none would; the problems no fix repairs are not listed (run `check` for those).
"""

from __future__ import annotations

import io
import os
import stat
import sys
from pathlib import Path

from ..convert.diff import FileChanged, unified_diff
from ..lint.checker import InternalError
from ..lint.files import Discovered
from ..lint.fix import FixOutcome, apply_fixes, fix_file
from ..lint.model import ToolError
from ..lint.open_file import OpenFile, read_stream
from ..lint.report import Tally
from ..lint.settings import Settings
from ..lint.workers import default_jobs
from .common import fail
from .main import EXIT_CLEAN, EXIT_ERROR, EXIT_VIOLATIONS


def print_diff(found: Discovered, settings: Settings, opts) -> int:
    """Print the diff of every file found; the exit code."""
    fixes = 0
    left = Tally()  # what no fix repaired, for the `--unsafe-fixes` hint
    failed = bool(found.errors)
    given = b""
    try:
        if found.stdin:
            name = opts.stdin_filename or "-"
            given = sys.stdin.buffer.read()
            _, outcome = apply_fixes(given, settings, name, unsafe=opts.unsafe_fixes, keep_changes=True, collect=True)
            _write(name, io.BytesIO(given), outcome)
            fixes += outcome.fixes
            for v in outcome.remaining:
                left.add(v)
        for path in found.files:
            try:
                outcome = _diff_file(path, settings, opts.unsafe_fixes, opts.jobs or default_jobs())
            except FileChanged as exc:
                print(f"tunelint: error: {path} changed while it was read ({exc}); run it again", file=sys.stderr)
                failed = True
                continue
            except OSError as exc:
                print(f"tunelint: error: cannot read {path}: {exc.strerror or exc}", file=sys.stderr)
                failed = True
                continue
            fixes += outcome.fixes
            for v in outcome.remaining:
                left.add(v)
        if not opts.unsafe_fixes:
            for v in _dataset_findings_with_unsafe_fixes(found, settings, opts, given if found.stdin else None):
                left.add(v)
    except InternalError as exc:
        fail(f"{exc}. Please report this with the line that caused it.")
    except ToolError as exc:
        fail(str(exc))
    sys.stdout.flush()
    if not opts.quiet:
        from .check import fixed_summary

        sys.stderr.write(fixed_summary(fixes, left, opts.unsafe_fixes, would=True))
    if failed:
        return EXIT_ERROR
    return EXIT_VIOLATIONS if fixes and not opts.exit_zero else EXIT_CLEAN


def _dataset_findings_with_unsafe_fixes(found: Discovered, settings: Settings, opts, given: bytes | None):
    """What the dataset rules would fix with `--unsafe-fixes` (deleting a later duplicate):
    the fix loop without it never looks, so a check of those rules alone finds them, for
    the hint. Nothing is read when no selected dataset rule has such a fix."""
    codes = [r.code for r in settings.ruleset_for(None).dataset_rules if r.unsafe_fix]
    if not codes:
        return []
    from ..lint.engine import check_bytes
    from ..lint.run import check_paths

    only = settings.with_overrides(select=codes)
    found_ = []
    if given is not None:
        found_.extend(check_bytes(given, opts.stdin_filename or "-", only).violations)
    if found.files:
        found_.extend(check_paths(found.files, only, jobs=opts.jobs or default_jobs()).violations)
    return [v for v in found_ if v.fix is not None]


def _diff_file(path: Path, settings: Settings, unsafe: bool, jobs: int) -> FixOutcome:
    """Fix `path` without writing it and print the diff, its context read again from the
    file that was fixed (a file changed meanwhile prints no half diff: `FileChanged`)."""
    if not stat.S_ISREG(os.stat(path).st_mode):
        given = read_stream(path)  # a pipe is read once
        _, outcome = apply_fixes(given, settings, str(path), unsafe=unsafe, keep_changes=True, collect=True)
        _write(str(path), io.BytesIO(given), outcome)
        return outcome
    with OpenFile(path) as source:
        outcome = fix_file(path, settings, unsafe=unsafe, write=False, keep_changes=True, collect=True,
                           display=str(path), jobs=jobs)
        if source.why_not_rewrite(path):
            raise FileChanged("it is not the file that was fixed")
        _write(str(path), source.lines(), outcome)
    return outcome


def _write(name: str, lines, outcome: FixOutcome) -> None:
    # Whole, or not at all: a file found changed half-way prints no half diff.
    sys.stdout.buffer.write(b"".join(unified_diff(name, lines, outcome.changes)))
