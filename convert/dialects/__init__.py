"""Conversion between OpenAI's tools format and the dialects other trainers read.

Every dialect is read into OpenAI's format (`READERS`) and written from it (`WRITERS`),
one row at a time: `convert --to openai` reads a file in its dialect; `--to mistral`,
`trl`, `sharegpt` and `vertex` read the file (in OpenAI's format or any dialect read
here) and write the target. Each converter raises `Unconvertible` for what the target
cannot express at all and lists in `RowResult.losses` what it cannot hold: the driver
(`run.py`) leaves such rows as they were and reports them, unless the user allows losses.
"""

from __future__ import annotations

from . import chat, hf, mistral, preference, sharegpt, vertex

READERS = {
    "hf": hf.read,
    "sharegpt": sharegpt.read,
    "conversations": chat.read_conversations,
    "cohere": chat.read_cohere,
    "vertex": vertex.read,
    "preference": preference.read,
}
WRITERS = {
    "mistral": mistral.write,
    "trl": hf.write,
    "sharegpt": sharegpt.write,
    "vertex": vertex.write,
}
# `--from` names: OpenAI's own (legacy rows go through the format rule), and the readers'.
SOURCES = ("openai", *READERS)
TARGETS = tuple(WRITERS)
