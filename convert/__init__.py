"""Bulk conversion between the legacy function format and the `tools` format.

Not a second implementation: a conversion is `check --fix` restricted to one format rule
(`legacy-function-format` towards `tools`, `tools-format` towards legacy), so both commands
produce the same bytes. What cannot be converted stays as it is and is reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..lint.fix import FixOutcome, apply_fixes, fix_file
from ..lint.model import Violation
from ..lint.settings import Settings

TARGET_RULES = {"tools": "TLT002", "legacy": "TLT015", "dpo": "TLP005"}
# Reported but never fixed by a conversion: rows it cannot read are left alone.
REPORTED = ["TLJ001", "TLJ005"]


def conversion_settings(base: Settings, target: str) -> Settings:
    """The user's settings (exclusions, per-file rules) with only the conversion rule selected."""
    return Settings(select=[TARGET_RULES[target], *REPORTED], exclude=base.exclude, root=base.root,
                    source=base.source, kind=base.kind)


@dataclass
class Conversion:
    path: str
    outcome: FixOutcome
    problems: list[Violation] = field(default_factory=list)  # rows left unconverted, and why

    @property
    def rows_converted(self) -> int:
        return self.outcome.rows_changed


def convert_file(path: Path, settings: Settings, target: str = "tools", *, split_parallel: bool = False,
                 output: Path | None = None, write: bool = True, keep_changes: bool = False,
                 on_progress=None, display: str | None = None, jobs: int = 1) -> Conversion:
    """Convert one file, atomically, to `output` (default: in place); `write=False` only looks.
    A large file is converted on `jobs` cores.

    What is still flagged after the fixes is what could not be converted: those rows are
    left as they were and returned as problems, placed at their line in the output.
    """
    outcome = fix_file(path, conversion_settings(settings, target), unsafe=split_parallel, output=output,
                       write=write, keep_changes=keep_changes, collect=True, on_progress=on_progress,
                       display=display or str(output or path), jobs=jobs)
    return Conversion(display or str(path), outcome, outcome.remaining)


def convert_bytes(data: bytes, settings: Settings, target: str = "tools", *, split_parallel: bool = False,
                  name: str = "-", keep_changes: bool = False) -> tuple[bytes, Conversion]:
    converted, outcome = apply_fixes(data, conversion_settings(settings, target), name, unsafe=split_parallel,
                                     keep_changes=keep_changes, collect=True)
    return converted, Conversion(name, outcome, outcome.remaining)
