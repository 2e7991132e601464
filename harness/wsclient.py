"""WebSocket clients for scenarios, through the stack's published port only.

A browser sends the page's `Origin` with every WebSocket handshake and Channels refuses a
handshake without an allowed one, so every connection here sends the site's own origin
unless a scenario asks for another. Connections never ping on their own (an idle connection
must really be idle), never go through an environment proxy, and verify TLS against the
run's test CA only.
"""

from __future__ import annotations

import json
import ssl
import time
import uuid
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Origin

from harness.stack import Stack

__all__ = [
    "ABNORMAL_CLOSURE",
    "MAX_MESSAGE_BYTES",
    "close_code_received",
    "open_websocket",
    "receive_broadcast",
    "replica_of_member",
    "site_origin",
    "websocket_url",
]

ABNORMAL_CLOSURE = 1006  # RFC 6455: the connection ended without a close frame
MAX_MESSAGE_BYTES = 4 * 1024 * 1024
OPEN_TIMEOUT = 10.0
RECEIVE_TIMEOUT = 10.0


def websocket_url(stack: Stack, path: str) -> str:
    """ws:// or wss:// on the stack's public address."""
    return ("wss://" if stack.spec.tls else "ws://") + stack.url.split("://", 1)[1] + path


def site_origin(stack: Stack) -> str:
    """The origin of the site's own pages: its public scheme, host and port."""
    return stack.url


def open_websocket(stack: Stack, path: str, origin: str | None = None) -> ClientConnection:
    """Connect to `path` through the proxy, sending `origin` (the site's own by default).

    Raises websockets' InvalidHandshake (InvalidStatus carries the response) when refused.
    """
    context = stack.verify()
    return connect(
        websocket_url(stack, path),
        ssl=context if isinstance(context, ssl.SSLContext) else None,
        origin=Origin(origin or site_origin(stack)),
        proxy=None,
        open_timeout=OPEN_TIMEOUT,
        ping_interval=None,
        close_timeout=5,
        max_size=MAX_MESSAGE_BYTES,
        compression=None,
    )


def receive_broadcast(
    connection: ClientConnection, message: str, timeout: float = RECEIVE_TIMEOUT
) -> dict[str, Any] | None:
    """The room delivery of `message` on `connection` (others are skipped), or None by the
    deadline or when the connection closes."""
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        try:
            frame = connection.recv(timeout=left)
        except (TimeoutError, ConnectionClosed):
            return None
        payload: dict[str, Any] = json.loads(frame)
        if payload.get("message") == message:
            return payload
    return None


def replica_of_member(connection: ClientConnection) -> str | None:
    """The replica a room member is connected to: the `instance` of its own broadcast.

    The handshake's X-Instance header would say it too, but not every server passes an
    application's handshake headers on (daphne does not).
    """
    probe = f"whoami-{uuid.uuid4().hex}"
    connection.send(probe)
    delivery = receive_broadcast(connection, probe)
    return None if delivery is None else str(delivery["instance"])


def close_code_received(connection: ClientConnection, timeout: float) -> int | None:
    """The close code the other side sent (messages before it are skipped): 1006 when the
    connection ended without a close frame, None when it is still open at the deadline."""
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        try:
            connection.recv(timeout=left)
        except TimeoutError:
            return None
        except ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd is not None else ABNORMAL_CLOSURE
    return None
