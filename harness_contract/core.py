"""The contract's answers, framework-neutral: a request described as a RequestView in, an
Answer out. The WSGI, ASGI, Django and Flask adapters only translate.

The request-facing routes are here; the streams, the caching routes and the CSRF form are in
their own modules (streaming, caching, forms), and every route is listed in ROUTES."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import asdict, replace
from urllib.parse import parse_qs

from harness_contract import caching, forms, streaming
from harness_contract.model import (
    GET,
    INSTANCE_HEADER,
    PREFIX,
    Answer,
    BadParameter,
    Endpoint,
    Request,
    RequestView,
    cookie,
    instance,
)
from harness_contract.seen import SEEN, SEEN_KEPT

__all__ = [
    "PREFIX",
    "ROUTES",
    "SEEN",
    "Answer",
    "RequestView",
    "answer",
    "below_prefix",
    "read_chunks",
]

MAX_SLEEP_MS = 120_000
MAX_SIZE = 1024 * 1024
MAX_BYTES = 64 * 1024 * 1024
CHUNK = 64 * 1024
# The reference apps' payload, which the compression scenarios compare byte for byte.
PAYLOAD_LINE = b"deploy-harness compressible payload\n"


def health(request: Request) -> Answer:
    """`ok`: the process is up."""
    return Answer(200, [("Content-Type", "text/plain")], b"ok")


def echo(request: Request) -> Answer:
    """What the framework (and the server) made of the request, body hashed."""
    view = request.view
    digest, size = _digest(request.read_body())
    seen = asdict(view) | {"body_length": size, "body_sha256": digest}
    # As apps/CONTRACT.md says: lower-cased names, so a client finds a header it sent.
    seen["headers"] = {name.lower(): value for name, value in view.headers.items()}
    seen |= {"args": parse_qs(view.query_string, keep_blank_values=True), "instance": instance()}
    seen |= {"pid": os.getpid(), "server": os.environ.get("HARNESS_SERVER", "unknown")}
    seen |= {"trust": os.environ.get("HARNESS_TRUST", "unknown")}
    return Answer.json(200, seen)


def upload(request: Request) -> Answer:
    """Size and SHA-256 of the body, read as a stream in CHUNK-sized pieces."""
    digest, size = _digest(request.read_body())
    return Answer.json(200, {"size": size, "sha256": digest, "instance": instance()})


def sleep(request: Request) -> Answer:
    """Answers after `ms` milliseconds (at most MAX_SLEEP_MS)."""
    ms = request.number("ms", 100, MAX_SLEEP_MS)
    time.sleep(ms / 1000)  # the route's purpose: answer late, for timeout scenarios
    return Answer.json(200, {"slept_ms": ms, "instance": instance()})


def redirect(request: Request) -> Answer:
    """302 to the absolute URL of /echo?redirected=1, as the framework builds it."""
    return Answer(302, [("Location", request.absolute("/echo?redirected=1"))])


def large_headers(request: Request) -> Answer:
    """A `size`-byte header X-Large and a `size`-byte cookie `big`."""
    size = request.number("size", 100, MAX_SIZE)
    big = cookie("big", "b" * size, request.view.is_secure)
    return Answer.json(200, {"size": size}, [("X-Large", "a" * size), ("Set-Cookie", big)])


def payload_bytes(request: Request) -> Answer:
    """Exactly `n` bytes of the reference apps' compressible line, as text."""
    n = request.number("n", 1000, MAX_BYTES)
    body = (PAYLOAD_LINE * (n // len(PAYLOAD_LINE) + 1))[:n]
    return Answer(200, [("Content-Type", "text/plain; charset=utf-8")], body)


def session_cookie(request: Request) -> Answer:
    """Sets `session_probe=1`, Secure exactly when the request is, and says which."""
    secure = request.view.is_secure
    probe = cookie("session_probe", "1", secure)
    return Answer.json(200, {"secure": secure}, [("Set-Cookie", probe)])


def seen(request: Request) -> Answer:
    """The newest `limit` requests this replica recorded, newest first."""
    limit = request.number("limit", 200, SEEN_KEPT)
    return Answer.json(200, {"requests": SEEN.newest(limit)})


ROUTES: Mapping[str, Endpoint] = {
    "/health": Endpoint(health, GET),
    "/echo": Endpoint(echo, None),  # and /echo/<anything>
    "/upload": Endpoint(upload, {"POST"}),
    "/sleep": Endpoint(sleep, {"GET", "HEAD", "POST"}),
    "/redirect": Endpoint(redirect, GET),
    "/headers": Endpoint(large_headers, GET),
    "/bytes": Endpoint(payload_bytes, GET),
    "/cookie": Endpoint(session_cookie, GET),
    "/seen": Endpoint(seen, GET),
    **streaming.ROUTES,
    **caching.ROUTES,
    **forms.ROUTES,
}


def below_prefix(path: str, prefix: str = PREFIX) -> str | None:
    """The path below the prefix ("/echo"), or None when the request is not the contract's."""
    if path == prefix or path.startswith(prefix + "/"):
        return path[len(prefix) :] or "/"
    return None


def answer(
    view: RequestView,
    read_body: Callable[[], Iterable[bytes]],
    absolute: Callable[[str], str],
    routes: Mapping[str, Endpoint] = ROUTES,
) -> Answer:
    """The contract's answer to a request below the prefix, naming the replica that gave it.
    `absolute` builds an absolute URL for a path below the prefix the way the framework does
    (for /redirect)."""
    result = _routed(Request(view, read_body, absolute), routes)
    return replace(result, headers=[*result.headers, (INSTANCE_HEADER, instance())])


def _routed(request: Request, routes: Mapping[str, Endpoint]) -> Answer:
    path = request.view.path
    endpoint = routes.get("/echo" if path.startswith("/echo/") else path)
    if endpoint is None:
        return Answer.json(404, {"error": f"no contract route {path!r} (deploy-harness adapter)"})
    if endpoint.methods is not None and request.view.method not in endpoint.methods:
        allowed = ", ".join(sorted(endpoint.methods))
        error = f"{request.view.method} {path}: the contract answers {allowed}"
        return Answer.json(405, {"error": error}, [("Allow", allowed)])
    try:
        return endpoint.route(request)
    except BadParameter as error:
        return Answer.json(400, {"error": str(error)})


def read_chunks(read: Callable[[int], bytes]) -> Iterator[bytes]:
    """A request body as CHUNK-sized pieces from a file-like `read`, never all at once."""
    while chunk := read(CHUNK):
        yield chunk


def _digest(chunks: Iterable[bytes]) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    for chunk in chunks:
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size
