"""A live stack: a private network, Redis, N app replicas and a proxy published on 127.0.0.1.

`Stack.up()` brings the services up in dependency order and waits for each by probing, never
by sleeping: the replicas from inside the network, the proxy through its published port.
`Stack.down()` removes every container and the network, whatever state they are in.
Scenarios drive replicas by name (`app-1`, ...): stop, kill, pause, restart, recreate.
"""

from __future__ import annotations

import random
import socket
import ssl
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path
from typing import Any

import docker.errors

from harness.building.configs import RenderedStack, RunValues, render_stack
from harness.building.configs.render import replica_names
from harness.errors import (
    ExecOutputLost,
    PortTaken,
    StackError,
    StackStartError,
)
from harness.run import services, stack_readiness
from harness.run.agent import AGENT_PORT
from harness.run.boundary import docker_errors
from harness.run.containers import log_tail, state
from harness.run.runtime import (
    LABEL_RUN,
    LABEL_SERVICE,
    LABEL_STACK,
    RunIdentity,
    engine,
    gone_or_going,
)
from harness.run.tls import TestCertificates
from harness.spec.model import StackSpec

FREEZE_PATIENCE = 5.0  # seconds a pause may be retried after runc could not freeze
_NETWORK_BUSY = (
    "a container without this run's labels is still attached (`docker network inspect` "
    "lists it): stop your own containers before the stack goes, or create them with "
    "`stack.join_options(name)` so that the stack removes them."
)


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


@cache
def _trusting_nothing() -> ssl.SSLContext:
    """A client context with no CA: any certificate fails verification."""
    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


class Stack:
    """One running stack of containers, addressed through the proxy's published ports."""

    def __init__(
        self,
        spec: StackSpec,
        identity: RunIdentity,
        images: StackImages,
        certificates: TestCertificates | None = None,
    ) -> None:
        self.spec = spec
        self.identity = identity
        self.images = images
        self.certificates = certificates
        self.containers: dict[str, Any] = {}
        self.network: Any = None
        self.run_values: RunValues
        self.rendered: RenderedStack
        self._choose_ports()
        self.up_seconds = 0.0
        # Times a replica was stopped, killed, paused or recreated: after a scenario that
        # changed it, the scenario fixture waits for the proxy to route to every replica again.
        self.fleet_changes = 0
        # The replicas' addresses when the proxy last started: a proxy that resolves names
        # only then (nginx's upstream block) still sends to these. Read just before the first
        # change to the fleet since (no replica moves before it), so a start-up and a proxy
        # restart inspect nothing; None: no change since.
        self.addresses_at_proxy_start: dict[str, str] | None = None
        self._agent_port: int | None = None
        self._client_context: ssl.SSLContext | None = None

    # -- addressing ------------------------------------------------------------------------

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def replicas(self) -> list[str]:
        return replica_names(self.spec)

    @property
    def health_path(self) -> str:
        """/health through the proxy: below the stack's URL prefix, or below the contract
        prefix when the app answers through the adapter."""
        return (self.spec.prefix or self.spec.overrides.contract_prefix or "") + "/health"

    @property
    def replica_health_path(self) -> str:
        """/health straight to a replica: below the contract prefix, or below the URL prefix
        when the proxy passes it on and the server splits it off (harness/spec/prefix.py)."""
        return (self.spec.replica_root or self.spec.overrides.contract_prefix or "") + "/health"

    @property
    def contract_root(self) -> str:
        """What a raw request's target puts before a contract route (`/echo`): the adapter's
        prefix when your own app answers the contract, else nothing. Clients bound to
        `url` need none: a scenario's stack already ends its URL in it."""
        return self.spec.overrides.contract_prefix or ""

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.run_values.public_http_port}"

    @property
    def https_url(self) -> str:
        return f"https://127.0.0.1:{self.run_values.public_https_port}"

    @property
    def url(self) -> str:
        """Where clients reach the app: HTTPS on TLS stacks, HTTP otherwise."""
        return self.https_url if self.spec.tls else self.http_url

    @property
    def ca_path(self) -> Path | None:
        return self.certificates.ca_pem if self.certificates else None

    def ssl_context(self) -> ssl.SSLContext | None:
        """A TLS client context trusting only this run's test CA; None on plain stacks. One
        per stack, shared by every client: a context loads its CAs when it is made."""
        if self.certificates is None:
            return None
        if self._client_context is None:
            self._client_context = ssl.create_default_context(cafile=str(self.certificates.ca_pem))
        return self._client_context

    def verify(self) -> ssl.SSLContext:
        """What an HTTP client should verify against: only this run's test CA, and nothing on
        a plain stack (it serves no TLS). httpx's own default (verify=True) loaded certifi's
        bundle for every client: 18 ms of CPU each, 1.8 s for a plain stack's scenarios."""
        return self.ssl_context() or _trusting_nothing()

    @property
    def client_address(self) -> str:
        """The test client's address as the proxy sees it: the network's gateway.

        Docker forwards a port published on 127.0.0.1 from the network's gateway address.
        """
        with docker_errors(self.id, "network", action="inspect"):
            self.network.reload()
        configs = self.network.attrs["IPAM"]["Config"]
        gateway: str = configs[0]["Gateway"]
        return gateway

    def name_of(self, service: str) -> str:
        return f"dh-{self.identity.run_id}-{self.id}-{service}"

    # -- lifecycle --------------------------------------------------------------------------

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
            # Every container is created first, all at once; Redis and the replicas then
            # start together while the proxy gets its files; the proxy starts as soon as the
            # replicas' containers run (their names resolve then), while the apps still boot.
            creating: list[Callable[[], Any]] = [
                partial(services.create_redis, self),
                *(partial(services.create_replica, self, replica) for replica in self.replicas),
                partial(services.create_proxy, self),
            ]
            with ThreadPoolExecutor(max_workers=len(creating)) as pool:
                redis, *replicas, proxy = [
                    future.result() for future in [pool.submit(step) for step in creating]
                ]
                work: list[Callable[[], None]] = [
                    redis.start,
                    *(replica.start for replica in replicas),
                    partial(services.fill_proxy, self, proxy),
                ]
                for future in [pool.submit(step) for step in work]:
                    future.result()
            services.start_proxy(self, proxy)
            self.wait_replicas_ready()
            self.wait_proxy_ready()
        except BaseException:
            self.down()
            raise

    def down(self) -> None:
        """Remove every container and the network, whatever state they are in: the stack's
        own, then any other container with its labels (yours, joined with join_options)."""
        for service, container in list(self.containers.items()):
            self._remove(service, container)
        self.containers.clear()
        if self.network is not None:
            for container in self._labelled_containers():
                self._remove(container.attrs["Labels"].get(LABEL_SERVICE, "?"), container)
            with (
                docker_errors(self.id, "network", "remove", _NETWORK_BUSY),
                gone_or_going(),
            ):
                self.network.remove()
            self.network = None

    def _remove(self, service: str, container: Any) -> None:
        with docker_errors(self.id, service, "remove"), gone_or_going():
            container.remove(force=True, v=True)

    def _labelled_containers(self) -> list[Any]:
        labels = [f"{LABEL_RUN}={self.identity.run_id}", f"{LABEL_STACK}={self.id}"]
        with docker_errors(self.id, "any service", "list"):
            found: list[Any] = engine().containers.list(
                all=True, sparse=True, filters={"label": labels}
            )
        return found

    def join_options(self, service: str) -> dict[str, Any]:
        """docker-py's create options that put a container of your own on this stack's
        network, reachable there as `service`, with this run's labels (so `down()`, the end
        of the run and `harness clean` remove it however your test ends). They hold no
        container name (testcontainers sets that with `with_name`): `name_of(service)` gives
        one in our pattern.

        With testcontainers: `DockerContainer(stack.images.base).with_command([...])
        .with_kwargs(**stack.join_options("mock-upstream"))`; with docker-py:
        `engine().containers.run(image, command, detach=True, **stack.join_options(...))`.
        """
        if self.network is None:
            raise StackError(f"{self.id}: join_options({service!r}) before the stack is up")
        endpoint = engine().api.create_endpoint_config(aliases=[service])
        return {
            "labels": self.identity.labels(self.id, service),
            "network": self.network.name,
            "networking_config": {self.network.name: endpoint},
        }

    def __enter__(self) -> Stack:
        return self.up()

    def __exit__(self, *_: object) -> None:
        self.down()

    # -- readiness ----------------------------------------------------------------------------

    def wait_replicas_ready(
        self, replicas: list[str] | None = None, timeout: float | None = None
    ) -> float:
        """Wait until each replica answers from inside the stack network."""
        return stack_readiness.replicas_ready(self, replicas, timeout)

    def wait_proxy_ready(self, timeout: float | None = None) -> float:
        """Wait until the proxy answers GET /health with 200 through its published port."""
        return stack_readiness.proxy_ready(self, timeout)

    # -- replica control and inspection -----------------------------------------------------

    def container(self, service: str) -> Any:
        try:
            return self.containers[service]
        except KeyError:
            known = ", ".join(self.containers)
            raise StackStartError(f"{self.id}: no service {service!r}; known: {known}") from None

    def state(self, service: str) -> str:
        with docker_errors(self.id, service, action="inspect"):
            return state(self.container(service))

    def logs(self, service: str, lines: int = 30) -> str:
        with docker_errors(self.id, service, action="read logs"):
            return log_tail(self.container(service), lines)

    def stop_replica(self, replica: str, timeout: float | None = None) -> None:
        """Stop gracefully: SIGTERM, then SIGKILL after the timeout (the stack's graceful)."""
        grace = self.spec.timeouts.graceful + 2 if timeout is None else timeout
        self._fleet_changing()
        with docker_errors(self.id, replica, action="stop"):
            self.container(replica).stop(timeout=int(grace))

    def kill_replica(self, replica: str) -> None:
        self._fleet_changing()
        with docker_errors(self.id, replica, action="kill"):
            self.container(replica).kill()

    def pause_replica(self, replica: str) -> None:
        """Freeze a replica's processes. On a busy machine runc may not freeze them all in
        time ("unable to freeze"); it thaws them again, and we ask again until
        FREEZE_PATIENCE has passed."""
        deadline = time.monotonic() + FREEZE_PATIENCE
        self._fleet_changing()
        with docker_errors(self.id, replica, action="pause"):
            while True:
                try:
                    self.container(replica).pause()
                    return
                except docker.errors.APIError as error:
                    if "unable to freeze" not in str(error) or time.monotonic() > deadline:
                        raise

    def unpause_replica(self, replica: str) -> None:
        with docker_errors(self.id, replica, action="unpause"):
            self.container(replica).unpause()

    def start_replica(self, replica: str) -> None:
        with docker_errors(self.id, replica, action="start"):
            self.container(replica).start()
        self.wait_replicas_ready([replica])

    def restart_proxy(self) -> None:
        """Restart the proxy in its container (configs and ports kept): it forgets what it
        learnt of the fleet, and resolves the replicas' names afresh."""
        with docker_errors(self.id, "proxy", action="restart"):
            self.container("proxy").restart(timeout=1)
        self.addresses_at_proxy_start = None
        self.wait_proxy_ready()

    def replica_address(self, replica: str) -> str:
        """The replica's current IPv4 address on the stack network ('' when it has none)."""
        container = self.container(replica)
        with docker_errors(self.id, replica, action="inspect"):
            container.reload()
        networks = container.attrs["NetworkSettings"]["Networks"]
        address: str = networks.get(self.network.name, {}).get("IPAddress", "")
        return address

    def agent_port(self) -> int:
        """The host port of the stack's network agent (harness/run/agent.py)."""
        if self._agent_port is None:
            container = self.container("redis")
            with docker_errors(self.id, "redis", action="inspect"):
                container.reload()
            bindings = container.attrs["NetworkSettings"]["Ports"].get(f"{AGENT_PORT}/tcp")
            if not bindings:
                raise StackError(
                    f"stack {self.id}, service redis: no port published for the network agent "
                    f"({AGENT_PORT}/tcp); state {container.status}"
                )
            self._agent_port = int(bindings[0]["HostPort"])
        return self._agent_port

    def replica_addresses(self) -> dict[str, str]:
        return {replica: self.replica_address(replica) for replica in self.replicas}

    def replicas_moved(self) -> list[str]:
        """Replicas on another address than when the proxy last started. Docker may give a
        container another address when it starts again (seen: a replica recreated on a new
        address moved once more at its next stop and start)."""
        if self.addresses_at_proxy_start is None:
            return []
        now = self.replica_addresses()
        return [r for r in self.replicas if now[r] != self.addresses_at_proxy_start.get(r)]

    def _fleet_changing(self) -> None:
        """Count a change to the fleet, noting the replicas' addresses before the first one
        since the proxy started. A replica the engine cannot inspect is left to the change
        itself to report, as the action that was asked."""
        if self.addresses_at_proxy_start is None:
            with suppress(StackError):
                self.addresses_at_proxy_start = self.replica_addresses()
        self.fleet_changes += 1

    def restart_replica(self, replica: str) -> None:
        self.stop_replica(replica)
        self.start_replica(replica)

    def recreate_replica(self, replica: str) -> None:
        """Replace a replica by a new container (it gets a new address on the network)."""
        self._fleet_changing()
        with docker_errors(self.id, replica, action="recreate"):
            self.container(replica).remove(force=True)
            del self.containers[replica]
            services.create_replica(self, replica).start()
        self.wait_replicas_ready([replica])

    def exec(
        self, service: str, command: list[str], *, prints: bool = False, action: str = ""
    ) -> tuple[int, str]:
        """Run a command in a service's container: its exit code and output. With `prints`
        (the command always prints), an exit 0 with no output raises ExecOutputLost: the
        engine lost it, and only the caller knows whether running it again is safe. `action`
        names the command in errors (default: `exec <program>`)."""
        with docker_errors(self.id, service, action=action or f"exec {command[0]}"):
            result = self.container(service).exec_run(command)
        output = result.output.decode("utf-8", errors="replace")
        if prints and result.exit_code == 0 and not output.strip():
            raise ExecOutputLost(
                f"stack {self.id}, service {service}: `{command[0]}` exited 0 and no output "
                "came back"
            )
        return result.exit_code, output

    def diagnostics(self, lines: int = 20) -> str:
        """The last lines of every service's logs, for a failed scenario's report."""
        parts = []
        for service in ["proxy", *self.replicas]:
            if service in self.containers:
                parts.append(f"--- {service} ({self.state(service)}):\n{self.logs(service, lines)}")
        return "\n".join(parts)


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
