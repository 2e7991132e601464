"""WebSocket clients for scenarios, through the stack's published port only.

A browser sends the page's `Origin` with every WebSocket handshake and Channels refuses a
handshake without an allowed one, so every connection here sends the site's own origin
unless a scenario asks for another. Connections never ping on their own (an idle connection
must really be idle), never go through an environment proxy, and verify TLS against the
run's test CA only.

Scenarios are plain synchronous tests, but the connections are websockets' asyncio client,
driven from one event-loop thread per process. Its threaded sync client reads a TLS socket in
a background thread while the caller writes on it, and concurrent use of one Python SSLSocket
can lose a write (python/cpython#77271, #137583): measured here, 20 of 800 wss:// handshakes
never reached HAProxy (its 408) against 0 of 800 with the asyncio client. asyncio does all of
a connection's TLS on its loop, through memory buffers.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from collections.abc import Coroutine
from types import TracebackType
from typing import Any, TypeVar
from urllib.parse import urlsplit

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Response
from websockets.typing import Data, Origin

from harness.run.stack import Stack

__all__ = [
    "ABNORMAL_CLOSURE",
    "MAX_MESSAGE_BYTES",
    "WebSocket",
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
SEND_TIMEOUT = 10.0
CLOSE_TIMEOUT = 5.0
# How much longer than its own deadline a call may take before the caller gives up on the loop.
LOOP_GRACE = 5.0

Result = TypeVar("Result")


class _EventLoopThread:
    """One asyncio loop in a daemon thread, started on first use; every connection runs on it."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock = threading.Lock()

    def run(self, work: Coroutine[Any, Any, Result], deadline: float) -> Result:
        """Run `work` on the loop and wait for it; its own timeouts come first, `deadline`
        (seconds, plus a grace) only guards against a loop that no longer answers."""
        future = asyncio.run_coroutine_threadsafe(work, self._running_loop())
        try:
            return future.result(timeout=deadline + LOOP_GRACE)
        except TimeoutError:
            future.cancel()
            raise

    def _running_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                threading.Thread(
                    target=loop.run_forever, name="harness-websockets", daemon=True
                ).start()
                self._loop = loop
            return self._loop


_LOOP = _EventLoopThread()


class WebSocket:
    """A synchronous handle on one asyncio WebSocket connection, usable as a context manager.

    Exceptions are websockets' own: ConnectionClosed (with `.rcvd`) once the connection is
    closed, TimeoutError when nothing arrives by a deadline.
    """

    def __init__(self, connection: ClientConnection) -> None:
        self._connection = connection

    @property
    def response(self) -> Response:
        """The server's answer to the handshake."""
        response = self._connection.response
        assert response is not None, "an open connection has a handshake response"
        return response

    @property
    def alpn(self) -> str | None:
        """The protocol the TLS handshake agreed on (None on plain HTTP or without ALPN)."""
        ssl_object = self._connection.transport.get_extra_info("ssl_object")
        return None if ssl_object is None else ssl_object.selected_alpn_protocol()

    def send(self, message: Data) -> None:
        """Send one text (str) or binary (bytes) message."""
        _LOOP.run(asyncio.wait_for(self._connection.send(message), SEND_TIMEOUT), SEND_TIMEOUT)

    def recv(self, timeout: float = RECEIVE_TIMEOUT) -> Data:
        """The next message; TimeoutError if none arrives within `timeout` seconds (a cancelled
        receive loses nothing: the next call gets the message)."""
        return _LOOP.run(asyncio.wait_for(self._connection.recv(), timeout), timeout)

    def ping_answered(self, payload: bytes, timeout: float) -> bool:
        """Send a ping frame; whether its pong arrives within `timeout` seconds."""

        async def ping() -> bool:
            pong = await self._connection.ping(payload)
            try:
                await asyncio.wait_for(pong, timeout)
            except TimeoutError:
                return False
            return True

        return _LOOP.run(ping(), timeout)

    def close(self) -> None:
        """Close with 1000 and wait (bounded) for the closing handshake."""
        _LOOP.run(self._connection.close(), CLOSE_TIMEOUT)

    def __enter__(self) -> WebSocket:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def websocket_url(stack: Stack, path: str) -> str:
    """ws:// or wss:// on the stack's public address."""
    return ("wss://" if stack.spec.tls else "ws://") + stack.url.split("://", 1)[1] + path


def site_origin(stack: Stack) -> str:
    """The origin of the site's own pages: its public scheme, host and port (no path: on
    your own app the scenarios' URL ends in the contract's prefix)."""
    parts = urlsplit(stack.url)
    return f"{parts.scheme}://{parts.netloc}"


def open_websocket(
    stack: Stack, path: str, origin: str | None = None, alpn: list[str] | None = None
) -> WebSocket:
    """Connect to `path` through the proxy, sending `origin` (the site's own by default),
    offering `alpn` on a TLS stack (a browser offers http/1.1 alone for a WebSocket).

    Raises websockets' InvalidHandshake (InvalidStatus carries the response) when refused,
    TimeoutError when the handshake is not answered within OPEN_TIMEOUT.
    """

    context = stack.ssl_context() if alpn is None else stack.protocol_context(alpn)

    async def handshake() -> ClientConnection:
        return await connect(
            websocket_url(stack, path),
            ssl=context,
            origin=Origin(origin or site_origin(stack)),
            proxy=None,
            open_timeout=OPEN_TIMEOUT,
            ping_interval=None,
            close_timeout=CLOSE_TIMEOUT,
            max_size=MAX_MESSAGE_BYTES,
            compression=None,
        )

    return WebSocket(_LOOP.run(handshake(), OPEN_TIMEOUT))


def receive_broadcast(
    connection: WebSocket, message: str, timeout: float = RECEIVE_TIMEOUT
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


def replica_of_member(connection: WebSocket) -> str | None:
    """The replica a room member is connected to: the `instance` of its own broadcast.

    The handshake's X-Instance header would say it too, but not every server passes an
    application's handshake headers on (daphne does not).
    """
    probe = f"whoami-{uuid.uuid4().hex}"
    connection.send(probe)
    delivery = receive_broadcast(connection, probe)
    return None if delivery is None else str(delivery["instance"])


def close_code_received(connection: WebSocket, timeout: float) -> int | None:
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
