from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...facts import FactColumn
from ...model import ERROR, DatasetFinding, Severity
from ...registry import Option, dataset_rule
from ...source import Row
from .facts import dataset_facts


def _trainable(row: Row, options: Mapping[str, Any]) -> bool | None:
    found = dataset_facts(row)
    return found.trainable if found is not None else None


@dataset_rule("TLD005", "too-few-examples", ERROR, collect=_trainable, context=("file-role",), options=(
    Option("min-error", int, 10, "fewer trainable rows than this is an error (the platform's minimum)"),
    Option("min-warning", int, 50, "fewer than this is a warning (below the recommended size)"),
))
def too_few_examples(facts: FactColumn, options: Mapping[str, Any]) -> Iterator[DatasetFinding]:
    """A file has too few trainable examples.

    Fewer than 10 (the platform's minimum) is an error; fewer than 50 (the recommended
    starting size) is a warning. Both thresholds are options. A validation file (given with
    `--validation`, or paired with its training file by name) is not judged: the minimum is
    the training file's, and a handful of held-out rows is a valid validation file.

    ## Why is this bad?
    The platform refuses a training file with fewer than 10 examples; below about 50, a
    fine-tune rarely beats a good prompt and mostly memorises.

    ## Example
    A `train.jsonl` with 8 conversations.

    ## Use instead
    Write or collect more examples (50 to 100 well-chosen ones is a good start).
    """
    if not facts or options["file-role"] == "validation":
        return  # no chat rows at all (empty-file or the structure rules say why), or held-out rows
    trainable = sum(map(bool, facts.values))
    if trainable < options["min-error"]:
        yield DatasetFinding(1, f"file has {trainable:,} trainable example{'s' if trainable != 1 else ''}; "
                                f"fine-tuning needs at least {options['min-error']:,}", span=(0, 0), file_level=True)
    elif trainable < options["min-warning"]:
        yield DatasetFinding(1, f"file has {trainable:,} trainable examples; at least {options['min-warning']:,} "
                                f"are recommended", span=(0, 0), severity=Severity.WARNING, file_level=True)
