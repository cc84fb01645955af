from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...fingerprint import quick
from ...model import ERROR, DatasetFinding, Related
from ...registry import dataset_rule
from ...source import Row


def _pair_facts(row: Row, options: Mapping[str, Any]) -> tuple[int, int, int] | None:
    obj = row.obj
    if obj is None or "input" not in obj or "preferred_output" not in obj or "non_preferred_output" not in obj:
        return None
    return quick(obj["input"]), quick(obj["preferred_output"]), quick(obj["non_preferred_output"])


@dataset_rule("TLP003", "inverted-preference", ERROR, collect=_pair_facts)
def inverted_preference(facts, options: Mapping[str, Any]) -> Iterator[DatasetFinding]:
    """Two DPO rows with the same input prefer opposite outputs.

    ## Why is this bad?
    One row teaches the model to prefer A over B, the other B over A, for the same prompt:
    the two cancel out, and the preference signal of the whole file gets noisier. It comes
    from merged annotations, or swapped columns in one batch.

    ## Example
    Line 4 prefers "Paris." over "Lyon." and line 90, for the same input, prefers "Lyon."
    over "Paris.".

    ## Use instead
    Resolve the disagreement (re-annotate), or drop both rows.
    """
    seen: dict[tuple[int, int, int], int] = {}
    for line, (prompt, preferred, other) in facts:
        earlier = seen.get((prompt, other, preferred))
        if earlier is not None:
            yield DatasetFinding(line, f"prefers the opposite of line {earlier} for the same input",
                                 related=(Related(earlier, "the opposite preference"),))
        seen.setdefault((prompt, preferred, other), line)
