"""Small operations on one container: copying files in and out, reading its logs.

At the bottom of the house beside engine.py: building/ commits layers from a container and
run/ drives a stack's, and building/ is a floor below run/.
"""

from __future__ import annotations

import io
import posixpath
import tarfile
from typing import Any

import docker.errors


def copy_into(container: Any, files: dict[str, bytes], mode: int = 0o644) -> None:
    """Copy files (absolute path → content) into a container, created or running.

    Copying, not bind mounts, so that a remote engine (DOCKER_HOST) works the same.
    """
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for path, content in files.items():
            info = tarfile.TarInfo(path.lstrip("/"))
            info.size = len(content)
            info.mode = 0o600 if path.endswith("key.pem") else mode
            tar.addfile(info, io.BytesIO(content))
    container.put_archive("/", buffer.getvalue())


def copy_tree_archive(container: Any, path: str) -> bytes | None:
    """A tar of a folder in a container (e.g. collected static files); None if it is absent."""
    try:
        stream, _ = container.get_archive(path)
    except docker.errors.NotFound:
        return None
    return b"".join(stream)


def put_tree_archive(container: Any, archive: bytes, parent: str) -> None:
    """Unpack a tar made by copy_tree_archive under parent in another container."""
    container.put_archive(posixpath.normpath(parent), archive)


def log_tail(container: Any, lines: int = 30) -> str:
    """The last lines a container printed, or why they cannot be read."""
    try:
        text = container.logs(tail=lines, stdout=True, stderr=True)
    except docker.errors.APIError as error:
        return f"(logs unavailable: {error.explanation or error})"
    decoded: str = text.decode("utf-8", errors="replace").rstrip()
    return decoded or "(no output)"


def state(container: Any) -> str:
    """The container's current status: created, running, paused, exited (with its code)."""
    try:
        container.reload()
    except docker.errors.NotFound:
        return "removed"
    status = str(container.status)
    if status == "exited":
        return f"exited with code {container.attrs['State']['ExitCode']}"
    return status
