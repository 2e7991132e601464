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

from harness.engine import engine
from harness.errors import StackError
from harness.run.boundary import docker_errors
from harness.run.stack import Stack
from harness.spec.model import APP_PORT

__all__ = ["PLACEHOLDER_INSTANCE", "moved_replica"]

PLACEHOLDER_SECONDS = 120  # the placeholder exits by itself even if nothing removes it


# The placeholder answers at the old address, as whatever takes a freed address on a busy
# network would: health checks pass there, and every other request is answered with this
# X-Instance, so a proxy still sending there shows at once instead of waiting on a dead
# address. It speaks what the replica spoke: HTTP, or uWSGI's protocol (a packet of request
# variables, answered in HTTP) for a proxy that passes requests with uwsgi_pass or
# mod_proxy_uwsgi; answering those in HTTP only, it was a dead address to them, and the
# scenario waited its whole window there.
PLACEHOLDER_INSTANCE = "old-address"
_PLACEHOLDER_SERVER = f"""
import socketserver, struct, sys

def uwsgi_path(block):
    fields, at = [], 0
    while at < len(block):
        size = struct.unpack_from("<H", block, at)[0]
        fields.append(block[at + 2 : at + 2 + size])
        at += 2 + size
    return dict(zip(fields[::2], fields[1::2])).get(b"PATH_INFO", b"")

class Moved(socketserver.StreamRequestHandler):
    def handle(self):
        head = self.rfile.read(4)
        if head[:1] == b"\\0":  # uWSGI: modifier1 0, the variables' size, modifier2
            path = uwsgi_path(self.rfile.read(struct.unpack("<H", head[1:3])[0]))
        else:
            path = (head + self.rfile.readline()).split()[1]
            while self.rfile.readline() not in (b"\\r\\n", b""):
                pass
        status = "200 OK" if path == b"/health" else "503 Service Unavailable"
        self.wfile.write(
            f"HTTP/1.1 {{status}}\\r\\nX-Instance: {PLACEHOLDER_INSTANCE}\\r\\n"
            "Content-Length: 0\\r\\nConnection: close\\r\\n\\r\\n".encode()
        )

socketserver.ThreadingTCPServer.allow_reuse_address = True
socketserver.ThreadingTCPServer((sys.argv[1], int(sys.argv[2])), Moved).serve_forever()
"""


def placeholder_command(host: str, port: int) -> list[str]:
    """The placeholder's command: it serves on host:port, and exits by itself in time."""
    timeout = str(PLACEHOLDER_SECONDS)
    return ["timeout", timeout, "python3", "-c", _PLACEHOLDER_SERVER, host, str(port)]


@contextmanager
def moved_replica(stack: Stack, replica: str) -> Iterator[tuple[str, str]]:
    """The replica recreated on a new address inside the block; (old, new) addresses.

    The replica is stopped (which releases its address), a placeholder takes that address
    and answers there as PLACEHOLDER_INSTANCE, and the replica is recreated (and waited
    for). After the block the placeholder goes and the proxy restarts, so that a proxy that
    resolved names only at start-up serves the scenarios after this one as before, on the
    replica's new address (recreating the replica once more, to take its old address back,
    cost an app start-up: about 2 s and 2 CPU s more on a 2-core machine).
    """
    old = stack.replica_address(replica)
    stack.stop_replica(replica)
    placeholder_service = f"{replica}-placeholder"
    with docker_errors(stack.id, placeholder_service, action="run"):
        placeholder = engine().containers.run(
            stack.images.base,
            placeholder_command("0.0.0.0", APP_PORT),
            name=stack.name_of(placeholder_service),
            labels=stack.identity.labels(stack.id, placeholder_service),
            network=stack.network.name,
            detach=True,
        )
    try:
        stack.recreate_replica(replica)
        new = stack.replica_address(replica)
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
        stack.restart_proxy()
