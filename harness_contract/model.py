"""What every contract route is made of, framework-neutral: a request described as a
RequestView in, an Answer out (its body whole, or a Stream of pieces), and the small rules
every route shares (query parameters clamped to a ceiling, cookies with the contract's
attributes, the replica's id)."""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator, Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import parse_qs

PREFIX = "/_harness"
GET = frozenset({"GET", "HEAD"})
INSTANCE_HEADER = "X-Instance"


class Stream(Protocol):
    """An answer's body as pieces, each to be sent as soon as it is made: a WSGI server or
    Flask iterates it, an ASGI server or Django under ASGI iterates it asynchronously (its
    waits then leave the event loop free)."""

    def __iter__(self) -> Iterator[bytes]: ...

    def __aiter__(self) -> AsyncIterator[bytes]: ...


@dataclass(frozen=True, slots=True)
class RequestView:
    """One request as the framework (and, in server_view, the server) understood it."""

    method: str
    path: str  # below the prefix, decoded: "/echo/a b"
    raw_path: str
    query_string: str
    headers: dict[str, str]
    remote_addr: str | None
    scheme: str
    is_secure: bool
    host: str
    url: str
    script_name: str
    server_view: dict[str, str | None]
    framework: str

    def header(self, name: str, default: str = "") -> str:
        """A request header by name, whatever case the framework gave the names."""
        wanted = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == wanted), default)


@dataclass(frozen=True, slots=True)
class Answer:
    """The contract's answer: status, headers and either a whole `body` or a `stream`.

    A streamed answer has no Content-Length: the server sends it chunked, piece by piece.
    """

    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    stream: Stream | None = None

    @classmethod
    def json(cls, status: int, value: Any, headers: Iterable[tuple[str, str]] = ()) -> Answer:
        body = json.dumps(value).encode()
        return cls(status, [("Content-Type", "application/json"), *headers], body)

    def head(self) -> list[tuple[str, str]]:
        """The headers to send, with a Content-Length unless the answer is streamed."""
        if self.stream is not None:
            return list(self.headers)
        return [*self.headers, ("Content-Length", str(len(self.body)))]


@dataclass(frozen=True, slots=True)
class Request:
    """What a route gets: the request, its body (read on demand, as a stream) and how the
    framework builds an absolute URL for a path below the prefix (for /redirect)."""

    view: RequestView
    read_body: Callable[[], Iterable[bytes]]
    absolute: Callable[[str], str]

    def number(self, name: str, default: int, maximum: int) -> int:
        """Query parameter `name` as a whole number, `default` when absent or empty, clamped
        to `maximum`; anything but ASCII digits raises BadParameter (the answer is a 400)."""
        values = parse_qs(self.view.query_string, keep_blank_values=True).get(name)
        raw = values[0] if values else ""
        if raw == "":
            return default
        if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:
            raise BadParameter(
                f"query parameter {name}={raw!r}: expected a whole number from 0 to {maximum}"
            )
        return min(int(raw), maximum)


Route = Callable[[Request], Answer]


@dataclass(frozen=True, slots=True)
class Endpoint:
    """A route and the methods it answers (None: any method)."""

    route: Route
    methods: Collection[str] | None = GET


class BadParameter(ValueError):
    """A malformed query parameter; the message says which, what was given and what is
    allowed. The contract answers it with 400 and a JSON `{"error": ...}`."""


def instance() -> str:
    """The replica's id (HARNESS_INSTANCE), read per answer: the harness sets it per replica."""
    return os.environ.get("HARNESS_INSTANCE", "unknown")


def cookie(name: str, value: str, secure: bool, *, http_only: bool = True) -> str:
    """A Set-Cookie value with the contract's attributes: `Secure` exactly when the request
    was secure (the scenarios check a TLS-terminating proxy's app sets it)."""
    parts = [f"{name}={value}", "Path=/", *(["HttpOnly"] if http_only else []), "SameSite=Lax"]
    return "; ".join(parts + (["Secure"] if secure else []))
