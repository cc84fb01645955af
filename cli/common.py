"""Options and helpers shared by the commands that read datasets."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from ..lint.settings import ConfigError, Settings, load_settings
from .main import EXIT_ERROR


def split_selectors(values: tuple[str, ...]) -> list[str] | None:
    """`--select A,B --select C` -> [A, B, C]; None when the option was not given."""
    if not values:
        return None
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


class OutputFormat(click.Choice):
    """A choice of output format that, given a bad value by an environment variable, names
    the variable rather than the option (`TUNELINT_OUTPUT_FORMAT=bogus`)."""

    def convert(self, value, param, ctx):
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter:
            if ctx is not None and param is not None and param.envvar and _from_environment(ctx, param, value):
                choices = ", ".join(self.choices)
                raise click.UsageError(f"{param.envvar}={value!r} is not an output format (choose from {choices})",
                                       ctx) from None
            raise


def _from_environment(ctx: click.Context, param: click.Parameter, value) -> bool:
    """Whether `value` came from the parameter's variable. Older clicks (before 8.5) record
    the source only after conversion: then a value equal to the variable's, with the option
    not on the command line, came from it."""
    from click.core import ParameterSource

    source = ctx.get_parameter_source(param.name)
    if source is not None:
        return source is ParameterSource.ENVIRONMENT
    opts = getattr(param, "opts", ())
    given = any(arg == opt or arg.startswith(opt + "=") for arg in sys.argv[1:] for opt in opts)
    return not given and os.environ.get(param.envvar) == value


def fail(message: str) -> None:
    click.echo(f"tunelint: error: {message}", err=True)
    raise SystemExit(EXIT_ERROR)


def settings_for(paths: tuple[str, ...], config: str | None, *, select=(), extend_select=(), ignore=(),
                 exclude=(), model: str | None = None, kind: str | None = None, target: str | None = None) -> Settings:
    """The configuration that applies: --config, or the nearest file above the first path."""
    start = next((Path(p) for p in paths if p != "-"), Path.cwd())
    try:
        settings = load_settings(Path(config) if config else None, start=start if start.exists() else Path.cwd())
        return settings.with_overrides(
            select=split_selectors(select), extend_select=split_selectors(extend_select),
            ignore=split_selectors(ignore), exclude=split_selectors(exclude), model=model, kind=kind, target=target)
    except ConfigError as exc:
        fail(str(exc))
        raise  # unreachable: fail exits


def target_option(func):
    """--target: the platform the data will be trained on (lint/targets/<name>.toml)."""
    return click.option("--target", metavar="PLATFORM",
                        help="The platform that will train on the data: openai (default), azure, together, fireworks, "
                             "mistral, legacy-openai, or one the config adds; replaces `target` and `per-file-target`.")(func)


def model_note(settings: Settings) -> None:
    """Check the model against every target in use (exit 2 naming the known ones), and say
    which snapshot an alias means."""
    from ..lint.model import ToolError

    for name in sorted({settings.target_name, *settings.per_file_target.values()}):
        try:
            profile = settings.profile(name)
            note = profile.alias_note(settings.model)
        except ToolError as exc:
            fail(str(exc))
        if note:
            click.echo(f"tunelint: {note}", err=True)


def selection_options(func):
    """--select / --extend-select / --ignore / --exclude / --config, as in ruff."""
    for decorator in reversed([
        click.option("--select", multiple=True, metavar="RULES", help="Rules to enable (codes, prefixes, names or ALL); replaces the config's."),
        click.option("--extend-select", multiple=True, metavar="RULES", help="Rules to enable on top of the selection."),
        click.option("--ignore", multiple=True, metavar="RULES", help="Rules to disable."),
        click.option("--exclude", multiple=True, metavar="GLOBS", help="File patterns to skip, on top of the config's."),
        click.option("--config", type=click.Path(dir_okay=False), help="Use this tunelint.toml or pyproject.toml."),
    ]):
        func = decorator(func)
    return func
