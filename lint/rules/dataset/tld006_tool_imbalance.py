from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from operator import itemgetter
from typing import Any

from ...facts import FactColumn
from ...model import WARNING, DatasetFinding
from ...registry import Option, dataset_rule
from ...source import Row
from .facts import dataset_facts


def _tool_use(row: Row, options: Mapping[str, Any]) -> tuple[tuple[str, ...], tuple[str, ...], str] | None:
    """(names declared, names called, both interned; and `tools` or `functions`, where they are declared)."""
    found = dataset_facts(row)
    return found.tool_use if found is not None else None


@dataset_rule("TLD006", "tool-imbalance", WARNING, collect=_tool_use, context=("file-role",), options=(
    Option("max-share", (int, float), 0.6, "the largest share of all calls one tool may take"),
    Option("min-calls", int, 20, "below this many calls in the file, balance is not judged"),
))
def tool_imbalance(facts: FactColumn, options: Mapping[str, Any]) -> Iterator[DatasetFinding]:
    """One tool takes most of the calls, or a declared tool is never called.

    A validation file (given with `--validation`, or paired by name) is not told that a
    tool is never called: a held-out file of a few dozen rows leaves some tools out (and
    `tunelint split` names them); its balance is still judged.

    ## Why is this bad?
    A model trained mostly on one tool learns to reach for it whatever the request; a
    tool that is declared but never called teaches the model that it exists and is never
    the answer, so it will not call it when it should.

    ## Example
    `get_weather` makes 870 of 1,000 calls while `book_table` and `cancel_booking` share
    the rest; `refund` is declared in every row and never called.

    ## Use instead
    Add examples that call the neglected tools (and, where the right answer is no call
    at all, examples that say so), or drop tools the model should not learn.
    """
    # C-speed passes: every called name counted; the first line of each distinct set of
    # declared names (a handful per file), from which each name's first declaration follows.
    counts: Counter = Counter()
    first_of: dict[tuple[tuple[str, ...], str], int] = {}  # (declared names, key) -> first line
    for line, (declared, called, key) in facts:  # one pass: a large file's column streams from disk
        if called:
            counts.update(called)
        if (declared, key) not in first_of:
            first_of[(declared, key)] = line
    declared_first: dict[str, tuple[int, str]] = {}  # name -> (first line declaring it, `tools` or `functions`)
    for (declared, key), line in sorted(first_of.items(), key=itemgetter(1)):  # in file order, as they appear
        for name in declared:
            if line < declared_first.get(name, (line + 1, key))[0]:
                declared_first[name] = (line, key)
    total = sum(counts.values())
    if total >= options["min-calls"] and len(declared_first) > 1:
        name, most = counts.most_common(1)[0]
        share = most / total
        if share > options["max-share"]:
            line, key = declared_first.get(name, (1, "tools"))
            yield DatasetFinding(line, f"`{name}` takes {share:.0%} of the file's {total:,} calls "
                                       f"(more than {options['max-share']:.0%})", pointer=f"/{key}", on_key=True)
    if total >= options["min-calls"] and options.get("file-role") != "validation":
        for name, (line, key) in sorted(declared_first.items(), key=lambda item: item[1]):
            if name not in counts:
                yield DatasetFinding(line, f"`{name}` is declared but never called in this file", pointer=f"/{key}",
                                     on_key=True)
