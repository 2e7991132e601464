"""A stack's containers, created and given their files: Redis, the replicas and the proxy.

`Stack.up()` (harness/run/stack.py) hands a ServiceMaker where the containers go (a
Placement) and what they are made of (a ServicePlan), and keeps what it made; `Stack.down()`
hands remove_stack the containers and the network. None of this is given the stack itself,
and this module imports nothing of stack.py.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import Any

import docker.errors

from harness.building.configs import RenderedStack, RunValues, ServiceConfig
from harness.building.configs.model import STATIC_DIR, TLS_DIR
from harness.containers import copy_into, copy_tree_archive, put_tree_archive
from harness.engine import LABEL_RUN, LABEL_SERVICE, LABEL_STACK, engine
from harness.errors import PortTaken
from harness.parts import proxy_kit
from harness.run.agent import AGENT_PORT, agent_command
from harness.run.boundary import docker_errors
from harness.run.runtime import RunIdentity, gone_or_going
from harness.run.tls import TestCertificates
from harness.spec.model import HTTP_PORT, HTTPS_PORT, ClientProtocol, ProxyKind, StackSpec

APP_STATIC_ROOT = "/srv/static"
APP_USER = "10001"
_PORT_CONFLICT_WORDS = ("port is already allocated", "address already in use")
_NETWORK_BUSY = (
    "a container without this run's labels is still attached (`docker network inspect` "
    "lists it): stop your own containers before the stack goes, or create them with "
    "`stack.join_options(name)` so that the stack removes them."
)

# The collected static files of each app image (by tag), read from the first stack's replica.
_STATIC_ARCHIVES: dict[str, bytes | None] = {}


def resource_name(identity: RunIdentity, stack_id: str, service: str) -> str:
    """A container's or network's name: unique per run, and saying whose it is."""
    return f"dh-{identity.run_id}-{stack_id}-{service}"


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a stack's containers go: named for the stack, with its labels, on its network."""

    stack_id: str
    identity: RunIdentity
    network: Any

    def join_options(self, service: str) -> dict[str, Any]:
        """docker-py's create options that put a container on this network, reachable there
        as `service`, with this run's labels (so `Stack.down()`, the end of the run and
        `harness clean` remove it however a test ends). They hold no container name
        (testcontainers sets that with `with_name`): `Stack.name_of(service)` gives one in
        our pattern.

        With testcontainers: `DockerContainer(stack.images.base).with_command([...])
        .with_kwargs(**stack.join_options("mock-upstream"))`; with docker-py:
        `engine().containers.run(image, command, detach=True, **stack.join_options(...))`.
        """
        endpoint = engine().api.create_endpoint_config(aliases=[service])
        return {
            "labels": self.identity.labels(self.stack_id, service),
            "network": self.network.name,
            "networking_config": {self.network.name: endpoint},
        }


def gateway(stack_id: str, network: Any) -> str:
    """The network's gateway address: Docker forwards a port published on 127.0.0.1 from it,
    so it is the test client's address as the proxy sees it."""
    with docker_errors(stack_id, "network", action="inspect"):
        network.reload()
    configs = network.attrs["IPAM"]["Config"]
    address: str = configs[0]["Gateway"]
    return address


def create(
    place: Placement, service: str, image: str, command: tuple[str, ...] | list[str],
    **options: Any,
) -> Any:  # fmt: skip
    """A created (not started) container for one of the stack's services: named for the
    stack, with its labels, on its network under the service's name, with an init process."""
    with docker_errors(place.stack_id, service):
        return engine().containers.create(
            image,
            list(command),
            name=resource_name(place.identity, place.stack_id, service),
            hostname=service,
            init=True,
            detach=True,
            **place.join_options(service),
            **options,
        )


def create_redis(place: Placement, base_image: str) -> Any:
    """Redis, and beside it the stack's network agent (harness/run/network_probe.py) on a
    port Docker picks on 127.0.0.1."""
    command, environment = agent_command(
        ["redis-server", "--protected-mode", "no", "--save", "", "--appendonly", "no"]
    )
    ports = {f"{AGENT_PORT}/tcp": ("127.0.0.1",)}
    return create(
        place, "redis", base_image, command, user="redis", environment=environment,
        ports=ports,
    )  # fmt: skip


def create_replica(place: Placement, replica: str, config: ServiceConfig, image: str,
                   own_image: bool) -> Any:  # fmt: skip
    """A replica's container: the app image as our user, or the stack file's own as its."""
    env = {**config.env, "HARNESS_INSTANCE": replica}
    user = None if own_image else APP_USER
    return create(place, replica, image, config.command, environment=env, user=user)


def fill_replica(container: Any, config: ServiceConfig) -> None:
    """Copy a replica's rendered config files in (a server's config, the app's settings)."""
    if config.files:
        copy_into(container, {file.path: file.content.encode() for file in config.files})


def create_proxy(
    place: Placement, base_image: str, config: ServiceConfig, kind: ProxyKind,
    http_port: int, https_port: int | None, quic: bool = False,
) -> Any:  # fmt: skip
    """The proxy's container, its ports published on 127.0.0.1 only (HTTPS on TLS stacks,
    over UDP too where the proxy serves HTTP/3)."""
    ports: dict[str, tuple[str, int]] = {f"{HTTP_PORT}/tcp": ("127.0.0.1", http_port)}
    if https_port is not None:
        ports[f"{HTTPS_PORT}/tcp"] = ("127.0.0.1", https_port)
        if quic:  # HTTP/3: the same port number, over UDP
            ports[f"{HTTPS_PORT}/udp"] = ("127.0.0.1", https_port)
    return create(
        place, "proxy", base_image, config.command, ports=ports, tmpfs=dict(proxy_kit(kind).tmpfs),
    )  # fmt: skip


def fill_proxy(
    container: Any, config: ServiceConfig, tls_files: dict[str, bytes], static: bytes | None
) -> None:
    """Copy the proxy's configs, the TLS files (name: content) and the app's collected static
    files (a tar from static_archive) in."""
    files = {file.path: file.content.encode() for file in config.files}
    files.update({f"{TLS_DIR}/{name}": content for name, content in tls_files.items()})
    copy_into(container, files)
    if static is not None:
        put_tree_archive(container, static, STATIC_DIR.rsplit("/", 1)[0])


def static_archive(image: str, replica: Any) -> bytes | None:
    """The app image's collected static files as a tar, read from a replica's container once
    per image and process: every stack of one image serves the same files."""
    if image not in _STATIC_ARCHIVES:
        _STATIC_ARCHIVES[image] = copy_tree_archive(replica, APP_STATIC_ROOT)
    return _STATIC_ARCHIVES[image]


def start_proxy(stack_id: str, container: Any) -> None:
    """Start the proxy; a published port another process took is PortTaken."""
    try:
        container.start()
    except docker.errors.APIError as error:
        if any(word in str(error) for word in _PORT_CONFLICT_WORDS):
            raise PortTaken(
                f"{stack_id}: proxy could not publish its port on 127.0.0.1: "
                f"{error.explanation}. Hint: another process took the port; run again, or "
                "find it with `ss -ltnp`."
            ) from None
        raise


@dataclass(frozen=True, slots=True)
class ServicePlan:
    """What a stack's containers are made of: the images, the rendered configs, the ports the
    proxy publishes (HTTPS on TLS stacks only) and the TLS files (name: content)."""

    base_image: str
    app_image: str  # what replicas run: ours, or the stack file's own (own_image)
    own_image: bool
    rendered: RenderedStack
    proxy: ProxyKind
    http_port: int
    https_port: int | None
    quic: bool  # the proxy serves HTTP/3: its TLS port is published over UDP too
    tls_files: dict[str, bytes]

    @classmethod
    def of(
        cls, spec: StackSpec, base_image: str, app_image: str, rendered: RenderedStack,
        ports: RunValues, certificates: TestCertificates | None,
    ) -> ServicePlan:  # fmt: skip
        """The plan of a stack's services, its configs `rendered` with the `ports` to publish."""
        return cls(
            base_image=base_image,
            app_image=spec.overrides.image or app_image,
            own_image=bool(spec.overrides.image),
            rendered=rendered,
            proxy=spec.proxy,
            http_port=int(ports.public_http_port),
            https_port=int(ports.public_https_port) if spec.tls else None,
            quic=ClientProtocol.H3 in spec.offered_protocols,
            tls_files=certificates.files() if certificates is not None else {},
        )


class ServiceMaker:
    """Makes a stack's containers; each is in `made` (service: container) as soon as it
    exists, so the Stack keeps, and removes, what a failed start left."""

    def __init__(self, place: Placement, plan: ServicePlan) -> None:
        self.place = place
        self.plan = plan
        self.made: dict[str, Any] = {}

    def start_all(self, replicas: list[str]) -> None:
        """Every container is created first, all at once; Redis and the replicas then start
        together while the proxy gets its files; the proxy starts as soon as the replicas'
        containers run (their names resolve then), while the apps still boot."""
        creating: list[Callable[[], Any]] = [
            self.redis, *(partial(self.replica, replica) for replica in replicas), self.proxy,
        ]  # fmt: skip
        with ThreadPoolExecutor(max_workers=len(creating)) as pool:
            redis, *started, proxy = [
                future.result() for future in [pool.submit(step) for step in creating]
            ]
            work: list[Callable[[], None]] = [
                redis.start,
                *(replica.start for replica in started),
                partial(self.fill_proxy, proxy, started[0]),
            ]
            for future in [pool.submit(step) for step in work]:
                future.result()
        start_proxy(self.place.stack_id, proxy)

    def redis(self) -> Any:
        return self._kept("redis", create_redis(self.place, self.plan.base_image))

    def replica(self, name: str) -> Any:
        """A replica's container, created and its config files copied in (not started)."""
        config = self.plan.rendered.app
        made = create_replica(self.place, name, config, self.plan.app_image, self.plan.own_image)
        fill_replica(self._kept(name, made), config)
        return made

    def proxy(self) -> Any:
        plan = self.plan
        made = create_proxy(
            self.place, plan.base_image, plan.rendered.proxy, plan.proxy, plan.http_port,
            plan.https_port, plan.quic,
        )  # fmt: skip
        return self._kept("proxy", made)

    def fill_proxy(self, proxy: Any, first_replica: Any) -> None:
        static = static_archive(self.plan.app_image, first_replica)
        fill_proxy(proxy, self.plan.rendered.proxy, self.plan.tls_files, static)

    def _kept(self, service: str, container: Any) -> Any:
        self.made[service] = container
        return container


def remove_stack(
    stack_id: str, identity: RunIdentity, containers: dict[str, Any], network: Any
) -> None:
    """Remove every container (emptying `containers`) and the network, whatever state they
    are in: the stack's own, then any other container with its labels (yours, joined with
    Stack.join_options). A removal another process already runs counts as done."""
    for service, container in list(containers.items()):
        _remove(stack_id, service, container)
    containers.clear()
    if network is not None:
        labels = [f"{LABEL_RUN}={identity.run_id}", f"{LABEL_STACK}={stack_id}"]
        with docker_errors(stack_id, "any service", "list"):
            joined = engine().containers.list(all=True, sparse=True, filters={"label": labels})
        for container in joined:
            _remove(stack_id, container.attrs["Labels"].get(LABEL_SERVICE, "?"), container)
        with docker_errors(stack_id, "network", "remove", _NETWORK_BUSY), gone_or_going():
            network.remove()


def _remove(stack_id: str, service: str, container: Any) -> None:
    with docker_errors(stack_id, service, "remove"), gone_or_going():
        container.remove(force=True, v=True)
