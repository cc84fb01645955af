"""The one way tunelint spreads work over processes: forked workers, results in order.

`fork_map(func, tasks, jobs)` runs `func(task)` for every task on `jobs` forked children
and yields the results in the order of the tasks, while the caller consumes them (an
exception a task raised is raised in its turn too). The
children inherit everything the parent holds (the rules, an open file, an editor's
lines), so only a task's number goes to a child and only its result comes back,
pickled, through a pipe. At most `window` tasks are out at a time, so a slow task never
lets finished results pile up: memory stays flat however many tasks there are.

Plain `os.fork` and pipes, not `multiprocessing`: the language server forks from a
worker thread while another thread sits in a read of stdin holding its lock, and a
multiprocessing child closes stdin on start, which waits for that lock forever. A child
here touches nothing of the parent's but what `func` needs: its stdout (an editor's
protocol stream) points at /dev/null, it never collects garbage (it would copy every
shared page), and it leaves with `os._exit`, flushing no inherited buffer.
"""

from __future__ import annotations

import gc
import os
import pickle
import select
import signal
import struct
import warnings
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

_HEADER = struct.Struct("<Q")
MIN_PARALLEL_BYTES = 8 * 1024 * 1024  # a file smaller than this is done before processes would pay
TASKS_PER_WORKER = 2  # queued per child: none waits for its next task, few results wait for their turn


class WorkerError(Exception):
    """A worker process died without answering (killed, out of memory)."""


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def can_fork() -> bool:
    return hasattr(os, "fork")


def worth_parallel(size: int, jobs: int) -> bool:
    """Whether a file of `size` bytes is worth spreading over `jobs` processes."""
    return jobs > 1 and size >= MIN_PARALLEL_BYTES and can_fork()


def fork_map(func: Callable[[T], R], tasks: Sequence[T], jobs: int, window: int | None = None) -> Iterator[R]:
    """`func(task)` for each task, on `jobs` forked processes, yielded in task order.

    With one job (or no fork on this system) the tasks run here, one by one. An
    exception in a child is raised here, as the same exception when it pickles.
    """
    if jobs <= 1 or len(tasks) <= 1 or not can_fork():
        for task in tasks:
            yield func(task)
        return
    jobs = min(jobs, len(tasks))
    window = max(window or jobs * TASKS_PER_WORKER, jobs)
    pool = _Pool(func, tasks, jobs)
    try:
        yield from pool.results(window)
    finally:
        pool.close()


class _Child:
    __slots__ = ("pid", "tasks", "results", "buffer", "waiting")

    def __init__(self, pid: int, tasks: int, results: int) -> None:
        self.pid, self.tasks, self.results = pid, tasks, results
        self.buffer = bytearray()
        self.waiting: list[int] = []  # task numbers sent and not answered yet, in order


class _Failed:
    __slots__ = ("error",)

    def __init__(self, error: BaseException) -> None:
        self.error = error


def _load(child: _Child) -> int:
    return len(child.waiting)


class _Pool:
    def __init__(self, func: Callable, tasks: Sequence, jobs: int) -> None:
        self.tasks = tasks
        self.children: list[_Child] = []
        for _ in range(jobs):
            task_read, task_write = os.pipe()
            result_read, result_write = os.pipe()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)  # fork with threads: see the module's docs
                pid = os.fork()
            if pid == 0:
                os.close(task_write)
                os.close(result_read)
                for child in self.children:  # the pipes of the children forked before this one
                    os.close(child.tasks)
                    os.close(child.results)
                _serve(func, tasks, task_read, result_write)  # never returns
            os.close(task_read)
            os.close(result_write)
            self.children.append(_Child(pid, task_write, result_read))

    def results(self, window: int) -> Iterator[Any]:
        total = len(self.tasks)
        sent = 0  # tasks handed out so far (they go in order)
        turn = 0  # the next result to yield
        done: dict[int, Any] = {}  # results that came back before their turn
        by_fd = {child.results: child for child in self.children}
        while turn < total:
            while sent < total and sent < turn + window:  # keep the children busy, within the window
                child = min(self.children, key=_load)
                os.write(child.tasks, _HEADER.pack(sent))
                child.waiting.append(sent)
                sent += 1
            if turn in done:
                result = done.pop(turn)
                if type(result) is _Failed:
                    raise result.error
                yield result
                turn += 1
                continue
            readable, _, _ = select.select([c.results for c in self.children if c.waiting], [], [])
            for fd in readable:
                self._receive(by_fd[fd], done)

    def _receive(self, child: _Child, done: dict[int, Any]) -> None:
        chunk = os.read(child.results, 1 << 20)
        if not chunk:
            raise WorkerError("a worker process ended without finishing its work (killed, or out of memory?)")
        buffer = child.buffer
        buffer += chunk
        while len(buffer) >= _HEADER.size:
            (size,) = _HEADER.unpack_from(buffer)
            if len(buffer) < _HEADER.size + size:
                break
            ok, value = pickle.loads(memoryview(buffer)[_HEADER.size:_HEADER.size + size])
            del buffer[:_HEADER.size + size]
            done[child.waiting.pop(0)] = _Failed(value) if not ok else value

    def close(self) -> None:
        for child in self.children:
            for fd in (child.tasks, child.results):
                try:
                    os.close(fd)
                except OSError:
                    pass
        for child in self.children:
            if child.waiting:  # stopped early (an error, the consumer went away): no need to finish
                try:
                    os.kill(child.pid, signal.SIGKILL)
                except OSError:
                    pass
            try:
                os.waitpid(child.pid, 0)
            except ChildProcessError:
                pass


def _serve(func: Callable, tasks: Sequence, task_read: int, result_write: int) -> None:
    """A child's life: run the tasks it is sent until its task pipe closes, then leave."""
    status = 0
    try:
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C ends it at once; the parent cleans up
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)  # stdout may be an editor's protocol stream: never write to it
        gc.freeze()
        gc.disable()
        with os.fdopen(task_read, "rb") as incoming, os.fdopen(result_write, "wb") as outgoing:
            while True:
                header = incoming.read(_HEADER.size)
                if len(header) < _HEADER.size:
                    break
                (number,) = _HEADER.unpack(header)
                try:
                    answer = (True, func(tasks[number]))
                except BaseException as exc:  # sent back to be raised in the parent
                    answer = (False, exc)
                try:
                    data = pickle.dumps(answer, pickle.HIGHEST_PROTOCOL)
                except Exception as exc:
                    data = pickle.dumps((False, RuntimeError(f"{type(answer[1]).__name__}: {answer[1]} ({exc})")),
                                        pickle.HIGHEST_PROTOCOL)
                outgoing.write(_HEADER.pack(len(data)))
                outgoing.write(data)
                outgoing.flush()
    except BaseException:
        status = 1
    os._exit(status)
