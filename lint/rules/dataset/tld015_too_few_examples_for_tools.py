from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...facts import FactColumn
from ...model import INFO, DatasetFinding
from ...registry import Option, dataset_rule
from .recipe import example_tools, file_level


def examples_for(tools: int, options: Mapping[str, Any]) -> int:
    """The examples the recipe asks for `tools` declared tools: `small-count` up to
    `small-surface` tools, `large-count` from `large-surface` on, a straight line between."""
    small, large = options["small-surface"], options["large-surface"]
    low, high = options["small-count"], options["large-count"]
    if tools <= small:
        return low
    if tools >= large or large <= small:
        return high
    return round(low + (high - low) * (tools - small) / (large - small))


@dataset_rule("TLD015", "too-few-examples-for-tools", INFO, collect=example_tools, context=("file-role",), default=False,
              options=(
    Option("small-surface", int, 10, "up to this many declared tools is a small surface"),
    Option("small-count", int, 200, "examples the recipe asks for a small surface"),
    Option("large-surface", int, 50, "from this many declared tools on is a large surface"),
    Option("large-count", int, 500, "examples the recipe asks for a large surface (it says 500-2,000)"),
    Option("min-rows", int, 50, "smaller files are left to too-few-examples (TLD005)"),
))
def too_few_examples_for_tools(facts: FactColumn, options: Mapping[str, Any]) -> Iterator[DatasetFinding]:
    """A tool-calling file has fewer examples than the recipe asks for its number of tools.

    The tools are the distinct function names the file's rows declare. The recipe asks
    about 200 examples for 10 tools or fewer and 500-2,000 for 50 or more; between the
    two, the count grows in a straight line (200 at 10 tools, 500 at 50). Every number is
    an option. Files under 50 examples are `too-few-examples`' (TLD005) to report; a
    validation file is not judged.

    Source: practitioners' advice (tunelint issue 26's recipe), not a platform rule: the
    platform's own minimum is 10 examples, and OpenAI suggests starting with 50-100. Off
    by default for that reason (turn it on with `extend-select = ["too-few-examples-for-tools"]`,
    or the whole recipe with `extend-select = ["TLD013", "TLD014", "TLD015"]`): a first fine-tune of 50-199
    examples is what the platform's guide recommends, and this rule would question every one.

    ## Why is this bad?
    Each tool needs enough examples of when to call it and with which arguments, and of
    when to call another one instead; with 16 tools and 100 examples, most tools are seen
    a handful of times and the model guesses between them.

    ## Example
    103 examples declaring 16 drone-control tools (the cookbook's drone file): the recipe
    asks about 245.

    ## Use instead
    Collect or write more examples, first for the tools with the fewest (see
    `undertrained-tool`), or split the surface into smaller toolboxes.
    """
    if not file_level(options):
        return
    examples = 0
    declared: set[str] = set()
    calls = False
    seen: set[tuple[str, ...]] = set()
    for trains, names, called, _ in facts.values:
        if not trains:
            continue
        examples += 1
        calls = calls or bool(called)
        if names not in seen:  # one shared tuple per toolbox: add each once
            seen.add(names)
            declared.update(names)
    if not calls or not declared or examples < options["min-rows"]:
        return
    wanted = examples_for(len(declared), options)
    if examples < wanted:
        yield DatasetFinding(1, f"file has {examples:,} examples for {len(declared)} declared tool"
                                f"{'s' if len(declared) != 1 else ''}; the recipe asks about {wanted:,}", span=(0, 0))
