"""Targets: the platform a dataset will be trained on, as data.

A target is a profile file (`lint/targets/<name>.toml`): the facts of one platform's
fine-tuning format (roles, row keys, id form, minimum examples, limits per model, prices,
known upload errors), each with its source and the date it was read, and which rules
the platform makes apply (`enable`, `disable`, `severity`). Rules never test the target's
name: they read its facts through their options (`Rule.context` "target").

A profile may `extend` another and change only what differs. The config overrides any part
of a shipped profile, or adds a target, under `[tool.tunelint.targets.<name>]` (the same
keys, merged table by table), as `[tool.tunelint.models]` overrides the model table.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from .model import ToolError

DEFAULT_TARGET = "openai"
PROFILES = Path(__file__).with_name("targets")
ENCODINGS = ("o200k_base", "cl100k_base")  # the vocabularies tunelint ships (see `vocabulary`)
_TOP_KEYS = {"name", "title", "extends", "read", "summary", "enable", "disable", "severity", "facts", "models",
             "models-file", "default-model", "upload-errors", "prices"}
_FACT_KEYS = {"value", "source", "read", "note"}
_MODEL_KEYS = {"encoding", "limit", "price", "price-note", "aliases", "source", "read", "estimate", "note"}
_SEVERITIES = {"error", "warning", "info"}
# Facts the rules read, with the type each value must have (a profile may add others, documented only).
FACT_TYPES: dict[str, tuple[type, ...]] = {
    "roles": (list,),
    "row-keys": (list,),
    "min-examples": (int,),
    "bom": (str,),
    "tool-call-id": (str,),
    "content-with-tool-calls": (str,),
    "alternating-roles": (bool,),
    "file-size": (int,),
    "row-weight": (str,),
}
BOM_VALUES = ("error", "allowed")
CONTENT_WITH_CALLS = ("allowed", "forbidden")
ROW_WEIGHT = ("none", "on-every-row")


class UnknownTarget(ToolError):
    """A target name that no profile and no config table describes, or a broken profile."""


@dataclass(frozen=True)
class Fact:
    value: Any
    source: str
    read: str
    note: str = ""


@dataclass(frozen=True)
class TargetModel:
    name: str
    encoding: str | None  # the vocabulary tokens are counted with, if any
    limit: int | None  # tokens per training example; None where the platform publishes none
    price: float | None  # USD per 1M training tokens; None where none is recorded
    price_note: str
    aliases: tuple[str, ...]
    source: str
    estimate: bool  # counted with a vocabulary that is not the model's own


@dataclass(frozen=True, eq=False)
class Target:
    name: str
    title: str
    summary: str
    enable: frozenset[str]
    disable: frozenset[str]
    severity: dict[str, str]
    facts: dict[str, Fact]
    models: dict[str, TargetModel]
    default_model: str | None
    upload_errors: tuple[dict[str, str], ...] = ()
    prices: Fact | None = None
    data: dict[str, Any] = field(default_factory=dict)  # the merged profile, as read

    def fact(self, name: str, default: Any = None) -> Any:
        found = self.facts.get(name)
        return found.value if found is not None else default

    def model(self, name: str | None) -> TargetModel | None:
        """The model a name means here: a snapshot, an alias, or a fine-tune of either; None
        when no name is given and the target has no default."""
        chosen = name or self.default_model
        if chosen is None:
            return None
        if chosen in self.models:
            return self.models[chosen]
        for model in self.models.values():
            if chosen in model.aliases:
                return model
        # Fine-tuned snapshots (`ft:gpt-4o-mini-2024-07-18:org::id`) train and bill like their base.
        if chosen.startswith("ft:") and chosen.count(":") >= 1:
            base = chosen.split(":")[1]
            if base != chosen:
                return self.model(base)
        names = ", ".join(sorted(self.models)) or "none"
        aliases = sorted(a for m in self.models.values() for a in m.aliases)
        raise UnknownModelForTarget(
            f"unknown model `{chosen}` for target `{self.name}`; known: {names}"
            + (f" (aliases: {', '.join(aliases)})" if aliases else "")
            + " (add one under [tool.tunelint.targets." + self.name + ".models])")

    def alias_note(self, name: str | None) -> str | None:
        """`gpt-4o-mini means gpt-4o-mini-2024-07-18`, when `name` is an alias."""
        if not name or name in self.models:
            return None
        found = self.model(name)
        return f"`{name}` means `{found.name}` on {self.name}" if found is not None and found.name != name else None


class UnknownModelForTarget(ToolError):
    """A model the target's table does not describe."""


def shipped_targets() -> list[str]:
    return sorted(p.stem for p in PROFILES.glob("*.toml"))


def known_targets(overrides: dict[str, dict[str, Any]] | None = None) -> list[str]:
    return sorted(set(shipped_targets()) | set(overrides or {}))


@lru_cache(maxsize=32)
def _read_profile(name: str) -> dict[str, Any]:
    path = PROFILES / f"{name}.toml"
    try:
        return tomllib.loads(path.read_text("utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise UnknownTarget(f"cannot read the `{name}` target profile ({path}): {exc}") from None


def _merge(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    """Tables merge key by key; any other value (lists too) replaces the base's."""
    merged = dict(base)
    for key, value in top.items():
        if type(value) is dict and type(merged.get(key)) is dict:
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _raw(name: str, overrides: dict[str, dict[str, Any]], seen: tuple[str, ...] = ()) -> dict[str, Any]:
    if name in seen:
        raise UnknownTarget(f"target `{name}` extends itself ({' -> '.join((*seen, name))})")
    shipped = name in shipped_targets()
    if not shipped and name not in overrides:
        raise UnknownTarget(f"unknown target `{name}`; known: {', '.join(known_targets(overrides))}")
    data = _read_profile(name) if shipped else {}
    if shipped and "models-file" in data:  # openai: its models are the existing model table (models.toml)
        table = tomllib.loads(Path(__file__).with_name(data["models-file"]).read_text("utf-8"))
        source = f"lint/{data['models-file']} (OpenAI's fine-tuning guide and pricing page)"
        listed = {n: {**facts, "source": source, "read": table.get("checked", "")} for n, facts in table["models"].items()}
        data = _merge({**data, "models": listed, "default-model": table["default"]}, {"models": data.get("models", {})})
    data = _merge(data, overrides.get(name, {}))
    parent = data.get("extends")
    if parent is not None:
        if type(parent) is not str:
            raise UnknownTarget(f"target `{name}`: `extends` must name a target")
        own = {k: v for k, v in data.items() if k not in ("extends", "enable", "disable")}
        base = _raw(parent, overrides, (*seen, name))
        merged = _merge(base, own)
        # enable/disable add to the parent's lists (a child names only what differs)
        for key in ("enable", "disable"):
            theirs, mine = base.get(key, []), data.get(key, [])
            if type(mine) is not list:
                raise UnknownTarget(f"target `{name}`: `{key}` must be a list of rule codes")
            merged[key] = sorted(set(theirs) | set(mine))
        return merged
    return data


def load_target(name: str | None, overrides: dict[str, dict[str, Any]] | None = None,
                model_overrides: dict[str, dict[str, Any]] | None = None) -> Target:
    """The target `name` (default: openai), with the config's overrides merged in.

    `model_overrides` is the config's `[tool.tunelint.models]` table: it applies to the
    chosen target's models, as it always has to OpenAI's.
    """
    import orjson

    key = orjson.dumps([name, overrides or {}, model_overrides or {}], option=orjson.OPT_SORT_KEYS).decode()
    return _load(key)


@lru_cache(maxsize=32)
def _load(key: str) -> Target:
    import orjson

    name, overrides, model_overrides = orjson.loads(key)
    name = DEFAULT_TARGET if name is None else name
    data = _raw(name, overrides)
    if model_overrides:
        data = _merge(data, {"models": model_overrides})
    return _build(name, data)


def _build(name: str, data: dict[str, Any]) -> Target:
    where = f"target `{name}`"
    for key in data:
        if key not in _TOP_KEYS:
            raise UnknownTarget(f"{where}: unknown key `{key}`; expected one of {', '.join(sorted(_TOP_KEYS))}")
    read = str(data.get("read", ""))
    facts: dict[str, Fact] = {}
    for fact_name, fact in (data.get("facts") or {}).items():
        if type(fact) is not dict or "value" not in fact:
            raise UnknownTarget(f"{where}: `facts.{fact_name}` must be a table with `value` and `source`")
        unknown = set(fact) - _FACT_KEYS
        if unknown:
            raise UnknownTarget(f"{where}: unknown key `facts.{fact_name}.{sorted(unknown)[0]}`; "
                                f"expected {', '.join(sorted(_FACT_KEYS))}")
        expected = FACT_TYPES.get(fact_name)
        if expected and (type(fact["value"]) not in expected):
            raise UnknownTarget(f"{where}: `facts.{fact_name}.value` must be "
                                f"{' or '.join(t.__name__ for t in expected)}, not {type(fact['value']).__name__}")
        facts[fact_name] = Fact(fact["value"], str(fact.get("source", "")), str(fact.get("read", read)),
                                str(fact.get("note", "")))
    for fact_name, allowed in (("bom", BOM_VALUES), ("content-with-tool-calls", CONTENT_WITH_CALLS),
                               ("row-weight", ROW_WEIGHT)):
        if fact_name in facts and facts[fact_name].value not in allowed:
            raise UnknownTarget(f"{where}: `facts.{fact_name}.value` must be one of {', '.join(allowed)}")
    if "tool-call-id" in facts:
        try:
            re.compile(facts["tool-call-id"].value)
        except re.error as exc:
            raise UnknownTarget(f"{where}: `facts.tool-call-id.value` is not a regular expression ({exc})") from None
    models: dict[str, TargetModel] = {}
    for model_name, m in (data.get("models") or {}).items():
        if type(m) is not dict:
            raise UnknownTarget(f"{where}: `models.{model_name}` must be a table")
        unknown = set(m) - _MODEL_KEYS
        if unknown:
            raise UnknownTarget(f"{where}: unknown key `models.{model_name}.{sorted(unknown)[0]}`; "
                                f"expected {', '.join(sorted(_MODEL_KEYS))}")
        encoding = m.get("encoding")
        if encoding is not None and encoding not in ENCODINGS:
            raise UnknownTarget(f"{where}: model `{model_name}` uses encoding `{encoding}`; "
                                f"tunelint has {', '.join(ENCODINGS)}")
        try:
            limit = None if m.get("limit") is None else int(m["limit"])
            price = None if m.get("price") is None else float(m["price"])
        except (TypeError, ValueError):
            raise UnknownTarget(f"{where}: model `{model_name}`: `limit` must be an integer and `price` a number") from None
        aliases = m.get("aliases", [])
        if type(aliases) is not list or any(type(a) is not str for a in aliases):
            raise UnknownTarget(f"{where}: `models.{model_name}.aliases` must be a list of names")
        models[model_name] = TargetModel(model_name, encoding, limit, price, str(m.get("price-note", "")),
                                         tuple(aliases), str(m.get("source", "")), bool(m.get("estimate", False)))
    severity = dict(data.get("severity") or {})
    for code, value in severity.items():
        if value not in _SEVERITIES:
            raise UnknownTarget(f"{where}: `severity.{code}` must be \"error\", \"warning\" or \"info\"")
    for key in ("enable", "disable"):
        value = data.get(key, [])
        if type(value) is not list or any(type(v) is not str for v in value):
            raise UnknownTarget(f"{where}: `{key}` must be a list of rule codes")
    default_model = data.get("default-model")
    if default_model is not None and default_model not in models:
        raise UnknownTarget(f"{where}: `default-model` `{default_model}` is not in its models")
    errors = data.get("upload-errors") or []
    if type(errors) is not list or any(type(e) is not dict or "text" not in e for e in errors):
        raise UnknownTarget(f"{where}: `upload-errors` must be a list of tables with `text`, `rule` and `source`")
    prices = data.get("prices")
    return Target(
        name=name, title=str(data.get("title", name)), summary=str(data.get("summary", "")),
        enable=frozenset(data.get("enable", [])), disable=frozenset(data.get("disable", [])),
        severity=severity, facts=facts, models=models, default_model=default_model,
        upload_errors=tuple(errors),
        prices=Fact(prices.get("value"), str(prices.get("source", "")), str(prices.get("read", read)),
                    str(prices.get("note", ""))) if type(prices) is dict else None,
        data=data,
    )


def check_rule_codes(target: Target, known: set[str]) -> None:
    """A profile that names a rule tunelint does not have is broken (a typo would turn nothing on)."""
    for label, codes in (("enable", target.enable), ("disable", target.disable), ("severity", set(target.severity))):
        for code in sorted(codes):
            if code not in known:
                raise UnknownTarget(f"target `{target.name}`: `{label}` names `{code}`, which is no rule's code")
