"""A run over files, as `tunelint check` makes one: each file fixed first (with `--fix`),
then checked, then what spans the files (the cross-file rules)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from .crossfile import cross_file_rules, looks_like_validation, pairs_of, run_cross_file
from .engine import FileCheck, Progress, file_check
from .fix import fix_file
from .model import FileReport, Report
from .settings import Settings


def check_paths(paths: Iterable[Path], settings: Settings, *, jobs: int = 1, validation: Path | None = None,
                fix: bool = False, unsafe_fixes: bool = False, on_progress: Progress | None = None,
                edits: bool = False) -> Report:
    """Lint files (already discovered: see `files.discover`), each fixed first with `fix`,
    then what spans them: a validation file's rows that its training file holds
    (`validation`, or files whose names pair up: see `crossfile`)."""
    files = list(paths)
    rules = cross_file_rules(settings)
    pairs = pairs_of(files, validation) if validation is not None or len(files) > 1 else []
    paired = {p for pair in pairs for p in pair} if rules else set()
    validation_files = {valid for _, valid in pairs}
    training_files = {train for train, _ in pairs}
    report = Report()
    checks: dict[Path, FileCheck] = {}
    for path in files:
        fixes, unsettled = 0, []
        if fix:
            try:
                outcome = fix_file(path, settings, unsafe=unsafe_fixes, jobs=jobs)
                fixes, unsettled = outcome.fixes, sorted({line for line, _ in outcome.unsettled})
            except OSError as exc:
                report.files.append(FileReport(str(path), error=f"cannot fix {path}: {exc.strerror or exc}"))
                continue
        role = _role(path, validation_files, training_files)
        checks[path] = file_check(path, settings, None, jobs, on_progress, edits, rules if path in paired else (), role)
        checks[path].report.fixes = fixes
        checks[path].report.unsettled = unsettled
        report.files.append(checks[path].report)
    run_cross_file(pairs, checks, settings)
    return report


def _role(path: Path, validation_files: set[Path], training_files: set[Path]) -> str:
    """What the file is in this run (a rule's `file-role`): "validation", "training" (of a
    pair, or not known), or "unpaired": a training file checked with no validation file
    beside it (neither `--validation` nor a twin name). A file named like a validation file
    is never "unpaired", even checked alone."""
    if path in validation_files:
        return "validation"
    if path in training_files or looks_like_validation(path):
        return "training"
    return "unpaired"
