from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...fingerprint import quick
from ...model import ERROR, Finding
from ...registry import row_rule
from ...source import Row


@row_rule("TLP002", "identical-preference-pair", ERROR, sees="dpo")
def identical_preference_pair(row: Row, options: Mapping[str, Any]) -> Iterator[Finding]:
    """The preferred and the non-preferred output of a DPO row are the same.

    Compared as parsed JSON (key order and spacing aside).

    ## Why is this bad?
    DPO learns from the difference between the two answers; with none, the pair teaches
    nothing and only adds noise to the loss. It usually means a generation step sampled
    the same answer twice.

    ## Example
    ```json
    {"input": {...}, "preferred_output": [{"role": "assistant", "content": "Paris."}],
     "non_preferred_output": [{"role": "assistant", "content": "Paris."}]}
    ```

    ## Use instead
    A non-preferred answer that is actually worse, or drop the pair.
    """
    preferred, other = row.obj.get("preferred_output"), row.obj.get("non_preferred_output")
    if type(preferred) is list and type(other) is list and preferred and quick(preferred) == quick(other):
        yield Finding("/non_preferred_output", "the non-preferred output is the same as the preferred one")
