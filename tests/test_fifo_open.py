"""A FIFO given as a path is read once, by the one reader that reads it.

Found on the way (convert, then check --fix): the file was opened to learn it was not a
regular file and closed again. That open released a writer waiting for a reader, and
the close before any read threw away what the writer sent; the second open then waited
for a writer that had already gone, and the data read as empty.
"""

import os
import subprocess
import sys
import time

import pytest

from tunelint.lint.open_file import NotRegularFile, OpenFile, read_stream

ROW = b'{"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]}\n'


@pytest.fixture
def fifo(tmp_path):
    path = tmp_path / "train.jsonl"
    os.mkfifo(path)
    return path


def _writer(path):
    # Blocks in open() until a reader opens the FIFO, then writes one row and closes.
    code = f"import sys; f = open({str(path)!r}, 'wb'); f.write({ROW!r}); f.close()"
    return subprocess.Popen([sys.executable, "-c", code], stderr=subprocess.DEVNULL)


def test_learning_that_a_path_is_a_fifo_does_not_release_its_writer(fifo):
    writer = _writer(fifo)
    try:
        time.sleep(0.3)  # the writer is waiting in open()
        with pytest.raises(NotRegularFile):
            OpenFile(fifo)
        time.sleep(0.3)
        assert writer.poll() is None, "the writer was released by a reader that never read"
        assert read_stream(fifo) == ROW
        assert writer.wait(10) == 0
    finally:
        writer.kill()

