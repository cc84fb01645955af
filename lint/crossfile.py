"""Files checked together: which pair up as training and validation files, and the
cross-file rules over each pair (`train-validation-overlap`).

Files are paired explicitly (`--validation`: every other file is its training file) or
by name (`train.jsonl` with `valid.jsonl`, `x_train.jsonl` with `x_validation.jsonl`,
`x_training.jsonl` with `x_validation.jsonl` or `x-test.jsonl`, in one folder). The rules' facts are kept while each file is checked (no second read); the
findings go on the validation file, placed by reading their lines again.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from .aggregate import place_dataset
from .checker import InternalError
from .facts import FactColumn
from .model import violation_order
from .registry import Rule
from .settings import Settings
from .spill import SortedSpill

if TYPE_CHECKING:  # pragma: no cover
    from .engine import FileCheck

_VALID = re.compile(r"(?<![a-z])(validation|valid|val|eval|dev|test)(?![a-z])", re.I)
# Seen on real files: Azure's samples pair `stock-train-x` with `stock-test-x`, and
# `stock_toolcall_training` with `stock_toolcall_validation`.
_TRAINING_NAMES = ("train", "training")


def cross_file_rules(settings: Settings) -> tuple[Rule, ...]:
    """The cross-file rules any file could have enabled (per-file ignores decide later)."""
    return settings.ruleset_for(None).cross_file_rules


def pairs_of(files: list[Path], validation: Path | None = None) -> list[tuple[Path, Path]]:
    """(training, validation) pairs among files checked together."""
    if validation is not None:
        target = validation.resolve()
        return [(f, validation) for f in files if f.resolve() != target]
    return pair_by_name(files)


def looks_like_validation(path: Path) -> bool:
    """Whether the file's name says it is a validation file (`valid.jsonl`, `x_test.jsonl`)."""
    return bool(_VALID.search(path.name)) and "train" not in path.name.lower()


def pair_by_name(files: Iterable[Path]) -> list[tuple[Path, Path]]:
    by_name = {(f.parent.resolve(), f.name): f for f in files}
    pairs = []
    for (folder, name), path in by_name.items():
        if looks_like_validation(path):
            for word in _TRAINING_NAMES:
                twin = by_name.get((folder, _VALID.sub(word, name, count=1)))
                if twin is not None:
                    pairs.append((twin, path))
                    break
    return pairs


def run_cross_file(pairs: list[tuple[Path, Path]], checks: Mapping[Path, FileCheck], settings: Settings) -> None:
    """Each pair's findings, added to its validation file's report (kept in order)."""
    for training, validation in pairs:
        train, valid = checks.get(training), checks.get(validation)
        if train is None or valid is None or train.report.error or valid.report.error:
            continue
        ruleset = settings.ruleset_for(validation)
        found = []
        for rule in ruleset.cross_file_rules:
            try:
                findings = list(rule.func(train.kept.get(rule.code) or FactColumn(),
                                          valid.kept.get(rule.code) or FactColumn(),
                                          ruleset.options[rule.code], train.report.path))
            except Exception as exc:
                raise InternalError(f"internal error in {rule.name}: {type(exc).__name__}: {exc}") from exc
            found.extend((rule, f) for f in findings)
        if not found:
            continue
        violations = valid.report.violations
        if not isinstance(violations, SortedSpill):
            violations = valid.report.violations = SortedSpill(violation_order, violations)
        reread = valid.reread or (lambda wanted: ())
        violations.extend(place_dataset(found, valid.report.path, ruleset, reread))
