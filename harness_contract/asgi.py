"""ASGI middleware: the contract's HTTP routes under the prefix, everything else (WebSockets
and lifespan included) to your app.

    from harness_contract.asgi import ContractMiddleware
    application = ContractMiddleware(application)
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import quote

from harness_contract.core import PREFIX, SEEN, RequestView, answer, below_prefix

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
    """Answers the contract's HTTP routes below `prefix`; passes everything else to `app`."""

    def __init__(self, app: AsgiApp, prefix: str = PREFIX) -> None:
        self.app, self.prefix = app, prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        below = below_prefix(str(scope.get("path", "")), self.prefix)
        if scope["type"] == "http":
            SEEN.record(str(scope["method"]), str(scope["path"]))
        if scope["type"] != "http" or below is None:
            await self.app(scope, receive, send)
            return
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
        headers = [*result.headers, ("Content-Length", str(len(result.body)))]
        await send(
            {
                "type": "http.response.start",
                "status": result.status,
                "headers": [(k.lower().encode(), v.encode()) for k, v in headers],
            }
        )
        head = scope["method"] == "HEAD"
        await send({"type": "http.response.body", "body": b"" if head else result.body})
