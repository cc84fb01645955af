from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import Any

from ...model import WARNING, Finding
from ...registry import row_rule
from ...source import Row
from ...models import ModelFacts, model_facts
from ...token_count import IMAGE_MAX_TOKENS, TokenCounter


def _key(options: Mapping[str, Any]) -> tuple[str | None, str]:
    import orjson

    return options.get("model"), orjson.dumps(options.get("models") or {}, option=orjson.OPT_SORT_KEYS).decode()


@lru_cache(maxsize=8)
def _facts(model: str | None, models_json: str) -> ModelFacts:
    import orjson

    return model_facts(model, orjson.loads(models_json))


@lru_cache(maxsize=8)
def _counter(model: str | None, models_json: str) -> TokenCounter:
    return TokenCounter(_facts(model, models_json))


def facts_for(options: Mapping[str, Any]) -> ModelFacts:
    """The model's facts, read once per run (not per row)."""
    return _facts(*_key(options))


def counter_for(options: Mapping[str, Any]) -> TokenCounter:
    return _counter(*_key(options))


@row_rule("TLK001", "row-over-token-limit", WARNING, context=("model",))
def row_over_token_limit(row: Row, options: Mapping[str, Any]) -> Iterator[Finding]:
    """An example has more tokens than the model trains on; the rest is truncated.

    Counted with the model's own tokenizer (offline), per OpenAI's token-counting rules:
    messages, calls, tool results and the tool definitions. The model comes from
    `--model` or the `model` config key (default: gpt-4o-mini-2024-07-18).

    ## Why is this bad?
    The platform cuts an example at the model's limit: the end of the conversation, usually
    the assistant's answer the example exists to teach, is never trained on, though every
    token up to the limit is billed.

    ## Example
    A row whose tool result pastes a 300-page PDF: 91,000 tokens for a model that trains
    on at most 65,536.

    ## Use instead
    Shorten the long turn (summarise the tool result, drop earlier turns), or split the
    conversation into several examples.
    """
    facts = facts_for(options)
    # Every token is at least one byte: a row shorter than the limit in bytes fits, unless
    # images (few bytes for a URL, many tokens) are in it.
    images = row.raw.count(b"image_url")
    if len(row.raw) + images * IMAGE_MAX_TOKENS < facts.limit:
        return
    total, exact = counter_for(options).row_at_least(row.obj, facts.limit)
    if total > facts.limit:
        # Counting stops once past the limit (a pasted document can be megabytes).
        bound = "" if exact else "at least "
        yield Finding("", f"example has {bound}{total:,} tokens; {facts.name} trains on at most "
                          f"{facts.limit:,} (the rest is truncated)")
