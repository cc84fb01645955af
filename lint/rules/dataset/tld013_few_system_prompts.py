from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...facts import FactColumn
from ...model import INFO, DatasetFinding
from ...registry import Option, dataset_rule
from ...fingerprint import digest_bytes, normalise, shared
from ...source import Row
from ...survey import survey
from .facts import conversation, dataset_facts
from .recipe import file_level

_folded: dict[int, int] = {}  # exact prompt fingerprint -> its fingerprint up to case and spacing


def _system_prompt(row: Row, options: Mapping[str, Any]) -> tuple[int, int, bool] | None:
    """(the system prompt's fingerprint, the same up to case and spacing, whether the row
    calls a tool); 0 for a row without a system prompt."""
    found = dataset_facts(row)
    if found is None or conversation(row) is None:
        return None
    exact = found.system
    folded = _folded.get(exact) if exact else 0
    if folded is None:
        text = next((m.get("content") for _, m in survey(row).message_dicts if m.get("role") in ("system", "developer")), None)
        folded = digest_bytes(normalise(text).encode("utf-8", "surrogatepass")) if type(text) is str else exact
        if len(_folded) > 65536:
            _folded.clear()
        _folded[exact] = folded
    return shared((exact, folded, bool(found.tool_use and found.tool_use[1])))


@dataset_rule("TLD013", "few-system-prompts", INFO, collect=_system_prompt, context=("file-role",), default=False,
              options=(
    Option("min-prompts", int, 3, "distinct system prompts the recipe asks for"),
    Option("min-rows", int, 20, "only judge files with at least this many rows"),
))
def few_system_prompts(facts: FactColumn, options: Mapping[str, Any]) -> Iterator[DatasetFinding]:
    """The file's rows use fewer distinct system prompts (personas) than the recipe's three.

    Counts the distinct system (or developer) prompts, up to case and spacing, among the
    rows that have one, in a tool-calling file (one where some row calls a tool). A file
    where every row has the very same prompt is `single-system-prompt`'s (TLD007) to
    report; a file with no system prompt at all is left alone (there is no persona to
    vary). Prompts that differ only in case or spacing count once: they are one persona
    spelled two ways (the message says so). Both numbers are options.

    Source: practitioners' advice for tool-calling fine-tunes (tunelint issue 26's recipe:
    "at least three personas"), not a platform rule. OpenAI's fine-tuning guide advises the
    opposite for a single deployment: put the instructions you will use at inference in
    every example. So this is info, and off by default (turn it on with
    `extend-select = ["few-system-prompts"]`, or the whole recipe with `extend-select =
    ["TLD013", "TLD014", "TLD015"]`): it matters when the model will run under more than one system prompt, or
    under one you may still change.

    ## Why is this bad?
    A model trained under two wordings of its instructions learns those wordings, not the
    behaviour: a third wording in production (a new persona, a reworded policy) is outside
    what it saw, and tool-calling accuracy drops with it.

    ## Example
    1,000 rows: 700 start with "You are Trip, a travel assistant.", 300 with "You are Trip."

    ## Use instead
    Write the same conversations under at least three system prompts (the personas or
    wordings you expect to deploy), spread across the tools.
    """
    if len(facts) < options["min-rows"] or not file_level(options):
        return
    prompts: set[int] = set()
    spellings: set[int] = set()
    missing = 0
    calls = False
    first_line = None
    for line, (exact, folded, called) in facts:
        calls = calls or called
        if not exact:
            missing += 1
            continue
        if first_line is None:
            first_line = line
        prompts.add(folded)
        spellings.add(exact)
        if len(prompts) >= options["min-prompts"]:
            return
    if not calls or not prompts or (len(spellings) == 1 and not missing):
        return  # not a tool-calling set, no persona to vary, or one prompt on every row (single-system-prompt)
    count = len(prompts)
    said = f"the file's {len(facts):,} rows use {count} distinct system prompt{'s' if count != 1 else ''}"
    if len(spellings) > count:
        said += f" ({len(spellings)} spellings that differ only in case or spacing)"
    if missing:
        said += f" and {missing:,} row{'s have' if missing != 1 else ' has'} none"
    yield DatasetFinding(first_line, f"{said}; the recipe varies the persona across at least {options['min-prompts']}")
