"""``/stream`` and ``/sse``: paced responses whose chunks must leave the app as produced.

Under WSGI the body is a sync generator, which every WSGI server writes chunk by chunk.
Under ASGI it is an async generator: Django's ASGI handler buffers a sync iterator whole
(it consumes it with ``sync_to_async(list)``), but sends each item of an async one at once.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable, Iterator

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase, StreamingHttpResponse
from django.views.decorators.http import require_GET

from django_app import introspect
from django_app.params import MAX_COUNT, MAX_INTERVAL_MS, int_param, rejects_bad_parameters

Formatter = Callable[[int], bytes]


@require_GET
@rejects_bad_parameters
def stream(request: HttpRequest) -> HttpResponseBase:
    """``count`` JSON lines, ``interval_ms`` apart, the first at once, as ``text/plain``."""
    return paced_response(request, json_line, "text/plain; charset=utf-8")


@require_GET
@rejects_bad_parameters
def sse(request: HttpRequest) -> HttpResponseBase:
    """``count`` server-sent events, paced like ``/stream``, not to be cached."""
    response = paced_response(request, sse_event, "text/event-stream")
    response.headers["Cache-Control"] = "no-cache"
    return response


def paced_response(
    request: HttpRequest, formatter: Formatter, content_type: str
) -> HttpResponseBase:
    """A streaming response of ``count`` formatted items, in the interface's own generator kind."""
    count = int_param(request, "count", default=5, maximum=MAX_COUNT)
    interval = int_param(request, "interval_ms", default=100, maximum=MAX_INTERVAL_MS) / 1000
    if introspect.interface(request) == "asgi":
        content: Iterator[bytes] | AsyncIterator[bytes] = paced_async(count, interval, formatter)
    else:
        content = paced_sync(count, interval, formatter)
    response = StreamingHttpResponse(content, content_type=content_type)
    # Asks a buffering proxy (nginx) to pass the stream on as it comes, as real apps do for
    # their streaming routes; every other answer is buffered by the proxy, which frees the
    # worker however slowly the client reads.
    response["X-Accel-Buffering"] = "no"
    return response


def paced_sync(count: int, interval: float, formatter: Formatter) -> Iterator[bytes]:
    """Yield ``count`` items, sleeping ``interval`` seconds between them (not before the first)."""
    for index in range(count):
        if index:
            time.sleep(interval)
        yield formatter(index)


async def paced_async(count: int, interval: float, formatter: Formatter) -> AsyncIterator[bytes]:
    """The async twin of ``paced_sync``: the event loop stays free while it waits."""
    for index in range(count):
        if index:
            await asyncio.sleep(interval)
        yield formatter(index)


def tick(index: int) -> str:
    """The JSON object of item ``index``: its number, the time now, and this replica."""
    payload = {"i": index, "t": time.time(), "instance": settings.HARNESS_INSTANCE}
    return json.dumps(payload, separators=(",", ":"))


def json_line(index: int) -> bytes:
    """One ``/stream`` line."""
    return f"{tick(index)}\n".encode()


def sse_event(index: int) -> bytes:
    """One ``/sse`` event, with the item number as its id."""
    return f"id: {index}\ndata: {tick(index)}\n\n".encode()
