"""Options and helpers shared by the commands that read datasets."""

from __future__ import annotations

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
            from click.core import ParameterSource

            if ctx is not None and param is not None and param.envvar and \
                    ctx.get_parameter_source(param.name) is ParameterSource.ENVIRONMENT:
                choices = ", ".join(self.choices)
                raise click.UsageError(f"{param.envvar}={value!r} is not an output format (choose from {choices})",
                                       ctx) from None
            raise


def fail(message: str) -> None:
    click.echo(f"tunelint: error: {message}", err=True)
    raise SystemExit(EXIT_ERROR)


def settings_for(paths: tuple[str, ...], config: str | None, *, select=(), extend_select=(), ignore=(),
                 exclude=(), model: str | None = None, kind: str | None = None) -> Settings:
    """The configuration that applies: --config, or the nearest file above the first path."""
    start = next((Path(p) for p in paths if p != "-"), Path.cwd())
    try:
        settings = load_settings(Path(config) if config else None, start=start if start.exists() else Path.cwd())
        return settings.with_overrides(
            select=split_selectors(select), extend_select=split_selectors(extend_select),
            ignore=split_selectors(ignore), exclude=split_selectors(exclude), model=model, kind=kind)
    except ConfigError as exc:
        fail(str(exc))
        raise  # unreachable: fail exits


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
