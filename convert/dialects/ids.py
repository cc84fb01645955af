"""Call ids made by the converters: derived from the row's content and the call's place, so
the same input always gives the same ids, and every result keeps answering its call.

Platform fact (read 2026-12-01): Mistral's validator takes a tool call id only as exactly
nine characters of `[a-zA-Z0-9]` ("Tool call id was X but must be a-z, A-Z, 0-9, with a
length of 9."): mistral-common, src/mistral_common/protocol/instruct/validator.py (regex
`^[a-zA-Z0-9]{9}$`); the fine-tuning docs (mistralai/platform-docs-public,
docs/capabilities/finetuning/text-finetuning.mdx) say ids are "randomly generated strings
of exactly 9 characters". The targets' profile rule states the same fact for checking; this
module makes ids of that form.
"""

from __future__ import annotations

import hashlib
import re

MISTRAL_ID = re.compile(r"[a-zA-Z0-9]{9}")
_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def openai_call_id(seed: bytes, message: int, call: int) -> str:
    """An id for the `call`-th call of turn `message` of the row `seed` stands for."""
    digest = hashlib.sha256(seed + b"#%d.%d" % (message, call)).hexdigest()
    return "call_" + digest[:24]


def _base62(data: bytes, length: int) -> str:
    number = int.from_bytes(data, "big")
    out = []
    for _ in range(length):
        number, rest = divmod(number, 62)
        out.append(_ALPHABET[rest])
    return "".join(out)


class MistralIds:
    """New ids for one row's calls: each call gets its own (even where the row gave two
    calls the same id), and no two calls of the row share one."""

    def __init__(self, seed: bytes) -> None:
        self.seed = seed
        self.taken: set[str] = set()

    def new(self, old: object, message: int, call: int) -> str:
        salt = 0
        while True:
            digest = hashlib.sha256(self.seed + repr((old, message, call, salt)).encode()).digest()
            ident = _base62(digest, 9)
            if ident not in self.taken:
                self.taken.add(ident)
                return ident
            salt += 1  # a collision within the row (one in 62**9 per pair): take the next
