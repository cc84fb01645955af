"""`tunelint convert`: rewrite legacy function-format rows in the `tools` format (and back)."""

from __future__ import annotations

import io
import os
import stat
import sys
from pathlib import Path

import click

from ..cli.common import fail, settings_for
from ..cli.main import EXIT_CLEAN, EXIT_ERROR, EXIT_VIOLATIONS
from ..cli.progress import Progress
from ..lint.checker import InternalError
from ..lint.files import discover
from ..lint.open_file import OpenFile, read_stream
from ..lint.workers import default_jobs
from ..lint.report import plural, render_concise
from . import Conversion, convert_bytes, convert_file
from .diff import FileChanged, unified_diff


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--to", "target", type=click.Choice(["tools", "legacy", "dpo"]), default="tools", show_default=True,
              help="The format to convert to (dpo: from chosen/rejected pairs).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the result here (one input file).")
@click.option("--in-place", is_flag=True, help="Rewrite each file in place, atomically.")
@click.option("--check", "check_only", is_flag=True,
              help="Write nothing; exit 1 if any row would change, 0 if none would. Rows that cannot be converted "
                   "are listed on stderr and make it exit 2 (as `ruff format --check` does for a file it cannot parse).")
@click.option("--diff", "show_diff", is_flag=True,
              help="Write nothing; print a unified diff of what would change. Apply it with `patch -p1` or "
                   "`git apply` from the folder tunelint ran in; a path that is absolute or goes up (..) is "
                   "named from / (`patch -p1 -d /`, `git -C / apply`), and stdin as - (`patch FILE`).")
@click.option("--split-parallel", is_flag=True, help="(unsafe) Split parallel calls into consecutive single calls for --to legacy.")
@click.option("--force-exclude", is_flag=True, help="Apply exclusions to files named on the command line too.")
@click.option("--config", type=click.Path(dir_okay=False), help="Use this tunelint.toml or pyproject.toml.")
@click.option("--no-progress", is_flag=True, help="Never show a progress bar.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, help="Processes for large files (default: the number of cores).")
def convert(paths, target, output, in_place, check_only, show_diff, split_parallel, force_exclude, config, no_progress,
            jobs) -> None:
    """Convert datasets between the legacy function format and the `tools` format.

    Rows that need no change stay byte for byte as they were; converted rows keep their
    key order and the file's JSON style. Rows that cannot be converted are left as they
    are and reported, and the rest of the file is still converted.
    """
    if not paths:
        raise click.UsageError("name the files or folders to convert (or - for stdin)")
    settings = settings_for(paths, config)
    modes = sum([bool(output), in_place, check_only, show_diff])
    if modes > 1:
        raise click.UsageError("choose one of --output, --in-place, --check and --diff")
    found = discover(list(paths), settings, force_exclude=force_exclude)
    for error in found.errors:
        click.echo(f"tunelint: error: {error}", err=True)
    if found.errors:
        raise SystemExit(EXIT_ERROR)
    sources = len(found.files) + int(found.stdin)
    writing_elsewhere = not (in_place or check_only or show_diff)
    if writing_elsewhere and sources != 1:
        raise click.UsageError("several inputs: use --in-place, --check or --diff (or --output with one file)")

    try:
        _convert(found, settings, target, output, in_place, check_only, show_diff, split_parallel, no_progress, jobs)
    except InternalError as exc:  # a rule's bug: a clear error (exit 2), never a traceback; the file is intact
        fail(f"{exc}. Please report this with the line that caused it.")


def _convert(found, settings, target, output, in_place, check_only, show_diff, split_parallel, no_progress, jobs) -> None:
    writing_elsewhere = not (in_place or check_only or show_diff)
    if found.stdin:
        given = sys.stdin.buffer.read()
        data, conversion = convert_bytes(given, settings, target, split_parallel=split_parallel, keep_changes=show_diff)
        if show_diff:
            _write_diff("-", io.BytesIO(given), conversion)
        elif writing_elsewhere and not output:
            sys.stdout.buffer.write(data)
        elif output:
            from ..lint.fix import atomic_write

            atomic_write(Path(output), [data])
        _finish([conversion], check_only or show_diff, quiet_stdout=writing_elsewhere and not output)
        return

    if in_place:
        for path in found.files:
            _ensure_writable(path)
    progress = Progress(0 if no_progress else sum(_size(p) for p in found.files), label="converting")
    conversions: list[Conversion] = []
    for path in found.files:
        to_stdout = writing_elsewhere and not output
        try:
            if to_stdout:
                data, conversion = convert_bytes(read_stream(path), settings, target, split_parallel=split_parallel,
                                                 name=str(path))
                sys.stdout.buffer.write(data)
            elif show_diff:
                conversion = _diff_file(path, settings, target, split_parallel, progress.advance, jobs or default_jobs())
            else:
                conversion = convert_file(
                    path, settings, target, split_parallel=split_parallel,
                    output=Path(output) if output else None, write=not check_only,
                    on_progress=progress.advance, display=str(path), jobs=jobs or default_jobs())
        except OSError as exc:
            progress.close()
            fail(f"cannot convert {path}: {exc.strerror or exc}")
        except FileChanged as exc:
            progress.close()
            fail(f"{path} changed while it was read ({exc}); run it again")
        except InternalError:
            progress.close()
            raise
        conversions.append(conversion)
    progress.close()
    _finish(conversions, check_only or show_diff, quiet_stdout=writing_elsewhere and not output)


def _ensure_writable(path: Path) -> None:
    """--in-place must be able to write the file back (and its temporary file beside it)."""
    target = path.resolve()
    if not os.access(target, os.W_OK) or not os.access(target.parent, os.W_OK | os.X_OK):
        fail(f"{path}: cannot write it back in place (permission denied); nothing was converted")


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _diff_file(path: Path, settings, target: str, split_parallel: bool, on_progress, jobs: int) -> Conversion:
    """Convert `path` without writing it and print the diff, its context read again from
    the file that was converted."""
    if not stat.S_ISREG(os.stat(path).st_mode):
        # A pipe is read once, and opened once: a reader that opens and closes it first can lose what it held.
        given = read_stream(path)
        _, conversion = convert_bytes(given, settings, target, split_parallel=split_parallel, name=str(path),
                                      keep_changes=True)
        _write_diff(str(path), io.BytesIO(given), conversion)
        return conversion
    with OpenFile(path) as source:
        conversion = convert_file(path, settings, target, split_parallel=split_parallel, write=False,
                                  keep_changes=True, on_progress=on_progress, display=str(path), jobs=jobs)
        if source.why_not_rewrite(path):  # written to or replaced since it was opened
            raise FileChanged("it is not the file that was converted")
        _write_diff(str(path), source.lines(), conversion)
    return conversion


def _write_diff(name: str, lines, conversion: Conversion) -> None:
    # Whole, or not at all: a file found changed half-way prints no half diff.
    sys.stdout.buffer.write(b"".join(unified_diff(name, lines, conversion.outcome.changes)))


def _finish(conversions: list[Conversion], dry_run: bool, quiet_stdout: bool) -> None:
    stream = sys.stderr
    problems = [v for c in conversions for v in c.problems]
    if problems:
        stream.write(render_concise(problems))
    converted = sum(c.rows_converted for c in conversions)
    rows = sum(c.outcome.rows for c in conversions)
    verb = "would convert" if dry_run else "converted"
    stream.write(f"{plural(len(conversions), 'file')}: {verb} {plural(converted, 'row')}, left {rows - converted:,} "
                 f"alone, {plural(len(problems), 'problem')}.\n")
    if dry_run:
        # As `ruff format --check`: 1 when something would change, 2 when something cannot
        # be converted (it is listed above), 0 when the files are as they should be.
        if problems:
            stream.write(f"tunelint: error: {plural(len(problems), 'row')} cannot be converted (listed above)\n")
        raise SystemExit(EXIT_ERROR if problems else EXIT_VIOLATIONS if converted else EXIT_CLEAN)
    raise SystemExit(EXIT_VIOLATIONS if problems else EXIT_CLEAN)
