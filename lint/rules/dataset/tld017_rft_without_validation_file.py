from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...facts import FactColumn
from ...model import ERROR, DatasetFinding
from ...registry import dataset_rule
from ...source import Row


def _parsed(row: Row, options: Mapping[str, Any]) -> bool | None:
    return True if row.obj is not None else None


@dataset_rule("TLD017", "rft-without-validation-file", ERROR, collect=_parsed,
              context=("target", "file-kind", "file-role"), target_only=True)
def rft_without_validation_file(facts: FactColumn, options: Mapping[str, Any]) -> Iterator[DatasetFinding]:
    """An RFT training file is checked with no validation file, for a target that requires one.

    On where the target's `rft` fact has `validation-file = "required"` (azure). tunelint
    knows only the files checked together: a file linted as RFT is reported when `check`
    was given no validation file for it, neither with `--validation FILE` nor as a twin
    name in the same folder (`x_train.jsonl` with `x_validation.jsonl`, `train.jsonl` with
    `valid.jsonl`: see `crossfile`). A file whose own name says it is a validation file is
    not reported, nor is a file checked where pairing is unknown (the language server, a
    piped file). Reported once, on the first line.

    Azure's RFT page: "Both a training and a validation dataset must be provided." The
    error the job creation gives without one is undocumented. OpenAI's RFT guide asks to
    "designate a validation split" but does not say a job without one is refused, so the
    rule is off there.

    ## Why is this bad?
    The RFT job is refused at creation, after the upload. The validation file is what the
    platform's automatic evaluations run on during training (`valid_reward_mean`).

    ## Example
    `tunelint check --target azure --kind rft rft_train.jsonl`, with no validation file.

    ## Use instead
    Hold out part of the rows (`tunelint split`) and check both files together:
    `tunelint check --target azure rft_train.jsonl rft_validation.jsonl`, or
    `tunelint check --target azure rft_train.jsonl --validation held_out.jsonl`.
    """
    if options.get("file-kind") != "rft" or options.get("file-role") != "unpaired" or not facts:
        return
    target = options["target"]
    fact = target.fact("rft")
    if isinstance(fact, dict) and fact.get("validation-file") == "required":
        yield DatasetFinding(1, f"RFT training file checked without a validation file; {target.name} requires one "
                                "(check both together: `--validation FILE`, or twin names such as "
                                "x_train.jsonl and x_validation.jsonl)", span=(0, 0))
