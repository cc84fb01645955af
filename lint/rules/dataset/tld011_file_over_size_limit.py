from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...facts import FactColumn
from ...model import ERROR, DatasetFinding
from ...registry import dataset_rule
from ...source import Row


def _size(row: Row, options: Mapping[str, Any]) -> int:
    return len(row.raw) + 1  # the line and its newline (a BOM or a CR are not counted: a few bytes)


def _mb(size: int) -> str:
    return f"{size / 2**20:,.1f} MiB" if size >= 2**20 else f"{size:,} bytes"


@dataset_rule("TLD011", "file-over-size-limit", ERROR, collect=_size, context=("target", "file-role"), target_only=True)
def file_over_size_limit(facts: FactColumn, options: Mapping[str, Any]) -> Iterator[DatasetFinding]:
    """A file is larger than the target platform takes in one upload.

    Against the target's `file-size` fact (OpenAI and Azure: 512 MB through the Files API;
    Mistral: 512 MB per training file and 1 MB for a validation file, its
    `validation-file-size`; Together: 50.1 GiB, its SDK's limit; Fireworks: 500 MB through
    the web UI). The size is the sum of the file's lines.

    ## Why is this bad?
    The upload fails after the file has been sent (Mistral: "413 Request Entity Too
    Large"), or the platform's SDK refuses it before.

    ## Example
    A 700 MB `train.jsonl` for Mistral.

    ## Use instead
    Split it into several files (Mistral and OpenAI take several training files), or use
    the platform's multipart upload where it has one (OpenAI's and Azure's Uploads API,
    Fireworks' `firectl`).
    """
    target = options["target"]
    limit = target.fact("file-size")
    label = "training"
    if options.get("file-role") == "validation" and target.fact("validation-file-size"):
        limit, label = target.fact("validation-file-size"), "validation"
    if not limit:
        return
    size = sum(facts.values)
    if size > limit:
        yield DatasetFinding(1, f"file is {_mb(size)}; {target.name} takes a {label} file of at most {_mb(limit)}",
                             span=(0, 0))
