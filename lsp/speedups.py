"""Where the server goes around pygls (2.x) for speed, all in one place.

pygls is made for source files of a few thousand lines; datasets are tens of MB on
one line per row, and these four paths of pygls cost more there than the lint itself:

1. **Document sync.** pygls keeps its own copy of every open document, re-split and
   re-joined on each keystroke (tens of ms on a 30 MB file). `DirectDocumentSync` sends
   didOpen, didChange and didClose straight to the handlers; the server keeps the text
   in its own line model (`document.Document`).
2. **Publishing.** pygls builds attrs objects and has cattrs take them apart again
   (tens of ms for a few hundred diagnostics). `publish_diagnostics` writes the JSON
   with orjson, UTF-8 (not ASCII-escaped), with a header counting bytes.
3. **Reading.** pygls' stdio loop parses every message with the standard library.
   `read_with_orjson` has it use orjson (a 38 MB didOpen: 0.18 s against 0.28 s).
4. **The pipe.** `widen_pipe` raises stdin's buffer from 64 KB to 1 MB, so a large
   document does not take hundreds of round trips between editor and server.

Each falls back to pygls' own way where its assumption does not hold (not a stdio
stream, a message orjson refuses, a system without pipe sizes).
"""

from __future__ import annotations

import asyncio
import inspect
import json
from pathlib import Path
from typing import Any

import orjson
from lsprotocol import types
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.language_server import lsp_method


class DirectDocumentSync(LanguageServerProtocol):
    """Open documents live in the server's own line model: these notifications go
    straight to the handlers, past pygls' document store."""

    @lsp_method(types.TEXT_DOCUMENT_DID_OPEN)
    def lsp_text_document__did_open(self, params: types.DidOpenTextDocumentParams):
        if (handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_OPEN)) is not None:
            yield handler, (params,), None

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: types.DidChangeTextDocumentParams):
        if (handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_CHANGE)) is not None:
            yield handler, (params,), None

    @lsp_method(types.TEXT_DOCUMENT_DID_CLOSE)
    def lsp_text_document__did_close(self, params: types.DidCloseTextDocumentParams):
        if (handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_CLOSE)) is not None:
            yield handler, (params,), None


def publish_diagnostics(server: Any, uri: str, version: int | None, diagnostics: list[dict[str, Any]]) -> None:
    """Send diagnostics already in their JSON shape (a test checks both ways give the same JSON)."""
    params: dict[str, Any] = {"uri": uri, "diagnostics": diagnostics}
    if version is not None:
        params["version"] = version
    protocol = server.protocol
    writer = getattr(protocol, "writer", None)
    if writer is None or not getattr(protocol, "_include_headers", False):
        # Not a stdio stream we know (a websocket, a pygls without these attributes): its own way.
        server.text_document_publish_diagnostics(protocol._converter.structure(params, types.PublishDiagnosticsParams))
        return
    body = orjson.dumps({"jsonrpc": "2.0", "method": types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS, "params": params})
    written = writer.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
    if inspect.isawaitable(written):
        asyncio.ensure_future(written)


class OrjsonFirst:
    """What pygls' reading loop calls as `json.loads`: orjson.

    pygls passes `object_hook=protocol.structure_message`, which turns the message (the
    dict with a "jsonrpc" key) into its typed form and returns every other dict as it is:
    applied to the top level only, it gives the same result. Anything orjson refuses
    (a lone surrogate escape, which the standard library accepts) goes the usual way.
    """

    @staticmethod
    def loads(data: bytes | str, object_hook: Any = None) -> Any:
        try:
            value = orjson.loads(data)
        except orjson.JSONDecodeError:
            return json.loads(data, object_hook=object_hook)
        return object_hook(value) if object_hook is not None and type(value) is dict else value


def read_with_orjson() -> None:
    """Have pygls' stdio loop parse messages with `OrjsonFirst` (it names the module `json`)."""
    import pygls.io_

    if getattr(pygls.io_, "json", None) is json:
        pygls.io_.json = OrjsonFirst


def widen_pipe(fd: int) -> None:
    """Raise a pipe's buffer to 1 MB (Linux; the limit for an unprivileged process)."""
    try:
        import fcntl

        size = min(1 << 20, int(Path("/proc/sys/fs/pipe-max-size").read_text()))
        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, size)
    except (ImportError, AttributeError, OSError, ValueError):
        pass  # not Linux, not a pipe (a terminal, a file) or not allowed: only slower
