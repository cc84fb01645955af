from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...fingerprint import row_fingerprint
from ...model import ALWAYS, WARNING, Applicability, DatasetFinding, Fix, Related
from ...registry import dataset_rule
from ...source import Row
from .facts import dataset_facts


def _row_digest(row: Row, options: Mapping[str, Any]) -> int | None:
    return row_fingerprint(row.obj, row.analysis) if row.obj is not None else None


def _row_key(row: Row, options: Mapping[str, Any]) -> int | None:
    """The screening key of a row; a row that is not a conversation keeps its exact fingerprint."""
    found = dataset_facts(row)
    return found.row_key if found is not None else None


@dataset_rule("TLD001", "duplicate-row", WARNING, collect=_row_key, exact=_row_digest, fix=ALWAYS,
              unsafe_fix=True)
def duplicate_row(facts: list[tuple[int, Any]], options: Mapping[str, Any]) -> Iterator[DatasetFinding]:
    """A row is the same training example as an earlier row.

    Rows are compared as parsed JSON: key order, whitespace and escaping do not matter.
    The message names the line of the first copy.

    ## Why is this bad?
    A duplicated example weighs twice in training: the model over-learns it, and the
    loss on a validation copy of it means nothing. Duplicates usually come from merging
    exports or re-running a generation step.

    ## Example
    Line 7 and line 412 hold the same conversation, once written with `"role": "user"`
    first and once with `"content"` first.

    ## Use instead
    Keep one copy. The fix deletes the later copies; it is unsafe (opt-in with
    `--unsafe-fixes`) because it changes how much the example weighs.
    """
    first: dict[int, int] = {}
    for line, fingerprint in facts:
        original = first.setdefault(fingerprint, line)
        if original != line:
            yield DatasetFinding(line, f"row duplicates line {original}",
                                 related=(Related(original, "first copy"),),
                                 fix=Fix("Delete this later copy", Applicability.UNSAFE, ()))
