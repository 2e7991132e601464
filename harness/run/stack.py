"""A live stack: a private network, Redis, N app replicas and a proxy published on 127.0.0.1.

`Stack.up()` brings the services up in dependency order and waits for each by probing, never
by sleeping: the replicas from inside the network, the proxy through its published port.
`Stack.down()` removes every container and the network, whatever state they are in.
Scenarios drive replicas by name (`app-1`, ...): stop, kill, pause, restart, recreate.

The Stack owns its containers and network. Its helpers are given what they need and return
what they made, and none imports this module: services.py creates and removes the containers,
replicas.py drives the replicas and inspection.py looks into the services (a ReplicaControl
and an Inspection the Stack holds), stack_readiness.py waits, agent.py talks to the network
agent; addressing.py (the StackAddress it builds on) says where it is reached.
"""

from __future__ import annotations

import random
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from harness.building.configs import RenderedStack, RunValues, render_stack
from harness.engine import engine
from harness.errors import PortTaken, StackError
from harness.run import services, stack_readiness
from harness.run.addressing import StackAddress
from harness.run.boundary import docker_errors
from harness.run.inspection import Inspection
from harness.run.replicas import ReplicaControl
from harness.run.runtime import RunIdentity
from harness.run.services import Placement, ServiceMaker, ServicePlan
from harness.run.stack_readiness import ReplicaProbe
from harness.run.tls import TestCertificates
from harness.spec.model import StackSpec


@dataclass(frozen=True, slots=True)
class StackImages:
    """The images a stack runs: the base (proxy, Redis) and the app image."""

    base: str
    app: str


# Where the ports a proxy publishes are chosen: below the kernel's ephemeral range. The engine
# picks the ports it publishes without a number (each network agent's) from that range, as the
# kernel picks the local ports of outgoing connections; a port chosen there could be taken before
# the proxy binds it (seen: "Bind for 127.0.0.1:32819 failed: port is already allocated", five
# lanes starting at once).
_OWN_PORTS_LOWEST = 20000
_EPHEMERAL_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")
_PORT_CHOICES = 64
# A stack starts again with new ports this many times when a chosen one was taken anyway.
PORT_ATTEMPTS = 3


@cache
def _ephemeral_start() -> int:
    """The first port of the kernel's ephemeral range, read once per process."""
    try:
        return int(_EPHEMERAL_RANGE.read_text("ascii").split()[0])
    except (OSError, ValueError, IndexError):
        return _OWN_PORTS_LOWEST


def free_port() -> int:
    """A port free on 127.0.0.1 right now, below the ephemeral range when the machine leaves
    room there; else one the kernel picks. The engine may still lose a race: up() retries."""
    ephemeral_start = _ephemeral_start()
    for _ in range(_PORT_CHOICES if ephemeral_start > _OWN_PORTS_LOWEST + 1000 else 0):
        port = random.randrange(_OWN_PORTS_LOWEST, ephemeral_start)
        with socket.socket() as probe, suppress(OSError):
            probe.bind(("127.0.0.1", port))
            return port
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        chosen: int = probe.getsockname()[1]
        return chosen


class Stack(StackAddress):
    """One running stack of containers, addressed through the proxy's published ports (its
    paths, URLs and TLS client contexts are StackAddress's)."""

    def __init__(
        self,
        spec: StackSpec,
        identity: RunIdentity,
        images: StackImages,
        certificates: TestCertificates | None = None,
    ) -> None:
        super().__init__(spec, certificates)
        self.identity = identity
        self.images = images
        self.containers: dict[str, Any] = {}
        self.network: Any = None
        self.rendered: RenderedStack
        self._choose_ports()
        self.up_seconds = 0.0
        self._inspection = Inspection(spec.id, self.containers, self.replicas)
        self._replicas = ReplicaControl(
            spec.id, self.replicas, spec.timeouts.graceful, self.container,
            lambda: str(self.network.name),
        )  # fmt: skip

    @property
    def client_address(self) -> str:
        """The test client's address as the proxy sees it: the network's gateway."""
        return services.gateway(self.id, self.network)

    def name_of(self, service: str) -> str:
        return services.resource_name(self.identity, self.id, service)

    def _choose_ports(self) -> None:
        """Ports for the proxy to publish, and the configs rendered with them."""
        self.run_values = RunValues(str(free_port()), str(free_port()))
        self.rendered = render_stack(self.spec, self.run_values)

    def up(self) -> Stack:
        """Create the network and every service, and wait until the proxy answers /health;
        from the start again, with new ports, when one was taken before the proxy bound it."""
        started = time.monotonic()
        for attempt in range(1, PORT_ATTEMPTS + 1):
            try:
                self._up_once()
            except PortTaken as error:
                if attempt == PORT_ATTEMPTS:
                    error.add_note(f"tried {PORT_ATTEMPTS} times, each with new ports")
                    raise
                self._choose_ports()
            else:
                break
        self.up_seconds = time.monotonic() - started
        return self

    def _up_once(self) -> None:
        try:
            self.network = engine().networks.create(
                self.name_of("net"), driver="bridge", labels=self.identity.labels(self.id)
            )
            self._made_by(lambda maker: maker.start_all(self.replicas))
            self.wait_replicas_ready()
            self.wait_proxy_ready()
        except BaseException:
            self.down()
            raise

    def _made_by(self, making: Callable[[ServiceMaker], Any]) -> Any:
        """`making`'s result; every container the maker made is kept, also when it fails."""
        plan = ServicePlan.of(
            self.spec, self.images.base, self.images.app, self.rendered, self.run_values,
            self.certificates,
        )  # fmt: skip
        maker = ServiceMaker(Placement(self.id, self.identity, self.network), plan)
        try:
            return making(maker)
        finally:
            self.containers.update(maker.made)

    def down(self) -> None:
        """Remove every container and the network, whatever state they are in: the stack's
        own, then any other container with its labels (yours, joined with join_options)."""
        services.remove_stack(self.id, self.identity, self.containers, self.network)
        self.network = None

    def join_options(self, service: str) -> dict[str, Any]:
        """docker-py's create options that put a container of your own on this stack's
        network as `service`, with this run's labels, so that it is removed however your test
        ends (services.Placement.join_options shows how, with testcontainers or docker-py)."""
        if self.network is None:
            raise StackError(f"{self.id}: join_options({service!r}) before the stack is up")
        return Placement(self.id, self.identity, self.network).join_options(service)

    def __enter__(self) -> Stack:
        return self.up()

    def __exit__(self, *_: object) -> None:
        self.down()

    def wait_replicas_ready(
        self, replicas: list[str] | None = None, timeout: float | None = None
    ) -> float:
        """Wait until each replica (default: all) answers from inside the stack network."""
        how = ReplicaProbe.for_stack(self.spec, self.replica_health_path)
        return stack_readiness.replicas_ready(self, replicas or self.replicas, how, timeout)

    def wait_proxy_ready(self, timeout: float | None = None) -> float:
        """Wait until the proxy answers GET /health with 200 through its published port."""
        prefixed = bool(self.spec.prefix)
        return stack_readiness.proxy_ready(self, self.url, self.health_path, prefixed, timeout)

    # Looking in is an Inspection's (inspection.py), replica control a ReplicaControl's
    # (replicas.py): the Stack answers for both.

    def container(self, service: str) -> Any:
        return self._inspection.container(service)

    def state(self, service: str) -> str:
        return self._inspection.state(service)

    def logs(self, service: str, lines: int = 30) -> str:
        return self._inspection.logs(service, lines)

    def exec(
        self, service: str, command: list[str], *, prints: bool = False, action: str = ""
    ) -> tuple[int, str]:
        """A command's exit code and output in a service's container (Inspection.exec)."""
        return self._inspection.exec(service, command, prints=prints, action=action)

    def agent_port(self) -> int:
        """The host port of the stack's network agent (harness/run/agent.py)."""
        return self._inspection.agent_port()

    def diagnostics(self, lines: int = 20) -> str:
        """The last lines of every service's logs, for a failed scenario's report."""
        return self._inspection.diagnostics(lines)

    @property
    def fleet_changes(self) -> int:
        """Times a replica was stopped, killed, paused or recreated (replicas.py)."""
        return self._replicas.changes

    @property
    def addresses_at_proxy_start(self) -> dict[str, str] | None:
        return self._replicas.addresses_at_proxy_start

    def stop_replica(self, replica: str, timeout: float | None = None) -> None:
        """Stop gracefully: SIGTERM, then SIGKILL after the timeout (the stack's graceful)."""
        self._replicas.stop(replica, timeout)

    def kill_replica(self, replica: str) -> None:
        self._replicas.kill(replica)

    def pause_replica(self, replica: str) -> None:
        """Freeze a replica's processes, asking again while runc cannot freeze them in time."""
        self._replicas.pause(replica)

    def unpause_replica(self, replica: str) -> None:
        self._replicas.unpause(replica)

    def start_replica(self, replica: str) -> None:
        self._replicas.start(replica)
        self.wait_replicas_ready([replica])

    def restart_replica(self, replica: str) -> None:
        self.stop_replica(replica)
        self.start_replica(replica)

    def recreate_replica(self, replica: str) -> None:
        """Replace a replica by a new container (it gets a new address on the network)."""
        self._replicas.changing()
        with docker_errors(self.id, replica, action="recreate"):
            self.container(replica).remove(force=True)
            del self.containers[replica]
            self._made_by(lambda maker: maker.replica(replica)).start()
        self.wait_replicas_ready([replica])

    def restart_proxy(self) -> None:
        """Restart the proxy in its container (configs and ports kept): it forgets what it
        learnt of the fleet, and resolves the replicas' names afresh."""
        with docker_errors(self.id, "proxy", action="restart"):
            self.container("proxy").restart(timeout=1)
        self._replicas.proxy_restarted()
        self.wait_proxy_ready()

    def replica_address(self, replica: str) -> str:
        """The replica's current IPv4 address on the stack network ('' when it has none)."""
        return self._replicas.address(replica)

    def replica_addresses(self) -> dict[str, str]:
        return self._replicas.addresses()

    def replicas_moved(self) -> list[str]:
        """Replicas on another address than when the proxy last started (replicas.py)."""
        return self._replicas.moved()


@contextmanager
def running(
    spec: StackSpec,
    identity: RunIdentity,
    images: StackImages,
    certificates: TestCertificates | None = None,
) -> Iterator[Stack]:
    """A stack that is up inside the block and removed after it, however the block ends."""
    stack = Stack(spec, identity, images, certificates)
    with stack:
        yield stack
