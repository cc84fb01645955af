"""Small, order-independent fingerprints of rows and their parts, for the dataset rules.

A fingerprint is a 64-bit integer (blake2b of the canonical JSON), so a file's facts stay
a few dozen bytes per row whatever the rows hold.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from hashlib import blake2b
from typing import Any

import orjson

_CANONICAL = orjson.OPT_SORT_KEYS
_SPACES = re.compile(r"\s+")


def compact(value: Any) -> str:
    """Compact JSON text of any parsed value, however deep (orjson writes 255 levels)."""
    try:
        return orjson.dumps(value).decode()
    except (TypeError, orjson.JSONEncodeError):
        import json

        try:
            return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        except RecursionError:
            return "<value nested too deeply to write>"


def digest_bytes(data: bytes) -> int:
    return int.from_bytes(blake2b(data, digest_size=8).digest(), "big")


def digest(value: Any) -> int:
    """The same for equal parsed JSON, whatever its key order, spacing or escaping."""
    try:
        return digest_bytes(orjson.dumps(value, option=_CANONICAL))
    except (TypeError, orjson.JSONEncodeError):
        # orjson writes at most 255 levels of nesting (it parses 1024): walk deeper values
        # without recursion. Different bytes from the fast path, but as canonical.
        return _deep_digest(value)


def _deep_digest(value: Any) -> int:
    h = blake2b(digest_size=8)
    stack: list[Any] = [value]
    while stack:
        item = stack.pop()
        if type(item) is dict:
            h.update(b"{")
            stack.append(_Close(b"}"))
            for key in sorted(item, reverse=True):
                stack.append(item[key])
                stack.append(_Key(key))
        elif type(item) is list:
            h.update(b"[")
            stack.append(_Close(b"]"))
            stack.extend(reversed(item))
        elif type(item) is _Key:
            h.update(orjson.dumps(item.name) + b":")
        elif type(item) is _Close:
            h.update(item.mark)
        else:
            h.update(orjson.dumps(item) + b",")
    return int.from_bytes(h.digest(), "big")


class _Key:
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name


class _Close:
    __slots__ = ("mark",)

    def __init__(self, mark: bytes) -> None:
        self.mark = mark


def normalise(text: str) -> str:
    """Case, Unicode (NFKC) and whitespace folded: what near-duplicates share."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def _call_text(call: Any) -> str:
    function = call.get("function") if type(call) is dict else None
    if type(function) is not dict:
        return ""
    arguments = function.get("arguments")
    try:  # arguments compare as parsed JSON, not as their spelling
        arguments = orjson.dumps(orjson.loads(arguments), option=_CANONICAL).decode() if type(arguments) is str else ""
    except (orjson.JSONDecodeError, orjson.JSONEncodeError, TypeError):
        pass  # not JSON (or deeper than orjson writes): compared as written
    return f"{function.get('name')}({arguments})"


def message_text(message: dict) -> str:
    content = message.get("content")
    if type(content) is list:
        content = " ".join(p.get("text", "") for p in content if type(p) is dict and type(p.get("text")) is str)
    parts = [str(message.get("role")), content if type(content) is str else ""]
    parts.extend(_call_text(c) for c in message.get("tool_calls") or () if type(message.get("tool_calls")) is list)
    if type(message.get("function_call")) is dict:
        parts.append(_call_text({"function": message["function_call"]}))
    return "\x1f".join(parts)


def training_text_digest(obj: dict) -> int:
    """A fingerprint of the row's normalised training text (near-duplicate detection)."""
    messages = obj.get("messages")
    texts = [message_text(m) for m in messages if type(m) is dict] if type(messages) is list else []
    return digest_bytes(normalise("\x1e".join(texts)).encode("utf-8", "surrogatepass"))


def without_ids(message: dict) -> dict:
    """A message with call ids removed: ids differ between otherwise equal conversations."""
    if "tool_call_id" not in message and not message.get("tool_calls"):
        return message
    clean = {k: v for k, v in message.items() if k != "tool_call_id"}
    calls = clean.get("tool_calls")
    if type(calls) is list:
        clean["tool_calls"] = [{k: v for k, v in c.items() if k != "id"} if type(c) is dict else c for c in calls]
    return clean


def target_of(message: dict) -> tuple[int, str, tuple[str, ...]]:
    """(fingerprint, kind, called names) of an assistant turn, as the model learns it."""
    calls = message.get("tool_calls") if type(message.get("tool_calls")) is list else []
    if type(message.get("function_call")) is dict:
        calls = [*calls, {"function": message["function_call"]}]
    names = tuple(str(c["function"].get("name")) for c in calls if type(c) is dict and type(c.get("function")) is dict)
    content = message.get("content")
    value = [content if type(content) in (str, list) else None, [_call_text(c) for c in calls]]
    return quick(value), ("calls" if calls else "text"), names


# --- per-row fingerprints shared by the dataset rules ------------------------------------------
# The dataset rules run on every row, so these use Python's own hash of the canonical bytes
# (ten times cheaper than blake2b). It is salted per process: fingerprints compare within
# one run only, which is all the rules do (parallel workers are forked, so they share it).

_MASK = (1 << 64) - 1


def canonical(value: Any) -> bytes | None:
    """Sorted-key compact JSON; None when deeper than orjson writes."""
    try:
        return orjson.dumps(value, option=_CANONICAL)
    except (TypeError, orjson.JSONEncodeError):
        return None


def quick(value: Any) -> int:
    data = canonical(value)
    return hash(data) & _MASK if data is not None else digest(value)


def row_fingerprint(obj: dict, cache: dict | None = None) -> int:
    """Equal for rows that are the same parsed JSON (key order, spacing, escaping aside)."""
    if cache is None:
        return quick(obj)
    found = cache.get("fp:row")
    if found is None:
        found = cache["fp:row"] = quick(obj)
    return found


def value_fingerprint(obj: dict, key: str, cache: dict) -> int:
    name = "fp:" + key
    found = cache.get(name)
    if found is None:
        found = cache[name] = quick(obj.get(key))
    return found


# Two patterns with literal prefixes: the regex engine then skips ahead to each candidate.
_CALL_ID = re.compile(rb'"id":"[^"\\]*(?:\\.[^"\\]*)*"')
_RESULT_ID = re.compile(rb'"tool_call_id":"[^"\\]*(?:\\.[^"\\]*)*"')


def prompt_fingerprint(obj: dict, last: int, cache: dict) -> int:
    """The messages before index `last` (call ids ignored) and the declared tools.

    Ids are blanked in the canonical bytes in one pass: there an unescaped `"id":"..."`
    cannot occur inside a string (its quotes would be escaped), so only real keys match.
    """
    messages = obj.get("messages")
    data = canonical(messages[:last] if type(messages) is list else None)
    if data is None:
        return digest([[without_ids(m) if type(m) is dict else m for m in messages[:last]], obj.get("tools"), obj.get("functions")])
    data = _RESULT_ID.sub(b'"tool_call_id":""', _CALL_ID.sub(b'"id":""', data))
    return hash((data, value_fingerprint(obj, "tools", cache), value_fingerprint(obj, "functions", cache))) & _MASK


def system_fingerprint(message: dict) -> int:
    return quick(message.get("content"))


_interned: dict[tuple, tuple] = {}


def intern_names(names: tuple[str, ...]) -> tuple[str, ...]:
    """One shared tuple per distinct name list: the same toolbox repeats on every row."""
    found = _interned.get(names)
    if found is None:
        if len(_interned) > 65536:
            _interned.clear()
        found = _interned[names] = tuple(sys.intern(n) for n in names)
    return found


_names_by_tools: dict[int, tuple[tuple[str, ...], tuple[str, ...]]] = {}


def declared_names(obj: dict, key: str, cache: dict) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(names in declaration order, names sorted) of a `tools` or `functions` array,
    worked out once per distinct array (the same toolbox repeats row after row)."""
    fingerprint = value_fingerprint(obj, key, cache)
    found = _names_by_tools.get(fingerprint)
    if found is None:
        entries = obj.get(key)
        names: tuple[str, ...] = ()
        if type(entries) is list:
            functions = entries if key == "functions" else [e.get("function") if type(e) is dict else None for e in entries]
            names = tuple(str(f.get("name")) for f in functions if type(f) is dict)
        if len(_names_by_tools) > 65536:
            _names_by_tools.clear()
        found = _names_by_tools[fingerprint] = (intern_names(names), intern_names(tuple(sorted(names))))
    return found
