"""The models a dataset is fine-tuned for: encoding, training-token limit and price.

The facts are data (`models.toml`, with their source and the date they were read),
overridable under `[tool.tunelint.models."name"]`; nothing here is a guess.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .model import ToolError

ENCODINGS = ("o200k_base", "cl100k_base")  # the vocabularies tunelint ships (see `vocabulary`)


class UnknownModel(ToolError):
    """A model name that neither models.toml nor the config describes."""


@dataclass(frozen=True)
class ModelFacts:
    name: str
    encoding: str
    limit: int  # tokens per training example
    price: float  # USD per 1M training tokens
    # A target's model may lack a published limit or price (see `target`): then these are
    # False and `limit`/`price` are placeholders no output shows as a fact.
    limit_known: bool = True
    price_known: bool = True
    price_note: str = ""
    estimate: bool = False  # counted with a vocabulary that is not the model's own
    target: str = "openai"

    @property
    def legacy_tokenizer_rules(self) -> bool:
        """gpt-3.5 and gpt-4 (cl100k) count 10 tokens per function definition, not 7."""
        return self.encoding == "cl100k_base"


def _table() -> dict[str, Any]:
    return tomllib.loads(Path(__file__).with_name("models.toml").read_text("utf-8"))


def known_models(overrides: dict[str, dict[str, Any]] | None = None) -> dict[str, ModelFacts]:
    table = _table()
    merged: dict[str, dict[str, Any]] = {name: dict(facts) for name, facts in table["models"].items()}
    for name, facts in (overrides or {}).items():
        merged.setdefault(name, {}).update(facts)
    models = {}
    for name, facts in merged.items():
        try:
            models[name] = ModelFacts(name, str(facts["encoding"]), int(facts["limit"]), float(facts["price"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise UnknownModel(f"model `{name}` needs `encoding`, `limit` and `price` ({exc})") from None
        if models[name].encoding not in ENCODINGS:
            raise UnknownModel(f"model `{name}` uses encoding `{models[name].encoding}`; "
                               f"tunelint has {', '.join(ENCODINGS)}")
    return models


def default_model() -> str:
    return _table()["default"]


NO_LIMIT = 2**62  # stands for "no published limit": no example is ever over it


def target_model_facts(name: str | None, target: Any) -> ModelFacts | None:
    """The facts of `name` (or the target's default model) on a `target.Target`; None when
    no model is named and the target has no default."""
    found = target.model(name)
    if found is None:
        return None
    if found.encoding is None:
        raise UnknownModel(f"model `{found.name}` on target `{target.name}` has no `encoding`: tunelint cannot count its tokens")
    return ModelFacts(found.name, found.encoding, found.limit if found.limit is not None else NO_LIMIT,
                      found.price if found.price is not None else 0.0, limit_known=found.limit is not None,
                      price_known=found.price is not None, price_note=found.price_note, estimate=found.estimate,
                      target=target.name)


def model_facts(name: str | None, overrides: dict[str, dict[str, Any]] | None = None) -> ModelFacts:
    models = known_models(overrides)
    chosen = name or default_model()
    if chosen in models:
        return models[chosen]
    # Fine-tuned snapshots (`ft:gpt-4o-mini-2024-07-18:org::id`) bill and limit like their base.
    base = chosen.split(":")[1] if chosen.startswith("ft:") and chosen.count(":") >= 1 else None
    if base in models:
        return models[base]
    raise UnknownModel(f"unknown model `{chosen}`; known: {', '.join(sorted(models))} "
                       f"(add one under [tool.tunelint.models])")


# --- epochs and cost ------------------------------------------------------------------------

def default_epochs(examples: int) -> int:
    """The platform's default: 3, raised so examples x epochs >= 100, lowered so it <= 25,000."""
    if examples <= 0:
        return 0
    epochs = 3
    if examples * epochs < 100:
        epochs = min(25, -(-100 // examples))  # rounded up, so examples x epochs reaches 100
    elif examples * epochs > 25_000:
        epochs = max(1, 25_000 // examples)
    return epochs


def cost(billed_tokens_per_epoch: int, epochs: int, model: ModelFacts) -> float:
    return billed_tokens_per_epoch * epochs * model.price / 1_000_000
