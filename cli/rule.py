"""`tunelint rule`: a rule's documentation, or the list of every rule."""

from __future__ import annotations

import click
import orjson

from ..lint.registry import all_rules, doc_sections, find_rule
from ..lint.report import rule_doc, rule_url, rules_markdown
from .main import EXIT_ERROR


@click.command()
@click.argument("rule_name", required=False)
@click.option("--all", "show_all", is_flag=True, help="List every rule.")
@click.option("--output-format", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True)
def rule(rule_name: str | None, show_all: bool, output_format: str) -> None:
    """Show the documentation of RULE_NAME (a code like TLT001 or a name like missing-tools-array)."""
    if show_all:
        rules = all_rules()
        if output_format == "json":
            click.echo(orjson.dumps([_as_dict(r) for r in rules], option=orjson.OPT_INDENT_2).decode())
        elif output_format == "markdown":
            click.echo(rules_markdown(), nl=False)
        else:
            for r in rules:
                flags = ("fix " if r.fix.value != "never" else "    ") + (
                    "(only when named) " if r.opt_in else "" if r.default_enabled else "(off by default) ")
                click.echo(f"{r.code}  {r.name:<34} {r.severity.value:<8} {flags}{r.summary}")
        return
    if not rule_name:
        raise click.UsageError("name a rule (e.g. `tunelint rule missing-tools-array`) or pass --all")
    found = find_rule(rule_name)
    if found is None:
        from ..lint.registry import did_you_mean

        click.echo(f"tunelint: error: no rule named `{rule_name}`{did_you_mean(rule_name)} (see `tunelint rule --all`)",
                   err=True)
        raise SystemExit(EXIT_ERROR)
    if output_format == "json":
        click.echo(orjson.dumps(_as_dict(found), option=orjson.OPT_INDENT_2).decode())
    elif output_format == "markdown":
        click.echo(rule_doc(found), nl=False)
    else:
        click.echo(rule_doc(found), nl=False)


def _as_dict(r) -> dict:
    return {
        "code": r.code, "name": r.name, "family": r.family, "severity": r.severity.value,
        "fix": r.fix.value, "default_enabled": r.default_enabled, "only_when_named": r.opt_in, "scope": r.scope,
        "summary": r.summary, "sections": doc_sections(r.doc), "url": rule_url(r.name),
        "options": [{"name": o.name, "default": o.default, "help": o.help} for o in r.options],
    }
