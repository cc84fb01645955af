"""`check --show-files` and `check --show-settings`: what a run would check, and with what.

`--show-settings` prints, as ruff does, the settings that apply to the first file, and
beside each value where it came from: the tool's default, the configuration file (its
path), the command line (the option) or the environment (the variable).
"""

from __future__ import annotations

import json
import os
import sys
import tomllib
from pathlib import Path
from typing import Any


from ..lint.files import Discovered
from ..lint.settings import Settings
from ..lint.registry import all_rules

def show_files(found: Discovered, stdin_filename: str | None) -> None:
    """Each file a check would read, sorted, one a line (stdin as its --stdin-filename)."""
    names = sorted(str(p) for p in found.files)
    if found.stdin:
        names.append(stdin_filename or "-")
    out = sys.stdout
    for name in names:
        out.write(name + "\n")


def _table(source: Path | None) -> dict[str, Any]:
    """The configuration's own table, read again (it parsed once already: settings exist)."""
    if source is None:
        return {}
    data = tomllib.loads(source.read_text("utf-8"))
    return data if source.name == "tunelint.toml" else data.get("tool", {}).get("tunelint", {})


def show_settings(paths: tuple[str, ...], found: Discovered, settings: Settings, config: str | None,
                  given: dict[str, Any], opts) -> None:
    first = str(found.files[0]) if found.files else (opts.stdin_filename or "-") if found.stdin else paths[0]
    table = _table(settings.source)
    where = str(settings.source) if settings.source else None
    via_config = f"{where}" + (" (--config)" if config else "")

    def origin(key: str, option: str | None = None) -> str:
        if option and given.get(option.replace("-", "_")):
            return f"command line (--{option})"
        return via_config if key in table else "default"

    lines = [f"Resolved settings for: {first}",
             f"Settings path: {where or 'none (no tunelint.toml or pyproject.toml with [tool.tunelint] above it)'}", ""]
    rows: list[tuple[str, Any, str]] = []
    rows.append(("select", settings.select if settings.select is not None else "(the rules on by default)",
                 origin("select", "select")))
    rows.append(("extend-select", settings.extend_select, _merged("extend-select", table, given.get("extend_select"),
                                                                  via_config, "--extend-select")))
    rows.append(("ignore", settings.ignore, _merged("ignore", table, given.get("ignore"), via_config, "--ignore")))
    rows.append(("per-file-ignores", settings.per_file_ignores, origin("per-file-ignores")))
    exclude_from = ["default" if "exclude" not in table else via_config]
    if "extend-exclude" in table:
        exclude_from.append(f"{via_config} (extend-exclude)")
    if given.get("exclude"):
        exclude_from.append("command line (--exclude)")
    rows.append(("exclude", settings.exclude, " + ".join(exclude_from)))
    model_origin = origin("model", "model")
    from ..lint.models import default_model

    rows.append(("model", settings.model or default_model(), model_origin))
    rows.append(("kind", settings.kind or "(detected per file)", origin("kind", "kind")))
    if settings.models:
        rows.append(("models", settings.models, via_config))
    rows.append(("output-format", opts.output_format, _format_origin()))
    rows.append(("root", str(settings.root), via_config if where else "the folder of the first path"))
    ruleset = settings.ruleset_for(first)
    for rule in all_rules():
        if rule.code not in ruleset.codes:
            continue
        configured = settings.rule_settings.get(rule.code, {})
        severity = ruleset.severity[rule.code]
        rows.append((f"rules.{rule.code}.severity", severity.value,
                     via_config if "severity" in configured else "default"))
        for option in rule.options:
            value = ruleset.options[rule.code].get(option.name, option.default)
            rows.append((f"rules.{rule.code}.{option.name}", value, via_config if option.name in configured else "default"))
    width = max(len(key) for key, _, _ in rows)
    for key, value, came_from in rows:
        shown = value if isinstance(value, str) and value.startswith("(") else _toml(value)
        lines.append(f"{key:<{width}} = {shown}  # {came_from}")
    enabled = sorted(ruleset.codes)
    lines += ["", f"enabled rules ({len(enabled):,}): {', '.join(enabled)}"]
    sys.stdout.write("\n".join(lines) + "\n")


def _merged(key: str, table: dict, given: Any, via_config: str, option: str) -> str:
    parts = [via_config] if key in table else []
    if given:
        parts.append(f"command line ({option})")
    return " + ".join(parts) or "default"


def _format_origin() -> str:
    from click import get_current_context
    from click.core import ParameterSource

    source = get_current_context().get_parameter_source("output_format")
    if source is ParameterSource.ENVIRONMENT:
        return f"environment (TUNELINT_OUTPUT_FORMAT={os.environ.get('TUNELINT_OUTPUT_FORMAT', '')})"
    return "command line (--output-format)" if source is ParameterSource.COMMANDLINE else "default"


def _toml(value: Any) -> str:
    """A value as TOML-ish text: strings quoted, lists and tables as JSON (which reads alike)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value, ensure_ascii=False) if not isinstance(value, (int, float)) else repr(value)


