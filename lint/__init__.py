"""tunelint's rule engine: the library every shell (CLI, converter, hook, server) calls.

This package never prints, never exits and never imports click or pygls.
"""

__version__ = "0.1.0"

from .engine import InternalError, check_bytes, check_file, check_paths, check_row, check_text
from .files import discover
from .model import Applicability, FileReport, Fix, Report, Severity, Violation
from .registry import all_rules, find_rule
from .settings import ConfigError, Settings, load_settings

__all__ = [
    "Applicability", "ConfigError", "FileReport", "Fix", "InternalError", "Report", "Settings", "Severity",
    "Violation", "all_rules", "check_bytes", "check_file", "check_paths", "check_row", "check_text",
    "discover", "find_rule", "load_settings",
]
