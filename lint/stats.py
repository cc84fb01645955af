"""Dataset statistics for `tunelint stats`: token counts, epochs and cost per model.

Rows are streamed and summed as they go: nothing is kept per row. The token lengths
are kept as a count of each length (`Lengths`), which the percentiles, the histogram and
the billed tokens need, and which grows with the distinct lengths, not the rows. Large
files are counted on several processes (byte ranges cut at newlines, as for `check`),
each summing its range; the parent adds the sums up.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
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

class Lengths:
    """Token lengths of examples, as a count of each length: the same answers as a sorted
    list of them (percentiles, minimum, maximum), in memory that does not grow with rows."""

    __slots__ = ("counts", "_count")

    def __init__(self, values: Iterator[int] | list[int] = ()) -> None:
        self.counts: Counter = Counter(values)
        self._count = sum(self.counts.values())

    def add(self, n: int) -> None:
        self.counts[n] += 1
        self._count += 1

    def update(self, other: Lengths) -> None:
        self.counts.update(other.counts)
        self._count += other._count

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[int]:
        """Every length, in ascending order (repeated as often as it occurs)."""
        for n in sorted(self.counts):
            yield from [n] * self.counts[n]

    def items(self) -> list[tuple[int, int]]:
        """(length, examples of that length), ascending."""
        return sorted(self.counts.items())

    @property
    def total(self) -> int:
        return sum(n * c for n, c in self.counts.items())

    def capped_total(self, limit: int) -> int:
        return sum(min(n, limit) * c for n, c in self.counts.items())

    def above(self, limit: int) -> int:
        return sum(c for n, c in self.counts.items() if n > limit)

    def min(self) -> int:
        return min(self.counts) if self.counts else 0

    def max(self) -> int:
        return max(self.counts) if self.counts else 0

    def percentile(self, share: float) -> int:
        """The value at `share` of the way through the sorted lengths (as `percentile` of a list)."""
        if not self._count:
            return 0
        index = min(self._count - 1, max(0, round(share * (self._count - 1))))
        seen = 0
        for n, c in self.items():
            seen += c
            if seen > index:
                return n
        return self.max()  # pragma: no cover - the counts add up to _count


@dataclass
class FileStats:
    path: str
    model: ModelFacts
    examples: int = 0
    trainable: int = 0
    lengths: Lengths = field(default_factory=Lengths)  # tokens per example (parsed rows)
    assistant_tokens: int = 0
    tool_tokens: int = 0
    distinct_tools: int = 0
    lower_bound_examples: int = 0
    unparsed_lines: int = 0
    tools_format_examples: int = 0
    legacy_equivalent_tokens: int | None = None  # the same rows counted in the legacy format

    tools_keys: set[int] = field(default_factory=set)  # the distinct tools arrays' checksums
    legacy_total: int = 0  # every row's tokens in the legacy format (see legacy_equivalent_tokens)

    @property
    def total_tokens(self) -> int:
        return self.lengths.total

    def billed_per_epoch(self, model: ModelFacts) -> int:
        return self.lengths.capped_total(model.limit)

    def over_limit(self, model: ModelFacts) -> int:
        return self.lengths.above(model.limit)

    @property
    def epochs(self) -> int:
        return default_epochs(self.trainable)

    def estimate(self, model: ModelFacts) -> dict[str, Any]:
        billed = self.billed_per_epoch(model)
        # A target's model without a recorded price or limit says so (None), never a number.
        return {"model": model.name, "billed_tokens_per_epoch": billed, "epochs": self.epochs,
                "billed_tokens": billed * self.epochs, "price_per_million": model.price if model.price_known else None,
                "cost_usd": round(cost(billed, self.epochs, model), 2) if model.price_known else None,
                "price_note": "" if model.price_known else (model.price_note or "no published price"),
                "over_limit": self.over_limit(model) if model.limit_known else None}


def percentile(values: Lengths | list[int], share: float) -> int:
    """The value at `share` of the way through sorted `values`."""
    if isinstance(values, Lengths):
        return values.percentile(share)
    if not values:
        return 0
    index = min(len(values) - 1, max(0, round(share * (len(values) - 1))))
    return values[index]


def _count_chunks(chunks, counter: TokenCounter, path: str, model: ModelFacts, first_line: int = 1) -> FileStats:
    """The sums of a run of lines (a file, or a worker's range of one)."""
    stats = FileStats(path, model)
    for number, chunk in enumerate(chunks, start=first_line):
        row = parse_row(number, chunk)
        obj = row.obj
        if obj is None:
            if not (row.error is not None and row.error.kind == "blank"):
                stats.unparsed_lines += 1
            continue
        tokens = counter.row(obj)
        if row_kind(row) == "rft":
            tokens.trainable = True  # RFT rows need no assistant target
        legacy = None
        if "tools" in obj or any(type(m) is dict and ("tool_calls" in m or m.get("role") == "tool")
                                 for m in (obj.get("messages") if type(obj.get("messages")) is list else ())):
            converted = tools_row_to_legacy(obj, split_parallel=True).value
            legacy = counter.row(converted).total if converted is not None else tokens.total
        _add_row(stats, tokens, legacy)
    return stats


def _add_row(stats: FileStats, tokens: RowTokens, legacy: int | None) -> None:
    stats.examples += 1
    stats.trainable += tokens.trainable
    stats.lengths.add(tokens.total)
    stats.assistant_tokens += tokens.assistant
    stats.tool_tokens += tokens.tools
    stats.lower_bound_examples += tokens.lower_bound
    if tokens.tools_key:
        stats.tools_keys.add(tokens.tools_key)
    if legacy is not None:
        stats.tools_format_examples += 1
        stats.legacy_total += legacy
    else:
        stats.legacy_total += tokens.total


def _add_part(stats: FileStats, part: FileStats) -> None:
    """Add a later range's sums."""
    stats.examples += part.examples
    stats.trainable += part.trainable
    stats.lengths.update(part.lengths)
    stats.assistant_tokens += part.assistant_tokens
    stats.tool_tokens += part.tool_tokens
    stats.lower_bound_examples += part.lower_bound_examples
    stats.unparsed_lines += part.unparsed_lines
    stats.tools_format_examples += part.tools_format_examples
    stats.legacy_total += part.legacy_total
    stats.tools_keys |= part.tools_keys


def file_stats(path: Path, model: ModelFacts, jobs: int = 1, display: str | None = None) -> FileStats:
    counter = TokenCounter(model)  # loads the vocabulary before any fork: workers share it
    name = display or str(path)
    with OpenFile(path) as source:
        if worth_parallel(source.size, jobs):
            spans = source.ranges(jobs * 4)

            def count(span: tuple[int, int]) -> FileStats:
                start, end = span
                return _count_chunks(source.lines(start, end), counter, name, model, first_line=1 if start == 0 else 2)

            stats = FileStats(name, model)
            for part in fork_map(count, spans, jobs):
                _add_part(stats, part)
        else:
            stats = _count_chunks(source.lines(), counter, name, model)
    return _finished(stats)


def _finished(stats: FileStats) -> FileStats:
    if stats.tools_format_examples:
        stats.legacy_equivalent_tokens = stats.legacy_total
    stats.distinct_tools = len(stats.tools_keys)
    return stats


SMALL_SET = 200  # examples: below this the recipe's small-set advice applies (a practitioner's number)
RECIPE_SOURCE = ("a practitioners' recipe for tool-calling fine-tunes (quoted in tunelint issue 26); "
                 "advice, not a platform fact")
LEARNING_RATE_SOURCE = ("OpenAI API reference (the fine-tuning hyperparameters, as the official SDKs carry it): "
                        "learning_rate_multiplier, \"a smaller "
                        "learning rate may be useful to avoid overfitting\" (read 2026-12-01)")


def recipe_advice(trainable: int) -> list[dict[str, str]]:
    """Hyperparameter advice for the file's size, each with where it comes from. Advice,
    never a platform fact: the platform's own defaults are what `epochs` reports."""
    if not 0 < trainable < SMALL_SET:
        return []
    return [{"advice": f"with {trainable:,} examples (under {SMALL_SET}), practitioners train more epochs than the "
                       f"default and lower the learning-rate multiplier, then check on a held-out set that the model "
                       f"did not just memorise (tunelint split, tunelint eval --baseline)",
             "source": RECIPE_SOURCE},
            {"advice": "a lower learning-rate multiplier is the platform's own suggestion against overfitting",
             "source": LEARNING_RATE_SOURCE}]


def other_models(stats: FileStats, overrides: dict | None = None, models: list[ModelFacts] | None = None) -> list[dict[str, Any]]:
    """The estimate for each of `models` (default: OpenAI's model table with the config's overrides)."""
    return [stats.estimate(m) for m in (models if models is not None else known_models(overrides).values())]


def histogram(lengths: Lengths | list[int], width: int = 40, buckets: int = 8) -> list[tuple[str, int, str]]:
    """(range label, count, bar) rows over token lengths, on a log-ish scale."""
    if not isinstance(lengths, Lengths):
        lengths = Lengths(lengths)
    if not lengths:
        return []
    low, high = lengths.min(), lengths.max()
    if low == high:
        return [(f"{low:,}", len(lengths), "#" * width)]
    edges = [round(low * (high / max(low, 1)) ** (i / buckets)) if low > 0 else round(low + (high - low) * i / buckets)
             for i in range(buckets + 1)]
    edges[-1] = high + 1
    counts = [0] * buckets
    for n, count in lengths.items():
        for i in range(buckets):
            if edges[i] <= n < edges[i + 1]:
                counts[i] += count
                break
    top = max(counts) or 1
    return [(f"{edges[i]:,}-{edges[i + 1] - 1:,}", counts[i], "#" * max(1 if counts[i] else 0, round(width * counts[i] / top)))
            for i in range(buckets) if edges[i + 1] > edges[i]]
