"""A run on the Docker engine: labelling, and removing what the harness made.

Every container and network the harness creates carries the labels of harness/engine.py
(which also holds the one client, since building/ needs it below run/). The run id makes
names unique per run (so parallel runs and xdist workers never collide), and the owner's
host and pid let a later run, or `harness clean`, reap what a killed run left behind.
"""

from __future__ import annotations

import os
import secrets
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import docker.errors

import docker
from harness.engine import (
    LABEL,
    LABEL_GROUP,
    LABEL_IMAGE,
    LABEL_KEPT,
    LABEL_OWNER_HOST,
    LABEL_OWNER_PID,
    LABEL_RUN,
    LABEL_SERVICE,
    LABEL_STACK,
    engine,
)

# The engine's words for a network a container is still attached to.
ACTIVE_ENDPOINTS = "active endpoints"
# How long removal goes back to the containers of a network that keeps an endpoint, and how
# often it looks again.
SETTLE_SECONDS = 10.0
SETTLE_POLL = 0.2


@dataclass(frozen=True, slots=True)
class RunIdentity:
    """Who owns the resources of one run: a short random id, this host and this process."""

    run_id: str
    host: str
    pid: int
    group: str
    kept: bool = False

    @classmethod
    def new(cls, *, kept: bool = False) -> RunIdentity:
        """A fresh identity, unique per process (each xdist worker has its own).

        HARNESS_RUN_ID names the group of processes of one run (a run and its xdist
        workers), so that tests of cleanup can find everything one run made.
        """
        run_id = secrets.token_hex(3)
        group = os.environ.get("HARNESS_RUN_ID") or run_id
        return cls(
            run_id=run_id, host=socket.gethostname(), pid=os.getpid(), group=group, kept=kept
        )

    def labels(self, stack_id: str, service: str | None = None) -> dict[str, str]:
        labels = {
            LABEL: "1",
            LABEL_RUN: self.run_id,
            LABEL_GROUP: self.group,
            LABEL_STACK: stack_id,
            LABEL_OWNER_HOST: self.host,
            LABEL_OWNER_PID: str(self.pid),
        }
        if service:
            labels[LABEL_SERVICE] = service
        if self.kept:
            labels[LABEL_KEPT] = "1"
        return labels


def _owner_alive(labels: dict[str, str]) -> bool:
    if labels.get(LABEL_KEPT) == "1":
        return True  # kept on purpose: only `harness clean` removes it
    if labels.get(LABEL_OWNER_HOST) != socket.gethostname():
        return True  # another host's run: we cannot tell, so we leave it alone
    try:
        os.kill(int(labels.get(LABEL_OWNER_PID, "0")), 0)
    except (ProcessLookupError, ValueError):
        return False
    except PermissionError:
        return True
    return True


def _selector(run_id: str | None, group: str | None) -> list[str]:
    if run_id:
        return [f"{LABEL_RUN}={run_id}"]
    if group:
        return [f"{LABEL_GROUP}={group}"]
    return [LABEL]


@contextmanager
def gone_or_going() -> Iterator[None]:
    """Removing something that is already gone, or that another process is removing right now
    (parallel runs each reap orphans at start, and `harness clean` may run beside them), is done."""
    try:
        yield
    except docker.errors.NotFound:
        pass
    except docker.errors.APIError as error:
        if error.status_code != 409 or "already in progress" not in str(error.explanation):
            raise


def remove_resources(
    *, run_id: str | None = None, group: str | None = None, only_orphans: bool = False
) -> list[str]:
    """Remove our containers, then networks and volumes: one run's, orphans', or all of ours.

    Orphans are resources whose owning process on this host is gone (a run killed with
    SIGKILL). Returns the names removed.

    A network that still has an endpoint sends us back to the containers until it goes:
    another reaper may still be removing a container we took as going (every run reaps
    orphans at its start, `harness clean` beside it), or the engine finishing a start a
    killed run had asked for. Seen: `harness clean --orphans` beside a starting run met "has
    active endpoints" (three of twelve cleans side by side, none since).
    """
    client = engine()
    filters = {"label": _selector(run_id, group)}
    removed: list[str] = []
    deadline = time.monotonic() + SETTLE_SECONDS
    while True:
        # Containers first: a network cannot go while a container is attached to it.
        # sparse: no per-container inspect, which races with a container another run removes
        containers = client.containers.list(all=True, filters=filters, sparse=True)
        _remove_each(containers, "container", only_orphans, removed)
        try:
            _remove_each(client.networks.list(filters=filters), "network", only_orphans, removed)
            break
        except docker.errors.APIError as error:
            if ACTIVE_ENDPOINTS not in str(error.explanation) or time.monotonic() > deadline:
                raise
        time.sleep(SETTLE_POLL)  # poll interval of a deadline-bound wait
    _remove_each(client.volumes.list(filters=filters), "volume", only_orphans, removed)
    return removed


def _remove_each(resources: list[Any], kind: str, only_orphans: bool, removed: list[str]) -> None:
    """Remove each resource (not those whose owner lives, with `only_orphans`), adding
    the name of each to `removed` as it goes."""
    for resource in resources:
        attrs = resource.attrs
        labels = attrs.get("Labels") or attrs.get("Config", {}).get("Labels") or {}
        if only_orphans and _owner_alive(labels):
            continue
        with gone_or_going():
            if kind == "container":
                resource.remove(force=True, v=True)
            else:
                resource.remove(**({"force": True} if kind == "volume" else {}))
            removed.append(f"{kind} {_name(resource)}")


def _name(resource: Any) -> str:
    """A resource's name, also for sparse container listings (which carry `Names`)."""
    names = resource.attrs.get("Names")
    return str(names[0].lstrip("/") if names else resource.name)


def leftovers(group: str | None = None) -> list[str]:
    """Names of every container, network and volume of ours (or of one run group)."""
    client = engine()
    filters = {"label": _selector(None, group)}
    return (
        [
            f"container {_name(c)}"
            for c in client.containers.list(all=True, filters=filters, sparse=True)
        ]
        + [f"network {n.name}" for n in client.networks.list(filters=filters)]
        + [f"volume {v.name}" for v in client.volumes.list(filters=filters)]
    )


def remove_images() -> list[str]:
    """Remove every image the harness built (app images first, then bases)."""
    client = engine()
    images = client.images.list(filters={"label": [LABEL]})
    images.sort(key=lambda image: image.labels.get(LABEL_IMAGE) == "base")
    removed: list[str] = []
    for image in images:
        try:
            client.images.remove(image.id, force=True)
            removed.append(f"image {', '.join(image.tags) or image.short_id}")
        except docker.errors.NotFound:
            pass
        except docker.errors.APIError as error:
            removed.append(f"image {image.short_id} kept: {error.explanation}")
    return removed
