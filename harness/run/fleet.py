"""Replica addresses on the stack network, and recreating a replica at a new address.

Docker hands a recreated container the lowest free address of its network, which is usually
the one its predecessor just released; a proxy that resolved the replica's name once at
start-up would then still reach it by luck. `moved_replica` holds the old address with a
placeholder container while the replica is recreated, so the new container really gets
another address, the way it does on a busy network or after a host reboot.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress

import docker.errors

from harness.errors import StackError
from harness.run.boundary import docker_errors
from harness.run.runtime import engine
from harness.run.stack import Stack
from harness.spec.model import APP_PORT

__all__ = ["PLACEHOLDER_INSTANCE", "moved_replica", "replica_address"]

PLACEHOLDER_SECONDS = 120  # the placeholder exits by itself even if nothing removes it


def replica_address(stack: Stack, replica: str) -> str:
    """The replica's current IPv4 address on the stack network ('' when it has none)."""
    container = stack.container(replica)
    with docker_errors(stack.id, replica, action="inspect"):
        container.reload()
    networks = container.attrs["NetworkSettings"]["Networks"]
    address: str = networks.get(stack.network.name, {}).get("IPAddress", "")
    return address


# The placeholder answers at the old address, as whatever takes a freed address on a busy
# network would: health checks pass there, and every other request is answered with this
# X-Instance, so a proxy still sending there shows at once instead of waiting on a dead
# address.
PLACEHOLDER_INSTANCE = "old-address"
_PLACEHOLDER_SERVER = f"""
import http.server

class Moved(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200 if self.path == "/health" else 503)
        self.send_header("X-Instance", "{PLACEHOLDER_INSTANCE}")
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_HEAD = do_POST = do_PUT = do_DELETE = do_GET

http.server.ThreadingHTTPServer(("", {APP_PORT}), Moved).serve_forever()
"""


@contextmanager
def moved_replica(stack: Stack, replica: str) -> Iterator[tuple[str, str]]:
    """The replica recreated on a new address inside the block; (old, new) addresses.

    The replica is stopped (which releases its address), a placeholder takes that address
    and answers there as PLACEHOLDER_INSTANCE, and the replica is recreated (and waited
    for). After the block the placeholder goes and the replica is recreated once more, so
    that it takes its old address back (the lowest free one again) and a proxy that
    resolved names only at start-up serves the scenarios after this one as before.
    """
    old = replica_address(stack, replica)
    stack.stop_replica(replica)
    placeholder_service = f"{replica}-placeholder"
    with docker_errors(stack.id, placeholder_service, action="run"):
        placeholder = engine().containers.run(
            stack.images.base,
            ["timeout", str(PLACEHOLDER_SECONDS), "python3", "-c", _PLACEHOLDER_SERVER],
            name=stack.name_of(placeholder_service),
            labels=stack.identity.labels(stack.id, placeholder_service),
            network=stack.network.name,
            detach=True,
        )
    try:
        stack.recreate_replica(replica)
        new = replica_address(stack, replica)
        if new == old:
            raise StackError(
                f"{stack.id}: {replica} came back on its old address {old} although a "
                "placeholder held it. Hint: the engine's address allocation differs from "
                "Docker's default."
            )
        yield old, new
    finally:
        with (
            docker_errors(stack.id, placeholder_service, action="remove"),
            suppress(docker.errors.NotFound),
        ):
            placeholder.remove(force=True)
        stack.recreate_replica(replica)
