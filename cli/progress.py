"""A progress bar on stderr for long runs, shown only when stderr is a terminal."""

from __future__ import annotations

import sys
import time

MIN_BYTES = 16 * 1024 * 1024  # smaller inputs finish before a bar would help


class Progress:
    def __init__(self, total: int, label: str = "checking", stream=None, minimum: int = MIN_BYTES) -> None:
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() and total >= minimum
        self.total = max(total, 1)
        self.done = 0
        self.label = label
        self._last = 0.0

    def advance(self, nbytes: int) -> None:
        self.done += nbytes
        if self.enabled:
            now = time.monotonic()
            if now - self._last >= 0.1:
                self._last = now
                self._draw()

    def _draw(self) -> None:
        share = min(1.0, self.done / self.total)
        bar = "#" * int(share * 30)
        amount = f"{self.done / 1e6:,.0f}/{self.total / 1e6:,.0f} MB" if self.total >= MIN_BYTES else f"{self.done:,}/{self.total:,}"
        self.stream.write(f"\r{self.label} [{bar:<30}] {share:4.0%} {amount}")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\r" + " " * 72 + "\r")
            self.stream.flush()
