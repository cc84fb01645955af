"""`tunelint upload`: check, estimate, upload the files and (optionally) start and follow the job."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import click

from ..lint.run import check_paths
from ..lint.model import Severity, ToolError
from ..lint.report import render_concise
from .api import api_errors, make_client
from .common import fail, settings_for
from .main import EXIT_VIOLATIONS

TERMINAL = {"succeeded", "failed", "cancelled"}


@click.command()
@click.argument("train", type=click.Path(exists=True, dir_okay=False))
@click.option("--validation", type=click.Path(exists=True, dir_okay=False), help="The validation file.")
@click.option("--model", required=True, help="The model to fine-tune.")
@click.option("--create-job", is_flag=True, help="Create the fine-tuning job after uploading.")
@click.option("--suffix", help="A suffix for the fine-tuned model's name.")
@click.option("--epochs", type=click.IntRange(min=1, max=50), help="Number of epochs (default: the platform's choice).")
@click.option("--follow", is_flag=True, help="Show the job's status and events until it ends (implies --create-job).")
@click.option("--force", is_flag=True, help="Upload even when the check finds errors.")
@click.option("--base-url", help="An OpenAI-compatible API (default: OPENAI_BASE_URL, Azure's variables, or OpenAI).")
@click.option("--max-retries", type=click.IntRange(min=0), default=2, show_default=True, help="Retries on network errors, 429 and 5xx.")
@click.option("--config", type=click.Path(dir_okay=False), help="Use this tunelint.toml or pyproject.toml.")
def upload(train, validation, model, create_job, suffix, epochs, follow, force, base_url, max_retries, config) -> None:
    """Check TRAIN (and --validation), show the estimated cost, then upload them for fine-tuning."""
    from ..lint.stats import file_stats
    from ..lint.models import model_facts

    settings = settings_for((train,), config, model=model)
    paths = [Path(train)] + ([Path(validation)] if validation else [])
    violations = check_paths(paths, settings, validation=Path(validation) if validation else None).violations
    errors = [v for v in violations if v.severity is Severity.ERROR]
    if violations:
        sys.stderr.write(render_concise(violations))
    if errors and not force:
        click.echo(f"tunelint: {len(errors):,} error{'s' if len(errors) != 1 else ''} found; nothing was uploaded "
                   f"(fix them, or --force)", err=True)
        raise SystemExit(EXIT_VIOLATIONS)
    try:
        facts = model_facts(model, settings.models)
        stats = file_stats(Path(train), facts)
    except ToolError as exc:
        fail(str(exc))
    epochs_used = epochs or stats.epochs
    estimate = stats.billed_per_epoch(facts) * epochs_used * facts.price / 1_000_000
    click.echo(f"estimated cost: ${estimate:,.2f} ({epochs_used} epochs x {stats.billed_per_epoch(facts):,} tokens "
               f"at ${facts.price:g}/1M for {facts.name})")

    created: list[str] = []
    with api_errors(created):
        client = make_client(base_url, max_retries=max_retries)
        ids = {}
        for role, path in (("training", Path(train)), ("validation", Path(validation) if validation else None)):
            if path is None:
                continue
            with path.open("rb") as stream:
                uploaded = client.files.create(file=(path.name, stream), purpose="fine-tune")
            ids[role] = uploaded.id
            created.append(f"{uploaded.id} ({role} file)")
            click.echo(f"uploaded {path} as {uploaded.id}")
        if not (create_job or follow):
            return
        options = {"suffix": suffix} if suffix else {}
        if epochs:
            options["hyperparameters"] = {"n_epochs": epochs}
        if "validation" in ids:
            options["validation_file"] = ids["validation"]
        job = client.fine_tuning.jobs.create(model=model, training_file=ids["training"], **options)
        created.append(f"{job.id} (job)")
        click.echo(f"created job {job.id} ({job.status})")
        if follow:
            follow_job(client, job.id)


def follow_job(client, job_id: str) -> None:
    """Print the job's new events until it ends; Ctrl-C stops following, not the job."""
    interval = float(os.environ.get("TUNELINT_POLL_SECONDS", "10"))
    seen: set[str] = set()
    status = None
    try:
        while True:
            job = client.fine_tuning.jobs.retrieve(job_id)
            if job.status != status:
                status = job.status
                click.echo(f"job {job_id}: {status}")
            events = list(client.fine_tuning.jobs.list_events(job_id, limit=50).data)
            for event in reversed(events):  # the API lists the newest first
                if event.id not in seen:
                    seen.add(event.id)
                    click.echo(f"  {event.message}")
            if job.status in TERMINAL:
                break
            time.sleep(interval)
    except KeyboardInterrupt:
        click.echo(f"stopped following; job {job_id} keeps running", err=True)
        raise SystemExit(130) from None
    if job.status == "succeeded":
        click.echo(f"job {job_id} succeeded: {job.fine_tuned_model}")
        return
    message = job.error.message if getattr(job, "error", None) is not None and job.error.message else "no reason given"
    click.echo(f"tunelint: job {job_id} {job.status}: {message}", err=True)
    raise SystemExit(EXIT_VIOLATIONS)
