"""`tunelint check`: the linter. ruff's vocabulary and exit codes (0 clean, 1 problems, 2 error)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from ..lint.engine import InternalError, check_bytes
from ..lint.parallel import check_file_parallel, default_jobs
from ..lint.files import discover
from ..lint.model import FileReport, Severity, ToolError, Violation
from ..lint.report import FORMATS, SHOWS_EDITS, render, statistics, summary
from ..lint.settings import KINDS
from .common import fail, selection_options, settings_for
from .main import EXIT_CLEAN, EXIT_ERROR, EXIT_VIOLATIONS, __version__
from .progress import Progress


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@selection_options
@click.option("--output-format", type=click.Choice(FORMATS), envvar="TUNELINT_OUTPUT_FORMAT", default="full",
              show_default=True, help="How to print diagnostics (also TUNELINT_OUTPUT_FORMAT).")
@click.option("--fix", is_flag=True, help="Apply safe fixes in place.")
@click.option("--unsafe-fixes", is_flag=True, help="With --fix, apply unsafe fixes too.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when problems are found.")
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too, not only errors.")
@click.option("--statistics", "show_statistics", is_flag=True, help="Print how often each rule fired instead of each problem.")
@click.option("-q", "--quiet", is_flag=True, help="Print diagnostics only, no summary.")
@click.option("--force-exclude", is_flag=True, help="Apply exclusions to files named on the command line too (for pre-commit).")
@click.option("--stdin-filename", metavar="PATH", help="The name to report (and match config against) for `-`.")
@click.option("--model", metavar="MODEL", help="The model to fine-tune (for the token rules).")
@click.option("--kind", type=click.Choice(["sft", "dpo", "rft"]), help="The kind of dataset, if not detected.")
@click.option("--no-progress", is_flag=True, help="Never show a progress bar.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, help="Processes for large files (default: the number of cores).")
@click.option("--validation", type=click.Path(dir_okay=False), help="The validation file of the training files checked (overlap check).")
def check(paths, select, extend_select, ignore, exclude, config, output_format, fix, unsafe_fixes, exit_zero,
          strict, show_statistics, quiet, force_exclude, stdin_filename, model, kind, no_progress, jobs,
          validation) -> None:
    """Check JSONL datasets: files, folders (every *.jsonl inside) or - for stdin."""
    paths = paths or (".",)
    if validation and validation not in paths:
        paths = (*paths, validation)
    settings = settings_for(paths, config, select=select, extend_select=extend_select, ignore=ignore,
                            exclude=exclude, model=model, kind=KINDS.get(kind))
    if any(code.startswith("TLK") for code in settings.enabled):
        from ..lint.tokens import model_facts

        try:
            model_facts(settings.model, settings.models)  # an unknown model is a usage error, before any work
        except ToolError as exc:
            fail(str(exc))
    found = discover(list(paths), settings, force_exclude=force_exclude)
    for missing in found.missing:
        click.echo(f"tunelint: error: {missing}: no such file or directory", err=True)

    reports: list[FileReport] = []
    fixed_total = 0
    edits = output_format in SHOWS_EDITS
    try:
        if found.stdin:
            report, fixed = _check_stdin(settings, stdin_filename or "-", fix, unsafe_fixes, edits)
            reports.append(report)
            fixed_total += fixed
        total = sum(_size(p) for p in found.files)
        progress = Progress(0 if no_progress else total)
        for path in found.files:
            if fix:
                from ..lint.fix import fix_file

                try:
                    outcome = fix_file(path, settings, unsafe=unsafe_fixes, jobs=jobs or default_jobs())
                    fixed_total += outcome.fixes
                except OSError as exc:
                    reports.append(FileReport(str(path), error=f"cannot fix {path}: {exc.strerror or exc}"))
                    continue
            reports.append(check_file_parallel(path, settings, jobs or default_jobs(), on_bytes=progress.advance, edits=edits))
        progress.close()
        if validation or len(found.files) > 1:
            _add_overlaps(reports, found.files, settings, validation)
    except InternalError as exc:
        fail(f"{exc}. Please report this with the line that caused it.")
    except ToolError as exc:
        fail(str(exc))

    violations = [v for r in reports for v in r.violations]
    # With `- --fix` stdout carries the fixed data, so diagnostics go to stderr (as ruff).
    out = sys.stderr if found.stdin and fix else sys.stdout
    if show_statistics:
        out.write(statistics(violations))
    else:
        out.write(render(output_format, violations, version=__version__))
    io_errors = [r for r in reports if r.error]
    if output_format in ("full", "concise") and not quiet and not show_statistics:
        if fix and fixed_total:
            out.write(f"Fixed {fixed_total} problem{'s' if fixed_total != 1 else ''}.\n")
        if violations or not (io_errors or found.missing):  # not "All checks passed!" when a file went unread
            out.write(summary(violations, unsafe_fixes))
    out.flush()

    if not found.files and not found.stdin and not found.missing:
        where = ", ".join(paths) if len(paths) <= 3 else f"the {len(paths)} paths given"  # pre-commit passes many
        click.echo(f"tunelint: warning: no .jsonl files found under {where} (or all are excluded)", err=True)
    for r in io_errors:
        click.echo(f"tunelint: error: {r.error}", err=True)
    if io_errors or found.missing:
        raise SystemExit(EXIT_ERROR)
    raise SystemExit(exit_code(violations, strict, exit_zero))


def _add_overlaps(reports: list[FileReport], files: list[Path], settings, validation: str | None) -> None:
    """train-validation-overlap: the one rule that looks across files."""
    from ..lint.overlap import cross_file

    by_path = {r.path: r for r in reports}
    for valid, violations in cross_file(files, settings, Path(validation) if validation else None).items():
        report = by_path.get(str(valid))
        if report is not None and report.error is None:
            report.violations.extend(violations)
            report.violations.sort(key=lambda v: (v.line, v.col, v.code))


def exit_code(violations: list[Violation], strict: bool, exit_zero: bool) -> int:
    if exit_zero:
        return EXIT_CLEAN
    levels = {Severity.ERROR, Severity.WARNING} if strict else {Severity.ERROR}
    return EXIT_VIOLATIONS if any(v.severity in levels for v in violations) else EXIT_CLEAN


def _size(path: Path) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def _check_stdin(settings, name: str, fix: bool, unsafe: bool, edits: bool) -> tuple[FileReport, int]:
    data = sys.stdin.buffer.read()
    fixed = 0
    if fix:
        from ..lint.fix import apply_fixes

        # As ruff does: the fixed text goes to stdout, diagnostics to stderr.
        data, outcome = apply_fixes(data, settings, name, unsafe=unsafe)
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        fixed = outcome.fixes
    return check_bytes(data, name, settings, edits), fixed
