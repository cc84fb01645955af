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

from .analysis import UNSET, RowAnalysis

_CANONICAL = orjson.OPT_SORT_KEYS


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


def _plain(value: Any) -> Any:
    """A number kept as written (`source.FloatLiteral`) fingerprints as the float it is."""
    if isinstance(value, float):
        return float(value)
    raise TypeError


def digest(value: Any) -> int:
    """The same for equal parsed JSON, whatever its key order, spacing or escaping."""
    try:
        return digest_bytes(orjson.dumps(value, option=_CANONICAL, default=_plain))
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
            h.update(_scalar(item) + b",")
    return int.from_bytes(h.digest(), "big")


def _scalar(value: Any) -> bytes:
    try:
        return orjson.dumps(value)
    except TypeError:  # an integer past 64 bits (a row read exactly for a fix): its digits
        import json

        return json.dumps(value).encode()


class _Key:
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name


class _Close:
    __slots__ = ("mark",)

    def __init__(self, mark: bytes) -> None:
        self.mark = mark


def normalise(text: str) -> str:
    """Case, Unicode (NFKC) and whitespace folded: what near-duplicates share.

    `str.split()` splits on exactly the characters the regex `\\s` matches (every one for
    which `str.isspace()` holds, checked over all code points), at a quarter of the cost."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


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
    tool_calls = message.get("tool_calls")
    if type(tool_calls) is list:
        parts.extend(_call_text(c) for c in tool_calls)
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
    if "tool_calls" not in message and "function_call" not in message:  # a plain answer, the usual target
        content = message.get("content")
        if type(content) is str:
            return hash((content, ())) & _MASK, "text", ()
    calls = message.get("tool_calls") if type(message.get("tool_calls")) is list else []
    if type(message.get("function_call")) is dict:
        calls = [*calls, {"function": message["function_call"]}]
    functions = [c["function"] for c in calls if type(c) is dict and type(c.get("function")) is dict]
    names = tuple(str(f.get("name")) for f in functions)
    content = message.get("content")
    if type(content) is str:
        said: Any = content
    else:
        said = canonical(content) if type(content) is list else None
    # Calls without a function object still count (as empty) so that their number shows.
    called = tuple(_call_key(c) for c in calls)
    return hash((said, called)) & _MASK, ("calls" if calls else "text"), names


def _call_key(call: Any) -> tuple[Any, Any]:
    """(name, arguments) of a call; arguments as canonical JSON when they parse."""
    function = call.get("function") if type(call) is dict else None
    if type(function) is not dict:
        return None, None
    arguments = function.get("arguments")
    if type(arguments) is str:
        try:  # arguments compare as parsed JSON, not as their spelling
            arguments = orjson.dumps(orjson.loads(arguments), option=_CANONICAL)
        except (orjson.JSONDecodeError, orjson.JSONEncodeError, TypeError):
            pass  # not JSON (or deeper than orjson writes): compared as written
    else:
        arguments = canonical(arguments)
    name = function.get("name")
    return (name if type(name) is str else canonical(name)), arguments  # a name may be anything, even a list


# --- per-row fingerprints shared by the dataset rules ------------------------------------------
# The dataset rules run on every row, so these use Python's own hash of the canonical bytes
# (ten times cheaper than blake2b). It is salted per process: fingerprints compare within
# one run only, which is all the rules do (parallel workers are forked, so they share it).

_MASK = (1 << 64) - 1


def canonical(value: Any) -> bytes | None:
    """Sorted-key compact JSON; None when deeper than orjson writes."""
    try:
        return orjson.dumps(value, option=_CANONICAL, default=_plain)
    except (TypeError, orjson.JSONEncodeError):
        return None


def quick(value: Any) -> int:
    data = canonical(value)
    return hash(data) & _MASK if data is not None else digest(value)


def messages_canonical(obj: dict, analysis: RowAnalysis) -> bytes | None:
    """The canonical bytes of the row's `messages`, shared by the row and prompt fingerprints."""
    found = analysis.messages_canonical
    if found is UNSET:
        found = analysis.messages_canonical = canonical(obj.get("messages"))
    return found


def row_fingerprint(obj: dict, analysis: RowAnalysis | None = None) -> int:
    """Equal for rows that are the same parsed JSON (key order, spacing, escaping aside).

    Composed from the canonical messages, the `tools` fingerprint and the other keys, so
    the dumps it needs are the ones the prompt fingerprint and `inconsistent-tools` share.
    """
    analysis = RowAnalysis() if analysis is None else analysis
    found = analysis.fingerprint
    if found is None:
        messages = messages_canonical(obj, analysis) if "messages" in obj else None
        if messages is None:
            rest = None
        elif len(obj) == 1 + ("tools" in obj):
            rest = b"{}"  # the common row: nothing but `messages` (and `tools`)
        else:
            rest = canonical({k: v for k, v in obj.items() if k != "messages" and k != "tools"})
        if rest is None:  # no messages, or too deep to write: the whole row at once
            found = quick(obj)
        else:
            tools = tools_fingerprint(obj, analysis) if "tools" in obj else -1
            found = hash((messages, tools, rest)) & _MASK
        analysis.fingerprint = found
    return found


def tools_fingerprint(obj: dict, analysis: RowAnalysis) -> int:
    """The fingerprint of the row's `tools` (of null when it has none)."""
    found = analysis.tools_fingerprint
    if found is None:
        found = analysis.tools_fingerprint = _declared_fingerprint(obj, "tools", analysis.tools)
    return found


def functions_fingerprint(obj: dict, analysis: RowAnalysis) -> int:
    """The same for the legacy `functions`."""
    found = analysis.functions_fingerprint
    if found is None:
        found = analysis.functions_fingerprint = _declared_fingerprint(obj, "functions", analysis.functions)
    return found


def _declared_fingerprint(obj: dict, key: str, toolset: Any) -> int:
    # The row rules' analysis of a `tools`/`functions` array carries its fingerprint,
    # worked out once per distinct array: no dump of the array on every row.
    if toolset is not UNSET and toolset is not None and toolset.fingerprint is not None:
        return toolset.fingerprint
    return quick(obj.get(key))


# The string value of every key ending in `id` (`"id"`, `"tool_call_id"`, a message id): one
# pattern with a literal start, so the regex engine skips ahead to each candidate. In
# canonical bytes an unescaped `id":"` cannot occur inside a string (its quotes would be
# escaped), so only real keys match.
_ID_VALUE = re.compile(rb'id":"[^"\\]*(?:\\.[^"\\]*)*"')


def prompt_fingerprint(obj: dict, last: int, analysis: RowAnalysis) -> int:
    """The messages before index `last` (ids ignored) and the declared tools.

    The prompt's bytes are a prefix of the canonical messages: everything but the
    canonical length of `messages[last:]`, so no second dump of the conversation.
    """
    messages = obj.get("messages")
    data = messages_canonical(obj, analysis) if type(messages) is list else None
    if data is None:
        return digest([[without_ids(m) if type(m) is dict else m for m in messages[:last]], obj.get("tools"), obj.get("functions")])
    data = data[:len(data) - len(canonical(messages[last:]))]
    data = _ID_VALUE.sub(b'id":""', data)
    return hash((data, tools_fingerprint(obj, analysis), functions_fingerprint(obj, analysis))) & _MASK


_NULL = hash(b"null") & _MASK  # `quick(None)`: the fingerprint of an absent `tools` or `functions`


def screening_keys(obj: dict, dicts: list[tuple[int, dict]], contents: list[Any], last: int,
                   analysis: RowAnalysis) -> tuple[int, int | None]:
    """(row key, prompt key) of a chat row: cheap keys that rows with equal fingerprints
    always share (see `screening`). None for the prompt when the row has no answer.

    Built from what is already in memory: the turns' `content` strings (Python caches
    their hashes), the answer's position and fingerprint, the tools' fingerprints. Ids
    and everything else are left out, which only makes the keys coarser.
    """
    found = analysis.screen
    if found is None:
        said = tuple(contents[:last] if last >= 0 else contents)  # `contents` is aligned with `dicts`
        try:
            texts = hash(said)
        except TypeError:  # content parts (lists) or objects: left out of the key
            texts = hash(tuple([c if type(c) is str else None for c in said]))
        # An absent array weighs as `null`, as in the prompt fingerprint.
        tools = (tools_fingerprint(obj, analysis) if "tools" in obj else _NULL,
                 functions_fingerprint(obj, analysis) if "functions" in obj else _NULL)
        if last >= 0:
            index, message = dicts[last]
            prompt_key = hash((texts, index, tools)) & _MASK
            row_key = hash((prompt_key, target_of(message)[0], len(dicts), len(obj))) & _MASK
        else:
            prompt_key = None
            row_key = hash((texts, len(dicts), tools, len(obj))) & _MASK
        found = analysis.screen = (row_key, prompt_key)
    return found


def system_fingerprint(message: dict) -> int:
    content = message.get("content")
    return hash(content) & _MASK if type(content) is str else quick(content)


_interned: dict[tuple, tuple] = {}


def intern_names(names: tuple[str, ...]) -> tuple[str, ...]:
    """One shared tuple per distinct name list: the same toolbox repeats on every row."""
    found = _interned.get(names)
    if found is None:
        if len(_interned) > 65536:
            _interned.clear()
        found = _interned[names] = tuple(sys.intern(n) for n in names)
    return found


_shared: dict[tuple, tuple] = {}


def shared(value: tuple) -> tuple:
    """One object per distinct fact: most rows declare (and call) the same few toolboxes,
    so a file's facts point at a handful of tuples instead of holding one per row."""
    found = _shared.get(value)
    if found is None:
        if len(_shared) > 65536:
            _shared.clear()
        found = _shared[value] = value
    return found


# By the array's key and fingerprint: one array read as `tools` and as `functions` names
# different things (`tools` entries wrap their function), so the fingerprint alone is no key.
_names_by_tools: dict[tuple[str, int], tuple[tuple[str, ...], tuple[str, ...]]] = {}


def declared_names(obj: dict, key: str, analysis: RowAnalysis) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(names in declaration order, names sorted) of a `tools` or `functions` array,
    worked out once per distinct array (the same toolbox repeats row after row)."""
    fingerprint = tools_fingerprint(obj, analysis) if key == "tools" else functions_fingerprint(obj, analysis)
    found = _names_by_tools.get((key, fingerprint))
    if found is None:
        entries = obj.get(key)
        names: tuple[str, ...] = ()
        if type(entries) is list:
            functions = entries if key == "functions" else [e.get("function") if type(e) is dict else None for e in entries]
            names = tuple(str(f.get("name")) for f in functions if type(f) is dict)
        if len(_names_by_tools) > 65536:
            _names_by_tools.clear()
        found = _names_by_tools[(key, fingerprint)] = (intern_names(names), intern_names(tuple(sorted(names))))
    return found
