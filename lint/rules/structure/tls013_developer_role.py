from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...model import ALWAYS, WARNING, Applicability, Finding, Fix
from ...pointer import join_pointer, locate
from ...registry import row_rule
from ...source import Row
from ...survey import message_dicts, survey, turn


@row_rule("TLS013", "developer-role", WARNING, ALWAYS, kinds=("sft", "dpo"))
def developer_role(row: Row, options: Mapping[str, Any]) -> Iterator[Finding]:
    """A supervised (or preference) row uses the `developer` role.

    OpenAI's supervised and preference formats list the roles `system`, `user`,
    `assistant`, `tool` (and the legacy `function`); `developer` is the role of
    reinforcement fine-tuning rows and of the reasoning models' API. How the supervised
    upload treats it is not documented (Azure's own validator accepts it), hence a
    warning here.

    ## Why is this bad?
    A role the format does not list may be refused or rendered as something else, and
    the platforms you may move to (Mistral, Together, the Hugging Face trainers) do not
    know it: their templates drop or reject the turn. The instruction it carries is the
    system prompt.

    ## Example
    ```json
    {"role": "developer", "content": "You are Trip, a travel assistant."}
    ```

    ## Use instead
    ```json
    {"role": "system", "content": "You are Trip, a travel assistant."}
    ```

    The fix (safe) renames the row's `developer` turns to `system`.
    """
    if not survey(row).developer:
        return
    places = [i for i, message in message_dicts(row) if message.get("role") == "developer"]
    if not places:
        return
    fix = _as_system(row, places)
    for i in places:
        yield Finding(join_pointer("messages", i, "role"), f"{turn(i)} has role `developer`, which supervised rows do not "
                                                           f"list; it is the system prompt", fix=fix)


def _as_system(row: Row, places: list[int]) -> Fix | None:
    """Every `developer` role of the row renamed `system`, in place (one fix for the row)."""
    def written() -> tuple[tuple[str, ...], None]:  # only when applied or shown: a report keeps the title
        text = row.text
        spans = [locate(text, join_pointer("messages", i, "role")) for i in places]
        for start, end in sorted((span for span in spans if span is not None), reverse=True):
            text = text[:start] + '"system"' + text[end:]
        return (text,), None

    return Fix("Rename `developer` to `system`", Applicability.SAFE, build=written)
