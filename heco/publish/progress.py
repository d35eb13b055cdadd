"""A one-line progress bar on stderr, only when stderr is a terminal."""

from __future__ import annotations

import sys
import time


class Progress:
    def __init__(self, stream=None, enabled: bool | None = None, label: str = "Publishing"):
        self.stream = stream or sys.stderr
        if enabled is None:
            enabled = bool(getattr(self.stream, "isatty", lambda: False)())
        self.enabled = enabled
        self.label = label
        self.total = 0
        self.done = 0
        self._shown = 0.0

    def advance(self, *, written: int = 0) -> None:
        self.done += 1
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._shown < 0.1 and self.done < self.total:
            return
        self._shown = now
        width = 30
        filled = int(width * self.done / self.total) if self.total else width
        bar = "#" * filled + "-" * (width - filled)
        self.stream.write(
            f"\r{self.label} [{bar}] {self.done}/{self.total} pages, {written} written"
        )
        self.stream.flush()

    def close(self) -> None:
        if self.enabled and self.done:
            self.stream.write("\n")
            self.stream.flush()
