"""Dataset statistics for `tunelint stats`: token counts, epochs and cost per model.

Rows are streamed; what is kept per row is a few integers. Large files are counted on
several processes (byte ranges cut at newlines, as for `check`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .conversion import tools_row_to_legacy
from .kinds import row_kind
from .open_file import OpenFile
from .source import parse_row
from .models import ModelFacts, cost, default_epochs, known_models
from .token_count import RowTokens, TokenCounter
from .workers import fork_map, worth_parallel

@dataclass
class FileStats:
    path: str
    model: ModelFacts
    examples: int = 0
    trainable: int = 0
    lengths: list[int] = field(default_factory=list)  # tokens per example (parsed rows)
    assistant_tokens: int = 0
    tool_tokens: int = 0
    distinct_tools: int = 0
    lower_bound_examples: int = 0
    unparsed_lines: int = 0
    tools_format_examples: int = 0
    legacy_equivalent_tokens: int | None = None  # the same rows counted in the legacy format

    @property
    def total_tokens(self) -> int:
        return sum(self.lengths)

    def billed_per_epoch(self, model: ModelFacts) -> int:
        return sum(min(n, model.limit) for n in self.lengths)

    def over_limit(self, model: ModelFacts) -> int:
        return sum(1 for n in self.lengths if n > model.limit)

    @property
    def epochs(self) -> int:
        return default_epochs(self.trainable)

    def estimate(self, model: ModelFacts) -> dict[str, Any]:
        billed = self.billed_per_epoch(model)
        return {"model": model.name, "billed_tokens_per_epoch": billed, "epochs": self.epochs,
                "billed_tokens": billed * self.epochs, "price_per_million": model.price,
                "cost_usd": round(cost(billed, self.epochs, model), 2), "over_limit": self.over_limit(model)}


def percentile(sorted_values: list[int], share: float) -> int:
    if not sorted_values:
        return 0
    index = min(len(sorted_values) - 1, max(0, round(share * (len(sorted_values) - 1))))
    return sorted_values[index]


def _count_chunks(chunks, counter: TokenCounter, first_line: int = 1) -> tuple[list[tuple[RowTokens, int | None]], int]:
    """(token facts and legacy-equivalent count per parsed row, number of unparsable lines)."""
    out: list[tuple[RowTokens, int | None]] = []
    unparsed = 0
    for number, chunk in enumerate(chunks, start=first_line):
        row = parse_row(number, chunk)
        obj = row.obj
        if obj is None:
            if not (row.error is not None and row.error.kind == "blank"):
                unparsed += 1
            continue
        tokens = counter.row(obj)
        if row_kind(row) == "rft":
            tokens.trainable = True  # RFT rows need no assistant target
        legacy = None
        if "tools" in obj or any(type(m) is dict and ("tool_calls" in m or m.get("role") == "tool")
                                 for m in (obj.get("messages") if type(obj.get("messages")) is list else ())):
            converted = tools_row_to_legacy(obj, split_parallel=True).value
            legacy = counter.row(converted).total if converted is not None else tokens.total
        out.append((tokens, legacy))
    return out, unparsed


def file_stats(path: Path, model: ModelFacts, jobs: int = 1, display: str | None = None) -> FileStats:
    counter = TokenCounter(model)  # loads the vocabulary before any fork: workers share it
    with OpenFile(path) as source:
        if worth_parallel(source.size, jobs):
            spans = source.ranges(jobs * 4)

            def count(span: tuple[int, int]):
                start, end = span
                return _count_chunks(source.lines(start, end), counter, first_line=1 if start == 0 else 2)

            parts = list(fork_map(count, spans, jobs))
            rows = [r for part, _ in parts for r in part]
            unparsed = sum(u for _, u in parts)
        else:
            rows, unparsed = _count_chunks(source.lines(), counter)
    return summarise(display or str(path), model, rows, unparsed)


def summarise(path: str, model: ModelFacts, rows: list[tuple[RowTokens, int | None]], unparsed: int) -> FileStats:
    stats = FileStats(path, model, unparsed_lines=unparsed)
    distinct_tools: set[int] = set()
    legacy_total = 0
    for tokens, legacy in rows:
        stats.examples += 1
        stats.trainable += tokens.trainable
        stats.lengths.append(tokens.total)
        stats.assistant_tokens += tokens.assistant
        stats.tool_tokens += tokens.tools
        stats.lower_bound_examples += tokens.lower_bound
        if tokens.tools_key:
            distinct_tools.add(tokens.tools_key)
        if legacy is not None:
            stats.tools_format_examples += 1
            legacy_total += legacy
        else:
            legacy_total += tokens.total
    if stats.tools_format_examples:
        stats.legacy_equivalent_tokens = legacy_total
    stats.distinct_tools = len(distinct_tools)
    return stats


def other_models(stats: FileStats, overrides: dict | None = None) -> list[dict[str, Any]]:
    return [stats.estimate(m) for m in known_models(overrides).values()]


def histogram(lengths: list[int], width: int = 40, buckets: int = 8) -> list[tuple[str, int, str]]:
    """(range label, count, bar) rows over token lengths, on a log-ish scale."""
    if not lengths:
        return []
    low, high = min(lengths), max(lengths)
    if low == high:
        return [(f"{low:,}", len(lengths), "#" * width)]
    edges = [round(low * (high / max(low, 1)) ** (i / buckets)) if low > 0 else round(low + (high - low) * i / buckets)
             for i in range(buckets + 1)]
    edges[-1] = high + 1
    counts = [0] * buckets
    for n in lengths:
        for i in range(buckets):
            if edges[i] <= n < edges[i + 1]:
                counts[i] += 1
                break
    top = max(counts) or 1
    return [(f"{edges[i]:,}-{edges[i + 1] - 1:,}", counts[i], "#" * max(1 if counts[i] else 0, round(width * counts[i] / top)))
            for i in range(buckets) if edges[i + 1] > edges[i]]
