from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import Any

from ...survey import ROW_KEYS
from ...model import WARNING, Finding
from ...pointer import join_pointer
from ...registry import Option, row_rule
from ...source import Row


@row_rule("TLS002", "unknown-row-key", WARNING, options=(
    Option("allowed", list, [], "extra top-level keys to accept (metadata your pipeline strips)"),
), kinds=("sft",), context=("target",))  # RFT rows carry grader keys; DPO rows have their own rule
def unknown_row_key(row: Row, options: Mapping[str, Any]) -> Iterator[Finding]:
    """A row has a top-level key the target's chat format does not define.

    The keys a target takes are its `row-keys` fact: OpenAI's format knows `messages`,
    `tools`, `parallel_tool_calls` and the legacy `functions`; Together takes `messages` and
    `tools` only (and refuses any other as an extra column: an error there); Fireworks adds a
    row-level `weight`; Mistral documents `messages` and `tools`. Keys your pipeline needs can
    be allowed with the `allowed` option.

    Together's SDK before 2.x said: 'Found extra column "tools" in the line 1.' (it then
    refused `tools` too; the current one accepts it).

    ## Why is this bad?
    Unknown keys are refused by some platforms and silently dropped by others, and they
    are often a typo for a key that matters (`tool` for `tools`) or metadata that leaks
    into a file meant for upload.

    ## Example
    ```json
    {"messages": [...], "tool": [{"type": "function", "function": {"name": "book"}}]}
    ```

    ## Use instead
    ```json
    {"messages": [...], "tools": [{"type": "function", "function": {"name": "book"}}]}
    ```
    """
    target = options.get("target")
    known = ROW_KEYS if target is None else _row_keys(target)
    if known.issuperset(row.obj):
        return
    allowed = options.get("allowed") or ()
    for key in row.obj:
        if key not in known and key not in allowed:
            if target is not None and target.name != "openai" and key in ROW_KEYS:
                yield Finding(join_pointer(key), f"top-level key `{key}` is not taken by {target.name} "
                                                 f"(it takes {', '.join(sorted(known))})", on_key=True)
            else:
                yield Finding(join_pointer(key), f"unknown top-level key `{key}`", on_key=True)


@lru_cache(maxsize=16)
def _row_keys(target: Any) -> frozenset[str]:
    """Once per target and run, not per row (a `Target` hashes by identity)."""
    return frozenset(target.fact("row-keys", sorted(ROW_KEYS)))
