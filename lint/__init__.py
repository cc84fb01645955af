"""tunelint's rule engine: the library every shell (CLI, converter, hook, server) calls.

This package never prints, never exits and never imports click or pygls. Its public
names load on first use, so `import tunelint.lint` (for `__version__`) costs nothing.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "check_bytes": "engine", "check_file": "engine", "check_paths": "run", "check_text": "engine",
    "InternalError": "checker", "RowChecker": "checker", "Session": "session",
    "discover": "files",
    "apply_fixes": "fix", "fix_file": "fix",
    "Applicability": "model", "FileReport": "model", "Fix": "model", "Report": "model", "Severity": "model",
    "Violation": "model",
    "all_rules": "registry", "find_rule": "registry",
    "ConfigError": "settings", "Settings": "settings", "load_settings": "settings",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'tunelint.lint' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


if TYPE_CHECKING:  # pragma: no cover - for type checkers and editors
    from .checker import InternalError, RowChecker
    from .engine import check_bytes, check_file, check_text
    from .run import check_paths
    from .session import Session
    from .files import discover
    from .fix import apply_fixes, fix_file
    from .model import Applicability, FileReport, Fix, Report, Severity, Violation
    from .registry import all_rules, find_rule
    from .settings import ConfigError, Settings, load_settings
