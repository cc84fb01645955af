"""`tunelint eval`: ask a (fine-tuned) model each held-out prompt and score its tool calls.

Requests run concurrently (the SDK retries 429 and 5xx answers with backoff); every answer
is appended to a cache file as it arrives, so an interrupted run resumes without paying
for the answers it already has.
"""

from __future__ import annotations

import hashlib
import sys
import threading
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

import click
import orjson

from ..lint.evaluation import Summary, prompt_and_target, score
from ..lint.source import rows_from_stream
from .api import api_errors, make_client
from .main import EXIT_VIOLATIONS
from .progress import Progress


@click.command("eval")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--model", required=True, help="The model to evaluate (a fine-tuned model id).")
@click.option("--base-url", help="An OpenAI-compatible API (default: OPENAI_BASE_URL, Azure's variables, or OpenAI).")
@click.option("--concurrency", type=click.IntRange(min=1, max=64), default=8, show_default=True)
@click.option("--max-retries", type=click.IntRange(min=0), default=5, show_default=True, help="Retries on 429 and 5xx answers.")
@click.option("--cache", "cache_path", type=click.Path(dir_okay=False), help="Answer cache (default: beside the dataset).")
@click.option("--min-tool-accuracy", type=click.FloatRange(0, 1), help="Exit 1 when tool-name accuracy is below this.")
@click.option("--min-args-match", type=click.FloatRange(0, 1), help="Exit 1 when the arguments' exact-match rate is below this.")
@click.option("--output-format", type=click.Choice(["text", "json"]), default="text", show_default=True)
def evaluate(path, model, base_url, concurrency, max_retries, cache_path, min_tool_accuracy, min_args_match, output_format) -> None:
    """Evaluate MODEL on the held-out rows of PATH: tool names, arguments, schemas, text vs call."""
    rows = []
    with Path(path).open("rb") as stream:
        for row in rows_from_stream(stream):
            obj = row.obj
            if obj is not None and prompt_and_target(obj) is not None:
                rows.append(obj)
    cache_file = Path(cache_path) if cache_path else Path(path).with_name(f".{Path(path).name}.{_slug(model)}.answers.jsonl")
    cache = load_cache(cache_file)
    requests = [(request_key(model, row), row) for row in rows]
    todo = [(key, row) for key, row in requests if key not in cache]
    if cache and todo != requests:
        click.echo(f"resuming: {len(requests) - len(todo):,} of {len(requests):,} answers are cached in {cache_file}", err=True)
    progress = Progress(len(todo), label="asking", minimum=20)
    lock = threading.Lock()
    with api_errors():
        if todo:
            client = make_client(base_url, max_retries=max_retries)
            with cache_file.open("ab") as sink, ThreadPoolExecutor(concurrency) as pool:
                futures = {pool.submit(ask, client, model, row): key for key, row in todo}
                for future in as_completed(futures):
                    key = futures[future]
                    answer = future.result()  # an API error propagates: answers so far stay cached
                    with lock:
                        cache[key] = answer
                        sink.write(orjson.dumps({"key": key, "answer": answer}) + b"\n")
                        sink.flush()
                    progress.advance(1)
    progress.close()
    summary = Summary()
    for key, row in requests:
        summary.add(score(row, cache[key]))
    result = summary.as_dict()
    if output_format == "json":
        sys.stdout.write(orjson.dumps(result, option=orjson.OPT_INDENT_2).decode() + "\n")
    else:
        sys.stdout.write(as_table(result))
    failed = [f"tool-name accuracy {result['tool_name_accuracy']} < {min_tool_accuracy}"
              for _ in [0] if min_tool_accuracy is not None and (result["tool_name_accuracy"] or 0) < min_tool_accuracy]
    failed += [f"arguments exact match {result['arguments_exact_match']} < {min_args_match}"
               for _ in [0] if min_args_match is not None and (result["arguments_exact_match"] or 0) < min_args_match]
    if failed:
        click.echo(f"tunelint: below the gate: {'; '.join(failed)}", err=True)
        raise SystemExit(EXIT_VIOLATIONS)


def ask(client, model: str, row: dict) -> dict:
    prompt, _ = prompt_and_target(row)
    options = {}
    if type(row.get("tools")) is list and row["tools"]:
        options["tools"] = row["tools"]
        if "parallel_tool_calls" in row:
            options["parallel_tool_calls"] = row["parallel_tool_calls"]
    clean = [{k: v for k, v in m.items() if k != "weight"} if type(m) is dict else m for m in prompt]
    response = client.chat.completions.create(model=model, messages=clean, **options)
    return response.choices[0].message.model_dump(exclude_none=True)


def request_key(model: str, row: dict) -> str:
    prompt, _ = prompt_and_target(row)
    payload = orjson.dumps([model, prompt, row.get("tools"), row.get("parallel_tool_calls")], option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(payload).hexdigest()


def load_cache(path: Path) -> dict[str, dict]:
    cache: dict[str, dict] = {}
    if path.exists():
        for line in path.read_bytes().splitlines():
            try:
                entry = orjson.loads(line)
                cache[entry["key"]] = entry["answer"]
            except (orjson.JSONDecodeError, KeyError, TypeError):
                continue  # a line cut short by an interruption: that answer is asked again
    return cache


def _slug(model: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in model)


def as_table(result: dict) -> str:
    def pct(value):
        return "   n/a" if value is None else f"{value:6.1%}"

    lines = [f"rows                     {result['rows']:,} ({result['rows_expecting_calls']:,} expecting tool calls)",
             f"tool-name accuracy       {pct(result['tool_name_accuracy'])}",
             f"arguments exact match    {pct(result['arguments_exact_match'])}",
             f"arguments valid (schema) {pct(result['arguments_valid'])}",
             f"text vs call agreement   {pct(result['text_vs_call_agreement'])}"]
    if result["per_tool"]:
        lines.append(f"{'tool':<24} {'rows':>6} {'names':>7} {'args':>7}")
        for name, t in result["per_tool"].items():
            lines.append(f"{name:<24} {t['rows']:>6} {pct(t['tool_name_accuracy']):>7} {pct(t['arguments_exact_match']):>7}")
    return "\n".join(lines) + "\n"
