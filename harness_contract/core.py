"""The contract's answers, framework-neutral: a request described as a RequestView in, an
Answer out. The WSGI, ASGI and Django adapters only translate."""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import parse_qs

PREFIX = "/_harness"
MAX_SLEEP_MS = 30_000
MAX_SIZE = 64 * 1024
MAX_BYTES = 64 * 1024 * 1024
SEEN_KEPT = 500
CHUNK = 64 * 1024
_BLOCK = b"deploy-harness says hello. " * 40 + b"\n"


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


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""

    @classmethod
    def json(cls, status: int, value: Any, headers: Iterable[tuple[str, str]] = ()) -> Answer:
        body = json.dumps(value).encode()
        return cls(status, [("Content-Type", "application/json"), *headers], body)


class SeenLog:
    """The last requests this process handled (method, path), newest first."""

    def __init__(self) -> None:
        self._entries: deque[dict[str, str]] = deque(maxlen=SEEN_KEPT)
        self._lock = threading.Lock()

    def record(self, method: str, path: str) -> None:
        with self._lock:
            self._entries.appendleft({"method": method, "path": path, "instance": instance()})

    def newest(self, limit: int) -> list[dict[str, str]]:
        with self._lock:
            return list(self._entries)[:limit]


SEEN = SeenLog()


def instance() -> str:
    return os.environ.get("HARNESS_INSTANCE", "unknown")


def below_prefix(path: str, prefix: str = PREFIX) -> str | None:
    """The path below the prefix ("/echo"), or None when the request is not the contract's."""
    if path == prefix or path.startswith(prefix + "/"):
        return path[len(prefix) :] or "/"
    return None


def _number(query: str, name: str, default: int, maximum: int) -> int:
    values = parse_qs(query).get(name)
    if not values or not values[0].isdigit():
        return default
    return min(int(values[0]), maximum)


def answer(
    view: RequestView, read_body: Callable[[], Iterable[bytes]], absolute: Callable[[str], str]
) -> Answer:
    """The contract's answer to a request below the prefix. `absolute` builds an absolute
    URL for a path below the prefix the way the framework does (for /redirect)."""
    path, query = view.path, view.query_string
    if path == "/health":
        return Answer(200, [("Content-Type", "text/plain")], b"ok")
    if path == "/echo" or path.startswith("/echo/"):
        digest, size = _digest(read_body())
        seen = asdict(view) | {"body_length": size, "body_sha256": digest}
        seen |= {"args": parse_qs(query, keep_blank_values=True), "instance": instance()}
        seen |= {"pid": os.getpid(), "server": os.environ.get("HARNESS_SERVER", "unknown")}
        seen |= {"trust": os.environ.get("HARNESS_TRUST", "unknown")}
        return Answer.json(200, seen)
    if path == "/upload" and view.method == "POST":
        digest, size = _digest(read_body())
        return Answer.json(200, {"size": size, "sha256": digest})
    if path == "/sleep":
        ms = _number(query, "ms", 100, MAX_SLEEP_MS)
        time.sleep(ms / 1000)  # the route's purpose: answer late, for timeout scenarios
        return Answer.json(200, {"slept_ms": ms, "instance": instance()})
    if path == "/redirect":
        return Answer(302, [("Location", absolute("/echo?redirected=1"))])
    if path == "/headers":
        size = _number(query, "size", 100, MAX_SIZE)
        cookie = f"big={'b' * size}; Path=/; HttpOnly; SameSite=Lax"
        cookie += "; Secure" if view.is_secure else ""
        return Answer.json(200, {"size": size}, [("X-Large", "a" * size), ("Set-Cookie", cookie)])
    if path == "/bytes":
        n = _number(query, "n", 1000, MAX_BYTES)
        body = (_BLOCK * (n // len(_BLOCK) + 1))[:n]
        return Answer(200, [("Content-Type", "text/plain")], body)
    if path == "/seen":
        limit = _number(query, "limit", 200, SEEN_KEPT)
        return Answer.json(200, {"requests": SEEN.newest(limit)})
    return Answer.json(404, {"error": f"no contract route {path!r} (deploy-harness adapter)"})


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
