"""`tunelint eval`: ask a (fine-tuned) model each held-out prompt and score its tool calls.

Requests run concurrently (the SDK retries 429 and 5xx answers with backoff); every answer
is appended to a cache file as it arrives, so an interrupted run resumes without paying
for the answers it already has.
"""

from __future__ import annotations

import hashlib
import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

import click
import orjson

from ..lint.evaluation import Summary, prompt_and_target, score
from ..lint.paired import TEST_NAME, Comparison
from ..lint.source import rows_from_stream
from .api import ApiFailure, api_errors, make_client
from .common import fail
from .main import EXIT_VIOLATIONS
from .progress import Progress


@click.command("eval")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--model", required=True, help="The model to evaluate (a fine-tuned model id).")
@click.option("--base-url", help="An OpenAI-compatible API (default: OPENAI_BASE_URL, Azure's variables, or OpenAI).")
@click.option("--baseline", help="A second model to answer the same rows (the base model): both scores, their difference "
                                 "and a paired test.")
@click.option("--baseline-base-url", help="The baseline's OpenAI-compatible API, when it lives elsewhere (default: --base-url).")
@click.option("--baseline-key-env", metavar="NAME", help="The environment variable holding the baseline API's key "
                                                        "(default: the same key as --model's).")
@click.option("--concurrency", type=click.IntRange(min=1, max=64), default=8, show_default=True)
@click.option("--max-retries", type=click.IntRange(min=0), default=5, show_default=True, help="Retries on 429 and 5xx answers.")
@click.option("--cache", "cache_path", type=click.Path(dir_okay=False), help="Answer cache (default: beside the dataset).")
@click.option("--min-tool-accuracy", type=click.FloatRange(0, 1), help="Exit 1 when tool-name accuracy is below this.")
@click.option("--min-args-match", type=click.FloatRange(0, 1), help="Exit 1 when the arguments' exact-match rate is below this.")
@click.option("--min-gain", type=click.FloatRange(-1, 1), help="With --baseline: exit 1 unless the arguments' exact-match "
                                                                "rate beats the baseline's by this much.")
@click.option("--max-p-value", type=click.FloatRange(0, 1), help="With --baseline: exit 1 unless the candidate is better on "
                                                                   "arguments exact match with a paired p-value at most this.")
@click.option("--output-format", type=click.Choice(["text", "json"]), default="text", show_default=True)
def evaluate(path, model, base_url, baseline, baseline_base_url, baseline_key_env, concurrency, max_retries, cache_path,
             min_tool_accuracy, min_args_match, min_gain, max_p_value, output_format) -> None:
    """Evaluate MODEL on the held-out rows of PATH: tool names, arguments, schemas, text vs call.

    With --baseline, the baseline answers the same rows too, and the report adds the
    difference and McNemar's exact test on the per-row outcomes (overall and per tool),
    with the rows where the two disagree.
    """
    if baseline is None and (min_gain is not None or max_p_value is not None or baseline_base_url or baseline_key_env):
        fail("--min-gain, --max-p-value, --baseline-base-url and --baseline-key-env need --baseline")
    rows = []
    with Path(path).open("rb") as stream:
        for row in rows_from_stream(stream):
            obj = row.obj
            if obj is not None and prompt_and_target(obj) is not None:
                rows.append((row.line, obj))
    if not rows:
        fail(f"{path} has no row with an answer to score (a last assistant turn after a prompt)")
    endpoints = [Endpoint(model, base_url, None)]
    if baseline is not None:
        endpoints.append(Endpoint(baseline, baseline_base_url or base_url, baseline_key_env,
                                  separate=baseline_base_url is not None and baseline_base_url != base_url))
    answers = ask_all(path, endpoints, [obj for _, obj in rows], cache_path, concurrency, max_retries)
    failed: list[str] = []
    if baseline is None:
        summary = Summary()
        for key_row in answers[0]:
            summary.add(score(*key_row))
        result = summary.as_dict()
        scores = result
        output = orjson.dumps(result, option=orjson.OPT_INDENT_2).decode() + "\n" if output_format == "json" else as_table(result)
    else:
        comparison = Comparison()
        for (line, _), (row, mine), (_, theirs) in zip(rows, answers[0], answers[1]):
            comparison.add(line, row, mine, theirs)
        result = comparison.as_dict(model, baseline)
        scores = result["scores"]
        gain = result["difference"]["arguments_exact_match"]
        if min_gain is not None and (gain is None or gain < min_gain - 1e-9):
            failed.append(f"arguments exact match gain {_signed(gain)} over {baseline} < {min_gain}")
        paired = comparison.overall["arguments_exact_match"]
        if max_p_value is not None and not (paired.candidate_only > paired.baseline_only and paired.p_value <= max_p_value):
            failed.append(f"arguments exact match is not better than {baseline} at p <= {max_p_value} "
                          f"(p = {paired.p_value:.4g}, {paired.candidate_only} rows only {model} got right, "
                          f"{paired.baseline_only} only {baseline})")
        output = orjson.dumps(result, option=orjson.OPT_INDENT_2).decode() + "\n" if output_format == "json" \
            else comparison_table(result)
    own = []  # the candidate's own thresholds come first in the message
    if min_tool_accuracy is not None and (scores["tool_name_accuracy"] or 0) < min_tool_accuracy:
        own.append(f"tool-name accuracy {scores['tool_name_accuracy']} < {min_tool_accuracy}")
    if min_args_match is not None and (scores["arguments_exact_match"] or 0) < min_args_match:
        own.append(f"arguments exact match {scores['arguments_exact_match']} < {min_args_match}")
    failed = own + failed
    sys.stdout.write(output)
    if failed:
        click.echo(f"tunelint: below the gate: {'; '.join(failed)}", err=True)
        raise SystemExit(EXIT_VIOLATIONS)


class Endpoint:
    """A model and where to ask it."""

    def __init__(self, model: str, base_url: str | None, key_env: str | None, separate: bool = False) -> None:
        self.model, self.base_url, self.key_env = model, base_url, key_env
        self.separate = separate  # another API than the candidate's: its answers are cached under its own key

    def client(self, max_retries: int):
        api_key = None
        if self.key_env:
            api_key = os.environ.get(self.key_env)
            if not api_key:
                raise ApiFailure(f"--baseline-key-env {self.key_env}: that variable is not set")
        return make_client(self.base_url, max_retries=max_retries, api_key=api_key)


def ask_all(path: str, endpoints: list[Endpoint], rows: list[dict], cache_path: str | None, concurrency: int,
            max_retries: int) -> list[list[tuple[dict, dict]]]:
    """Each endpoint's answer to every row, as (row, answer) pairs in row order: from the cache,
    else asked (all endpoints' requests in one pool), each cached as it arrives."""
    caches, requests, todo = [], [], []
    for which, endpoint in enumerate(endpoints):
        cache_file = Path(cache_path) if cache_path else Path(path).with_name(f".{Path(path).name}.{_slug(endpoint.model)}.answers.jsonl")
        cache = load_cache(cache_file)
        keys = [request_key(endpoint.model, row, endpoint.base_url if endpoint.separate else None) for row in rows]
        missing = [(which, key, row) for key, row in zip(keys, rows) if key not in cache]
        if cache and len(missing) < len(rows):
            whose = f" of {endpoint.model}" if len(endpoints) > 1 else ""
            click.echo(f"resuming: {len(rows) - len(missing):,} of {len(rows):,} answers{whose} are cached in {cache_file}",
                       err=True)
        caches.append((cache_file, cache))
        requests.append(keys)
        todo.extend(missing)
    progress = Progress(len(todo), label="asking", minimum=20)
    lock = threading.Lock()
    with api_errors():
        if todo:
            clients = {which: endpoints[which].client(max_retries) for which in {w for w, _, _ in todo}}
            sinks = {}
            try:
                for which in clients:
                    sinks[which] = caches[which][0].open("ab")
                with ThreadPoolExecutor(concurrency) as pool:
                    futures = {pool.submit(ask, clients[which], endpoints[which].model, row): (which, key)
                               for which, key, row in todo}
                    for future in as_completed(futures):
                        which, key = futures[future]
                        answer = future.result()  # an API error propagates: answers so far stay cached
                        with lock:
                            caches[which][1][key] = answer
                            sinks[which].write(orjson.dumps({"key": key, "answer": answer}) + b"\n")
                            sinks[which].flush()
                        progress.advance(1)
            finally:
                for sink in sinks.values():
                    sink.close()
    progress.close()
    return [[(row, caches[which][1][key]) for key, row in zip(requests[which], rows)] for which in range(len(endpoints))]


def _signed(value: float | None) -> str:
    return "n/a" if value is None else f"{value:+.4g}"


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


def request_key(model: str, row: dict, endpoint: str | None = None) -> str:
    """The cache key of a request. The endpoint counts only for a baseline on another API
    (the same model name may answer differently there); the candidate's keys stay as they were."""
    prompt, _ = prompt_and_target(row)
    parts = [model, prompt, row.get("tools"), row.get("parallel_tool_calls")] + ([endpoint] if endpoint else [])
    payload = orjson.dumps(parts, option=orjson.OPT_SORT_KEYS)
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


def comparison_table(result: dict) -> str:
    def pct(value):
        return "   n/a" if value is None else f"{value:6.1%}"

    def points(value):
        return "    n/a" if value is None else f"{value * 100:+6.1f}"

    mine, theirs, diff, paired = result["scores"], result["baseline_scores"], result["difference"], result["paired"]
    lines = [f"rows                     {mine['rows']:,} ({mine['rows_expecting_calls']:,} expecting tool calls)",
             f"candidate                {result['model']}",
             f"baseline                 {result['baseline']}",
             f"{'':<25}{'candidate':>9} {'baseline':>9} {'points':>7}  {'p (paired)':>10}"]
    for key, label in (("tool_name_accuracy", "tool-name accuracy"), ("arguments_exact_match", "arguments exact match"),
                       ("arguments_valid", "arguments valid (schema)"), ("text_vs_call_agreement", "text vs call agreement")):
        p = f"{paired[key]['p_value']:10.4g}" if key in paired else ""
        lines.append(f"{label:<25}{pct(mine[key]):>9} {pct(theirs[key]):>9} {points(diff[key]):>7}  {p}")
    lines.append(f"p: {TEST_NAME}; below 0.05, a difference this large is unlikely by chance on these rows")
    if result["per_tool"]:
        lines.append(f"{'tool':<24} {'rows':>5} {'names':>15} {'p':>7} {'arguments':>15} {'p':>7}")
        for name, t in result["per_tool"].items():
            names, args = t["tool_name_accuracy"], t["arguments_exact_match"]
            (nc, nb), (ac, ab) = _rates(names), _rates(args)
            lines.append(f"{_cut(name, 24):<24} {names['rows']:>5} {nc:>6.0%} vs {nb:>4.0%} {names['p_value']:>7.3g} "
                         f"{ac:>6.0%} vs {ab:>4.0%} {args['p_value']:>7.3g}")
        if len(result["per_tool"]) > 1:
            lines.append(f"per-tool p-values are not adjusted for testing {len(result['per_tool'])} tools: "
                         f"with many tools, one may fall below 0.05 by chance")
    if result["disagreements"]:
        lines.append(f"rows where the two disagree ({len(result['disagreements']):,}):")
        for d in result["disagreements"]:
            lines.append(f"  line {d['line']}: {d['differs_on']}, {d['right']} right; expected {d['expected']}")
            lines.append(f"    candidate: {d['candidate']}")
            lines.append(f"    baseline:  {d['baseline']}")
    return "\n".join(lines) + "\n"


def _rates(paired: dict) -> tuple[float, float]:
    """(candidate's rate, baseline's rate) from a paired table."""
    rows = paired["rows"] or 1
    return (paired["both_right"] + paired["candidate_only"]) / rows, (paired["both_right"] + paired["baseline_only"]) / rows


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 3] + "..."
