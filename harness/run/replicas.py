"""Replica control: stop, kill, pause and start a stack's replicas, and what the proxy last
saw of their addresses.

The Stack holds one ReplicaControl and answers for it (`stack.stop_replica("app-1")`); it is
given the stack's id, its replicas' names, how long a graceful stop may take, and how to find
a container and the network's name, and it imports nothing of stack.py.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import suppress
from typing import Any

import docker.errors

from harness.errors import StackError
from harness.run.boundary import docker_errors

FREEZE_PATIENCE = 5.0  # seconds a pause may be retried after runc could not freeze


class ReplicaControl:
    """Drives a stack's replicas by name and counts every change to the fleet."""

    def __init__(
        self,
        stack_id: str,
        replicas: list[str],
        graceful: float,
        container: Callable[[str], Any],
        network_name: Callable[[], str],
    ) -> None:
        self.stack_id = stack_id
        self.replicas = replicas
        self.graceful = graceful
        self.container = container
        self.network_name = network_name
        # Times a replica was stopped, killed, paused or recreated: after a scenario that
        # changed it, the scenario fixture waits for the proxy to route to every replica again.
        self.changes = 0
        # The replicas' addresses when the proxy last started: a proxy that resolves names
        # only then (nginx's upstream block) still sends to these. Read just before the first
        # change to the fleet since (no replica moves before it), so a start-up and a proxy
        # restart inspect nothing; None: no change since.
        self.addresses_at_proxy_start: dict[str, str] | None = None

    def stop(self, replica: str, timeout: float | None = None) -> None:
        """Stop gracefully: SIGTERM, then SIGKILL after the timeout (the stack's graceful)."""
        grace = self.graceful + 2 if timeout is None else timeout
        self.changing()
        with docker_errors(self.stack_id, replica, action="stop"):
            self.container(replica).stop(timeout=int(grace))

    def kill(self, replica: str) -> None:
        self.changing()
        with docker_errors(self.stack_id, replica, action="kill"):
            self.container(replica).kill()

    def pause(self, replica: str) -> None:
        """Freeze a replica's processes. On a busy machine runc may not freeze them all in
        time ("unable to freeze"); it thaws them again, and we ask again until
        FREEZE_PATIENCE has passed."""
        deadline = time.monotonic() + FREEZE_PATIENCE
        self.changing()
        with docker_errors(self.stack_id, replica, action="pause"):
            while True:
                try:
                    self.container(replica).pause()
                    return
                except docker.errors.APIError as error:
                    if "unable to freeze" not in str(error) or time.monotonic() > deadline:
                        raise

    def unpause(self, replica: str) -> None:
        with docker_errors(self.stack_id, replica, action="unpause"):
            self.container(replica).unpause()

    def start(self, replica: str) -> None:
        """Start a stopped replica's container (the Stack then waits for it to be ready)."""
        with docker_errors(self.stack_id, replica, action="start"):
            self.container(replica).start()

    def address(self, replica: str) -> str:
        """The replica's current IPv4 address on the stack network ('' when it has none)."""
        container = self.container(replica)
        with docker_errors(self.stack_id, replica, action="inspect"):
            container.reload()
        networks = container.attrs["NetworkSettings"]["Networks"]
        address: str = networks.get(self.network_name(), {}).get("IPAddress", "")
        return address

    def addresses(self) -> dict[str, str]:
        return {replica: self.address(replica) for replica in self.replicas}

    def moved(self) -> list[str]:
        """Replicas on another address than when the proxy last started. Docker may give a
        container another address when it starts again (seen: a replica recreated on a new
        address moved once more at its next stop and start)."""
        if self.addresses_at_proxy_start is None:
            return []
        now = self.addresses()
        return [r for r in self.replicas if now[r] != self.addresses_at_proxy_start.get(r)]

    def proxy_restarted(self) -> None:
        """The proxy resolves the replicas' names afresh: no address it knew is stale."""
        self.addresses_at_proxy_start = None

    def changing(self) -> None:
        """Count a change to the fleet, noting the replicas' addresses before the first one
        since the proxy started. A replica the engine cannot inspect is left to the change
        itself to report, as the action that was asked."""
        if self.addresses_at_proxy_start is None:
            with suppress(StackError):
                self.addresses_at_proxy_start = self.addresses()
        self.changes += 1
