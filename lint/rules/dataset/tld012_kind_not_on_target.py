from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...facts import FactColumn
from ...model import ERROR, DatasetFinding
from ...registry import dataset_rule
from ...source import Row


def _parsed(row: Row, options: Mapping[str, Any]) -> bool | None:
    return True if row.obj is not None else None


@dataset_rule("TLD012", "kind-not-on-target", ERROR, collect=_parsed, context=("target", "file-kind"), target_only=True)
def kind_not_on_target(facts: FactColumn, options: Mapping[str, Any]) -> Iterator[DatasetFinding]:
    """A DPO or RFT file, for a target that does not train on that kind of data.

    Against the target's `dpo` and `rft` facts (`supported = false`): Mistral fine-tunes on
    chat rows only; Together takes conversational and preference data, not reinforcement
    fine-tuning rows. Reported once, on the first line.

    ## Why is this bad?
    The platform has no job for this file: the upload or the job creation fails.

    ## Example
    A file of `{"input": ..., "preferred_output": ..., "non_preferred_output": ...}` rows
    checked with `--target mistral`.

    ## Use instead
    Train the kind the platform supports (supervised rows: the preferred outputs of a DPO
    file make them), or pick a platform that runs this kind of job (`tunelint rule --all
    --target NAME` lists what each takes).
    """
    kind = options.get("file-kind")
    if kind not in ("dpo", "rft") or not facts:
        return
    target = options["target"]
    fact = target.fact(kind)
    if isinstance(fact, dict) and fact.get("supported") is False:
        label = {"dpo": "preference (DPO)", "rft": "reinforcement fine-tuning (RFT)"}[kind]
        yield DatasetFinding(1, f"file holds {label} rows; {target.name} does not train on them", span=(0, 0))
