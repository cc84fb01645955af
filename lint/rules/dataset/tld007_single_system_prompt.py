from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...facts import FactColumn
from ...model import INFO, DatasetFinding
from ...registry import Option, dataset_rule
from ...source import Row
from .facts import dataset_facts


def _system_prompt(row: Row, options: Mapping[str, Any]) -> int | None:
    found = dataset_facts(row)
    return found.system if found is not None else None


@dataset_rule("TLD007", "single-system-prompt", INFO, collect=_system_prompt, options=(
    Option("min-rows", int, 20, "only judge files with at least this many rows"),
))
def single_system_prompt(facts: FactColumn, options: Mapping[str, Any]) -> Iterator[DatasetFinding]:
    """Every row shares one system prompt.

    ## Why is this bad?
    The model learns to behave well only under that exact prompt: a reworded system
    prompt in production falls outside what it was trained on, and the prompt's tokens
    are billed on every example.

    ## Example
    1,000 rows, each starting with "You are Trip, a travel assistant."

    ## Use instead
    Vary the system prompt across examples (paraphrases, the variants you deploy), or
    leave it out of some rows so behaviour does not hinge on it.
    """
    if len(facts) < options["min-rows"]:
        return
    first_line, first = None, None
    for line, prompt in facts:  # stops at the second prompt: a large file's column streams from disk
        if first_line is None:
            first_line, first = line, prompt
        elif prompt != first:
            return
    if first != 0:  # 0: no system prompt
        yield DatasetFinding(first_line, f"all {len(facts):,} rows share one system prompt", pointer="/messages/0/content")
