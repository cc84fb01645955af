"""Configuration: `[tool.tunelint]` in pyproject.toml, or a `tunelint.toml`.

Validation is strict: an unknown key, an unknown rule selector or a value of the wrong
type is a `ConfigError` naming it, so a typo never silently turns a rule off.
"""

from __future__ import annotations

import fnmatch
import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path, PurePosixPath
from typing import Any

from .model import Severity
from .registry import Rule, all_rules, did_you_mean, find_rule, matching

CONFIG_KEYS = {"select", "ignore", "extend-select", "per-file-ignores", "exclude", "extend-exclude",
               "rules", "model", "models", "kind", "validation"}
KINDS = ("sft", "dpo", "rft")  # what a file can be linted as: supervised chat, DPO pairs, RFT rows
DEFAULT_EXCLUDE = (".git", ".hg", ".svn", ".venv", "venv", "node_modules", "__pycache__", ".tox", ".mypy_cache")


class ConfigError(Exception):
    """The configuration cannot be used; the message names the file and the key."""


@dataclass(frozen=True, eq=False)
class RuleSet:
    """The rules that apply to one file, by what they look at, with their effective
    severity and options (see `checker.RowChecker` for how they run)."""

    line_rules: tuple[Rule, ...]  # every line, parsed or not
    object_rules: tuple[Rule, ...]  # every row that is a JSON object
    conversation_rules: tuple[Rule, ...]  # sft rows, and the conversations inside DPO and RFT rows
    dataset_rules: tuple[Rule, ...]  # the facts of a whole file
    severity: dict[str, Severity]
    options: dict[str, dict[str, Any]]
    configured_severity: frozenset[str] = frozenset()  # codes whose severity the config sets
    kind_rules: tuple[Rule, ...] = ()  # rules of the DPO and RFT row kinds
    cross_file_rules: tuple[Rule, ...] = ()  # the facts of files checked together

    @property
    def codes(self) -> set[str]:
        return {r.code for r in (*self.line_rules, *self.object_rules, *self.conversation_rules, *self.kind_rules,
                                 *self.dataset_rules, *self.cross_file_rules)}


@dataclass
class Settings:
    select: list[str] | None = None  # None: every rule that is on by default
    extend_select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    exclude: list[str] = field(default_factory=lambda: list(DEFAULT_EXCLUDE))
    rule_settings: dict[str, dict[str, Any]] = field(default_factory=dict)  # code -> {"severity", options...}
    model: str | None = None
    models: dict[str, dict[str, Any]] = field(default_factory=dict)  # model facts from config
    kind: str | None = None
    root: Path = field(default_factory=Path.cwd)  # patterns are relative to it
    source: Path | None = None  # the config file, when there is one

    def __post_init__(self) -> None:
        self._rulesets: dict[tuple[str, ...], RuleSet] = {}
        for label, selectors in (("select", self.select or []), ("extend-select", self.extend_select), ("ignore", self.ignore)):
            for selector in selectors:
                if not matching(selector):
                    raise ConfigError(f"{self._where()}unknown rule selector `{selector}` in `{label}`{did_you_mean(selector)}")
        for pattern, selectors in self.per_file_ignores.items():
            for selector in selectors:
                if not matching(selector):
                    raise ConfigError(f"{self._where()}unknown rule selector `{selector}` in `per-file-ignores` for `{pattern}`"
                                      f"{did_you_mean(selector)}")
        self._refuse_conflicts()

    def _where(self) -> str:
        return f"{self.source}: " if self.source else ""

    @cached_property
    def enabled(self) -> set[str]:
        return _resolve(self.select, self.extend_select, self.ignore)

    def _refuse_conflicts(self) -> None:
        """Two selected rules whose fixes undo each other would flip rows back and forth."""
        enabled = self.enabled
        for code in sorted(enabled):
            rule = find_rule(code)
            for other in rule.conflicts:
                if other in enabled:
                    theirs = find_rule(other)
                    raise ConfigError(f"{self._where()}`{rule.name}` ({rule.code}) and `{theirs.name}` ({theirs.code}) "
                                      f"undo each other's fixes; select only one of them")

    def is_excluded(self, path: Path) -> bool:
        rel = _relative(path, self.root)
        parts = PurePosixPath(rel).parts
        for pattern in self.exclude:
            if _matches(rel, pattern) or any(fnmatch.fnmatchcase(part, pattern) for part in parts):
                return True
        return False

    def ruleset_for(self, path: str | Path | None) -> RuleSet:
        ignored: tuple[str, ...] = ()
        if path is not None and self.per_file_ignores:
            rel = _relative(Path(path), self.root)
            ignored = tuple(p for p in self.per_file_ignores if _matches(rel, p))
        found = self._rulesets.get(ignored)
        if found is None:
            found = self._rulesets[ignored] = self._build(ignored)
        return found

    def _build(self, patterns: tuple[str, ...]) -> RuleSet:
        codes = set(self.enabled)
        for pattern in patterns:
            for selector in self.per_file_ignores[pattern]:
                codes -= {r.code for r in matching(selector)}
        rules = [r for r in all_rules() if r.code in codes]
        severity = {r.code: Severity(self.rule_settings.get(r.code, {}).get("severity", r.severity)) for r in rules}
        options = {}
        for r in rules:
            opts = r.default_options()
            opts.update({k: v for k, v in self.rule_settings.get(r.code, {}).items() if k != "severity"})
            if "model" in r.context:  # the token rules count for the model the run is for
                opts["model"], opts["models"] = self.model, self.models
            options[r.code] = opts
        return RuleSet(
            line_rules=tuple(r for r in rules if r.scope == "row" and r.sees == "line"),
            object_rules=tuple(r for r in rules if r.scope == "row" and r.sees == "object"),
            conversation_rules=tuple(r for r in rules if r.scope == "row" and r.sees == "conversation"),
            kind_rules=tuple(r for r in rules if r.scope == "row" and r.sees in ("dpo", "rft")),
            dataset_rules=tuple(r for r in rules if r.scope == "dataset"),
            cross_file_rules=tuple(r for r in rules if r.scope == "files"),
            severity=severity,
            options=options,
            configured_severity=frozenset(c for c, s in self.rule_settings.items() if "severity" in s),
        )

    def with_overrides(self, select: list[str] | None = None, extend_select: list[str] | None = None,
                       ignore: list[str] | None = None, exclude: list[str] | None = None,
                       model: str | None = None, kind: str | None = None) -> Settings:
        """Command-line options on top of the file's settings (ruff's precedence)."""
        return Settings(
            select=select if select is not None else self.select,
            extend_select=self.extend_select + (extend_select or []),
            ignore=self.ignore + (ignore or []),
            per_file_ignores=self.per_file_ignores,
            exclude=self.exclude + (exclude or []),
            rule_settings=self.rule_settings,
            model=model or self.model,
            models=self.models,
            kind=kind or self.kind,
            root=self.root,
            source=self.source,
        )


def _relative(path: Path, root: Path) -> str:
    try:
        return _resolved(path).relative_to(_resolved(root)).as_posix()
    except ValueError:
        return path.as_posix()


def _matches(rel: str, pattern: str) -> bool:
    pattern = pattern.rstrip("/")
    if fnmatch.fnmatchcase(rel, pattern) or fnmatch.fnmatchcase(rel, pattern + "/*"):
        return True
    return "/" not in pattern and fnmatch.fnmatchcase(PurePosixPath(rel).name, pattern)


EXACT = 100  # the specificity of a selector that names one rule


def _specificity(selector: str) -> int:
    rule = find_rule(selector)
    if rule is not None:
        return EXACT  # an exact code or name beats any prefix
    return 0 if selector.upper() == "ALL" else len(selector)


def _resolve(select: list[str] | None, extend_select: list[str], ignore: list[str]) -> set[str]:
    """Enabled codes: the most specific selector wins; on a tie, ignore wins (as in ruff)."""
    enabled: set[str] = set()
    on = list(select) if select is not None else []
    on += extend_select
    for rule in all_rules():
        best_on = max((_specificity(s) for s in on if rule in matching(s)), default=-1)
        if rule.opt_in and best_on < EXACT:
            continue  # ALL and prefixes pass over a rule that serves one target
        if select is None and rule.default_enabled:
            best_on = max(best_on, 0)
        best_off = max((_specificity(s) for s in ignore if rule in matching(s)), default=-1)
        if best_on >= 0 and best_on > best_off:
            enabled.add(rule.code)
    return enabled


# --- reading config files ---------------------------------------------------------------

_OUR_TABLE = ("[tool.tunelint", "tool.tunelint", "[tool]")  # how a broken pyproject may still show it is ours


def find_config(start: Path) -> Path | None:
    """The nearest `tunelint.toml`, or pyproject.toml with a `[tool.tunelint]` table.

    A pyproject.toml that does not parse counts as ours when its text names the table,
    and so does one whose `tool` is not a table: `load_settings` then reports the error
    (exit 2), as ruff does. A pyproject without our table is passed over.
    """
    here = _resolved(start)
    if here.is_file() or not here.exists():
        here = here.parent
    for folder in (here, *here.parents):
        candidate = folder / "tunelint.toml"
        if candidate.is_file():
            return candidate
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            try:
                text = candidate.read_text("utf-8")
            except (OSError, UnicodeDecodeError):
                continue  # not ours to judge
            try:
                data = tomllib.loads(text)
            except tomllib.TOMLDecodeError:
                if "tunelint" in text and any(mark in text for mark in _OUR_TABLE):
                    return candidate
                continue
            tool = data.get("tool")
            if tool is not None and (type(tool) is not dict or "tunelint" in tool):
                return candidate  # ours, or a `tool` that is no table (PEP 518 makes it one): reported
    return None


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a symlink loop: as written, made absolute
        return path.absolute()


def load_settings(config: Path | None = None, start: Path | None = None) -> Settings:
    """Settings from `config`, or from the nearest config file above `start` (default: cwd)."""
    if config is None:
        config = find_config(start or Path.cwd())
        if config is None:
            base = start or Path.cwd()
            return Settings(root=_resolved(base) if base.is_dir() else _resolved(base).parent)
    try:
        data = tomllib.loads(config.read_text("utf-8"))
    except OSError as exc:
        raise ConfigError(f"{config}: cannot read the configuration: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{config}: not valid TOML: not UTF-8 ({exc.reason} at byte {exc.start})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{config}: not valid TOML: {exc}") from None
    if config.name == "tunelint.toml":
        table = data
    else:
        tool = data.get("tool", {})
        if type(tool) is not dict:
            raise ConfigError(f"{config}: `tool` must be a table, not {type(tool).__name__}")
        table = tool.get("tunelint", {})
        if type(table) is not dict:
            raise ConfigError(f"{config}: `tool.tunelint` must be a table, not {type(table).__name__}")
    return settings_from_table(table, config)


def settings_from_table(table: dict[str, Any], source: Path | None = None, root: Path | None = None) -> Settings:
    where = f"{source}: " if source else ""
    prefix = "" if source is not None and source.name == "tunelint.toml" else "tool.tunelint."
    for key in table:
        if key not in CONFIG_KEYS:
            raise ConfigError(f"{where}unknown key `{prefix}{key}`; expected one of {', '.join(sorted(CONFIG_KEYS))}")

    def strings(key: str) -> list[str] | None:
        if key not in table:
            return None
        value = table[key]
        if type(value) is not list or any(type(v) is not str for v in value):
            raise ConfigError(f"{where}`{prefix}{key}` must be a list of strings")
        return value

    per_file = table.get("per-file-ignores", {})
    if type(per_file) is not dict or any(type(v) is not list or any(type(s) is not str for s in v) for v in per_file.values()):
        raise ConfigError(f"{where}`{prefix}per-file-ignores` must map file patterns to lists of rule selectors")
    for key in ("model", "kind"):
        if key in table and type(table[key]) is not str:
            raise ConfigError(f"{where}`{prefix}{key}` must be a string")
    if "kind" in table and table["kind"] not in KINDS:
        raise ConfigError(f"{where}`{prefix}kind` must be one of {', '.join(KINDS)}, not `{table['kind']}`")
    models = table.get("models", {})
    if type(models) is not dict or any(type(v) is not dict for v in models.values()):
        raise ConfigError(f"{where}`{prefix}models` must be a table of model tables")
    for name, facts in models.items():
        for key, value in facts.items():
            expected = {"encoding": str, "limit": int, "price": (int, float)}.get(key)
            if expected is None:
                raise ConfigError(f"{where}unknown key `{prefix}models.{name}.{key}`; expected encoding, limit, price")
            if not _type_ok(value, expected):
                raise ConfigError(f"{where}`{prefix}models.{name}.{key}` has the wrong type ({type(value).__name__})")
    exclude = strings("exclude")
    return Settings(
        select=strings("select"),
        extend_select=strings("extend-select") or [],
        ignore=strings("ignore") or [],
        per_file_ignores=per_file,
        exclude=(exclude if exclude is not None else list(DEFAULT_EXCLUDE)) + (strings("extend-exclude") or []),
        rule_settings=_rule_settings(table.get("rules", {}), where, prefix),
        model=table.get("model"),
        models=models,
        kind=table.get("kind"),
        root=root or (source.parent if source else Path.cwd()),
        source=source,
    )


def _rule_settings(rules: Any, where: str, prefix: str) -> dict[str, dict[str, Any]]:
    if type(rules) is not dict:
        raise ConfigError(f"{where}`{prefix}rules` must be a table of rule tables")
    result: dict[str, dict[str, Any]] = {}
    for key, values in rules.items():
        rule = find_rule(key)
        if rule is None:
            raise ConfigError(f"{where}unknown rule `{key}` in `{prefix}rules`{did_you_mean(key)}")
        if type(values) is not dict:
            raise ConfigError(f"{where}`{prefix}rules.{key}` must be a table")
        known = {o.name: o for o in rule.options}
        for name, value in values.items():
            label = f"{prefix}rules.{key}.{name}"
            if name == "severity":
                if value not in {s.value for s in Severity}:
                    raise ConfigError(f"{where}`{label}` must be \"error\", \"warning\" or \"info\"")
            elif name not in known:
                hint = f"; {rule.name} takes {', '.join(sorted(known))}" if known else f"; {rule.name} takes no options"
                raise ConfigError(f"{where}unknown option `{label}`{hint}")
            elif not _type_ok(value, known[name].type):
                raise ConfigError(f"{where}`{label}` has the wrong type ({type(value).__name__})")
        result[rule.code] = dict(values)
    return result


def _type_ok(value: Any, expected: type | tuple[type, ...]) -> bool:
    types = expected if isinstance(expected, tuple) else (expected,)
    if type(value) is bool and bool not in types:
        return False
    if float in types and type(value) is int:
        return True
    return isinstance(value, types)
