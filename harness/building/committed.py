"""Layers made with one container and one commit, over an image we already have.

On this engine (fuse-overlayfs) every step of the legacy builder ends in a commit, and a commit
walks the whole image to find what changed, even after a step that only sets metadata: a
pinned app image's four steps (`USER root`, `COPY`, `RUN pip install`, `USER app`) took 65 s
over the 510 MB app image, 11-19 s a step, of which pip's own work was 8 s. Here the files are
copied into a created container, the script runs in it as root, and one commit keeps the
result, restoring the image's own user, entrypoint and command.
"""

from __future__ import annotations

import json
from contextlib import suppress
from pathlib import Path

import docker.errors

from harness.containers import copy_into, log_tail
from harness.engine import engine
from harness.errors import ImageBuildError

SCRIPT_SECONDS = 600  # an offline pip install of a few wheels takes seconds


def build_slug(tag: str) -> str:
    """A tag as a file or container name: `deploy-harness_app_bookworm-pins-…`."""
    return tag.replace("/", "_").replace(":", "_")


def commit_layer(
    tag: str, image: str, files: dict[str, bytes], script: str, log_path: Path
) -> None:
    """Tag `image` with `files` (absolute path: content) copied in and `script` (sh, as root,
    without a network) run over them, as one new layer."""
    parent = engine().images.get(image).attrs.get("Config") or {}
    name = f"dh-build-{build_slug(tag)}"
    _remove_leftover(name)
    shell = ["/bin/sh", "-c"]
    entrypoint = shell if parent.get("Entrypoint") else None  # else the image has none
    container = engine().containers.create(
        image, [*([] if entrypoint else shell), script], entrypoint=entrypoint,
        user="root" if parent.get("User") else None, network_disabled=True, name=name,
    )  # fmt: skip
    try:
        copy_into(container, files)
        container.start()
        code = container.wait(timeout=SCRIPT_SECONDS)["StatusCode"]
        log = log_tail(container, lines=10_000)
        log_path.write_text(log + "\n", encoding="utf-8")
        if code != 0:
            tail = "\n".join(log.splitlines()[-25:])
            raise ImageBuildError(
                f"Building {tag} failed: `{script}` exited {code} in a container of "
                f"{image}.\nLog {log_path}, last lines:\n{tail}"
            )
        repository, _, version = tag.rpartition(":")
        container.commit(repository=repository, tag=version, changes=_restored(parent))
    finally:
        container.remove(force=True)


def _restored(config: dict[str, object]) -> list[str]:
    """The commit's changes that give the new image its parent's user, entrypoint and command
    (the container ran as root, through sh). An empty value in a change keeps the container's,
    so each is overridden at create, and restored here, only where the parent has one."""
    changes = [f"USER {config['User']}"] if config.get("User") else []
    if config.get("Entrypoint"):
        changes.append(f"ENTRYPOINT {json.dumps(config['Entrypoint'])}")
    if config.get("Cmd"):
        changes.append(f"CMD {json.dumps(config['Cmd'])}")
    return changes


def _remove_leftover(name: str) -> None:
    """A build container a killed build left (its image is not tagged, so it runs again)."""
    with suppress(docker.errors.NotFound):
        engine().containers.get(name).remove(force=True)
