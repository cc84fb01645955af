from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...model import ERROR, DatasetFinding
from ...registry import dataset_rule
from ...source import Row


def _non_blank(row: Row, options: Mapping[str, Any]) -> bool | None:
    return True if row.error is None or row.error.kind != "blank" else None


@dataset_rule("TLJ006", "empty-file", ERROR, collect=_non_blank)
def empty_file(facts: list[tuple[int, Any]], options: Mapping[str, Any]) -> Iterator[DatasetFinding]:
    """A file has no rows at all (it is empty or holds only blank lines).

    ## Why is this bad?
    An empty training or validation file is refused by the upload; in a pipeline it
    usually means an earlier step wrote nothing.

    ## Example
    A file of zero bytes.

    ## Use instead
    Write the examples, or leave the file out of the run.
    """
    if not facts:
        yield DatasetFinding(1, "file holds no rows", span=(0, 0), file_level=True)
