"""What the rules work out about one row, computed once and shared between them.

Each attribute belongs to the function named beside it, which fills it on first use; the
others only read it through that function. Unset attributes fall through to the class
defaults below, so a row whose rules ask for little costs one empty object.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover - for type checkers
    from .rules.dataset.facts import DatasetFacts
    from .survey import Survey
    from .toolset import ToolSet

UNSET: Any = type("Unset", (), {"__repr__": lambda self: "UNSET", "__slots__": ()})()


class RowAnalysis:
    # survey.survey: one pass over the messages
    survey: Survey | None = None
    # survey.uses_legacy_format / uses_tools_format, when no survey was made: a cheap scan
    legacy_scan: bool | None = None
    tools_scan: bool | None = None
    # kinds.row_kind: "sft", "dpo", "rft", "completion" or "pairs"
    kind: str | None = None
    # rules.tools.declared: the analysed `tools` / `functions` arrays (None: the row has none)
    tools: ToolSet | None = UNSET
    functions: ToolSet | None = UNSET
    # rules.tools.arguments.parsed_arguments: (status, value) by (message index, call index)
    arguments: dict[tuple[int, int | None], tuple[str, Any]] | None = None
    # source.exact_obj / canonical_dump / repeated_key: for fixes that write the row back
    exact: Any = UNSET
    canonical: bytes | None = UNSET
    repeated_key: str | None = UNSET
    # fingerprint.*: the dataset rules' fingerprints and the dumps they share
    messages_canonical: bytes | None = UNSET
    fingerprint: int | None = None
    tools_fingerprint: int | None = None
    functions_fingerprint: int | None = None
    screen: tuple[int, int | None] | None = None
    # rules.dataset.facts.dataset_facts: what the dataset rules keep of the row
    dataset: DatasetFacts | None = None
