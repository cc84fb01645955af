from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...survey import ROLES, intended_role, message_dicts, survey, turn
from ...model import ERROR, SOMETIMES, Applicability, Finding, Fix
from ...pointer import join_pointer, locate
from ...registry import row_rule
from ...source import Row
from ...toolset import json_type


@row_rule("TLS004", "invalid-role", ERROR, SOMETIMES)
def invalid_role(row: Row, options: Mapping[str, Any]) -> Iterator[Finding]:
    """A message has no role, or a role the chat format does not define.

    Roles are `system`, `developer`, `user`, `assistant`, `tool` and the legacy `function`
    (`developer-role` says where `developer` does not belong). A role that differs only in
    case (`User`) or is another format's name for one (`Chatbot`, `bot`, `model`, `gpt` for
    `assistant`; `human` for `user`) is named in the message.

    ## Why is this bad?
    The role decides what the model learns from a message; the upload refuses any other
    value. `human`/`gpt` (ShareGPT), `Chatbot` (Cohere) and `model` (Gemini) are the usual
    leftovers of a conversion.

    ## Example
    ```json
    {"role": "human", "content": "What's the weather?"}
    ```

    ## Use instead
    ```json
    {"role": "user", "content": "What's the weather?"}
    ```

    The fix renames the row's roles: those that differ only in case (safe), and with
    `--unsafe-fixes` also other formats' names (what the turn is trained as changes).
    """
    if not survey(row).odd_roles:
        return
    renames = _renames(row)
    for i, message in message_dicts(row):
        if "role" not in message:
            yield Finding(join_pointer("messages", i), f"{turn(i)} has no `role`")
            continue
        role = message["role"]
        if type(role) is not str or role not in ROLES:
            shown = f"`{role}`" if type(role) is str else json_type(role)
            intended = intended_role(role)
            hint = f"; did you mean `{intended[0]}`?" if intended is not None else f"; expected one of {', '.join(sorted(ROLES))}"
            fix = _rename_fix(row, renames, case_only=intended[1]) if intended is not None else None
            yield Finding(join_pointer("messages", i, "role"), f"{turn(i)} has role {shown}{hint}", fix=fix)


def _renames(row: Row) -> list[tuple[int, str, bool]]:
    """(message index, the chat role meant, whether only the case differs) of each odd role."""
    found = []
    for i, message in message_dicts(row):
        intended = intended_role(message.get("role"))
        if intended is not None and message.get("role") not in ROLES:
            found.append((i, *intended))
    return found


def _rename_fix(row: Row, renames: list[tuple[int, str, bool]], case_only: bool) -> Fix | None:
    """One fix for the whole row (the fix loop applies one a pass): every role of its kind
    renamed in place; with the other formats' names, every known odd role (unsafe)."""
    chosen = [(i, role) for i, role, only_case in renames if only_case or not case_only]
    if not chosen:
        return None

    def written() -> tuple[tuple[str, ...], None]:  # only when applied or shown: a report keeps the title
        text = row.text
        spans = [(locate(text, join_pointer("messages", i, "role")), role) for i, role in chosen]
        for span, role in sorted((pair for pair in spans if pair[0] is not None), key=lambda pair: pair[0][0], reverse=True):
            text = text[:span[0]] + f'"{role}"' + text[span[1]:]
        return (text,), None

    names = ", ".join(f"{row.obj['messages'][i]['role']} -> {role}" for i, role in dict(chosen).items())
    return Fix(f"Rename the roles ({names})", Applicability.SAFE if case_only else Applicability.UNSAFE, build=written)
