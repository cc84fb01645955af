"""Rows of a validation file that also sit in its training file (train-validation-overlap).

The one rule that spans files. Files are paired explicitly (`--validation`) or by name
(`train.jsonl` with `valid.jsonl`, `x_train.jsonl` with `x_validation.jsonl`, in one
folder); each file of a pair is read once more for two fingerprints a row.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from .fingerprint import row_fingerprint, training_text_digest
from .model import Related, Violation
from .pointer import locate
from .registry import find_rule
from .settings import Settings
from .source import STREAM_BUFFER, rows_from_stream

CODE = "TLD008"
_VALID = re.compile(r"(?<![a-z])(validation|valid|val|eval|dev)(?![a-z])", re.I)


def pair_by_name(files: Iterable[Path]) -> list[tuple[Path, Path]]:
    """(train, validation) pairs among files checked together, matched by name."""
    by_name = {(f.parent.resolve(), f.name): f for f in files}
    pairs = []
    for (folder, name), path in by_name.items():
        if _VALID.search(name) and "train" not in name.lower():
            twin = by_name.get((folder, _VALID.sub("train", name, count=1)))
            if twin is not None:
                pairs.append((twin, path))
    return pairs


def _fingerprints(path: Path) -> list[tuple[int, int, int]]:
    """(line, exact fingerprint, normalised-text fingerprint) of each chat row."""
    found = []
    with path.open("rb", buffering=STREAM_BUFFER) as stream:
        for row in rows_from_stream(stream):
            obj = row.obj
            if obj is not None and type(obj.get("messages")) is list:
                found.append((row.line, row_fingerprint(obj), training_text_digest(obj)))
    return found


def overlap(train: Path, valid: Path, settings: Settings, train_name: str | None = None,
            valid_name: str | None = None) -> list[Violation]:
    """Violations on the validation file's rows that the training file also holds."""
    ruleset = settings.ruleset_for(valid)
    if CODE not in ruleset.codes:
        return []
    rule = find_rule(CODE)
    exact: dict[int, int] = {}
    normalised: dict[int, int] = {}
    for line, row_fp, text_fp in _fingerprints(train):
        exact.setdefault(row_fp, line)
        normalised.setdefault(text_fp, line)
    shown_train = train_name or str(train)
    shown_valid = valid_name or str(valid)
    violations = []
    for line, row_fp, text_fp in _fingerprints(valid):
        if row_fp in exact:
            other, how = exact[row_fp], ""
        elif text_fp in normalised:
            other, how = normalised[text_fp], " (up to case and spacing)"
        else:
            continue
        violations.append(Violation(rule.code, rule.name, ruleset.severity[CODE],
                                    f"row is also in {shown_train} (line {other}){how}", shown_valid, line, 0, 0,
                                    related=(Related(other, "the training copy", shown_train),)))
    _place(valid, violations)
    return violations


def _place(path: Path, violations: list[Violation]) -> None:
    """Give each violation the span of its row (read again, only those lines)."""
    wanted = {v.line: v for v in violations}
    if not wanted:
        return
    from .engine import snippet

    with path.open("rb", buffering=STREAM_BUFFER) as stream:
        for row in rows_from_stream(stream):
            v = wanted.get(row.line)
            if v is not None:
                text = row.text
                v.col, v.end_col = locate(text, "") or (0, len(text))
                v.snippet = snippet(text, v.col, v.end_col)


def cross_file(files: list[Path], settings: Settings, validation: Path | None = None) -> dict[Path, list[Violation]]:
    """Overlap violations by validation file, for files checked together.

    With `validation`, every other file is its training file; otherwise files pair by name.
    """
    if validation is not None:
        target = validation.resolve()
        pairs = [(f, validation) for f in files if f.resolve() != target]
    else:
        pairs = pair_by_name(files)
    found: dict[Path, list[Violation]] = {}
    for train, valid in pairs:
        found.setdefault(valid, []).extend(overlap(train, valid, settings))
    return found
