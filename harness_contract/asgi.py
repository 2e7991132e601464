"""ASGI middleware: the contract's HTTP routes and WS /ws/echo under the prefix, everything
else (lifespan, your WebSockets, PREFIX/ws/room/... included) to your app.

    from harness_contract.asgi import ContractMiddleware
    application = ContractMiddleware(application)

/stream and /sse go out one body message per piece, paced with asyncio.sleep; a route that
blocks (/sleep, a body hashed) runs in a thread, so the event loop keeps serving. Rooms across
replicas need your channel layer: route harness_contract.channels' consumers in your app.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Collection, MutableMapping
from typing import Any
from urllib.parse import quote

from harness_contract.core import PREFIX, SEEN, RequestView, answer, below_prefix
from harness_contract.model import Stream
from harness_contract.seen import recorded
from harness_contract.websocket import echo_session

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
AsgiApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def view_of(scope: Scope, path: str) -> RequestView:
    headers = {k.decode("latin-1").title(): v.decode("latin-1") for k, v in scope["headers"]}
    scheme = str(scope.get("scheme", "http"))
    client = scope.get("client")
    server = scope.get("server") or ("localhost", 80)
    host = headers.get("Host") or f"{server[0]}:{server[1]}"
    query = scope.get("query_string", b"").decode("latin-1")
    root = str(scope.get("root_path", ""))
    url = f"{scheme}://{host}{quote(root + PREFIX + path)}" + (f"?{query}" if query else "")
    return RequestView(
        method=str(scope["method"]),
        path=path,
        raw_path=(scope.get("raw_path") or b"").decode("latin-1"),
        query_string=query,
        headers=headers,
        remote_addr=client[0] if client else None,
        scheme=scheme,
        is_secure=scheme == "https",
        host=host,
        url=url,
        script_name=root + PREFIX,
        server_view={
            "remote_addr": client[0] if client else None,
            "scheme": scheme,
            "host_header": headers.get("Host"),
        },
        framework="asgi",
    )


class ContractMiddleware:
    """Answers the contract below `prefix` (HTTP, and WS /ws/echo from the site's own origin
    or `allowed_hosts`); passes everything else to `app`."""

    def __init__(
        self, app: AsgiApp, prefix: str = PREFIX, allowed_hosts: Collection[str] = ()
    ) -> None:
        self.app, self.prefix, self.allowed_hosts = app, prefix, allowed_hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = str(scope.get("path", ""))
        below = below_prefix(path, self.prefix)
        if scope["type"] == "http" and recorded(path, self.prefix):
            query = scope.get("query_string", b"").decode("latin-1")
            SEEN.record(str(scope["method"]), path, query)
        if scope["type"] == "http" and below is not None:
            await self._http(scope, below, receive, send)
        elif scope["type"] == "websocket" and below == "/ws/echo":
            await echo_session(scope.get("headers", []), receive, send, self.allowed_hosts)
        else:
            await self.app(scope, receive, send)

    async def _http(self, scope: Scope, below: str, receive: Receive, send: Send) -> None:
        body = bytearray()
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        view = view_of(scope, below)
        root = str(scope.get("root_path", ""))

        def absolute(target: str) -> str:
            return f"{view.scheme}://{view.host}{root}{self.prefix}{target}"

        # /sleep blocks: answer in a thread so the event loop keeps serving.
        result = await asyncio.to_thread(answer, view, lambda: [bytes(body)], absolute)
        await send(
            {
                "type": "http.response.start",
                "status": result.status,
                "headers": [(k.lower().encode(), v.encode()) for k, v in result.head()],
            }
        )
        if scope["method"] == "HEAD":
            await send({"type": "http.response.body", "body": b""})
        elif result.stream is None:
            await send({"type": "http.response.body", "body": result.body})
        else:
            await _send_stream(result.stream, receive, send)


async def _send_stream(stream: Stream, receive: Receive, send: Send) -> None:
    """One body message per piece, as each is made; stops early when the client has gone."""
    gone = asyncio.ensure_future(_disconnected(receive))
    try:
        async for piece in stream:
            if gone.done():
                return
            await send({"type": "http.response.body", "body": piece, "more_body": True})
        await send({"type": "http.response.body", "body": b""})
    finally:
        gone.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await gone


async def _disconnected(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass
