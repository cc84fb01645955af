"""The one way work is spread over processes (`workers.fork_map`): check, fix, convert,
stats and the language server's first lint all go through it."""

import os
import signal
import time

import pytest

from tunelint.lint.workers import WorkerError, fork_map


def test_every_task_runs_once_on_the_children_and_results_come_in_task_order():
    # The early tasks are the slow ones, so the children finish them last: the results
    # must still come back in the order of the tasks.
    def work(n):
        time.sleep(0.02 if n < 4 else 0)
        return n * n, os.getpid()

    results = list(fork_map(work, list(range(40)), jobs=3))
    assert [square for square, _ in results] == [n * n for n in range(40)]
    pids = {pid for _, pid in results}
    assert len(pids) == 3 and os.getpid() not in pids


def test_a_childs_exception_is_raised_in_the_parent_as_itself():
    def work(n):
        if n == 7:
            raise ValueError("row 7 is broken")
        return n

    with pytest.raises(ValueError, match="row 7 is broken"):
        list(fork_map(work, list(range(20)), jobs=2))


def test_a_child_that_dies_is_an_error_not_a_hang():
    def work(n):
        if n == 5:
            os.kill(os.getpid(), signal.SIGKILL)
        return n

    with pytest.raises(WorkerError):
        list(fork_map(work, list(range(10)), jobs=2))


def test_at_most_a_window_of_results_waits_for_its_turn():
    # Task 0 is slow: the children may run ahead only `window` tasks, so finished results
    # never pile up in the parent (memory stays flat on a file of any size).
    def work(n):
        if n == 0:
            time.sleep(0.3)
        return n, time.monotonic()

    begin = time.monotonic()
    results = list(fork_map(work, list(range(30)), jobs=2, window=4))
    assert [n for n, _ in results] == list(range(30))
    ran_before_first_was_done = [n for n, at in results[1:] if at - begin < 0.25]
    assert len(ran_before_first_was_done) <= 3, ran_before_first_was_done


def test_one_job_or_one_task_runs_here():
    assert list(fork_map(lambda n: os.getpid(), [1, 2, 3], jobs=1)) == [os.getpid()] * 3
    assert list(fork_map(lambda n: os.getpid(), [1], jobs=4)) == [os.getpid()]


def test_no_process_or_descriptor_is_left_behind():
    before = set(os.listdir("/proc/self/fd"))
    assert list(fork_map(lambda n: n, list(range(10)), jobs=2)) == list(range(10))
    generator = fork_map(lambda n: n, list(range(100)), jobs=2)
    next(generator)
    generator.close()  # a consumer that stops early (an error while writing, say)
    assert set(os.listdir("/proc/self/fd")) == before
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)


def test_the_servers_input_pipe_is_widened_to_a_megabyte():
    # A 38 MB document arrives in one message: through the default 64 KB pipe it takes
    # hundreds of round trips between editor and server.
    import fcntl

    from tunelint.lsp.speedups import widen_pipe

    allowed = int(open("/proc/sys/fs/pipe-max-size").read())
    read_end, write_end = os.pipe()
    try:
        assert fcntl.fcntl(read_end, fcntl.F_GETPIPE_SZ) == 65536
        widen_pipe(read_end)
        assert fcntl.fcntl(read_end, fcntl.F_GETPIPE_SZ) == min(1 << 20, allowed)
    finally:
        os.close(read_end)
        os.close(write_end)
