from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...model import ERROR, Finding
from ...registry import row_rule
from ...source import Row
from .declared import declared


@row_rule("TLT008", "strict-schema-violation", ERROR)
def strict_schema_violation(row: Row, options: Mapping[str, Any]) -> Iterator[Finding]:
    """A `strict: true` function's schema breaks the rules of strict mode.

    Strict mode (Structured Outputs) needs every object to set `additionalProperties:
    false` and to list all its properties in `required`, a root of type `object`, and only
    the supported keywords (no `minLength`, `oneOf`, `patternProperties`, ...).

    ## Why is this bad?
    Such a schema is refused when the model is called with it, so the fine-tuned model is
    trained on a definition it will never be served with.

    ## Example
    ```json
    {"type": "function", "function": {"name": "book", "strict": true, "parameters": {"type": "object",
      "properties": {"date": {"type": "string"}, "guests": {"type": "integer"}}, "required": ["date"]}}}
    ```

    ## Use instead
    ```json
    {"type": "function", "function": {"name": "book", "strict": true, "parameters": {"type": "object",
      "properties": {"date": {"type": "string"}, "guests": {"type": ["integer", "null"]}},
      "required": ["date", "guests"], "additionalProperties": false}}}
    ```
    """
    for legacy in (False, True):
        toolset = declared(row, legacy)
        if toolset is not None:
            for at, message, on_key in toolset.strict_problems:
                yield Finding(at, message, on_key=on_key)
