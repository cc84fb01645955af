from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...model import INFO, DatasetFinding, Related
from ...registry import dataset_rule
from .facts import text_fingerprints


@dataset_rule("TLD002", "near-duplicate-row", INFO, collect=text_fingerprints, default=False)
def near_duplicate_row(facts: list[tuple[int, Any]], options: Mapping[str, Any]) -> Iterator[DatasetFinding]:
    """A row has the same training text as an earlier row, up to case, Unicode form and spacing.

    Off by default: normalising every text (NFKC, case folding) costs about as much as
    the rest of the dataset rules together. Exact copies are left to `duplicate-row`.

    ## Why is this bad?
    "Book a table" and "book a  table" teach the same thing twice; near-duplicates skew
    training the way duplicates do, and survive naive deduplication.

    ## Example
    `{"role": "user", "content": "Weather in Oslo?"}` on one row and
    `{"role": "user", "content": "weather in  OSLO?"}` on another, same answer.

    ## Use instead
    Keep one of them, or vary them for real.
    """
    first: dict[int, int] = {}
    exact: set[int] = set()
    for line, (row_print, text_print) in facts:
        if row_print in exact:
            continue  # an exact copy: duplicate-row reports it
        exact.add(row_print)
        original = first.setdefault(text_print, line)
        if original != line:
            yield DatasetFinding(line, f"row has the same training text as line {original} (up to case and spacing)",
                                 related=(Related(original, "the near-duplicate"),))
