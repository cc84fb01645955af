from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from ...model import ERROR, Finding
from ...pointer import join_pointer
from ...registry import row_rule
from ...source import Row
from ...survey import message_dicts, turn

_DATA_URI = re.compile(r"data:image/([a-zA-Z0-9.+-]+);base64,", re.ASCII)


def _images(row: Row) -> Iterator[tuple[int, int, str, Any]]:
    """(message index, part index, role, url) of every image part, in order."""
    for i, message in message_dicts(row):
        content = message.get("content")
        if type(content) is not list:
            continue
        for k, part in enumerate(content):
            if type(part) is dict and part.get("type") == "image_url":
                image = part.get("image_url")
                url = image.get("url") if type(image) is dict else image
                yield i, k, str(message.get("role")), url


@row_rule("TLC002", "image-not-on-target", ERROR, context=("target",), target_only=True)
def image_not_on_target(row: Row, options: Mapping[str, Any]) -> Iterator[Finding]:
    """An image the target platform does not take: too many, too large, of another format, or not inline.

    On where the target's `images` fact gives its limits: Azure takes up to 64 images per
    example (its vision page; its own troubleshooting table says 10), 10 MB each, JPEG, PNG
    or WEBP, none in assistant turns; Together takes up to 10 per example, in user turns
    only, as base64 `data:` URIs only, 10 MB each. The size is known only for `data:` URIs
    (from their base64 length); a remote URL's is not checked. An image outside a user turn
    is `invalid-content-type`'s (TLS005) on every target.

    Together's SDK (2.0) said: "The dataset is malformed, the `messages` must contain at
    most 10 images."

    ## Why is this bad?
    The platform refuses the row, or (Azure) skips the image and trains on the text alone.

    ## Example
    ```json
    {"role": "user", "content": [{"type": "text", "text": "What does the chart show?"},
      {"type": "image_url", "image_url": {"url": "https://example.com/chart.png"}}]}
    ```
    on `--target together`.

    ## Use instead
    ```json
    {"role": "user", "content": [{"type": "text", "text": "What does the chart show?"},
      {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo..."}}]}
    ```
    """
    if b"image_url" not in row.raw:
        return
    limits = options["target"].fact("images")
    if not limits:
        return
    name = options["target"].name
    most = limits.get("max-per-example")
    formats = limits.get("formats")
    biggest = limits.get("max-bytes")
    count = 0
    for i, k, _role, url in _images(row):
        at = join_pointer("messages", i, "content", k)
        count += 1
        if most is not None and count == most + 1:
            yield Finding(at, f"image {count} of the example: {name} takes at most {most} per example")
        if type(url) is not str:
            continue  # no URL: invalid-content-type's
        found = _DATA_URI.match(url)
        if found is None:
            if limits.get("data-uri-only"):
                yield Finding(at, f"image in {turn(i)} is a link, not a base64 `data:` URI; {name} takes inline images only")
            continue
        if formats and found.group(1).lower().replace("jpg", "jpeg") not in formats:
            yield Finding(at, f"image in {turn(i)} is `{found.group(1)}`; {name} takes {', '.join(formats)}")
        size = (len(url) - found.end()) * 3 // 4
        if biggest and size > biggest:
            yield Finding(at, f"image in {turn(i)} is about {size / 2**20:,.1f} MiB; {name} takes at most "
                              f"{biggest / 2**20:,.0f} MiB per image")
