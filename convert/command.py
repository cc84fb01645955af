"""`tunelint convert`: rewrite rows between OpenAI's two function formats, from preference
pairs to DPO, and between OpenAI's tools format and other trainers' dialects."""

from __future__ import annotations

import io
from dataclasses import dataclass
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
from ..lint.atomic import atomic_write
from ..lint.open_file import NotRegularFile, OpenFile, read_stream
from ..lint.workers import default_jobs
from ..lint.report import plural, render_concise
from . import Conversion, convert_bytes, convert_file
from .diff import FileChanged, unified_diff
from .dialects import SOURCES, TARGETS
from .dialects.run import DialectConversion, MixedDialects, convert_data, convert_path, detect_lines

FORMAT_TARGETS = ("tools", "legacy", "dpo")


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--to", "target", type=click.Choice([*FORMAT_TARGETS, "openai", *TARGETS]), default="tools",
              show_default=True,
              help="What to write. tools: legacy function rows in the tools format; legacy: the reverse; dpo: "
                   "chosen/rejected pairs as DPO rows; openai: any dialect read here (detected, or --from) in "
                   "OpenAI's tools format; mistral, trl, sharegpt, vertex: that trainer's dialect.")
@click.option("--from", "source", type=click.Choice(SOURCES),
              help="The dialect the files are in, instead of detecting it from their rows (hf: the Hugging Face/TRL "
                   "tool format; conversations: OpenAI-style turns under `conversations`).")
@click.option("--allow-loss", is_flag=True,
              help="Convert rows even where the target cannot hold something (a weight, text beside a call, strict); "
                   "what was dropped is still reported, row by row.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the result here (one input file).")
@click.option("--in-place", is_flag=True, help="Rewrite each file in place, atomically.")
@click.option("--check", "check_only", is_flag=True,
              help="Write nothing; exit 1 if any row would change, 0 if none would. Rows that cannot be converted "
                   "are listed on stderr and make it exit 2 (as `ruff format --check` does for a file it cannot parse).")
@click.option("--diff", "show_diff", is_flag=True,
              help="Write nothing; print a unified diff of what would change (exit code as --check). Apply it with "
                   "`patch -p1` or `git apply` from the folder tunelint ran in; a path that is absolute or goes up "
                   "(..) is named from / (`patch -p1 -d /`, `git -C / apply`), and stdin as - (`patch FILE`).")
@click.option("--split-parallel", is_flag=True, help="(unsafe) Split parallel calls into consecutive single calls for --to legacy.")
@click.option("--force-exclude", is_flag=True, help="Apply exclusions to files named on the command line too.")
@click.option("--config", type=click.Path(dir_okay=False), help="Use this tunelint.toml or pyproject.toml.")
@click.option("--no-progress", is_flag=True, help="Never show a progress bar.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, help="Processes for large files (default: the number of cores).")
def convert(paths, target, source, allow_loss, output, in_place, check_only, show_diff, split_parallel, force_exclude,
            config, no_progress, jobs) -> None:
    """Convert datasets between formats and dialects.

    Rows that need no change stay byte for byte as they were; converted rows keep their
    key order and the file's JSON style. Rows that cannot be converted are left as they
    are and reported at their line, and the rest of the file is still converted; the
    exit code is then 1.

    \b
    Dialects read (detected per file from its rows, or --from):
      hf             the Hugging Face / TRL tool format (arguments as objects, no ids)
      sharegpt       ShareGPT / LLaMA-Factory (conversations of from/value)
      conversations  OpenAI-style turns under `conversations`
      cohere         Cohere's chat roles (User, Chatbot, System)
      vertex         Gemini tuning rows (contents of parts)
      preference     TRL's and Fireworks' chosen/rejected layouts (to DPO rows)
    A file whose rows are in two dialects is not guessed at: name one with --from.

    \b
    Examples:
      tunelint convert hf_tools.jsonl --to openai -o train.jsonl
      tunelint convert train.jsonl --to mistral -o mistral.jsonl
      tunelint convert train.jsonl --to trl -o trl.jsonl
      tunelint convert train.jsonl --to vertex -o gemini.jsonl
      tunelint convert data/ --to openai --check
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
    if found.stdin and in_place:
        raise click.UsageError("stdin (-) cannot be rewritten in place: use --output, or read from a file")
    sources = len(found.files) + int(found.stdin)
    writing_elsewhere = not (in_place or check_only or show_diff)
    if writing_elsewhere and sources != 1:
        raise click.UsageError("several inputs: use --in-place, --check or --diff (or --output with one file)")

    if source is not None and target in FORMAT_TARGETS:
        raise click.UsageError("--from goes with --to openai, mistral, trl, sharegpt or vertex")
    if allow_loss and target in FORMAT_TARGETS:
        raise click.UsageError("--allow-loss goes with --to openai, mistral, trl, sharegpt or vertex "
                               "(--to legacy has --split-parallel)")
    options = _Options(target, source, allow_loss, output, in_place, check_only, show_diff, split_parallel, no_progress,
                       jobs)
    try:
        _convert(found, settings, options)
    except MixedDialects as exc:
        fail(f"the rows are in several dialects: {exc}; name the one to read with --from")
    except InternalError as exc:  # a rule's bug: a clear error (exit 2), never a traceback; the file is intact
        fail(f"{exc}. Please report this with the line that caused it.")


@dataclass
class _Options:
    target: str
    source: str | None
    allow_loss: bool
    output: str | None
    in_place: bool
    check_only: bool
    show_diff: bool
    split_parallel: bool
    no_progress: bool
    jobs: int | None

    @property
    def writing_elsewhere(self) -> bool:
        return not (self.in_place or self.check_only or self.show_diff)


def _plan(options: _Options, detected: str | None) -> tuple[str, str | None]:
    """("format", the fix rule's target) for a conversion the format rules make, or
    ("dialect", the source dialect) for one through the dialect converters."""
    if options.target in FORMAT_TARGETS:
        return "format", options.target
    source = options.source or detected
    if options.target == "openai" and source == "openai":
        # Already OpenAI's: what is left is the legacy format (the tools rule's fix).
        return "format", "tools"
    return "dialect", source


def _detected(lines):
    detection = detect_lines(lines)
    if detection.dialect is None:
        raise MixedDialects(detection)
    return detection


def _convert(found, settings, options: _Options) -> None:
    to_stdout = options.writing_elsewhere and not options.output
    dry_run = options.check_only or options.show_diff
    if found.stdin:
        given = sys.stdin.buffer.read()
        needs_detection = options.target not in FORMAT_TARGETS and options.source is None
        detection = _detected(io.BytesIO(given)) if needs_detection else None
        how, what = _plan(options, detection.dialect if detection else None)
        if how == "format":
            if detection is not None:
                sys.stderr.write(f"-: read as {detection.describe()}\n")
            data, conversion = convert_bytes(given, settings, what, split_parallel=options.split_parallel,
                                             keep_changes=options.show_diff)
        else:
            data, conversion = convert_data(given, "-", what, options.target, allow_loss=options.allow_loss,
                                            keep_changes=options.show_diff)
            conversion.detection = detection
        if options.show_diff:
            _write_diff("-", io.BytesIO(given), conversion)
        elif to_stdout:
            sys.stdout.buffer.write(data)
        elif options.output:
            atomic_write(Path(options.output), [data])
        _finish([conversion], dry_run)
        return

    if options.in_place:
        for path in found.files:
            _ensure_writable(path)
    progress = Progress(0 if options.no_progress else sum(_size(p) for p in found.files), label="converting")
    conversions: list[Conversion | DialectConversion] = []
    for path in found.files:
        try:
            conversion = _convert_one(path, settings, options, progress)
        except OSError as exc:
            progress.close()
            fail(f"cannot convert {path}: {exc.strerror or exc}")
        except FileChanged as exc:
            progress.close()
            fail(f"{path} changed while it was read ({exc}); run it again")
        except MixedDialects as exc:
            progress.close()
            fail(f"{path}: the rows are in several dialects: {exc}; name the one to read with --from")
        except InternalError:
            progress.close()
            raise
        conversions.append(conversion)
    progress.close()
    _finish(conversions, dry_run)


def _convert_one(path: Path, settings, options: _Options, progress: Progress) -> Conversion | DialectConversion:
    jobs = options.jobs or default_jobs()
    to_stdout = options.writing_elsewhere and not options.output
    detected = None
    given = None  # what a pipe held: it is read once, and opened once
    if not stat.S_ISREG(os.stat(path).st_mode):
        # Read once, before anything opens it: a reader that opens and closes a FIFO first
        # can lose what its writer wrote meanwhile.
        if options.in_place:
            raise NotRegularFile(path)
        given = read_stream(path)
    if options.target not in FORMAT_TARGETS:
        if options.source is None:
            if given is not None:
                detected = _detected(io.BytesIO(given))
            else:
                with OpenFile(path) as opened:
                    detected = _detected(opened.lines())
    how, what = _plan(options, detected.dialect if detected else None)
    if how == "format" and detected is not None:
        sys.stderr.write(f"{path}: read as {detected.describe()}\n")
    if given is not None:
        if how == "dialect":
            data, conversion = convert_data(given, str(path), what, options.target, allow_loss=options.allow_loss,
                                            keep_changes=options.show_diff)
            conversion.detection = detected
        else:
            data, conversion = convert_bytes(given, settings, what, split_parallel=options.split_parallel,
                                             name=str(path), keep_changes=options.show_diff)
        if options.show_diff:
            _write_diff(str(path), io.BytesIO(given), conversion)
        elif to_stdout:
            sys.stdout.buffer.write(data)
        elif options.output and not options.check_only:
            atomic_write(Path(options.output), [data])
        return conversion
    if how == "dialect":
        conversion = _convert_dialect(path, options, what, progress)
        conversion.detection = detected
        return conversion
    if to_stdout:
        data, conversion = convert_bytes(read_stream(path), settings, what, split_parallel=options.split_parallel,
                                         name=str(path))
        sys.stdout.buffer.write(data)
        return conversion
    if options.show_diff:
        return _diff_file(path, settings, what, options.split_parallel, progress.advance, jobs)
    return convert_file(path, settings, what, split_parallel=options.split_parallel,
                        output=Path(options.output) if options.output else None, write=not options.check_only,
                        on_progress=progress.advance, display=str(path), jobs=jobs)


def _convert_dialect(path: Path, options: _Options, what: str | None, progress: Progress) -> DialectConversion:
    """A regular file through the dialect converters (the file is read twice at most: to
    detect its dialect, and to convert it)."""
    if options.writing_elsewhere and not options.output:
        data, conversion = convert_data(read_stream(path), str(path), what, options.target,
                                        allow_loss=options.allow_loss)
        sys.stdout.buffer.write(data)
        return conversion
    if options.show_diff:
        with OpenFile(path) as source:
            conversion = convert_path(path, what, options.target, write=False, allow_loss=options.allow_loss,
                                      keep_changes=True, display=str(path), on_progress=progress.advance,
                                      jobs=options.jobs or default_jobs())
            if source.why_not_rewrite(path):
                raise FileChanged("it is not the file that was converted")
            _write_diff(str(path), source.lines(), conversion)
        return conversion
    return convert_path(path, what, options.target, output=Path(options.output) if options.output else None,
                        write=not options.check_only, allow_loss=options.allow_loss, display=str(path),
                        on_progress=progress.advance, jobs=options.jobs or default_jobs())


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


def _write_diff(name: str, lines, conversion) -> None:
    # Whole, or not at all: a file found changed half-way prints no half diff.
    changes = conversion.changes if isinstance(conversion, DialectConversion) else conversion.outcome.changes
    sys.stdout.buffer.write(b"".join(unified_diff(name, lines, changes)))


def _finish(conversions: list, dry_run: bool) -> None:
    """The problems, then one summary line, on stderr. Exit: with --check or --diff, 1 when
    a row would change (what cannot be converted is said apart); otherwise 1 when a row
    could not be converted."""
    stream = sys.stderr
    format_problems = [v for c in conversions if isinstance(c, Conversion) for v in c.problems]
    if format_problems:
        stream.write(render_concise(format_problems))
    unconverted = len(format_problems)
    dropped = 0
    for c in conversions:
        if not isinstance(c, DialectConversion):
            continue
        if c.detection is not None:
            stream.write(f"{c.path}: read as {c.detection.describe()}\n")
        for problem in c.problems:
            stream.write(f"{c.path}:{problem.line}:{problem.col}: {problem.message}\n")
        for message, lines in c.notes.items():
            stream.write(f"{c.path}: {message} ({_rows(lines)}); the way back makes new ones\n")
        unconverted += c.unconverted
        dropped += len({p.line for p in c.problems if p.converted})
    converted = sum(c.rows_converted for c in conversions)
    rows = sum(c.outcome.rows if isinstance(c, Conversion) else c.rows for c in conversions)
    verb = "would convert" if dry_run else "converted"
    summary = f"{plural(len(conversions), 'file')}: {verb} {plural(converted, 'row')}, left {rows - converted:,} alone"
    if dropped:
        summary += f", {plural(dropped, 'row')} converted without what the target cannot hold"
    summary += f", {plural(unconverted, 'problem')}"
    if unconverted and not format_problems:
        summary += " (rows that could not be converted, left as they were)"
    stream.write(summary + ".\n")
    if dry_run:
        # As `ruff format --check`: 1 when something would change, 2 when something cannot
        # be converted (it is listed above), 0 when the files are as they should be.
        if unconverted:
            stream.write(f"tunelint: error: {plural(unconverted, 'row')} cannot be converted (listed above)\n")
        raise SystemExit(EXIT_ERROR if unconverted else EXIT_VIOLATIONS if converted else EXIT_CLEAN)
    raise SystemExit(EXIT_VIOLATIONS if unconverted else EXIT_CLEAN)


def _rows(lines: list[int]) -> str:
    """Every line, as ranges: `384 rows: lines 1-384`, `3 rows: lines 2, 5-6`."""
    spans: list[list[int]] = []
    for number in lines:
        if spans and number == spans[-1][1] + 1:
            spans[-1][1] = number
        else:
            spans.append([number, number])
    shown = ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in spans)
    plural = len(lines) != 1
    return f"{len(lines):,} row{'s' if plural else ''}: line{'s' if plural else ''} {shown}"
