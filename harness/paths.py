"""Where the harness finds its inputs and keeps its caches."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DOCKER_DIR = PROJECT_ROOT / "docker"
APPS_DIR = PROJECT_ROOT / "apps"
TEMPLATES_DIR = DOCKER_DIR / "templates"


def cache_dir() -> Path:
    """The folder for wheelhouses, bootstrap tarballs and build logs (HARNESS_CACHE_DIR)."""
    default = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "deploy-harness"
    path = Path(os.environ.get("HARNESS_CACHE_DIR", default))
    path.mkdir(parents=True, exist_ok=True)
    return path


def logs_dir() -> Path:
    path = cache_dir() / "logs"
    path.mkdir(parents=True, exist_ok=True)
    return path


@contextmanager
def file_lock(name: str) -> Iterator[None]:
    """Hold an exclusive lock shared by every harness process on this host (xdist workers too)."""
    folder = cache_dir() / "locks"
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f"{name}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
