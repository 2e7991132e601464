"""The app's middleware, in the order ``settings.MIDDLEWARE`` lists them.

Plain synchronous middleware: under ASGI Django runs them in the request's own thread, the
same as any sync-only Django middleware in a real deployment.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import redis
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseNotAllowed

from django_app import store

logger = logging.getLogger(__name__)

GetResponse = Callable[[HttpRequest], HttpResponseBase]

HEALTH_PATH = "/health"
# Reading the log must not add to it, and health checks would drown it.
UNRECORDED_PATHS = frozenset({HEALTH_PATH, "/seen"})


class InstanceHeaderMiddleware:
    """Every response carries ``X-Instance: <HARNESS_INSTANCE>``."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        response.headers["X-Instance"] = settings.HARNESS_INSTANCE
        return response


class HeadRequestMiddleware:
    """A HEAD request gets the GET response's headers, Content-Length included, and no body.

    Django leaves this to the server; doing it here makes HEAD behave the same under every
    server. Streaming responses pass unchanged: their routes accept GET only.
    """

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if request.method == "HEAD" and isinstance(response, HttpResponse):
            response.headers.setdefault("Content-Length", str(len(response.content)))
            response.content = b""
        return response


class HealthCheckMiddleware:
    """``/health`` answers ``ok`` before Host validation, so health checks work with any Host."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.path_info != HEALTH_PATH:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        return HttpResponse(b"ok", content_type="text/plain; charset=utf-8")


SERVER_REMOTE_ADDR = "HARNESS_SERVER_REMOTE_ADDR"


class TrustedProxyMiddleware:
    """With the app trust layer, ``REMOTE_ADDR`` becomes the n-th address from the right of
    ``X-Forwarded-For``; with the server layer it stays what the server gave. Either way the
    server's own value is kept under ``HARNESS_SERVER_REMOTE_ADDR`` for ``/echo``.

    n is ``HARNESS_PROXY_HOPS``: each trusted proxy appended the address it saw, so the n-th
    from the right is what the outermost trusted proxy saw. Anything further left came from
    the client and is ignored. With fewer than n addresses, or n = 0, ``REMOTE_ADDR`` stays
    the peer's address (werkzeug's ``ProxyFix`` rule).
    """

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        request.META[SERVER_REMOTE_ADDR] = request.META.get("REMOTE_ADDR")
        if settings.HARNESS_TRUST != "app":
            return self.get_response(request)
        client = trusted_client_address(
            request.META.get("HTTP_X_FORWARDED_FOR", ""), settings.HARNESS_PROXY_HOPS
        )
        if client is not None:
            request.META["REMOTE_ADDR"] = client
        return self.get_response(request)


def trusted_client_address(forwarded_for: str, hops: int) -> str | None:
    """The n-th address from the right of an ``X-Forwarded-For`` value, or None if absent."""
    if hops <= 0 or not forwarded_for:
        return None
    addresses = [address.strip() for address in forwarded_for.split(",")]
    if len(addresses) < hops:
        return None
    return addresses[-hops] or None


class SeenRecorderMiddleware:
    """Every request but ``/health`` and ``/seen`` is logged to Redis before its view runs.

    Logging before the view means a client holding the response can already find its request
    in ``/seen``. A Redis failure costs the log line, never the request.
    """

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.path_info not in UNRECORDED_PATHS:
            record_request(request)
        return self.get_response(request)


def record_request(request: HttpRequest) -> None:
    """Log the request line to ``harness:seen``; on a Redis error, log a warning instead."""
    entry = {
        "instance": settings.HARNESS_INSTANCE,
        "method": request.method,
        "path": request.path,
        "query": request.META.get("QUERY_STRING", ""),
        "t": time.time(),
    }
    try:
        store.record_seen(entry)
    except redis.RedisError as error:
        logger.warning("request not recorded in %s: %s", store.SEEN_KEY, error)
