"""`tunelint stats`: tokens, epochs and the estimated training cost of each dataset."""

from __future__ import annotations

import sys

import click
import orjson

from ..lint.files import discover
from ..lint.model import ToolError
from ..lint.workers import default_jobs
from ..lint.report import utf8_name
from ..lint.stats import FileStats, histogram, other_models, percentile
from ..lint.models import model_facts
from .common import fail, settings_for
from .main import EXIT_ERROR


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--model", metavar="MODEL", help="The model to fine-tune (default: config, else gpt-4o-mini-2024-07-18).")
@click.option("--output-format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--config", type=click.Path(dir_okay=False), help="Use this tunelint.toml or pyproject.toml.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, help="Processes for large files (default: the number of cores).")
def stats(paths, model, output_format, config, jobs) -> None:
    """Token counts, epochs and training cost of JSONL datasets, offline."""
    from ..lint.stats import file_stats

    paths = paths or (".",)
    settings = settings_for(paths, config, model=model)
    found = discover(list(paths), settings)
    for error in found.errors:
        click.echo(f"tunelint: error: {error}", err=True)
    if found.errors:
        raise SystemExit(EXIT_ERROR)
    if found.stdin:
        fail("stats reads files, not stdin")
    try:
        facts = model_facts(settings.model, settings.models)
        results = [file_stats(p, facts, jobs or default_jobs()) for p in found.files]
    except ToolError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"cannot read {exc.filename}: {exc.strerror}")
    if output_format == "json":
        sys.stdout.write(orjson.dumps([as_dict(s, settings.models) for s in results], option=orjson.OPT_INDENT_2).decode() + "\n")
    else:
        sys.stdout.write("\n".join(as_text(s, settings.models) for s in results))


def as_dict(s: FileStats, overrides=None) -> dict:
    lengths = s.lengths
    return {
        "path": utf8_name(s.path),
        "model": s.model.name,
        "examples": s.examples,
        "trainable_examples": s.trainable,
        "unparsed_lines": s.unparsed_lines,
        "total_tokens": s.total_tokens,
        "billed_tokens_per_epoch": s.billed_per_epoch(s.model),
        "tokens_per_example": {"min": lengths.min(), "p5": percentile(lengths, 0.05),
                               "median": percentile(lengths, 0.5), "p95": percentile(lengths, 0.95),
                               "max": lengths.max()},
        "histogram": [{"range": label, "examples": count} for label, count, _ in histogram(lengths)],
        "assistant_tokens": s.assistant_tokens,
        "tool_definition_tokens": s.tool_tokens,
        "distinct_tools_arrays": s.distinct_tools,
        "examples_with_unsized_images": s.lower_bound_examples,
        "over_limit": s.over_limit(s.model),
        "limit": s.model.limit,
        "epochs": s.epochs,
        "estimate": s.estimate(s.model),
        "other_models": other_models(s, overrides),
        "legacy_format_equivalent_tokens": s.legacy_equivalent_tokens,
    }


def as_text(s: FileStats, overrides=None) -> str:
    if not s.examples:  # an empty file (or one of blank or broken lines): nothing to measure or price
        unparsed = f" ({_count(s.unparsed_lines, 'unparsable line')} not counted)" if s.unparsed_lines else ""
        return f"{s.path}\n  no examples{unparsed}\n"
    d = as_dict(s, overrides)
    per = d["tokens_per_example"]
    n = s.lower_bound_examples
    bound = f" (at least: {n:,} example{' has' if n == 1 else 's have'} images of unknown size)" if n else ""
    lines = [
        f"{s.path}",
        f"  examples              {s.examples:,} ({s.trainable:,} trainable)"
        + (f", {_count(s.unparsed_lines, 'unparsable line')} not counted" if s.unparsed_lines else ""),
        f"  tokens                {d['total_tokens']:,} in all{bound}; {d['billed_tokens_per_epoch']:,} billed per epoch",
        f"  per example           min {per['min']:,}  p5 {per['p5']:,}  median {per['median']:,}  p95 {per['p95']:,}  max {per['max']:,}",
    ]
    for label, count, bar in histogram(s.lengths):
        lines.append(f"    {label:>17} {count:>7,} {bar}")
    lines += [
        f"  assistant (trained)   {s.assistant_tokens:,} tokens",
        f"  tool definitions      {s.tool_tokens:,} tokens ({_count(s.distinct_tools, 'distinct tools array')})",
        f"  over the limit        {d['over_limit']:,} examples (limit {s.model.limit:,} for {s.model.name})",
        f"  epochs                {s.epochs} (the platform's default for {s.trainable:,} trainable examples)",
        f"  estimated cost        ${d['estimate']['cost_usd']:,.2f} for {s.model.name} "
        f"({s.epochs} x {d['billed_tokens_per_epoch']:,} tokens at ${s.model.price:g}/1M)",
    ]
    if s.legacy_equivalent_tokens is not None:
        lines.append(f"  legacy format         {s.legacy_equivalent_tokens:,} tokens if the {s.tools_format_examples:,} "
                     f"tools-format examples were in the legacy function format")
    lines.append("  other models")
    for other in d["other_models"]:
        marker = "*" if other["model"] == s.model.name else " "
        lines.append(f"   {marker} {other['model']:<26} ${other['cost_usd']:>10,.2f}  {other['epochs']} epochs"
                     + (f", {other['over_limit']:,} over its limit" if other["over_limit"] else ""))
    return "\n".join(lines) + "\n"


def _count(n: int, thing: str) -> str:
    """`1 unparsable line`, `2 unparsable lines`."""
    return f"{n:,} {thing}{'' if n == 1 else 's'}"
