"""A language-server client that speaks the wire protocol itself, so tests can send what
no library client would: invalid params, garbage, a lying Content-Length, and check that
every request gets an answer."""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import time
from typing import Any


class Wire:
    def __init__(self, settings: dict[str, Any] | None = None) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "tunelint.cli", "server"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.buffer = b""
        self.answers: dict[Any, dict] = {}
        self.published: dict[str, dict] = {}  # uri -> the last publishDiagnostics params
        self.next_id = 1
        self.request("initialize", {"capabilities": {}, "initializationOptions": settings or {}})
        self.wait_answer(1)
        self.notify("initialized", {})

    # --- sending ------------------------------------------------------------------------

    def raw(self, data: bytes) -> None:
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def send(self, message: dict) -> None:
        body = json.dumps(message).encode()
        self.raw(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))

    def request(self, method: str, params: Any = None, with_params: bool = True) -> int:
        ident = self.next_id
        self.next_id += 1
        message: dict[str, Any] = {"jsonrpc": "2.0", "id": ident, "method": method}
        if with_params:
            message["params"] = params
        self.send(message)
        return ident

    def notify(self, method: str, params: Any) -> None:
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def open(self, uri: str, text: str, version: int = 1) -> None:
        self.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "jsonl", "version": version,
                                                              "text": text}})

    def change(self, uri: str, version: int, changes: list[dict]) -> None:
        self.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version},
                                               "contentChanges": changes})

    # --- receiving ----------------------------------------------------------------------

    def pump(self, timeout: float) -> None:
        """Read whatever arrives within `timeout` seconds."""
        end = time.monotonic() + timeout
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return
            ready, _, _ = select.select([self.proc.stdout], [], [], left)
            if not ready:
                return
            chunk = os.read(self.proc.stdout.fileno(), 1 << 20)
            if not chunk:
                return
            self.buffer += chunk
            self._parse()

    def _parse(self) -> None:
        while True:
            head, sep, rest = self.buffer.partition(b"\r\n\r\n")
            if not sep:
                return
            length = int(next(line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")))
            if len(rest) < length:
                return
            message = json.loads(rest[:length])
            self.buffer = rest[length:]
            if "id" in message and "method" not in message:
                self.answers[message["id"]] = message
            elif message.get("method") == "textDocument/publishDiagnostics":
                self.published[message["params"]["uri"]] = message["params"]

    def wait_answer(self, ident: int, timeout: float = 20) -> dict:
        end = time.monotonic() + timeout
        while ident not in self.answers and time.monotonic() < end:
            self.pump(0.05)
        assert ident in self.answers, f"request {ident} got no answer"
        return self.answers[ident]

    def wait_published(self, uri: str, version: int, timeout: float = 20) -> dict:
        end = time.monotonic() + timeout
        while self.published.get(uri, {}).get("version") != version and time.monotonic() < end:
            self.pump(0.05)
        found = self.published.get(uri, {})
        assert found.get("version") == version, f"no diagnostics for version {version} (last: {found.get('version')})"
        return found

    def stop(self, shutdown: bool = True) -> int:
        if shutdown:
            self.wait_answer(self.request("shutdown", with_params=False))
        self.notify("exit", None)
        try:
            return self.proc.wait(10)
        finally:
            self.proc.stdin.close()
            self.proc.stdout.close()
