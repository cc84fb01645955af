"""`tunelint split`: a training file and a held-out file that share no example, prompt or
near copy, stratified by the tools the examples call."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

import click
import orjson

from ..lint.atomic import SourceChanged
from ..lint.open_file import NotRegularFile
from ..lint.report import utf8_name
from ..lint.split import SplitError, SplitPlan, WriteFailed, split_file
from .common import fail


RECIPE_HOLDOUT = 50  # held-out rows the recipe starts from (50-100): a practitioners' number


class Holdout(click.ParamType):
    name = "ROWS|SHARE"

    def convert(self, value, param, ctx):
        if isinstance(value, (int, float)):
            return value
        try:
            number = float(value)
        except ValueError:
            self.fail(f"{value!r} is neither a count of rows (80) nor a share (0.1)", param, ctx)
        if not number > 0 or number != number or number == float("inf"):
            self.fail(f"{value!r} must be a positive count of rows or a share between 0 and 1", param, ctx)
        return number


@click.command()
@click.argument("path", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--holdout", required=True, type=Holdout(), help="Rows to hold out: a count (80) or a share (0.1).")
@click.option("-o", "--output", "training", required=True, type=click.Path(dir_okay=False),
              help="The training file to write.")
@click.option("--holdout-file", "held_out", required=True, type=click.Path(dir_okay=False),
              help="The held-out file to write.")
@click.option("--seed", type=int, default=0, show_default=True, help="Another seed gives another (equally fair) split.")
@click.option("--output-format", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="How the summary is written (text to stderr, json to stdout).")
def split(path, holdout, training, held_out, seed, output_format) -> None:
    """Split PATH into a training file and a held-out file that do not leak into each other.

    Exact and near duplicates and rows with the same prompt stay on one side; the held-out
    rows follow the share of each tool the examples call, and every held-out tool is also
    in training. Rows are copied byte for byte; lines that are not JSON rows stay in the
    training file (where `tunelint check` reports them). Deterministic for a given --seed.
    """
    training, held_out = Path(training), Path(held_out)
    if _same(training, held_out):
        fail("-o and --holdout-file name the same file")
    spooled = None
    try:
        if path == "-":
            spooled = _spool_stdin()
            source = Path(spooled)
        else:
            source = Path(path)
            if not source.exists():
                fail(f"{path}: no such file")
            if not source.is_file():
                spooled = _spool_stream(source)  # a pipe or a FIFO: read once, split from a copy
                source = Path(spooled)
        plan = split_file(source, holdout, training, held_out, seed)
    except SplitError as exc:
        fail(str(exc))
    except SourceChanged as exc:
        fail(str(exc))
    except NotRegularFile as exc:
        fail(str(exc))
    except WriteFailed as exc:
        fail(f"cannot write {exc.filename}: {exc.strerror}; nothing was written")
    except OSError as exc:
        fail(f"cannot read {exc.filename or path}: {exc.strerror or exc}")
    finally:
        if spooled is not None:
            os.unlink(spooled)
    name = "stdin" if path == "-" else path
    if output_format == "json":
        sys.stdout.write(orjson.dumps({"path": utf8_name(name), "training_file": utf8_name(str(training)),
                                       "held_out_file": utf8_name(str(held_out)), "seed": seed, **plan.as_dict()},
                                      option=orjson.OPT_INDENT_2).decode() + "\n")
    else:
        click.echo(summary(plan, name, training, held_out), err=True, nl=False)


def summary(plan: SplitPlan, name: str, training: Path, held_out: Path) -> str:
    lines = [f"{name}: {plan.held_out:,} rows held out in {held_out} (asked {plan.target:,}), "
             f"{plan.training:,} lines in {training}"]
    if plan.grouped_rows:
        lines.append(f"  {plan.grouped_rows:,} rows share a group (a copy, a near copy or the same prompt) with "
                     f"another row; each group stays on one side")
    if plan.held_out < plan.target:
        lines.append(f"  {plan.target - plan.held_out:,} fewer than asked: the groups left do not fit "
                     f"(or are each tool's last one in training)")
    lines.append(f"  {'tools called':<40} {'rows':>7} {'held out':>9}")
    for stratum in plan.strata:
        lines.append(f"  {_short(stratum.name, 40):<40} {stratum.rows:>7,} {stratum.held_out:>9,}")
    for tool, rows in plan.untestable_tools:
        lines.append(f"  warning: `{tool}` is not held out: its {rows:,} example{'s are' if rows != 1 else ' is'} "
                     f"one group, and the model must train on it")
    for tool, rows in plan.unheld_tools:
        lines.append(f"  note: `{tool}` ({rows:,} rows) has no held-out example at this size")
    if plan.not_rows:
        shown = ", ".join(map(str, plan.not_rows[:10])) + (", ..." if len(plan.not_rows) > 10 else "")
        lines.append(f"  warning: {len(plan.not_rows):,} line{'s' if len(plan.not_rows) != 1 else ''} that "
                     f"{'are' if len(plan.not_rows) != 1 else 'is'} no JSON row (line {shown}) "
                     f"kept in {training}: `tunelint check` says what is wrong")
    if plan.unanswered:
        lines.append(f"  {plan.unanswered:,} rows with no answer to score kept in {training}")
    if 0 < plan.held_out < RECIPE_HOLDOUT:
        lines.append(f"  note: {plan.held_out:,} held-out rows tell apart only large differences between two models "
                     f"(the recipe holds out 50-100; practitioners' advice, not a platform rule)")
    return "\n".join(lines) + "\n"


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 3] + "..."


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and os.path.samefile(a, b))
    except OSError:
        return False


def _spool_stdin() -> str:
    with tempfile.NamedTemporaryFile(prefix="tunelint-split-", suffix=".jsonl", delete=False) as copy:
        shutil.copyfileobj(sys.stdin.buffer, copy, 1 << 20)
        return copy.name


def _spool_stream(path: Path) -> str:
    from ..lint.open_file import read_stream

    data = read_stream(path)
    with tempfile.NamedTemporaryFile(prefix="tunelint-split-", suffix=".jsonl", delete=False) as copy:
        copy.write(data)
        return copy.name
