"""Token counts of training rows, offline, with the model's own tokenizer.

Counting follows OpenAI's token-counting cookbook: 3 tokens per message, the encoded role,
content text, `name` (+1), call names and arguments, and 3 to prime the reply; tool
definitions by the cookbook's formula, once per distinct tools array.
"""

from __future__ import annotations

import base64
import math
import struct
import zlib
from dataclasses import dataclass
from typing import Any

from .fingerprint import compact, digest
from .models import ModelFacts
from .vocabulary import encoding

IMAGE_LOW = 85
IMAGE_TILE = 170
IMAGE_MAX_TOKENS = 85 + 170 * 16  # the most one image can cost (2048x2048 scaled to 768x768 is 4 tiles; margin kept)


@dataclass(slots=True)
class RowTokens:
    total: int = 0  # what the example costs (messages, tools, reply primer)
    assistant: int = 0  # tokens of assistant turns that are trained (weight not 0)
    tools: int = 0  # tokens of the tool definitions
    lower_bound: bool = False  # an image's size was unknown: the count is a minimum
    trainable: bool = False  # the example has an assistant turn to learn from
    tools_key: int = 0  # a checksum of the declared tools (0: none), to count distinct arrays


SLICE = 65536  # long texts are encoded in slices, so a count can stop early


class _Over(Exception):
    """Raised inside a count that has passed its stopping point, with the count so far."""

    def __init__(self, counted: int) -> None:
        self.counted = counted


class TokenCounter:
    def __init__(self, model: ModelFacts) -> None:
        self.model = model
        self._encode = encoding(model.encoding).encode_ordinary
        self._tools: dict[bytes, tuple[int, int]] = {}
        self._stop: int | None = None  # a bounded count stops once past this
        self._so_far = 0  # the row's count before the message being counted

    def text(self, text: Any) -> int:
        if type(text) is not str:
            text = "" if text is None else compact(text)
        if not text:
            return 0
        if len(text) <= SLICE:
            return len(self._encode(text))
        # A huge text (a pasted document) in slices, so a bounded count stops without
        # encoding megabytes it does not need.
        count = 0
        for i in range(0, len(text), SLICE):
            count += len(self._encode(text[i:i + SLICE]))
            if self._stop is not None and self._so_far + count > self._stop:
                raise _Over(self._so_far + count)
        return count

    def row_at_least(self, obj: dict, limit: int) -> tuple[int, bool]:
        """(count, exact): the row's count, or (once it passes `limit`) how far counting got."""
        self._stop = limit
        try:
            return self.row(obj).total, True
        except _Over as over:
            return over.counted, False
        finally:
            self._stop = None

    def message(self, message: dict) -> tuple[int, bool]:
        """(tokens, whether an image's size was unknown)."""
        count = 3
        lower = False
        encode = self.text
        role = message.get("role")
        if role is not None:
            count += encode(role)
        content = message.get("content")
        if type(content) is str:
            count += encode(content)
        elif type(content) is list:
            for part in content:
                if type(part) is not dict:
                    continue
                if part.get("type") == "text":
                    count += encode(part.get("text"))
                elif part.get("type") == "image_url":
                    tokens, known = image_tokens(part.get("image_url"))
                    count += tokens
                    lower = lower or not known
        if "name" in message:
            count += encode(message["name"]) + 1
        tool_calls = message.get("tool_calls")
        if type(tool_calls) is list:
            for call in tool_calls:
                function = call.get("function") if type(call) is dict else None
                if type(function) is dict:
                    count += encode(function.get("name")) + encode(function.get("arguments"))
        function_call = message.get("function_call")
        if type(function_call) is dict:
            count += encode(function_call.get("name")) + encode(function_call.get("arguments"))
        return count, lower

    def definitions(self, value: Any, legacy: bool) -> tuple[int, int]:
        """(tokens, checksum) of a `tools` (or legacy `functions`) array, counted once per distinct array."""
        if type(value) is not list or not value:
            return 0, 0
        key = (b"F" if legacy else b"T") + digest(value).to_bytes(8, "big")
        found = self._tools.get(key)
        if found is None:
            functions = value if legacy else [t.get("function") for t in value if type(t) is dict]
            found = self._tools[key] = (self._definitions([f for f in functions if type(f) is dict]), zlib.crc32(key) or 1)
        return found

    def _definitions(self, functions: list[dict]) -> int:
        # OpenAI cookbook, "counting tokens for chat completions API calls" (tools section).
        func_init = 10 if self.model.legacy_tokenizer_rules else 7
        prop_init, prop_key, enum_init, enum_item, func_end = 3, 3, -3, 3, 12
        count = 0
        for function in functions:
            count += func_init
            description = _text(function.get("description"))
            count += self.text(f"{_text(function.get('name'))}:{description.removesuffix('.')}")
            parameters = function.get("parameters")
            properties = parameters.get("properties") if type(parameters) is dict else None
            if type(properties) is dict and properties:
                count += prop_init
                for key, spec in properties.items():
                    count += prop_key
                    spec = spec if type(spec) is dict else {}
                    enum = spec.get("enum")
                    if type(enum) is list:
                        count += enum_init
                        for item in enum:
                            count += enum_item + self.text(_text(item))
                    kind = spec.get("type")
                    kind = kind if type(kind) is str else compact(kind) if kind is not None else ""
                    count += self.text(f"{key}:{kind}:{_text(spec.get('description')).removesuffix('.')}")
        return count + func_end if functions else 0

    def row(self, obj: dict) -> RowTokens:
        result = RowTokens()
        self._so_far = 0
        given = obj.get("input")
        if type(given) is dict and ("preferred_output" in obj or "non_preferred_output" in obj):
            # A DPO pair bills its input and both outputs; its tools live in the input.
            messages = [*_list(given.get("messages")), *_list(obj.get("preferred_output")), *_list(obj.get("non_preferred_output"))]
            obj = given
        else:
            messages = obj.get("messages")
        for message in messages if type(messages) is list else ():
            if type(message) is not dict:
                continue
            tokens, lower = self.message(message)
            result.total += tokens
            self._so_far = result.total
            if self._stop is not None and result.total > self._stop:
                raise _Over(result.total)
            result.lower_bound = result.lower_bound or lower
            weight = message.get("weight")
            if message.get("role") == "assistant" and not (weight == 0 and type(weight) is int):
                result.assistant += tokens
                result.trainable = True
        result.total += 3  # every reply is primed with <|start|>assistant<|message|>
        tools, tools_key = self.definitions(obj.get("tools"), False)
        functions, functions_key = self.definitions(obj.get("functions"), True)
        result.tools = tools + functions
        result.tools_key = tools_key ^ functions_key
        result.total += result.tools
        return result


def _list(value: Any) -> list:
    return value if type(value) is list else []


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value if type(value) is str else compact(value)


# --- images ---------------------------------------------------------------------------------

def image_tokens(image: Any) -> tuple[int, bool]:
    """(tokens, whether the size was known). Unknown sizes count as a low-detail image."""
    if type(image) is not dict:
        return IMAGE_LOW, False
    if image.get("detail") == "low":
        return IMAGE_LOW, True
    size = data_url_size(image.get("url"))
    if size is None:
        return IMAGE_LOW, False
    return IMAGE_LOW + IMAGE_TILE * tiles(*size), True


def tiles(width: int, height: int) -> int:
    """512-px tiles after the vision pipeline's scaling (fit 2048x2048, shortest side 768)."""
    w, h = float(width), float(height)
    if max(w, h) > 2048:
        scale = 2048 / max(w, h)
        w, h = w * scale, h * scale
    if min(w, h) > 768:
        scale = 768 / min(w, h)
        w, h = w * scale, h * scale
    return math.ceil(w / 512) * math.ceil(h / 512)


def data_url_size(url: Any) -> tuple[int, int] | None:
    """Width and height of a PNG, GIF, JPEG or WebP data URL, from its first bytes."""
    if type(url) is not str or not url.startswith("data:image/") or ";base64," not in url:
        return None
    encoded = url.split(";base64,", 1)[1][:87384]  # 64 KB of image: headers are at the start
    encoded = encoded[: len(encoded) - len(encoded) % 4]
    try:
        head = base64.b64decode(encoded, validate=False)
    except (ValueError, TypeError):
        return None
    return image_size(head)


def image_size(head: bytes) -> tuple[int, int] | None:
    try:
        if head[:8] == b"\x89PNG\r\n\x1a\n":
            return struct.unpack(">II", head[16:24])
        if head[:6] in (b"GIF87a", b"GIF89a"):
            return struct.unpack("<HH", head[6:10])
        if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
            return _webp_size(head)
        if head[:2] == b"\xff\xd8":
            return _jpeg_size(head)
    except struct.error:
        return None
    return None


def _webp_size(head: bytes) -> tuple[int, int] | None:
    chunk = head[12:16]
    if chunk == b"VP8X":
        return 1 + int.from_bytes(head[24:27], "little"), 1 + int.from_bytes(head[27:30], "little")
    if chunk == b"VP8 ":
        w, h = struct.unpack("<HH", head[26:30])
        return w & 0x3FFF, h & 0x3FFF
    if chunk == b"VP8L":
        bits = int.from_bytes(head[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    return None


def _jpeg_size(head: bytes) -> tuple[int, int] | None:
    i = 2
    while i + 9 < len(head):
        if head[i] != 0xFF:
            return None
        marker = head[i + 1]
        length = struct.unpack(">H", head[i + 2:i + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
            h, w = struct.unpack(">HH", head[i + 5:i + 9])
            return w, h
        i += 2 + length
    return None
