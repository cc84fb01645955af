"""`tunelint check`: the linter. ruff's vocabulary and exit codes (0 clean, 1 problems, 2 error).

This shell parses options, asks the engine (`check_paths`, or `check_bytes` for stdin)
and renders its report; nothing here judges a row.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import click

from ..lint.checker import InternalError
from ..lint.engine import check_bytes
from ..lint.run import check_paths
from ..lint.files import Discovered, discover
from ..lint.model import FileReport, Report, Severity, ToolError, Violation
from ..lint.report import (FORMATS, PLAIN, SHOWS_EDITS, Palette, Tally, plural, render_chunks, statistics,
                           statistics_json, summary)
from ..lint.settings import Settings
from ..lint.workers import default_jobs
from .common import OutputFormat, fail, selection_options, settings_for
from .main import EXIT_CLEAN, EXIT_ERROR, EXIT_VIOLATIONS, __version__
from .progress import Progress
from .style import colour_option, palette_for, width_for

# `text` is the human format, as in `rule` and `stats`: here it means `full`.
CHECK_FORMATS = (*FORMATS, "text")
STATISTICS_FORMATS = ("full", "concise", "text", "json")  # ruff prints statistics as text or JSON


@dataclass(frozen=True)
class CheckOptions:
    """What the command line asks of a check, beyond which files and rules."""

    output_format: str
    fix: bool
    unsafe_fixes: bool
    exit_zero: bool
    strict: bool
    show_statistics: bool
    quiet: bool
    force_exclude: bool
    stdin_filename: str | None
    no_progress: bool
    jobs: int | None
    validation: str | None
    color: bool | None = None
    diff: bool = False
    fix_only: bool = False
    exit_non_zero_on_fix: bool = False
    show_settings: bool = False
    show_files: bool = False
    output_file: str | None = None

    @property
    def edits(self) -> bool:
        return self.output_format in SHOWS_EDITS  # the formats that show what a fix writes

    @property
    def human(self) -> bool:
        return self.output_format in ("full", "concise")


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@selection_options
@click.option("--output-format", type=OutputFormat(CHECK_FORMATS), envvar="TUNELINT_OUTPUT_FORMAT", default="full",
              show_default=True, help="How to print diagnostics (also TUNELINT_OUTPUT_FORMAT); `text` is `full`.")
@click.option("-o", "--output-file", metavar="PATH", envvar="TUNELINT_OUTPUT_FILE",
              help="Write the diagnostics to this file instead of stdout (also TUNELINT_OUTPUT_FILE).")
@click.option("--fix", is_flag=True, help="Apply safe fixes in place.")
@click.option("--unsafe-fixes", is_flag=True, help="With --fix, apply unsafe fixes too.")
@click.option("--fix-only", is_flag=True, help="Apply fixes, but do not report what is left nor exit 1 for it (implies --fix).")
@click.option("--diff", is_flag=True, help="Write nothing: print a unified diff of what --fix would change; exit 1 if it "
                                           "would change anything (implies --fix-only).")
@click.option("--exit-non-zero-on-fix", is_flag=True, help="Exit 1 when any fix was applied, even if nothing is left.")
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
@click.option("--show-settings", is_flag=True, help="Print the settings that apply to the first file, and where each comes from.")
@click.option("--show-files", is_flag=True, help="Print the files that would be checked, and stop.")
@colour_option
def check(paths, select, extend_select, ignore, exclude, config, model, kind, **options) -> None:
    """Check JSONL datasets: files, folders (every *.jsonl inside) or - for stdin."""
    if options["output_format"] == "text":
        options["output_format"] = "full"
    if options["diff"]:
        options["fix_only"] = True
    if options["fix_only"]:
        options["fix"] = True
    opts = CheckOptions(**options)
    if opts.show_statistics and opts.output_format not in STATISTICS_FORMATS:
        fail(f"--statistics prints text or json, not {opts.output_format}")
    paths = paths or (".",)
    if opts.validation and opts.validation not in paths:
        paths = (*paths, opts.validation)
    settings = settings_for(paths, config, select=select, extend_select=extend_select, ignore=ignore,
                            exclude=exclude, model=model, kind=kind)
    _refuse_unknown_model(settings)
    found = discover(list(paths), settings, force_exclude=opts.force_exclude)
    if opts.show_settings or opts.show_files:
        from .show import show_files, show_settings

        if opts.show_settings:
            show_settings(paths, found, settings, config, dict(select=select, extend_select=extend_select,
                          ignore=ignore, exclude=exclude, model=model, kind=kind), opts)
        else:
            show_files(found, opts.stdin_filename)
        for error in found.errors:
            click.echo(f"tunelint: error: {error}", err=True)
        raise SystemExit(EXIT_ERROR if found.errors else EXIT_CLEAN)
    for error in found.errors:
        click.echo(f"tunelint: error: {error}", err=True)
    if opts.diff:
        from .fix_diff import print_diff

        raise SystemExit(print_diff(found, settings, opts))
    try:
        report = _run(found, settings, opts)
    except InternalError as exc:
        fail(f"{exc}. Please report this with the line that caused it.")
    except ToolError as exc:
        fail(str(exc))
    tally = _print_to_output(report, found, opts)
    if not found.files and not found.stdin and not found.errors:
        where = ", ".join(paths) if len(paths) <= 3 else f"the {len(paths):,} paths given"  # pre-commit passes many
        click.echo(f"tunelint: warning: no .jsonl files found under {where} (or all are excluded)", err=True)
    for r in report.files:
        if r.unsettled:
            shown = ", ".join(map(str, r.unsettled[:10])) + (", ..." if len(r.unsettled) > 10 else "")
            click.echo(f"tunelint: warning: {r.path}: fixes on {plural(len(r.unsettled), 'row')} "
                       f"undid each other and were left as they were (line{'s' if len(r.unsettled) != 1 else ''} {shown})",
                       err=True)
    errors = [r.error for r in report.files if r.error]
    for error in errors:
        click.echo(f"tunelint: error: {error}", err=True)
    if errors or found.errors:
        raise SystemExit(EXIT_ERROR)
    if opts.exit_non_zero_on_fix and report.fixes and not opts.exit_zero:
        raise SystemExit(EXIT_VIOLATIONS)
    if opts.fix_only:
        raise SystemExit(EXIT_CLEAN)
    raise SystemExit(exit_code(tally, opts.strict, opts.exit_zero))


def _refuse_unknown_model(settings: Settings) -> None:
    """An unknown model is a usage error, before any work (when a token rule needs one)."""
    if any(code.startswith("TLK") for code in settings.enabled):
        from ..lint.models import model_facts

        try:
            model_facts(settings.model, settings.models)
        except ToolError as exc:
            fail(str(exc))


def _run(found: Discovered, settings: Settings, opts: CheckOptions) -> Report:
    report = Report()
    if found.stdin:
        report.files.append(_check_stdin(settings, opts))
    progress = Progress(0 if opts.no_progress else sum(_size(p) for p in found.files))
    try:
        checked = check_paths(found.files, settings, jobs=opts.jobs or default_jobs(), fix=opts.fix,
                              unsafe_fixes=opts.unsafe_fixes, edits=opts.edits, on_progress=progress.advance,
                              validation=Path(opts.validation) if opts.validation else None)
    finally:
        progress.close()
    report.files.extend(checked.files)
    return report


def _check_stdin(settings: Settings, opts: CheckOptions) -> FileReport:
    name = opts.stdin_filename or "-"
    data = sys.stdin.buffer.read()
    fixes = 0
    if opts.fix:
        from ..lint.fix import apply_fixes

        # As ruff does: the fixed text goes to stdout, diagnostics to stderr.
        data, outcome = apply_fixes(data, settings, name, unsafe=opts.unsafe_fixes)
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        fixes = outcome.fixes
    report = check_bytes(data, name, settings, opts.edits)
    report.fixes = fixes
    report.unsettled = sorted({line for line, _ in outcome.unsettled}) if opts.fix else []
    return report


def _print_to_output(report: Report, found: Discovered, opts: CheckOptions) -> Tally:
    """The report on stdout, or in --output-file (written atomically: a run that fails
    half-way leaves the file that was there)."""
    if not opts.output_file:
        # With `- --fix` stdout carries the fixed data, so diagnostics go to stderr (as ruff).
        out = sys.stderr if found.stdin and opts.fix else sys.stdout
        return _print(report, found, opts, out, palette_for(out, opts.color))
    from ..lint.atomic import AtomicWriter

    target = Path(opts.output_file)
    try:
        if target.exists() and not target.is_file():  # /dev/stdout, a named pipe: written as it is
            with open(target, "w", encoding="utf-8", errors="surrogateescape") as stream:
                return _print(report, found, opts, stream, palette_for(stream, True) if opts.color else None)
        target.parent.mkdir(parents=True, exist_ok=True)
        with AtomicWriter(target) as writer:
            out = _EncodingWriter(writer)
            # A file gets colour only when asked for by --color: FORCE_COLOR is for terminals and pipes.
            return _print(report, found, opts, out, palette_for(out, True) if opts.color else None)
    except OSError as exc:
        fail(f"cannot write {opts.output_file}: {exc.strerror or exc}")
        raise  # unreachable: fail exits


class _EncodingWriter:
    """Text to an atomic writer of bytes (a name that is not UTF-8 keeps its own bytes)."""

    def __init__(self, writer) -> None:
        self.writer = writer

    def write(self, text: str) -> None:
        self.writer.write(text.encode("utf-8", "surrogateescape"))

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


def _print(report: Report, found: Discovered, opts: CheckOptions, out, palette: Palette | None) -> Tally:
    """Write the report as its violations are read (a large one comes back from disk), and
    count them on the way for the closing lines and the exit code."""
    tally = Tally()
    violations = tally.counting(v for r in report.files for v in r.violations)
    if opts.show_statistics or opts.fix_only:
        for _ in violations:
            pass
    if opts.fix_only:
        if not opts.quiet and opts.human:
            out.write(fixed_summary(report.fixes, tally, opts.unsafe_fixes))
        out.flush()
        return tally
    if opts.show_statistics:
        if opts.output_format == "json":
            out.write(statistics_json(tally, opts.unsafe_fixes))
        else:
            out.write(statistics(tally, opts.unsafe_fixes, palette or PLAIN))
    else:
        files = [(r.path, len(r.violations)) for r in report.files]
        width = width_for(out) if opts.output_format == "full" else None
        for chunk in render_chunks(opts.output_format, violations, version=__version__, files=files, width=width,
                                   palette=palette):
            out.write(chunk)
    if opts.human and not opts.quiet:
        fixed = report.fixes
        if opts.fix and fixed:
            out.write(f"Fixed {plural(fixed, 'problem')}.\n")
        unread = any(r.error for r in report.files) or found.errors
        if tally.total or not unread:  # not "All checks passed!" when a file went unread
            out.write(summary(tally, opts.unsafe_fixes, palette or PLAIN))
    out.flush()
    return tally


def fixed_summary(fixed: int, tally: Tally, unsafe_fixes: bool, would: bool = False) -> str:
    """What `--fix-only` (and `--diff`, `would`) says, as ruff: the fixes, and those left to
    `--unsafe-fixes`; nothing when there was nothing to fix."""
    hidden = 0 if unsafe_fixes else tally.unsafe
    verb = "Would fix" if would else "Fixed"
    if hidden:
        more = f"{plural(hidden, 'fix', 'fixes')} available with `--unsafe-fixes`"
        if fixed:
            return f"{verb} {plural(fixed, 'problem')} ({more}).\n"
        return f"No problems {'would be ' if would else ''}fixed ({more}).\n"
    return f"{verb} {plural(fixed, 'problem')}.\n" if fixed else ""


def exit_code(violations: Iterable[Violation] | Tally, strict: bool, exit_zero: bool) -> int:
    if exit_zero:
        return EXIT_CLEAN
    tally = violations if isinstance(violations, Tally) else Tally.of(violations)
    levels = {Severity.ERROR, Severity.WARNING} if strict else {Severity.ERROR}
    return EXIT_VIOLATIONS if any(tally.by_severity[level] for level in levels) else EXIT_CLEAN


def _size(path: Path) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0
