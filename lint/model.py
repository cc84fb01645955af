"""The engine's vocabulary: severities, findings, fixes and violations.

Rules yield `Finding`s (where and what, relative to one row); the engine turns each
reported one into a `Violation` (which file, which line, which columns, which rule).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class ToolError(Exception):
    """A problem of the run, not of the data (a vocabulary that will not load, an unknown
    model): the CLI says it on stderr and exits 2."""


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


ERROR, WARNING, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO


class Applicability(str, Enum):
    """How freely a fix may be applied (ruff's vocabulary)."""

    SAFE = "safe"  # the training meaning is kept: applied by `--fix`
    UNSAFE = "unsafe"  # changes what the model learns: only with `--unsafe-fixes`
    DISPLAY = "display-only"  # shown as a suggestion, never applied


class FixAvailability(str, Enum):
    """What a rule can offer, for its documentation and `rule --all`."""

    NEVER = "never"
    SOMETIMES = "sometimes"
    ALWAYS = "always"


NEVER, SOMETIMES, ALWAYS = FixAvailability.NEVER, FixAvailability.SOMETIMES, FixAvailability.ALWAYS


class Fix:
    """A row-level edit: the row's line is replaced by `lines` (none: the row is deleted).

    Lines are given without their terminator; the writer reuses the row's own. A line
    given as bytes is written as it is (a row that cannot be decoded keeps its bytes).

    A fix that rewrites a whole row may be given as `build` instead, a function called on
    first use that returns `(lines, values)`: a lint that only reports the fix never writes
    the row (a conversion costs more than the rest of the checks). In a report (see
    `as_reported`) a fix keeps its title and applicability; `lines` is None there when the
    report was made without edits, so a report of 100,000 converted rows does not hold
    them all.
    """

    __slots__ = ("title", "applicability", "_lines", "_values", "_build", "settles")

    def __init__(self, title: str, applicability: Applicability, lines: tuple[str | bytes, ...] | None = (),
                 values: tuple[Any, ...] | None = None,
                 build: Callable[[], tuple[tuple[str | bytes, ...], tuple[Any, ...] | None]] | None = None,
                 settles: bool = False) -> None:
        self.title = title
        self.applicability = applicability
        self._lines = lines
        self._values = values  # what `lines` parse to, when the fix knows (it saves the fix loop a parse)
        self._build = build
        # The rows it writes are certain to give its rule nothing more to say (a conversion
        # writes rows in the other format): when that rule is the only one looking at the
        # row (`convert`), the fix loop neither parses nor checks them again.
        self.settles = settles

    @property
    def lines(self) -> tuple[str | bytes, ...] | None:
        if self._build is not None:
            self._written()
        return self._lines

    @property
    def values(self) -> tuple[Any, ...] | None:
        if self._build is not None:
            self._written()
        return self._values

    def _written(self) -> None:
        build, self._build = self._build, None
        self._lines, self._values = build()

    def as_reported(self, edits: bool) -> Fix:
        """The fix as a report keeps it: never the parsed values, nor a function holding
        the row; the lines of a deferred fix only with `edits`."""
        if self._build is None and self._values is None:
            return self
        return Fix(self.title, self.applicability, self.lines if edits or self._build is None else None)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Fix):
            return NotImplemented
        return (self.title, self.applicability, self.lines) == (other.title, other.applicability, other.lines)

    def __hash__(self) -> int:
        return hash((self.title, self.applicability))

    def __repr__(self) -> str:
        return f"Fix({self.title!r}, {self.applicability.value}, {len(self.lines or ())} lines)"


@dataclass(frozen=True, slots=True)
class Related:
    """Another place a violation refers to (the first copy of a duplicate, ...)."""

    line: int
    message: str
    path: str | None = None  # None: the same file


@dataclass(slots=True)
class Finding:
    """What a row rule reports: a JSON pointer into the row and a message."""

    pointer: str
    message: str
    fix: Fix | None = None
    on_key: bool = False  # point at the member's key rather than its value
    related: tuple[Related, ...] = ()
    span: tuple[int, int] | None = None  # explicit columns, for lines that did not parse


@dataclass(slots=True)
class DatasetFinding:
    """What a dataset rule reports: a line, and a pointer into that row.

    Dataset rules run after the rows are gone, so the engine reads the few lines it
    needs again to turn the pointer into columns.
    """

    line: int
    message: str
    pointer: str = ""
    on_key: bool = False
    related: tuple[Related, ...] = ()
    fix: Fix | None = None
    span: tuple[int, int] | None = None  # explicit columns instead of a pointer
    severity: Severity | None = None  # a finding graver or milder than the rule's default
    file_level: bool = False  # about the file as a whole (placed on line 1, which is not at fault)


@dataclass(slots=True)
class Violation:
    """A reported problem, fully placed. Lines are 1-based, columns 0-based code points."""

    code: str
    name: str
    severity: Severity
    message: str
    path: str
    line: int
    col: int
    end_col: int
    pointer: str = ""
    fix: Fix | None = None
    related: tuple[Related, ...] = ()
    # A short window of the line around the span, for excerpts:
    # (text, offset of text[0] in the line, whether the line goes on after it).
    snippet: tuple[str, int, bool] = ("", 0, False)
    end_line: int | None = None  # set when the span runs past the line (never for rows)
    file_level: bool = False  # about the whole file, not its line (`too-few-examples`): no excerpt

    @property
    def fixable(self) -> bool:
        return self.fix is not None and self.fix.applicability is not Applicability.DISPLAY


def violation_order(v: Violation) -> tuple[int, int, str]:
    """The order violations are reported in: by line, then column, then code."""
    return v.line, v.col, v.code


@dataclass(slots=True)
class FileReport:
    """Every violation found in one file, sorted, plus what was read."""

    path: str
    violations: list[Violation] = field(default_factory=list)
    rows: int = 0
    error: str | None = None  # the file could not be read (an IO error, not a violation)
    fixes: int = 0  # fixes applied before the check (`check --fix`)
    unsettled: list[int] = field(default_factory=list)  # lines whose fixes undid each other (left as they were)


@dataclass(slots=True)
class Report:
    files: list[FileReport] = field(default_factory=list)

    @property
    def violations(self) -> list[Violation]:
        return [v for f in self.files for v in f.violations]

    @property
    def fixes(self) -> int:
        return sum(f.fixes for f in self.files)
