from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from typing import Any

from ...facts import FactColumn
from ...model import INFO, DatasetFinding, Related
from ...registry import dataset_rule
from ...source import Row
from .facts import DeclaredTools, dataset_facts
from .tools_difference import difference


def _tools_signature(row: Row, options: Mapping[str, Any]) -> tuple[tuple[str, ...], DeclaredTools] | None:
    """(declared names sorted, the `tools` array as kept: its fingerprint and one copy)."""
    found = dataset_facts(row)
    return found.tools_signature if found is not None else None


@dataset_rule("TLD004", "inconsistent-tools", INFO, collect=_tools_signature)
def inconsistent_tools(facts: FactColumn, options: Mapping[str, Any]) -> Iterator[DatasetFinding]:
    """A row's `tools` differ from the ones most rows declare for the same functions.

    Rows are grouped by the set of function names they declare; within a group, the
    definition most rows use is the reference, and every row that differs is reported
    with the line of a reference row and what differs ("adds `strict: true` to
    `get_order`", "removes parameter `unit` from `get_weather`").

    ## Why is this bad?
    A drifted schema (a renamed parameter, an enum that lost a value, a changed
    description) means the model sees two definitions of one tool and learns calls that
    fit only one. It is usually an old export mixed with a new one.

    ## Example
    950 rows declare `get_weather(city, unit)`; 50 rows declare `get_weather(location, unit)`.

    ## Use instead
    Regenerate the old rows with the current definitions.
    """
    # Facts repeat (one toolbox on most rows): count distinct (names, fingerprint) pairs first.
    # Passes over the column, never held whole (a large file's column streams from disk).
    combos = Counter(facts.values)
    groups: dict[tuple[str, ...], Counter] = defaultdict(Counter)
    for (names, fingerprint), count in combos.items():
        groups[names][fingerprint] += count
    odd = {}
    for names, counts in groups.items():
        if len(counts) < 2:
            continue
        (reference, most), *others = counts.most_common()
        odd.update({(names, fp): (reference, most) for fp, n in others if n != most})
    if not odd:
        return
    references = {(names, reference) for (names, _), (reference, _) in odd.items()}
    first_line: dict = {}
    for line, fact in facts:
        if fact in references and fact not in first_line:
            first_line[fact] = line
            if len(first_line) == len(references):
                break
    for line, fact in filter(lambda pair: pair[1] in odd, facts):
        names, declared = fact
        reference, most = odd[fact]
        shown = ", ".join(f"`{n}`" for n in names)
        ref_line = first_line[(names, reference)]
        what = difference(reference.value, declared.value)
        yield DatasetFinding(line, f"`tools` differ from those of {most:,} rows declaring {shown} (e.g. line {ref_line})"
                                   + (f": {what}" if what else ""),
                             pointer="/tools", on_key=True, related=(Related(ref_line, "the usual definition"),))
