"""The first lint of a large document, shared out over forked children."""

import os

from tunelint.lsp import cold


def test_every_line_is_checked_once_in_order_and_the_children_share_the_work(monkeypatch):
    monkeypatch.setattr(cold, "MIN_LINES", 0)
    lines = [f"line {n}" for n in range(101)]
    results = cold.check_many(lines, list(range(0, 101, 2)), lambda text, first: (text, first, os.getpid()), jobs=3)
    assert [(text, first) for text, first, _ in results] == [(f"line {n}", n == 0) for n in range(0, 101, 2)]
    assert len({pid for _, _, pid in results}) == 3 and os.getpid() in {pid for _, _, pid in results}


def test_a_child_that_fails_leaves_its_share_to_the_server(monkeypatch):
    monkeypatch.setattr(cold, "MIN_LINES", 0)
    server = os.getpid()

    def check(text: str, first: bool) -> str:
        if os.getpid() != server:
            raise RuntimeError("a child's bug")
        return text.upper()

    lines = ["a", "b", "c", "d"]
    assert cold.check_many(lines, [0, 1, 2, 3], check, jobs=2) == ["A", "B", "C", "D"]


def test_small_documents_and_one_core_stay_in_the_server():
    assert cold.check_many(["x"] * 10, list(range(10)), lambda text, first: text, jobs=2) is None
    assert cold.check_many(["x"] * 5000, list(range(5000)), lambda text, first: text, jobs=1) is None


def test_the_servers_input_pipe_is_widened_to_a_megabyte():
    # A 38 MB document arrives in one message: through the default 64 KB pipe it takes
    # hundreds of round trips between editor and server.
    import fcntl

    from tunelint.lsp.server import widen_pipe

    allowed = int(open("/proc/sys/fs/pipe-max-size").read())
    read_end, write_end = os.pipe()
    try:
        assert fcntl.fcntl(read_end, fcntl.F_GETPIPE_SZ) == 65536
        widen_pipe(read_end)
        assert fcntl.fcntl(read_end, fcntl.F_GETPIPE_SZ) == min(1 << 20, allowed)
    finally:
        os.close(read_end)
        os.close(write_end)
