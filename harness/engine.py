"""The Docker engine as every floor meets it: the one client, and the labels on all it makes.

Every container, network and image the harness creates carries these labels (run/runtime.py
says how a run uses them to reap what a killed run left). A shared service at the bottom of
the house, beside errors.py: building/ builds images on the engine and run/ starts stacks on
it, and building/ is a floor below run/, so neither may own the connection.
"""

from __future__ import annotations

import os
from functools import cache
from typing import Any

import docker.errors
from docker.client import DockerClient

from harness.errors import EngineError

LABEL = "deploy-harness"
LABEL_RUN = f"{LABEL}.run"
LABEL_GROUP = f"{LABEL}.run-group"
LABEL_KEPT = f"{LABEL}.kept"
LABEL_STACK = f"{LABEL}.stack"
LABEL_SERVICE = f"{LABEL}.service"
LABEL_OWNER_HOST = f"{LABEL}.owner-host"
LABEL_OWNER_PID = f"{LABEL}.owner-pid"
LABEL_IMAGE = f"{LABEL}.image"


@cache
def engine() -> Any:
    """The Docker client from the environment (DOCKER_HOST and friends), checked to answer."""
    try:
        client = DockerClient.from_env(timeout=120)
        client.ping()
    except docker.errors.DockerException as error:
        where = os.environ.get("DOCKER_HOST", "the default socket")
        raise EngineError(
            f"Cannot reach the Docker engine at {where}: {error}. "
            "Hint: start the engine (systemctl start docker) or set DOCKER_HOST; "
            "`harness doctor` checks this."
        ) from None
    return client
