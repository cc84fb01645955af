from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...model import INFO, Finding
from ...registry import row_rule
from ...source import Row


def _undescribed(declared: Any, legacy: bool) -> list[str]:
    """Names of the declared functions whose `description` is missing or blank."""
    names: list[str] = []
    if type(declared) is not list:
        return names
    for entry in declared:
        function = entry if legacy else entry.get("function") if type(entry) is dict else None
        if type(function) is not dict or type(function.get("name")) is not str:
            continue  # invalid-tool-definition says what is wrong with it
        description = function.get("description")
        if description is None or (type(description) is str and not description.strip()):
            names.append(function["name"])
    return names


@row_rule("TLT016", "tool-without-description", INFO, default=False)
def tool_without_description(row: Row, options: Mapping[str, Any]) -> Iterator[Finding]:
    """A declared function has no `description` (or an empty one).

    Off by default (`ALL` or its code turns it on): every platform accepts such a row.

    ## Why is this bad?
    The description is what a model reads to decide when to call a function: OpenAI's API
    reference calls it "used by the model to choose when and how to call the function", and
    Together's function-calling guide calls it "the single biggest factor in tool-calling
    accuracy" (both read 2026-12-01). A model fine-tuned on undescribed tools learns to pick
    them by name alone, and at inference time, with described tools in the prompt, it sees
    something it was not trained on. Seen on a real file: all 16 tools of every row of the
    OpenAI cookbook's `drone_training.jsonl` have no description.

    ## Example
    ```json
    {"tools": [{"type": "function", "function": {"name": "takeoff_drone", "parameters": {...}}}], ...}
    ```

    ## Use instead
    ```json
    {"tools": [{"type": "function", "function": {"name": "takeoff_drone",
      "description": "Lift off and hover at the given altitude in metres.", "parameters": {...}}}], ...}
    ```
    """
    obj = row.obj
    for key, legacy in (("tools", False), ("functions", True)):
        names = _undescribed(obj.get(key), legacy)
        if names:
            shown = ", ".join(f"`{n}`" for n in names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
            verb = "has" if len(names) == 1 else "have"
            yield Finding("/" + key, f"{shown} {verb} no description", on_key=True)
