"""Progress for long work: shown on a terminal, silent in CI or when output is not a TTY.

A shared service at the bottom of the house, beside errors.py: building/ reports image builds,
run/ a session's steps, plugin/ and commands/ their own, so it may import none of them. It was
in commands/, which made every lower floor import the top one (docs/architecture.md, "The
floors"; tests/unit/test_house.py keeps it so).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console


class Progress:
    """Reports long steps with a spinner on a terminal; records how long each took."""

    def __init__(self, *, enabled: bool | None = None) -> None:
        if enabled is None:
            enabled = sys.stderr.isatty() and not os.environ.get("CI")
        self.enabled = enabled
        self.console = Console(stderr=True)
        self.timings: list[tuple[str, float]] = []

    @contextmanager
    def task(self, description: str) -> Iterator[None]:
        started = time.monotonic()
        if self.enabled:
            with self.console.status(description):
                yield
            self.console.print(f"[green]✓[/] {description} ({time.monotonic() - started:.1f}s)")
        else:
            yield
        self.timings.append((description, time.monotonic() - started))


QUIET = Progress(enabled=False)
