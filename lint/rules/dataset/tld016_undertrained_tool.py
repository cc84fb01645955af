from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from typing import Any

from ...facts import FactColumn
from ...model import WARNING, DatasetFinding
from ...registry import Option, dataset_rule
from .recipe import example_tools, file_level


@dataset_rule("TLD016", "undertrained-tool", WARNING, collect=example_tools, context=("file-role",), options=(
    Option("min-examples", int, 5, "fewer examples calling a declared tool than this is reported"),
    Option("min-rows", int, 50, "smaller files are left to too-few-examples (TLD005): every tool has few there"),
    Option("uncalled-below-calls", int, 20, "a tool no example calls is reported here only in files with fewer calls "
                                            "than this (tool-imbalance's min-calls reports it above)"),
))
def undertrained_tool(facts: FactColumn, options: Mapping[str, Any]) -> Iterator[DatasetFinding]:
    """A declared tool has no or very few training examples that call it.

    Counts, for each function name the file's rows declare, the examples that call it.
    Fewer than `min-examples` (5) is reported on the first row that declares the tool. A
    tool no example calls is `tool-imbalance`'s (TLD006) to report in a file with 20 calls
    or more (its `min-calls`); below that, this rule says it (`uncalled-below-calls`). A
    validation file is not judged (a held-out file has few of everything), nor a file of
    fewer than `min-rows` (50) examples, where every tool has few and `too-few-examples`
    (TLD005) says so once.

    Source: practitioners' advice (tunelint issue 26's recipe), not a platform rule; the
    threshold is ours, an option. OpenAI's best practices: "If the model still isn't good
    at certain aspects, add training examples that directly show the model how to do
    these aspects correctly" (https://developers.openai.com/api/docs/guides/fine-tuning-best-practices,
    read 2026-12-01).

    ## Why is this bad?
    The model sees the tool declared on every row and called almost never: it learns
    that the tool is seldom the answer, and calls it late, rarely, or with arguments
    made up from its schema.

    ## Example
    `set_drone_speed` is declared on all 103 rows and called by 2 of them.

    ## Use instead
    Add examples that call the tool (the requests it serves, worded several ways), or
    remove it from the `tools` array if the model should not use it.
    """
    if not file_level(options):
        return
    calls: Counter = Counter()
    first: dict[str, tuple[int, str]] = {}
    seen: set[tuple[tuple[str, ...], str]] = set()
    total = examples = 0
    for line, (trains, declared, called, key) in facts:
        if not trains:
            continue
        examples += 1
        if called:
            calls.update(set(called))  # examples, not calls: a row calling a tool twice is one example
            total += len(called)
        if (declared, key) not in seen:
            seen.add((declared, key))
            for name in declared:
                first.setdefault(name, (line, key))
    if not calls or examples < options["min-rows"]:
        return  # not a tool-calling set, or too small to judge one tool
    for name, (line, key) in sorted(first.items(), key=lambda item: item[1][0]):
        n = calls[name]
        if n >= options["min-examples"] or (n == 0 and total >= options["uncalled-below-calls"]):
            continue
        said = "no example calls it" if n == 0 else f"only {n} example{'s call' if n != 1 else ' calls'} it"
        yield DatasetFinding(line, f"`{name}` is declared but {said}; the model needs at least "
                                   f"{options['min-examples']} to learn when to call it", pointer=f"/{key}", on_key=True)
