"""WS PREFIX/ws/echo on any ASGI server: accepts a handshake from the site's own origin,
echoes text and binary messages in kind, and closes with the code a `close:<code>` text
asks for. The rules (which codes, which origins) are shared with harness_contract.channels.

Stdlib only: the ASGI messages are plain dictionaries."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Iterable, MutableMapping
from typing import Any
from urllib.parse import urlsplit

from harness_contract.model import instance

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

CLOSE_PREFIX = "close:"
# Close codes an application may send: 1000-1003 and 1007-1014 are defined by RFC 6455,
# 3000-4999 are for libraries and applications; the rest are reserved or never sent.
SENDABLE_CLOSE_CODES = frozenset([*range(1000, 1004), *range(1007, 1015), *range(3000, 5000)])
MESSAGE_TOO_BIG = 1009
# Larger than any message the scenarios send (1 MiB), small enough that an echo stays cheap.
MAX_MESSAGE = 4 * 1024 * 1024


def requested_close_code(text: str) -> int | None:
    """The code in a `close:<code>` message, or None when `text` is not a valid request (not
    a number, or a code an application may not send, like 1005): it is echoed then."""
    if not text.startswith(CLOSE_PREFIX):
        return None
    digits = text.removeprefix(CLOSE_PREFIX)
    if not (digits.isascii() and digits.isdigit()) or len(digits) > 4:
        return None
    code = int(digits)
    return code if code in SENDABLE_CLOSE_CODES else None


def instance_header() -> list[tuple[bytes, bytes]]:
    """The handshake answer's headers: which replica accepted (for the servers that pass
    ASGI accept headers on; daphne does not)."""
    return [(b"x-instance", instance().encode())]


def _hostname(value: str) -> str | None:
    """The host name of a URL (`https://shop.example:8443/x`) or a Host header value."""
    try:
        return urlsplit(value if "//" in value else f"//{value}").hostname
    except ValueError:  # a malformed port or IPv6 literal
        return None


def origin_allowed(headers: Iterable[tuple[bytes, bytes]], allowed_hosts: Collection[str]) -> bool:
    """Whether a handshake's Origin is the site's own, as Channels' AllowedHostsOriginValidator
    decides: its host name is the one of the Host the client asked for, or matches one of
    `allowed_hosts` (`.example.com` matching its subdomains too, `*` anything). A handshake
    without an Origin is refused, unless `*`."""
    if "*" in allowed_hosts:
        return True
    found = {name.lower(): value.decode("latin-1") for name, value in headers}
    origin = _hostname(found.get(b"origin", ""))
    own = _hostname(found.get(b"host", ""))
    if origin is None:
        return False
    return origin == own or any(_matches(origin, pattern.lower()) for pattern in allowed_hosts)


def _matches(host: str, pattern: str) -> bool:
    """Django's is_same_domain: `.example.com` is example.com and every subdomain."""
    if pattern.startswith("."):
        return host == pattern[1:] or host.endswith(pattern)
    return host == pattern


async def echo_session(
    headers: Iterable[tuple[bytes, bytes]],
    receive: Receive,
    send: Send,
    allowed_hosts: Collection[str] = (),
) -> None:
    """One WebSocket connection of PREFIX/ws/echo, from its handshake to its close."""
    if (await receive())["type"] != "websocket.connect":
        return
    if not origin_allowed(headers, allowed_hosts):
        await send({"type": "websocket.close", "code": 1008})  # before accept: a 403
        return
    await send({"type": "websocket.accept", "headers": instance_header()})
    while (message := await receive())["type"] == "websocket.receive":
        reply = echo_reply(message.get("text"), message.get("bytes"))
        await send(reply)
        if reply["type"] == "websocket.close":
            return


def echo_reply(text: str | None, data: bytes | None) -> Message:
    """The ASGI message answering one received message: the echo, or a close."""
    size = len(text.encode()) if text is not None else len(data or b"")
    if size > MAX_MESSAGE:
        return {"type": "websocket.close", "code": MESSAGE_TOO_BIG}
    if text is None:
        return {"type": "websocket.send", "bytes": data or b""}
    code = requested_close_code(text)
    if code is None:
        return {"type": "websocket.send", "text": text}
    return {"type": "websocket.close", "code": code}
