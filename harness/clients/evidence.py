"""Evidence scenarios gather through the stack's public port: timings, the app's own log.

Small, typed helpers shared by the streaming, limits, static, security and host scenarios:
when each line of a streamed answer arrived, which requests the app recorded in /seen, and
request headers of an exact size on the wire.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

__all__ = [
    "TimedStream",
    "header_of_line_size",
    "seen_with",
    "timed_lines",
]


@dataclass(frozen=True, slots=True)
class TimedStream:
    """A streamed answer: status, headers, and each line with when it arrived.

    Arrival times are seconds since the request was sent, taken on the client's clock only,
    so they mean the same on a remote Docker engine.
    """

    status: int
    headers: Mapping[str, str]
    arrivals: tuple[tuple[float, str], ...]
    total: float

    def times(self, prefix: str = "") -> list[float]:
        """Arrival times of the lines that start with `prefix`, rounded for messages."""
        return [round(at, 2) for at, line in self.arrivals if line.startswith(prefix)]

    def summary(self, prefix: str = "") -> str:
        """One line for an assert message: status, encoding, arrival times, total."""
        encoding = self.headers.get("content-encoding", "identity")
        return (
            f"status {self.status}, content-encoding {encoding}, "
            f"lines at {self.times(prefix)} s, complete after {self.total:.2f} s"
        )


def timed_lines(
    client: httpx.Client,
    path: str,
    params: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
    deadline: float = 15.0,
) -> TimedStream:
    """GET `path` as a stream and note when each decoded line arrives (bounded by `deadline`).

    httpx decodes a gzip answer incrementally, so a proxy that compresses but flushes still
    shows its lines as they come.
    """
    arrivals: list[tuple[float, str]] = []
    started = time.monotonic()
    with client.stream("GET", path, params=params, headers=headers, timeout=deadline) as response:
        for line in response.iter_lines():
            arrivals.append((time.monotonic() - started, line))
            if time.monotonic() - started > deadline:
                break
        return TimedStream(
            status=response.status_code,
            headers=dict(response.headers),
            arrivals=tuple(arrivals),
            total=time.monotonic() - started,
        )


IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS"})
SENT_TWICE = "sent twice: its first connection closed before any answer"


def send_answered(
    client: httpx.Client, method: str, path: str, **options: Any
) -> tuple[httpx.Response, bool]:
    """The response, and whether the request went out twice: an idempotent request whose
    connection closed before any answer is sent once more on a new connection. The client
    may reuse a kept-alive connection just as the proxy closes it; RFC 9112 (9.3.1) lets it
    repeat an idempotent request then, and browsers do; httpx does not. A close on any other
    method raises httpx.RemoteProtocolError; an error of the second sending raises with the
    note SENT_TWICE."""
    try:
        return client.request(method, path, **options), False
    except httpx.RemoteProtocolError:
        if method not in IDEMPOTENT:
            raise
    try:
        return client.request(method, path, **options), True
    except httpx.HTTPError as error:
        error.add_note(SENT_TWICE)
        raise


def seen_entries(client: httpx.Client, limit: int = 200) -> list[dict[str, Any]]:
    """The app's latest /seen entries (any replica), oldest first; none when the read got no
    200 (a poll asks again). A connection closed unanswered is read again (send_answered):
    a default-profile run on a loaded machine went red on one (haproxy-daphne)."""
    response, _ = send_answered(client, "GET", "/seen", params={"limit": limit})
    if response.status_code != 200:
        return []
    entries: list[dict[str, Any]] = response.json()["requests"]
    return entries


def seen_with(client: httpx.Client, marker: str, limit: int = 200) -> list[dict[str, Any]]:
    """The app's /seen entries (any replica) whose path or query contains `marker`; an
    answer other than 200 raises (httpx.HTTPStatusError)."""
    response, _ = send_answered(client, "GET", "/seen", params={"limit": limit})
    response.raise_for_status()
    entries: list[dict[str, Any]] = response.json()["requests"]
    return [e for e in entries if marker in e.get("path", "") or marker in e.get("query", "")]


def header_of_line_size(name: str, line_bytes: int) -> tuple[str, str]:
    """A header (name, value) whose line `Name: value\\r\\n` is exactly `line_bytes` long.

    That is the unit of `Limits.max_header_bytes` (see harness/spec/model.py).
    """
    value_bytes = line_bytes - len(name) - len(": \r\n")
    if value_bytes < 1:
        raise ValueError(f"a {line_bytes}-byte line cannot hold header {name!r} and a value")
    return name, "h" * value_bytes
