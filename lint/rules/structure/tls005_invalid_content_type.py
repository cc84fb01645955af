from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...survey import message_dicts, survey
from ...model import ERROR, Finding
from ...pointer import join_pointer
from ...registry import row_rule
from ...source import Row
from ...toolset import json_type
from .role_phrases import a_role_message

IMAGE_DETAILS = frozenset({"low", "high", "auto"})


def _calls_something(message: dict) -> bool:
    return bool(message.get("tool_calls")) or bool(message.get("function_call"))


@row_rule("TLS005", "invalid-content-type", ERROR)
def invalid_content_type(row: Row, options: Mapping[str, Any]) -> Iterator[Finding]:
    """A message's `content` has a type the chat format does not accept there.

    Content is a string; `null` only on an assistant turn that calls a tool; or an array
    of parts: `text` parts anywhere, `image_url` parts in user messages only.

    ## Why is this bad?
    The upload refuses the row, and a converter that wrote numbers, objects or `null`
    into `content` usually lost the text it meant to write.

    ## Example
    ```json
    {"role": "user", "content": {"text": "Describe this"}}
    ```

    ## Use instead
    ```json
    {"role": "user", "content": [{"type": "text", "text": "Describe this"},
      {"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}}]}
    ```
    """
    if not survey(row).content_suspect:
        return
    for i, message in message_dicts(row):
        if "content" not in message:
            continue
        content = message["content"]
        if type(content) is str:
            continue
        at = join_pointer("messages", i, "content")
        role = message.get("role")
        if content is None:
            if not (role == "assistant" and _calls_something(message)):
                yield Finding(at, f"content of {a_role_message(role)} cannot be null")
            continue
        if type(content) is not list:
            yield Finding(at, f"content must be a string or an array of parts, not {json_type(content)}")
            continue
        for j, part in enumerate(content):
            yield from _check_part(part, at + f"/{j}", role)


def _check_part(part: Any, at: str, role: Any) -> Iterator[Finding]:
    if type(part) is not dict:
        yield Finding(at, f"content part must be an object, not {json_type(part)}")
        return
    kind = part.get("type")
    if kind == "text":
        if type(part.get("text")) is not str:
            yield Finding(at + "/text" if "text" in part else at, "text part needs a string `text`")
    elif kind == "image_url":
        if role != "user":
            yield Finding(at + "/type", f"image parts are allowed in user messages only, not in {a_role_message(role)}")
            return
        image = part.get("image_url")
        if type(image) is not dict or type(image.get("url")) is not str:
            yield Finding(at + "/image_url" if "image_url" in part else at, "image part needs `image_url` with a string `url`")
        elif "detail" in image and image["detail"] not in IMAGE_DETAILS:
            yield Finding(at + "/image_url/detail", "image `detail` must be `low`, `high` or `auto`")
    else:
        shown = f"`{kind}`" if type(kind) is str else json_type(kind)
        yield Finding(at + "/type" if "type" in part else at, f"content part has type {shown}; expected `text` or `image_url`")
