"""`tunelint stats`: tokens, epochs and the estimated training cost of each dataset."""

from __future__ import annotations

import sys

import click
import orjson

from ..lint.files import discover
from ..lint.model import ToolError
from ..lint.workers import default_jobs
from ..lint.report import utf8_name
from ..lint.stats import FileStats, histogram, other_models, percentile, recipe_advice
from ..lint.models import ModelFacts, target_model_facts
from .common import fail, model_note, settings_for, target_option
from .main import EXIT_ERROR


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--model", metavar="MODEL", help="The model to fine-tune (default: config, else the target's default).")
@target_option
@click.option("--output-format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--config", type=click.Path(dir_okay=False), help="Use this tunelint.toml or pyproject.toml.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, help="Processes for large files (default: the number of cores).")
def stats(paths, model, target, output_format, config, jobs) -> None:
    """Token counts, epochs and training cost of JSONL datasets, offline."""
    from ..lint.stats import file_stats

    paths = paths or (".",)
    settings = settings_for(paths, config, model=model, target=target)
    model_note(settings)
    found = discover(list(paths), settings)
    for error in found.errors:
        click.echo(f"tunelint: error: {error}", err=True)
    if found.errors:
        raise SystemExit(EXIT_ERROR)
    if found.stdin:
        fail("stats reads files, not stdin")
    try:
        results = []
        for p in found.files:
            facts, others = target_models(settings, p)
            results.append((file_stats(p, facts, jobs or default_jobs()), others))
    except ToolError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"cannot read {exc.filename}: {exc.strerror}")
    if output_format == "json":
        sys.stdout.write(orjson.dumps([as_dict(s, models=o) for s, o in results], option=orjson.OPT_INDENT_2).decode() + "\n")
    else:
        sys.stdout.write("\n".join(as_text(s, models=o) for s, o in results))


def target_models(settings, path) -> tuple[ModelFacts, list[ModelFacts]]:
    """The model a file is priced and limited with on its target (`--target`, `target`,
    `per-file-target`), and every model of that target's table (the "other models"); exit
    2 when the target has no default model and none is named. `stats` and `report` both
    price through here, so their numbers are the same."""
    profile = settings.profile(settings.target_for(path))
    facts = target_model_facts(settings.model, profile)
    if facts is None:
        fail(f"target `{profile.name}` has no default model: name one with --model "
             f"({', '.join(sorted(profile.models)) or 'its table is empty: add models under [tool.tunelint.targets.' + profile.name + '.models]'})")
    return facts, [target_model_facts(name, profile) for name in profile.models]


def as_dict(s: FileStats, overrides=None, models: list[ModelFacts] | None = None) -> dict:
    lengths = s.lengths
    return {
        "path": utf8_name(s.path),
        "model": s.model.name,
        "target": s.model.target,
        "token_counts": "estimate (o200k_base; the model's own tokenizer is not shipped)" if s.model.estimate else "exact",
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
        "over_limit": s.over_limit(s.model) if s.model.limit_known else None,
        "limit": s.model.limit if s.model.limit_known else None,
        "epochs": s.epochs,
        "estimate": s.estimate(s.model),
        "other_models": other_models(s, overrides, models),
        "legacy_format_equivalent_tokens": s.legacy_equivalent_tokens,
        "advice": recipe_advice(s.trainable),
    }


def as_text(s: FileStats, overrides=None, models: list[ModelFacts] | None = None) -> str:
    if not s.examples:  # an empty file (or one of blank or broken lines): nothing to measure or price
        unparsed = f" ({_count(s.unparsed_lines, 'unparsable line')} not counted)" if s.unparsed_lines else ""
        return f"{s.path}\n  no examples{unparsed}\n"
    d = as_dict(s, overrides, models)
    per = d["tokens_per_example"]
    n = s.lower_bound_examples
    bound = f" (at least: {n:,} example{' has' if n == 1 else 's have'} images of unknown size)" if n else ""
    estimate = " (estimates: counted with o200k_base, not the model's own tokenizer)" if s.model.estimate else ""
    lines = [
        f"{s.path}",
        f"  examples              {s.examples:,} ({s.trainable:,} trainable)"
        + (f", {_count(s.unparsed_lines, 'unparsable line')} not counted" if s.unparsed_lines else ""),
        f"  tokens                {d['total_tokens']:,} in all{bound}; {d['billed_tokens_per_epoch']:,} billed per epoch{estimate}",
        f"  per example           min {per['min']:,}  p5 {per['p5']:,}  median {per['median']:,}  p95 {per['p95']:,}  max {per['max']:,}",
    ]
    for label, count, bar in histogram(s.lengths):
        lines.append(f"    {label:>17} {count:>7,} {bar}")
    lines += [
        f"  assistant (trained)   {s.assistant_tokens:,} tokens",
        f"  tool definitions      {s.tool_tokens:,} tokens ({_count(s.distinct_tools, 'distinct tools array')})",
        f"  over the limit        {d['over_limit']:,} examples (limit {s.model.limit:,} for {s.model.name})"
        if s.model.limit_known else f"  over the limit        unknown: {s.model.target} publishes no per-example limit for {s.model.name}",
        f"  epochs                {s.epochs} (the platform's default for {s.trainable:,} trainable examples)"
        if s.model.target in ("openai", "legacy-openai") else
        f"  epochs                {s.epochs} (OpenAI's default rule for {s.trainable:,} trainable examples; "
        f"{s.model.target}'s default is not recorded)",
        f"  estimated cost        ${d['estimate']['cost_usd']:,.2f} for {s.model.name} "
        f"({s.epochs} x {d['billed_tokens_per_epoch']:,} tokens at ${s.model.price:g}/1M)"
        if s.model.price_known else f"  estimated cost        none: {d['estimate']['price_note']} for {s.model.name} on {s.model.target}",
    ]
    if s.legacy_equivalent_tokens is not None:
        lines.append(f"  legacy format         {s.legacy_equivalent_tokens:,} tokens if the {s.tools_format_examples:,} "
                     f"tools-format examples were in the legacy function format")
    lines.append("  other models")
    for other in d["other_models"]:
        marker = "*" if other["model"] == s.model.name else " "
        cost = f"${other['cost_usd']:>10,.2f}" if other["cost_usd"] is not None else f"{'no price':>11}"
        lines.append(f"   {marker} {other['model']:<26} {cost}  {other['epochs']} epochs"
                     + (f", {other['over_limit']:,} over its limit" if other["over_limit"] else ""))
    for item in d["advice"]:
        lines.append(f"  advice (not a platform fact): {item['advice']}")
        lines.append(f"    source: {item['source']}")
    return "\n".join(lines) + "\n"


def _count(n: int, thing: str) -> str:
    """`1 unparsable line`, `2 unparsable lines`."""
    return f"{n:,} {thing}{'' if n == 1 else 's'}"
