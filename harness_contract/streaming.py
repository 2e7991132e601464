"""/stream and /sse: `count` pieces, the first at once, then one every `interval_ms`, each
sent as soon as it is made (chunked). A proxy that buffers or compresses without flushing
holds them back; the streaming scenarios time their arrival.

The pacing is a Paced stream, iterable both ways: a WSGI server (or Flask) iterates it and
sleeps in its worker; an ASGI server (or Django under ASGI) iterates it asynchronously and
the event loop stays free while it waits."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass

from harness_contract.model import GET, Answer, Endpoint, Request, instance

MAX_COUNT = 1000
MAX_INTERVAL_MS = 10_000
# Asks a buffering proxy (nginx) to pass the answer on as it comes, as real apps do for
# their streaming routes; every other answer is buffered by the proxy.
STREAMING_HEADERS = [("X-Accel-Buffering", "no")]


def tick(index: int) -> str:
    """Piece `index` as JSON: its number, the server's time now, and this replica."""
    return json.dumps({"i": index, "t": time.time(), "instance": instance()}, separators=(",", ":"))


def json_line(index: int) -> bytes:
    """One /stream line."""
    return f"{tick(index)}\n".encode()


def sse_event(index: int) -> bytes:
    """One /sse event, with the piece's number as its id."""
    return f"id: {index}\ndata: {tick(index)}\n\n".encode()


@dataclass(frozen=True, slots=True)
class Paced:
    """`count` pieces made by `render`, `interval` seconds apart (none before the first).
    Nothing is made until it is iterated; each piece is made (timestamped) when it is due."""

    count: int
    interval: float
    render: Callable[[int], bytes]

    def __iter__(self) -> Iterator[bytes]:
        for index in range(self.count):
            if index:
                time.sleep(self.interval)
            yield self.render(index)

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for index in range(self.count):
            if index:
                await asyncio.sleep(self.interval)
            yield self.render(index)


def _paced(request: Request, render: Callable[[int], bytes]) -> Paced:
    """Read (and so validate) the parameters before anything is sent: a bad value is a 400,
    not a broken stream."""
    count = request.number("count", 5, MAX_COUNT)
    interval_ms = request.number("interval_ms", 100, MAX_INTERVAL_MS)
    return Paced(count, interval_ms / 1000, render)


def stream(request: Request) -> Answer:
    """`count` JSON lines `{"i", "t", "instance"}`, as text/plain."""
    headers = [("Content-Type", "text/plain; charset=utf-8"), *STREAMING_HEADERS]
    return Answer(200, headers, stream=_paced(request, json_line))


def sse(request: Request) -> Answer:
    """`count` server-sent events `id: i` / `data: {...}`, paced like /stream, never cached."""
    headers = [("Content-Type", "text/event-stream"), ("Cache-Control", "no-cache")]
    return Answer(200, [*headers, *STREAMING_HEADERS], stream=_paced(request, sse_event))


ROUTES = {"/stream": Endpoint(stream, GET), "/sse": Endpoint(sse, GET)}
