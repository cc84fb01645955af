from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import Any

from ...model import WARNING, Finding
from ...registry import row_rule
from ...source import Row
from ...models import ModelFacts, model_facts, target_model_facts
from ...token_count import IMAGE_MAX_TOKENS, TokenCounter


@lru_cache(maxsize=8)
def _counter(facts: ModelFacts) -> TokenCounter:
    return TokenCounter(facts)


def facts_for(options: Mapping[str, Any]) -> ModelFacts | None:
    """The model's facts on the run's target (None: the target names no model to count for)."""
    target = options.get("target")
    if target is None:  # a caller that builds options by hand: OpenAI's table, as before
        return model_facts(options.get("model"), options.get("models"))
    return _facts(options.get("model"), target)


@lru_cache(maxsize=8)
def _facts(model: str | None, target: Any) -> ModelFacts | None:
    found = target_model_facts(model, target)
    if found is None and target.fact("context-length"):
        # No model named, but the platform cuts every example at one length (Fireworks: 32,768
        # unless the job sets --max-context-length): counted with o200k_base, an estimate.
        return ModelFacts(f"the {target.name} default context", "o200k_base", int(target.fact("context-length")), 0.0,
                          price_known=False, estimate=True, target=target.name)
    return found


def counter_for(options: Mapping[str, Any]) -> TokenCounter:
    return _counter(facts_for(options))


@row_rule("TLK001", "row-over-token-limit", WARNING, context=("model",))
def row_over_token_limit(row: Row, options: Mapping[str, Any]) -> Iterator[Finding]:
    """An example has more tokens than the model trains on; the rest is truncated.

    Counted with the model's own tokenizer (offline), per OpenAI's token-counting rules:
    messages, calls, tool results and the tool definitions. The model comes from
    `--model` or the `model` config key (default: the target's default model,
    gpt-4o-mini-2024-07-18 on OpenAI). On a target whose model's tokenizer tunelint does
    not ship (Mistral), or with no model but a context length (Fireworks: 32,768), tokens
    are counted with o200k_base and the message says it is an estimate. A model with no
    published limit is not checked.

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
    if facts is None or not facts.limit_known:
        return  # no model named on a target without a default, or no published limit
    # Every token is at least one byte: a row shorter than the limit in bytes fits, unless
    # images (few bytes for a URL, many tokens) are in it.
    images = row.raw.count(b"image_url")
    if len(row.raw) + images * IMAGE_MAX_TOKENS < facts.limit:
        return
    total, exact = counter_for(options).row_at_least(row.obj, facts.limit)
    if total > facts.limit:
        # Counting stops once past the limit (a pasted document can be megabytes).
        bound = "" if exact else "at least "
        counted = " (counted with o200k_base: an estimate, the model's own tokenizer is not shipped)" if facts.estimate else ""
        yield Finding("", f"example has {bound}{total:,} tokens; {facts.name} trains on at most "
                          f"{facts.limit:,} (the rest is truncated){counted}")
