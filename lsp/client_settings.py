"""The settings a document is linted with: the project's config file, overridden by the
client's (initializationOptions, or the workspace configuration section `tunelint`:
`select`, `ignore`, `extendSelect`, `model`, `target`, `unsafeFixes`, `debounce` in ms, `rules`)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from ..lint.settings import ConfigError, Settings, find_config, load_settings, settings_from_table


class ClientSettings:
    def __init__(self) -> None:
        self.values: dict[str, Any] = {}
        self._configs: dict[Path, tuple[Path | None, float, Settings]] = {}

    def update(self, values: Any) -> None:
        if isinstance(values, dict):
            self.values = {**self.values, **values}

    @property
    def debounce(self) -> float:
        value = self.values.get("debounce", 150)
        return max(0.0, float(value) / 1000) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0.15

    @property
    def unsafe_fixes(self) -> bool:
        return self.values.get("unsafeFixes") is True

    def settings_for(self, path: str) -> Settings:
        """The nearest config file's settings, overridden by the client's; a `ConfigError`
        names what is wrong with either."""
        folder = Path(path).parent if path else Path.cwd()
        base = self._config(folder if folder.exists() else Path.cwd())
        own = self.values
        if own.get("rules"):
            merged = settings_from_table({"rules": own["rules"]}, root=base.root)
            base.rule_settings = {**base.rule_settings, **merged.rule_settings}
        model, target = own.get("model"), own.get("target")
        return base.with_overrides(select=_strings(own.get("select")), extend_select=_strings(own.get("extendSelect")),
                                   ignore=_strings(own.get("ignore")), model=model if isinstance(model, str) else None,
                                   target=target if isinstance(target, str) and target else None)

    def _config(self, folder: Path) -> Settings:
        """The project's settings, read again only when its config file changes."""
        source = find_config(folder)
        stamp = source.stat().st_mtime if source is not None else 0.0
        known = self._configs.get(folder)
        if known is None or known[0] != source or known[1] != stamp:
            known = self._configs[folder] = (source, stamp, load_settings(source, start=folder))
        return copy.copy(known[2])


def identity(settings: Settings) -> str:
    """What a row's outcome depends on besides its text: the rules, their options, the model."""
    ruleset = settings.ruleset_for(settings.root / "x.jsonl")
    return repr((sorted(settings.enabled), sorted(settings.per_file_ignores.items()), settings.rule_settings,
                 settings.model, settings.models, settings.kind, sorted(ruleset.severity.items()),
                 settings.target, sorted(settings.per_file_target.items()), repr(settings.targets)))


def _strings(value: Any) -> list[str] | None:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    return None


__all__ = ["ClientSettings", "ConfigError", "identity"]
