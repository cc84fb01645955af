"""The kinds of training rows (supervised chat, DPO pairs, RFT rows, ...) and of files.

A file is linted as one kind, told from its first rows (or set with `--kind`); a row of
another kind in it gets one diagnostic (`unexpected-row-kind`), not a cascade.
"""

from __future__ import annotations

from collections.abc import Iterable

from .source import Row
from .survey import ROW_KEYS


def row_kind(row: Row) -> str:
    """What kind of training row this looks like: sft (a chat example), dpo, rft, completion or pairs."""
    cached = row.analysis.kind
    if cached is not None:
        return cached
    obj = row.obj or {}
    if "preferred_output" in obj or "non_preferred_output" in obj:  # a pair, even one that lost its `input`
        kind = "dpo"
    elif "chosen" in obj and "rejected" in obj:
        kind = "pairs"
    elif "prompt" in obj and "completion" in obj and "messages" not in obj:
        kind = "completion"
    elif type(obj.get("messages")) is list and _looks_like_rft(obj):
        kind = "rft"
    else:
        kind = "sft"
    row.analysis.kind = kind
    return kind


LINT_KINDS = ("sft", "dpo", "rft")
KIND_SAMPLE = 50  # parsed rows a file's kind is told from


def detect_kind(rows: Iterable[Row], sample: int = KIND_SAMPLE) -> str:
    """A file's kind, from the kinds of its first parsed rows (ties go to sft)."""
    return sample_kind(rows, sample)[0]


def sample_kind(rows: Iterable[Row], sample: int = KIND_SAMPLE) -> tuple[str, int, bool]:
    """(the kind, how many rows were read to tell it, whether the sample was full: later
    rows cannot change it). Stops reading once `sample` rows parsed."""
    counts = {kind: 0 for kind in LINT_KINDS}
    seen = read = 0
    for row in rows:
        read += 1
        if row.obj is None:
            continue
        kind = row_kind(row)
        if kind in counts:
            counts[kind] += 1
        seen += 1
        if seen >= sample:
            break
    best = max(LINT_KINDS, key=lambda k: (counts[k], k == "sft"))
    return (best if counts[best] else "sft"), read, seen >= sample


def _looks_like_rft(obj: dict) -> bool:
    # RFT rows carry grader data beside a conversation that has no assistant target: no
    # assistant turn, or earlier ones as context with the prompt ending on a user turn
    # (Azure's RFT page allows that; a supervised row never ends on a user turn).
    extra = [k for k in obj if k not in ROW_KEYS]
    if not extra:
        return False
    messages = obj["messages"]
    if messages and type(messages[-1]) is dict and messages[-1].get("role") == "user":
        return True
    return not any(type(m) is dict and m.get("role") == "assistant" for m in messages)
