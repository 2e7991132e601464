"""The `harness` command as a user runs it: a subprocess, its output and exit code kept."""

from __future__ import annotations

import os
import subprocess
import sys


def harness(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "harness", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
        check=False,
    )
