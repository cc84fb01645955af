from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...facts import FactColumn
from ...model import INFO, DatasetFinding
from ...registry import Option, dataset_rule
from .recipe import example_tools, file_level


@dataset_rule("TLD014", "general-example-share", INFO, collect=example_tools, context=("file-role",), default=False, options=(
    Option("min-share", (int, float), 0.05, "below this share of examples that call no tool, the file is judged"),
    Option("max-share", (int, float), 0.30, "above this share, the file is judged"),
    Option("min-rows", int, 20, "only judge files with at least this many examples"),
))
def general_example_share(facts: FactColumn, options: Mapping[str, Any]) -> Iterator[DatasetFinding]:
    """A tool-calling file has no examples that call no tool, or a share far from the recipe's 10-15%.

    A file is a tool-calling set when at least one of its examples calls a tool. An example
    that calls no tool answers in text: a general request (no `tools` at all), or a request
    the declared tools cannot serve (a refusal, a clarifying question). None at all is
    reported, and so is a share outside `min-share`..`max-share` (5%..30% by default,
    around the recipe's 10-15%). A validation file is not judged.

    Source: practitioners' advice (tunelint issue 26's recipe: mix in 10-15% general,
    tool-free examples to keep out-of-domain behaviour), not a platform rule. OpenAI's
    fine-tuning best practices make the same point about balance: the share of an answer
    in the data becomes its share in the model's behaviour
    (https://developers.openai.com/api/docs/guides/fine-tuning-best-practices, read 2026-12-01).

    ## Why is this bad?
    A model trained only on calls learns that every message wants a tool: it calls one
    for "thanks!" or for a request no tool serves, with made-up arguments. Too many
    tool-free examples teach the opposite: it answers in text where it should call.

    ## Example
    300 rows, each answering with `get_weather` or `book_table`; none answers small talk
    or an out-of-scope request in text.

    ## Use instead
    Add 10-15% examples where the right answer is text: small talk, general questions,
    requests the tools cannot serve (with the `tools` array present, so the model learns
    to leave them alone).

    Off by default (turn it on with `extend-select = ["general-example-share"]`, or the
    whole recipe with `extend-select = ["TLD013", "TLD014", "TLD015"]`): a set
    may route every refusal through a tool by design (the cookbook's drone file calls
    `reject_request`), and a set built to teach refusals answers in text on purpose
    (Azure's stock "hallucination" files, 57% text); both are choices this rule can only
    question.
    """
    if not file_level(options):
        return
    examples = calling = undeclared = 0
    for trains, declared, called, _ in facts.values:
        if not trains:
            continue
        examples += 1
        if called:
            calling += 1
        elif not declared:
            undeclared += 1
    if examples < options["min-rows"] or not calling:
        return
    free = examples - calling
    share = free / examples
    of = f"{free:,} of the file's {examples:,} examples call{'s' if free == 1 else ''} no tool ({share:.0%}"
    of += f"; {undeclared:,} declare none)" if undeclared else ")"
    if free == 0:
        yield DatasetFinding(1, f"none of the file's {examples:,} examples answers without a tool call; the recipe "
                                f"mixes in 10-15% general examples that call none", span=(0, 0))
    elif share < options["min-share"]:
        yield DatasetFinding(1, f"only {of}; the recipe mixes in 10-15%", span=(0, 0))
    elif share > options["max-share"]:
        yield DatasetFinding(1, f"{of}; the recipe mixes in 10-15%, so the model may answer in text where it "
                                f"should call", span=(0, 0))
