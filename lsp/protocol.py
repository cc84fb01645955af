"""What the server must never do on any input: die, or leave a request unanswered.

pygls (2.x) reads a message's body in one allocation of the size its header claims
(`Content-Length: 99999999999` is a MemoryError that ends the server), answers a request
whose params do not fit its type with no response at all (only a window message), and
its loop swallows the exit code `exit` asks for (`exit_code` says it again). The speed
patches are in `speedups.py`.
"""

from __future__ import annotations

import logging
from typing import Any, BinaryIO

from pygls.exceptions import JsonRpcException, JsonRpcInternalError

from .speedups import DirectDocumentSync

log = logging.getLogger("tunelint.lsp")
MAX_MESSAGE = 1 << 30  # bytes: past any dataset an editor opens; a larger claim is refused
REFUSED = b'{"tunelint: refused message": true}'


class _Unreadable:
    """A message that could not be read: pygls' dispatcher skips it (not JSON-RPC 2.0)."""

    jsonrpc = "unreadable"


class TunelintProtocol(DirectDocumentSync):
    def structure_message(self, data: dict[str, Any]):
        """The typed message, or (params that do not fit the method) an error answer to the
        request right away and nothing to dispatch: every request gets an answer."""
        if type(data) is dict and data.get("tunelint: refused message") is True:
            return _Unreadable()
        try:
            return super().structure_message(data)
        except JsonRpcException as error:
            if isinstance(data, dict) and "id" in data and "method" in data:
                self._send_response(data["id"], error=error.to_response_error())
            log.warning("ignored a message that does not fit its method: %s", str(data)[:200])
            return _Unreadable()
        except Exception as exc:  # noqa: BLE001 - any input, one answer
            if isinstance(data, dict) and "id" in data and "method" in data:
                self._send_response(data["id"], error=JsonRpcInternalError(str(exc)).to_response_error())
            return _Unreadable()


class BoundedStdin:
    """stdin as pygls reads it, refusing a body larger than `MAX_MESSAGE` instead of
    allocating it: the bytes that follow are read as headers until the next real one,
    so a lying client costs one message, never the server."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream

    def readline(self) -> bytes:
        line = self.stream.readline(1 << 16)  # a header line is short; a garbage line is cut
        at = line.find(b"Content-Length:")
        return line[at:] if at > 0 else line  # a header after the rest of a refused body

    def read(self, size: int) -> bytes:
        if size > MAX_MESSAGE:
            log.error("refused a message of %d bytes (the limit is %d)", size, MAX_MESSAGE)
            return REFUSED  # read as nothing to dispatch (see `structure_message`): reading goes on
        return self.stream.read(size)


def exit_code(protocol: TunelintProtocol) -> int:
    """What the process ends with once the loop is over: 0 after `shutdown`, else 1 (the
    client went away, or sent `exit` first), as the protocol says."""
    return 0 if protocol._shutdown else 1
