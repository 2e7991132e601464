"""The run part of results.json: which harness, which engine, which host, when."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from importlib import metadata

from harness.errors import HarnessError
from harness.matrix.schema import RunInfo, ShardInfo
from harness.paths import PROJECT_ROOT


def harness_version() -> str:
    try:
        return metadata.version("deploy-harness")
    except metadata.PackageNotFoundError:
        return "unknown (not installed)"


def harness_commit() -> str | None:
    """The checkout's commit, with `+dirty` when it has uncommitted changes; None outside git."""
    try:
        commit = subprocess.run(
            ["git", "-C", str(PROJECT_ROOT), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(PROJECT_ROOT), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return commit + ("+dirty" if dirty else "")


def engine_version() -> str:
    from harness.engine import engine

    try:
        version = engine().version()
    except HarnessError as error:
        return f"(unavailable: {error})"
    return f"Docker Engine {version.get('Version', '?')} (API {version.get('ApiVersion', '?')})"


def run_info(
    started: str, ended: str, workers: int, selection: str, shards: Sequence[ShardInfo]
) -> RunInfo:
    return RunInfo(
        harness_version=harness_version(),
        harness_commit=harness_commit(),
        started=started,
        ended=ended,
        engine_version=engine_version(),
        host_cores=os.cpu_count() or 1,
        workers=workers,
        selection=selection,
        shards=tuple(shards),
    )
