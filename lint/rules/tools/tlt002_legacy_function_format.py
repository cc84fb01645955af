from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...survey import uses_legacy_format, uses_tools_format
from ...fingerprint import digest_bytes
from ...conversion import legacy_fix
from ...model import SOMETIMES, WARNING, Finding, Fix
from ...registry import row_rule
from ...source import Row, canonical_dump
from .format_conversion import format_finding


def _legacy_fix(row: Row) -> tuple[Fix | None, str]:
    """The conversion fix, or None and the reason the row cannot be converted."""
    dump = canonical_dump(row)  # the row's digest is made of it: no second dump
    return legacy_fix(row, digest_bytes(dump) if dump is not None else None,
                      "Convert the row to the `tools` format")


@row_rule("TLT002", "legacy-function-format", WARNING, SOMETIMES)
def legacy_function_format(row: Row, options: Mapping[str, Any]) -> Iterator[Finding]:
    """A row uses the deprecated function-calling format.

    `functions`, an assistant `function_call` and role `function` results were replaced
    by `tools`, `tool_calls` (with ids) and role `tool` (with `tool_call_id`).

    ## Why is this bad?
    Current models are served with the `tools` format. A model fine-tuned on the legacy
    format learns a prompt layout it will not see at inference, cannot make parallel
    calls, and the legacy fields are deprecated on the platforms that still take them.

    ## Example
    ```json
    {"functions": [{"name": "get_weather", "parameters": {...}}],
     "messages": [..., {"role": "assistant", "function_call": {"name": "get_weather", "arguments": "{}"}},
       {"role": "function", "name": "get_weather", "content": "12°C"}]}
    ```

    ## Use instead
    ```json
    {"tools": [{"type": "function", "function": {"name": "get_weather", "parameters": {...}}}],
     "messages": [..., {"role": "assistant", "tool_calls": [{"id": "call_...", "type": "function",
       "function": {"name": "get_weather", "arguments": "{}"}}]},
       {"role": "tool", "tool_call_id": "call_...", "content": "12°C"}]}
    ```

    The fix (safe) converts the row losslessly, as `tunelint convert` does; it is not
    offered when the row also uses the `tools` format or has a result no call asked for.
    """
    yield from format_finding(row, uses_legacy_format, uses_tools_format, _legacy_fix,
                              "row uses the deprecated function-calling format (`functions`/`function_call`)",
                              "it cannot be converted: it also uses the `tools` format", "it cannot be converted: ")
