"""The progress bar appears on a terminal for large inputs, and never when piped."""

import io

from tunelint.cli.progress import MIN_BYTES, Progress


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_bar_is_drawn_on_a_terminal_for_large_inputs():
    stream = Terminal()
    bar = Progress(MIN_BYTES * 2, stream=stream)
    bar.advance(MIN_BYTES)
    bar.close()
    assert "50%" in stream.getvalue() and stream.getvalue().endswith("\r")


def test_nothing_when_piped_or_small():
    piped = io.StringIO()
    Progress(MIN_BYTES * 2, stream=piped).advance(MIN_BYTES)
    small = Terminal()
    Progress(10, stream=small).advance(5)
    assert piped.getvalue() == "" and small.getvalue() == ""
