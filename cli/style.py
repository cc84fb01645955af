"""Colour and width of what the CLI writes to a person: decided once per output stream.

Colours are click's own styles (`click.style`): click is imported by every command
already, so colour costs no import (rich.console would add about 30 ms of CPU to a
pre-commit run, 60 to 90 ms of wall time on a busy machine: `bench/bench_colour.py`). The decision follows CPython's own (`_colorize`), with the
command line first:

1. `--color` / `--no-color`;
2. `NO_COLOR` set and not empty: no colour (no-color.org);
3. `FORCE_COLOR` set and not empty: colour, even into a pipe (force-color.org);
4. `TERM=dumb`: no colour;
5. otherwise colour only when the stream is a terminal.

A file named by `--output-file` gets colour only with `--color`.
"""

from __future__ import annotations

import os

import click

from ..lint.model import Severity
from ..lint.report import PIPE_WIDTH, Palette

SEVERITY_COLOUR = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


class TerminalPalette(Palette):
    """ruff's colours: bold paths, codes red (here: by severity), a cyan `*` for what `--fix`
    repairs, blue gutters, carets in the severity's colour."""

    def path(self, text: str) -> str:
        return click.style(text, bold=True)

    def code(self, text: str, severity: Severity) -> str:
        return click.style(text, fg=SEVERITY_COLOUR[severity], bold=True)

    def severity(self, text: str, severity: Severity) -> str:
        return click.style(text, fg=SEVERITY_COLOUR[severity])

    def carets(self, text: str, severity: Severity) -> str:
        return click.style(text, fg=SEVERITY_COLOUR[severity], bold=True)

    def gutter(self, text: str) -> str:
        return click.style(text, fg="blue", bold=True)

    def fixable(self, text: str) -> str:
        return click.style(text, fg="cyan")

    def help(self, text: str) -> str:
        return click.style(text, fg="cyan", bold=True)

    def emphasis(self, text: str) -> str:
        return click.style(text, bold=True)

    def success(self, text: str) -> str:
        return click.style(text, fg="green", bold=True)


COLOURED = TerminalPalette()


def _set(name: str) -> bool:
    return bool(os.environ.get(name))


def wants_colour(stream, flag: bool | None = None) -> bool:
    """Whether to colour what goes to `stream` (`flag`: --color True, --no-color False)."""
    if flag is not None:
        return flag
    if _set("NO_COLOR"):
        return False
    if _set("FORCE_COLOR"):
        return True
    if os.environ.get("TERM") == "dumb":
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or odd stream
        return False


def palette_for(stream, flag: bool | None = None) -> Palette | None:
    return COLOURED if wants_colour(stream, flag) else None


def width_for(stream) -> int:
    """The columns `full` fits in: `COLUMNS` when set (as `shutil.get_terminal_size`), else
    the terminal's width, else `PIPE_WIDTH` (a pipe or a file has no width of its own)."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    try:
        if stream.isatty():
            # A pseudo-terminal nobody sized says 0 columns: pre-commit runs hooks in one
            # (pre_commit.util.Pty: os.openpty, no window size) when it colours.
            return os.get_terminal_size(stream.fileno()).columns or PIPE_WIDTH
    except (AttributeError, ValueError, OSError):
        pass
    return PIPE_WIDTH


def colour_option(func):
    """`--color/--no-color`, as ruff's `--color` (default: decided by the rules above)."""
    return click.option("--color/--no-color", "color", default=None,
                        help="Colour the output or not (default: on a terminal; NO_COLOR and FORCE_COLOR "
                             "are honoured).")(func)
