from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...facts import FactColumn
from ...model import ERROR, DatasetFinding, Related
from ...registry import cross_file_rule
from .facts import text_fingerprints


@cross_file_rule("TLD008", "train-validation-overlap", ERROR, collect=text_fingerprints)
def train_validation_overlap(training: FactColumn, validation: FactColumn, options: Mapping[str, Any],
                             training_name: str) -> Iterator[DatasetFinding]:
    """A row of the validation file is also in the training file (exactly, or up to case and spacing).

    Checked for `tunelint check train.jsonl --validation valid.jsonl`, and for files
    checked together whose names pair up (`train.jsonl` and `valid.jsonl`,
    `x_train.jsonl` and `x_validation.jsonl`, in one folder). The diagnostic is on the
    validation row and names the training line.

    ## Why is this bad?
    Validation loss on rows the model trained on measures memory, not learning: it looks
    good while the model overfits, and the job's early stopping and your model choice
    rest on it.

    ## Example
    `valid.jsonl` line 3 is the same conversation as `train.jsonl` line 1,208.

    ## Use instead
    Remove the shared rows from one side (split after deduplicating).
    """
    exact: dict[int, int] = {}
    normalised: dict[int, int] = {}
    for line, (row_print, text_print) in training:
        exact.setdefault(row_print, line)
        normalised.setdefault(text_print, line)
    for line, (row_print, text_print) in validation:
        if row_print in exact:
            other, how = exact[row_print], ""
        elif text_print in normalised:
            other, how = normalised[text_print], " (up to case and spacing)"
        else:
            continue
        yield DatasetFinding(line, f"row is also in {training_name} (line {other}){how}",
                             related=(Related(other, "the training copy", training_name),))
