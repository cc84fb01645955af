"""The `tunelint` command: a click group whose subcommands are thin shells over the engine.

Heavy modules (the server, the openai SDK, token vocabularies) are imported inside the
commands that use them, so `tunelint check` on a small file starts fast.
"""

from __future__ import annotations

import io
import os
import sys

import click

from ..lint import __version__

EXIT_CLEAN, EXIT_VIOLATIONS, EXIT_ERROR = 0, 1, 2


class LazyGroup(click.Group):
    """Subcommands are imported only when run (or listed by --help)."""

    commands_by_module = {
        "check": ("tunelint.cli.check", "check"),
        "rule": ("tunelint.cli.rule", "rule"),
        "convert": ("tunelint.convert.command", "convert"),
        "stats": ("tunelint.cli.stats", "stats"),
        "report": ("tunelint.cli.report_command", "report"),
        "server": ("tunelint.lsp.command", "server"),
        "upload": ("tunelint.cli.upload", "upload"),
        "eval": ("tunelint.cli.evaluate", "evaluate"),
        "split": ("tunelint.cli.split", "split"),
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(self.commands_by_module)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = self.commands_by_module.get(name)
        if target is None:
            return None
        import importlib

        try:
            module = importlib.import_module(target[0])
        except ModuleNotFoundError as exc:
            if exc.name == target[0]:
                return None  # the command is not built yet
            raise
        return getattr(module, target[1])

    def resolve_command(self, ctx: click.Context, args: list[str]):
        """As click's, with a suggestion for a misspelled command (`tunelint chek`)."""
        name = click.utils.make_str(args[0]) if args else ""
        if args and not ctx.resilient_parsing and not name.startswith("-") and self.get_command(ctx, name) is None:
            import difflib

            close = difflib.get_close_matches(name, self.list_commands(ctx), n=1, cutoff=0.6)
            if close:
                ctx.fail(f"No such command '{name}'. Did you mean '{close[0]}'?")
        return super().resolve_command(ctx, args)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="tunelint")
def cli() -> None:
    """Lint, convert and cost fine-tuning datasets for tool-calling models."""


def main() -> None:
    # A file name that is not UTF-8 reaches the report as Python keeps it (lone surrogates):
    # the human formats write it back as its own bytes, as `ls` shows it, rather than fail.
    if isinstance(sys.stdout, io.TextIOWrapper) and sys.stdout.errors == "strict":
        sys.stdout.reconfigure(errors="surrogateescape")
    try:
        cli.main(prog_name="tunelint", standalone_mode=True)
    except KeyboardInterrupt:
        click.echo("tunelint: interrupted", err=True)
        sys.exit(130)
    except BrokenPipeError:
        # The reader went away (`tunelint check | head`): not an error worth a traceback.
        _quiet_stdout()
        sys.exit(EXIT_CLEAN)
    except OSError as exc:  # what the run itself writes: stdout on a full disk, say
        _quiet_stdout()
        where = exc.filename if exc.filename else "the output"
        click.echo(f"tunelint: error: cannot write {where}: {exc.strerror or exc}", err=True)
        sys.exit(EXIT_ERROR)
    except Exception as exc:  # a bug: one line, never a traceback in the user's face
        _quiet_stdout()
        click.echo(f"tunelint: internal error: {type(exc).__name__}: {exc} (please report this)", err=True)
        sys.exit(EXIT_ERROR)


def _quiet_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's last flush of what is still
    buffered cannot fail again (and print a traceback) on the way out."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass
