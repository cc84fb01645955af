"""The first lint of a large document, spread over the cores.

On open, every line of the document is new to the cache: thousands of rows to check
before anything can be shown. Forked children check a share of those lines each (they
inherit the lines, so nothing is copied to them) and send back their line results
through a pipe; the server caches them as if it had computed them itself. Later edits
touch a few lines and stay in the server.

Plain `os.fork`, not `multiprocessing`: the server forks from a worker thread while
another thread sits in a read of stdin holding its lock, and a multiprocessing child
closes stdin on start, which waits for that lock forever. A child here touches nothing
of the server's but the lines: it points its stdout (the protocol's stream) at
/dev/null, computes, writes its results to its pipe and leaves with `os._exit` (no
flushing of inherited buffers). If a child fails, its share is checked in the server.
"""

from __future__ import annotations

import gc
import os
import pickle
import warnings
from collections.abc import Callable
from typing import Any

from ..lint.parallel import default_jobs

MIN_LINES = 2000  # below this, starting processes costs more than it saves


def check_many(lines: list[str], indices: list[int], check: Callable[[str, bool], Any],
               jobs: int | None = None) -> list[Any] | None:
    """`check(lines[i], i == 0)` for every index, shared out over forked children; None
    when that is not worth it (few lines, one core) or not possible (no fork)."""
    jobs = jobs or default_jobs()
    if jobs <= 1 or len(indices) < MIN_LINES or not hasattr(os, "fork"):
        return None
    step = -(-len(indices) // jobs)
    shares = [indices[start:start + step] for start in range(0, len(indices), step)]
    children = [_spawn(lines, share, check) for share in shares[1:]]
    results = [check(lines[index], index == 0) for index in shares[0]]  # the server takes a share too
    for share, child in zip(shares[1:], children):
        part = _collect(*child) if child is not None else None
        results.extend(part if part is not None else (check(lines[index], index == 0) for index in share))
    return results


def _spawn(lines: list[str], share: list[int], check: Callable[[str, bool], Any]) -> tuple[int, int] | None:
    try:
        read_end, write_end = os.pipe()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # fork with threads: see the module's docs
            pid = os.fork()
    except OSError:
        return None
    if pid == 0:  # the child
        try:
            os.close(read_end)
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)  # the protocol's stream: never write to it
            gc.freeze()  # leave the server's objects alone: walking them would copy every shared page
            gc.disable()  # and collect nothing for the second it lives
            data = pickle.dumps([check(lines[index], index == 0) for index in share], pickle.HIGHEST_PROTOCOL)
            with os.fdopen(write_end, "wb") as out:
                out.write(data)
            os._exit(0)
        except BaseException:
            os._exit(1)
    os.close(write_end)
    return pid, read_end


def _collect(pid: int, read_end: int) -> list[Any] | None:
    with os.fdopen(read_end, "rb") as stream:
        data = stream.read()
    _, status = os.waitpid(pid, 0)
    if status != 0:
        return None
    try:
        return pickle.loads(data)
    except Exception:
        return None
