"""A stack's containers, created and given their files: Redis, the replicas and the proxy.

`Stack.up()` (harness/run/stack.py) orders them; these functions make each one, named and
labelled for its stack and joined to its network.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import docker.errors

from harness.building.configs.model import STATIC_DIR, TLS_DIR
from harness.errors import PortTaken
from harness.run.agent import AGENT_PORT, agent_command
from harness.run.boundary import docker_errors
from harness.run.containers import copy_into, copy_tree_archive, put_tree_archive
from harness.run.runtime import engine
from harness.spec.model import HTTP_PORT, HTTPS_PORT, ProxyKind

if TYPE_CHECKING:
    from harness.run.stack import Stack

APP_STATIC_ROOT = "/srv/static"
APP_USER = "10001"
_PORT_CONFLICT_WORDS = ("port is already allocated", "address already in use")

# The collected static files of each app image (by tag), read from the first stack's replica.
_STATIC_ARCHIVES: dict[str, bytes | None] = {}


def create(
    stack: Stack, service: str, image: str, command: tuple[str, ...] | list[str], **options: Any
) -> Any:
    """A created (not started) container for one of the stack's services: named for the
    stack, with its labels, on its network under the service's name, with an init process."""
    with docker_errors(stack.id, service):
        container = engine().containers.create(
            image,
            list(command),
            name=stack.name_of(service),
            hostname=service,
            init=True,
            detach=True,
            **stack.join_options(service),
            **options,
        )
    stack.containers[service] = container
    return container


def create_redis(stack: Stack) -> Any:
    """Redis, and beside it the stack's network agent (harness/run/network_probe.py) on a
    port Docker picks on 127.0.0.1."""
    command, environment = agent_command(
        ["redis-server", "--protected-mode", "no", "--save", "", "--appendonly", "no"]
    )
    ports = {f"{AGENT_PORT}/tcp": ("127.0.0.1",)}
    return create(
        stack, "redis", stack.images.base, command, user="redis", environment=environment,
        ports=ports,
    )  # fmt: skip


def create_replica(stack: Stack, replica: str) -> Any:
    """A replica's container (the app image, or the stack file's own), its configs copied in."""
    config = stack.rendered.app
    env = {**config.env, "HARNESS_INSTANCE": replica}
    image = stack.spec.overrides.image or stack.images.app
    user = APP_USER if not stack.spec.overrides.image else None
    container = create(stack, replica, image, config.command, environment=env, user=user)
    if config.files:
        copy_into(container, {file.path: file.content.encode() for file in config.files})
    return container


def create_proxy(stack: Stack) -> Any:
    """The proxy's container, its ports published on 127.0.0.1 only."""
    config = stack.rendered.proxy
    ports: dict[str, tuple[str, int]] = {
        f"{HTTP_PORT}/tcp": ("127.0.0.1", int(stack.run_values.public_http_port))
    }
    if stack.spec.tls:
        ports[f"{HTTPS_PORT}/tcp"] = ("127.0.0.1", int(stack.run_values.public_https_port))
    return create(
        stack, "proxy", stack.images.base, config.command, ports=ports,
        tmpfs=_PROXY_TEMP.get(stack.spec.proxy, {}),
    )  # fmt: skip


# Where a proxy writes what it buffers, in memory: on this engine a container's own files go
# through fuse-overlayfs, and nginx took seconds (and as many CPU seconds) to buffer four
# 32 MiB answers there while the slow-reader scenario's sync workers waited to be freed (seen:
# a false red on nginx-gunicorn-sync-django, a stack that buffers). A server's disk does not
# cost that. nginx creates its temp folders (proxy, body, uwsgi, ...) at start.
_PROXY_TEMP = {ProxyKind.NGINX: {"/var/lib/nginx": "mode=1777"}}


def fill_proxy(stack: Stack, container: Any) -> None:
    """Copy the proxy's configs, the TLS files and the app's collected static files in."""
    files = {file.path: file.content.encode() for file in stack.rendered.proxy.files}
    if stack.certificates is not None:
        files.update({f"{TLS_DIR}/{n}": b for n, b in stack.certificates.files().items()})
    copy_into(container, files)
    static = _static_archive(stack)
    if static is not None:
        put_tree_archive(container, static, STATIC_DIR.rsplit("/", 1)[0])


def _static_archive(stack: Stack) -> bytes | None:
    """The app image's collected static files as a tar, read from a replica once per
    image and process: every stack of one image serves the same files."""
    image = stack.spec.overrides.image or stack.images.app
    if image not in _STATIC_ARCHIVES:
        replica = stack.containers[stack.replicas[0]]
        _STATIC_ARCHIVES[image] = copy_tree_archive(replica, APP_STATIC_ROOT)
    return _STATIC_ARCHIVES[image]


def start_proxy(stack: Stack, container: Any) -> None:
    """Start the proxy; a published port another process took is PortTaken."""
    try:
        container.start()
    except docker.errors.APIError as error:
        if any(word in str(error) for word in _PORT_CONFLICT_WORDS):
            raise PortTaken(
                f"{stack.id}: proxy could not publish its port on 127.0.0.1: "
                f"{error.explanation}. Hint: another process took the port; run again, or "
                "find it with `ss -ltnp`."
            ) from None
        raise
