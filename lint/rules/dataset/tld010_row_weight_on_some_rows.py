from __future__ import annotations

from collections.abc import Iterator, Mapping
from itertools import islice
from typing import Any

from ...facts import FactColumn
from ...model import ERROR, DatasetFinding
from ...registry import dataset_rule
from ...source import Row

SHOWN = 20  # rows reported by line; the message counts the rest


def _has_weight(row: Row, options: Mapping[str, Any]) -> bool | None:
    obj = row.obj
    return None if obj is None else "weight" in obj


@dataset_rule("TLD010", "row-weight-on-some-rows", ERROR, collect=_has_weight, context=("target",), target_only=True)
def row_weight_on_some_rows(facts: FactColumn, options: Mapping[str, Any]) -> Iterator[DatasetFinding]:
    """Some rows have a row-level `weight` and others do not, on a target that wants it on all or none.

    On where the target's `row-weight` fact is `on-every-row` (fireworks: a float loss
    multiplier at the top level of a row, which "if used, must be present in all samples").
    The rows on the less common side are reported (at most 20 by line).

    ## Why is this bad?
    The platform refuses the dataset, or (if it let it through) a missing weight would not
    mean 1.0 as you might think.

    ## Example
    ```json
    {"messages": [...], "weight": 2.0}
    {"messages": [...]}
    ```

    ## Use instead
    ```json
    {"messages": [...], "weight": 2.0}
    {"messages": [...], "weight": 1.0}
    ```
    """
    if options["target"].fact("row-weight") != "on-every-row" or not facts:
        return
    weighted = sum(map(bool, facts.values))
    total = len(facts)
    if weighted in (0, total):
        return
    minority = weighted * 2 < total  # the weighted rows are the odd ones out
    odd = (line for line, has in facts if has == minority)
    for line in islice(odd, SHOWN):
        if minority:
            yield DatasetFinding(line, f"row has a row-level `weight` but {total - weighted:,} of {total:,} rows do not; "
                                       f"{options['target'].name} wants it on every row or none", pointer="/weight",
                                 on_key=True)
        else:
            yield DatasetFinding(line, f"row has no row-level `weight` but {weighted:,} of {total:,} rows do; "
                                       f"{options['target'].name} wants it on every row or none", span=(0, 0))
