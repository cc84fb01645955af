from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...survey import uses_legacy_format, uses_tools_format
from ...conversion import conversion_fix, tools_row_to_legacy
from ...model import INFO, SOMETIMES, Finding, Fix
from ...registry import row_rule
from ...source import Row, exact_obj
from .format_conversion import format_finding


def _legacy_target_fix(row: Row) -> tuple[Fix | None, str]:
    converted = tools_row_to_legacy(exact_obj(row))
    if converted.value is not None:
        return conversion_fix(row, converted, "Convert the row to the legacy function format")
    # Parallel calls become consecutive single calls: the model learns another turn structure (unsafe).
    fix, why = conversion_fix(row, tools_row_to_legacy(exact_obj(row), split_parallel=True),
                              "Split parallel calls and convert the row to the legacy function format", unsafe=True)
    return fix, converted.problems[0][1] if fix is not None else why


@row_rule("TLT015", "tools-format", INFO, SOMETIMES, opt_in=True, conflicts=("TLT002",))
def tools_format(row: Row, options: Mapping[str, Any]) -> Iterator[Finding]:
    """A row uses the `tools` format, for a target that needs the legacy function format.

    Off by default: the `tools` format is the current one. `tunelint convert --to legacy`
    selects this rule and applies its fixes, for an older model or platform that only
    takes `functions`, `function_call` and role `function`.

    ## Why is this bad?
    It is not, unless your target predates `tools`: there, rows in the `tools` format are
    refused or rendered as plain text.

    ## Example
    ```json
    {"tools": [{"type": "function", "function": {"name": "f"}}],
     "messages": [..., {"role": "assistant", "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{}"}}]},
       {"role": "tool", "tool_call_id": "call_1", "content": "ok"}]}
    ```

    ## Use instead
    ```json
    {"functions": [{"name": "f"}],
     "messages": [..., {"role": "assistant", "function_call": {"name": "f", "arguments": "{}"}},
       {"role": "function", "name": "f", "content": "ok"}]}
    ```

    Call ids are dropped (the legacy format has no place for them). A turn with several
    parallel calls has no legacy form: its fix, which splits the turn into consecutive
    single calls, is unsafe (`--split-parallel`).
    """
    yield from format_finding(row, uses_tools_format, uses_legacy_format, _legacy_target_fix,
                              "row uses the `tools` format", "it also uses the legacy format", "")
