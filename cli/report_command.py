"""`tunelint report`: one HTML page about a dataset (tokens, cost, tools, turns, system
prompts, findings, duplicates), to open in a browser with no network.

A shell over what the other commands compute: `stats` (the numbers are its JSON, the
same dict), `check` (the findings, with the train/validation overlap when
`--validation` is given) and `composition` (tools, turns, prompts). Each streams the
file; the page keeps capped lists, so it stays small for any number of rows.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from ..lint.model import ToolError
from ..lint.report import utf8_name
from ..lint.workers import default_jobs
from .common import fail, model_note, selection_options, settings_for, target_option
from .main import __version__


@click.command()
@click.argument("path", type=click.Path())
@click.option("--validation", type=click.Path(), help="The training file's validation file (shown too; overlap checked).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True), default="tunelint-report.html",
              show_default=True, help="Where to write the page (- for stdout).")
@selection_options
@click.option("--model", metavar="MODEL", help="The model to fine-tune (default: config, else the target's default).")
@target_option
@click.option("--kind", type=click.Choice(["sft", "dpo", "rft"]), help="The kind of dataset, if not detected.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, help="Processes for large files (default: the number of cores).")
@click.option("--no-progress", is_flag=True, help="Never show progress.")
def report(path, validation, output, select, extend_select, ignore, exclude, config, model, target, kind, jobs,
           no_progress) -> None:
    """Write an HTML report of a JSONL dataset: token histogram with the model's limit,
    cost per model, calls per tool, turns, system prompts, findings per rule, duplicates
    and contradictions. The page is one file that opens offline. With `--target`, the
    findings, limits and prices are the platform's (as `check` and `stats` give them)."""
    paths = (path,) if validation is None else (path, validation)
    settings = settings_for(paths, config, select=select, extend_select=extend_select, ignore=ignore,
                            exclude=exclude, model=model, kind=kind, target=target)
    model_note(settings)
    files = [_regular_file(p) for p in paths]
    if validation is not None and files[0].resolve() == files[1].resolve():
        fail(f"{validation} is the training file itself: give its validation file")
    if output != "-" and any(_same_file(Path(output), f) for f in files):
        fail(f"{output} is a dataset of this report: the page would be written over it")
    try:
        html = make_report(files, settings, jobs or default_jobs(), progress=not no_progress)
    except ToolError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"cannot read {exc.filename or path}: {exc.strerror or exc}")
    data = html.encode("utf-8")
    if output == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    from ..lint.atomic import atomic_write

    target = Path(output)
    try:
        atomic_write(target, [data])
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror or exc}")
    click.echo(f"tunelint: wrote {output} ({len(data) / 1024:,.0f} KB)", err=True)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and os.path.samefile(a, b))
    except OSError:
        return False


def _regular_file(name: str) -> Path:
    """The path of a dataset the report can read several times (once per pass)."""
    target = Path(name)
    try:
        if not target.is_file():
            why = ("no such file" if not target.exists() else "a folder: the report takes one .jsonl file"
                   if target.is_dir() else "not a regular file (the report reads it several times)")
            fail(f"{name}: {why}")
    except OSError as exc:
        fail(f"{name}: {exc.strerror or exc}")
    return target


def make_report(files: list[Path], settings, jobs: int, progress: bool = False) -> str:
    """The page for a training file (and its validation file, second in `files`). With
    `progress`, a large run shows on a terminal's stderr which pass it is in."""
    from ..lint.composition import file_composition, system_prompts
    from ..lint.findings_summary import summarize
    from ..lint.html_report import MAX_PROMPTS, UNIQUE_SAMPLES, FileSection, ReportPage, render
    from ..lint.models import _table
    from ..lint.run import check_paths
    from ..lint.stats import file_stats
    from .progress import Progress
    from .stats import as_dict, target_models

    priced = [target_models(settings, path) for path in files]  # before the long passes: a bad model exits at once
    total = sum(p.stat().st_size for p in files) if progress else 0
    bar = Progress(total, "checking")
    try:
        checked = check_paths(files, settings, jobs=jobs, validation=files[1] if len(files) > 1 else None,
                              on_progress=bar.advance)
    finally:
        bar.close()
    sections = []
    for role, path, file_report, (facts, others) in zip(("training", "validation"), files, checked.files, priced):
        status = _Status(bar.enabled)  # these passes tell no progress: say which one runs
        status.show(f"counting tokens in {utf8_name(str(path))}")
        stats = file_stats(path, facts, jobs)
        status.show(f"counting tools, turns and system prompts in {utf8_name(str(path))}")
        composition = file_composition(path, jobs)
        status.close()
        sections.append(FileSection(
            role=role, path=utf8_name(str(path)), location=os.path.abspath(path),
            stats=as_dict(stats, models=others), lengths=stats.lengths.items(), composition=composition,
            prompts=system_prompts(path, composition, MAX_PROMPTS if composition.shared_prompts else UNIQUE_SAMPLES),
            findings=summarize(file_report), platforms=platform_costs(stats, settings)))
    facts = priced[0][0]
    profile = settings.profile(facts.target)
    # The date the prices and limits were read: OpenAI's model table's, or the profile's.
    checked = str(_table().get("checked", "")) if profile.data.get("models-file") else str(profile.data.get("read", ""))
    return render(ReportPage(sections, __version__, facts.name, checked,
                             enabled=frozenset(settings.enabled), target=profile.name, target_title=profile.title))


def platform_costs(stats, settings) -> list[dict]:
    """The file on each known target (shipped, or added in the config), priced on that
    target's default model from the same token counts: the estimate `stats --target NAME`
    gives (`FileStats.estimate`), or None with the reason where there is no number to give
    (no model table, no published price, another vocabulary)."""
    from ..lint.models import target_model_facts
    from ..lint.target import known_targets

    rows = []
    for name in known_targets(settings.targets):
        profile = settings.profile(name)
        model = target_model_facts(None, profile)
        row = {"target": name, "model": model.name if model else None, "price_per_million": None,
               "cost_usd": None, "over_limit": None, "why": "no model table"}
        if model is not None and model.encoding != stats.model.encoding:
            row["why"] = f"counted with {model.encoding}: see report --target {name}"
        elif model is not None:
            row.update(stats.estimate(model))
            row["model"], row["why"] = model.name, "no published price"
        rows.append(row)
    return rows


class _Status:
    """One line of status on stderr, rewritten in place (only where a progress bar would show)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled, self.width = enabled, 0

    def show(self, text: str) -> None:
        if self.enabled:
            text = text[:100] + "…"
            sys.stderr.write("\r" + text.ljust(self.width))
            sys.stderr.flush()
            self.width = len(text)

    def close(self) -> None:
        if self.enabled:
            sys.stderr.write("\r" + " " * self.width + "\r")
            sys.stderr.flush()
