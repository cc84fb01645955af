"""Preference pairs (TRL's explicit and implicit prompt, Fireworks' `chosen.messages`) as
OpenAI's DPO rows, their calls in OpenAI's tools format.

The pair is read as `--to dpo` reads it (`lint.conversion.pairs_row_to_dpo`: the shared
beginning becomes `input`, the last turns the outputs); then the turns of `input` and of
each output are read as the Hugging Face tool format reads turns (`hf.read`), so a call
without an id gets one and arguments held as objects become JSON strings. Ids are made
from the pair, so the same call in `input` gets the same id in every row written from it.
"""

from __future__ import annotations

from typing import Any

from ...lint.conversion import pairs_row_to_dpo
from . import hf
from .model import RowResult, Unconvertible


def read(row: Any, seed: bytes) -> RowResult:
    if type(row) is not dict:
        raise Unconvertible("", "the row is not a JSON object")
    if "input" in row and ("preferred_output" in row or "non_preferred_output" in row):
        converted_value = row  # already OpenAI's DPO row: only its turns are read
    else:
        converted = pairs_row_to_dpo(row)
        if converted.value is None:
            pointer, message = converted.problems[0]
            raise Unconvertible(pointer, message)
        converted_value = converted.value
    given = converted_value.get("input")
    if type(given) is not dict or type(given.get("messages")) is not list:
        raise Unconvertible("/input", "`input` needs a `messages` array")
    made: set = set()
    prompt = hf.read(given, seed)
    made |= prompt.made_ids
    result = dict(converted_value)
    result["input"] = prompt.value
    count = len(given["messages"])
    for key in ("preferred_output", "non_preferred_output"):
        turns = converted_value.get(key)
        if type(turns) is not list or not turns:
            continue
        # The answer read after its prompt, so a result in it can answer a call of the prompt.
        whole = hf.read({"messages": given["messages"] + turns}, seed)
        made |= whole.made_ids
        result[key] = whole.value["messages"][count:]
    return RowResult(result, made_ids=made)
