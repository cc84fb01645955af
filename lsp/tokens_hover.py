"""Hover on a row: its tokens and its share of the file's training cost."""

from __future__ import annotations

from ..lint.model import ToolError
from ..lint.settings import Settings
from ..lint.source import parse_row
from ..lint.models import cost, default_epochs, model_facts
from ..lint.token_count import RowTokens, TokenCounter
from .document import Document

_counts: dict[tuple[str, str], RowTokens | None] = {}  # (model, line text) -> tokens


def _count(counter: TokenCounter, text: str) -> RowTokens | None:
    key = (counter.model.name, text)
    if key not in _counts:
        if len(_counts) > 200_000:
            _counts.clear()
        obj = parse_row(2, (text + "\n").encode("utf-8", "surrogatepass")).obj
        _counts[key] = counter.row(obj) if obj is not None else None
    return _counts[key]


def row_cost(document: Document, line: int, settings: Settings) -> str | None:
    try:
        model = model_facts(settings.model, settings.models)
        counter = TokenCounter(model)
    except ToolError as exc:
        return f"tunelint: {exc}"
    mine = _count(counter, document.rows[line - 1])
    if mine is None:
        return None
    counts = [c for c in (_count(counter, text) for text in document.rows) if c is not None]
    billed = sum(min(c.total, model.limit) for c in counts)
    epochs = default_epochs(sum(1 for c in counts if c.trainable))
    share = min(mine.total, model.limit) / billed if billed else 0.0
    bound = "at least " if mine.lower_bound else ""
    over = f" — over the limit of {model.limit:,}: truncated" if mine.total > model.limit else ""
    return (f"**{bound}{mine.total:,} tokens** for {model.name}{over}\n\n"
            f"assistant (trained) {mine.assistant:,} · tool definitions {mine.tools:,}\n\n"
            f"{share:.2%} of the file's {billed:,} billed tokens per epoch: about "
            f"${cost(min(mine.total, model.limit), epochs, model):,.4f} of ${cost(billed, epochs, model):,.2f} "
            f"({epochs} epochs at ${model.price:g}/1M)")
