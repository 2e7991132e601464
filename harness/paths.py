"""Where the harness finds its inputs and keeps its caches."""

from __future__ import annotations

import fcntl
import importlib.resources
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from harness.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def data_root() -> Path:
    """Where docker/, apps/ and scenarios/ are: `harness/data/` inside an installed wheel
    (package data, found through importlib.resources), else the checkout's top level.

    The checkout keeps them at the top (`pytest scenarios/`, `apps/` for the apps' own tests,
    and the folders a stranger looks for); setup.py copies them into the wheel."""
    shipped = importlib.resources.files("harness") / "data"
    if isinstance(shipped, Path) and shipped.is_dir():
        return shipped
    if not shipped.is_dir():
        return PROJECT_ROOT
    raise ConfigError(
        f"harness's package data is inside an archive ({shipped}); allowed: a wheel installed "
        "on disk. Hint: `pip install deploy-harness-*.whl` into a virtualenv."
    )


DATA_ROOT = data_root()
DOCKER_DIR = DATA_ROOT / "docker"
APPS_DIR = DATA_ROOT / "apps"
TEMPLATES_DIR = DOCKER_DIR / "templates"
SCENARIOS_DIR = DATA_ROOT / "scenarios"


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
