"""Views that reflect the request back: ``/echo``, ``/upload``, ``/redirect``, ``/urls``,
``/headers``, ``/cookie``, ``/form``, ``/bytes`` and ``/sleep``.

``/health`` is answered by ``HealthCheckMiddleware``; the streams are in ``streaming``, the
Redis-backed routes in ``shared_state``.
"""

from __future__ import annotations

import os
import time
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.middleware.csrf import get_token
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from django_app import introspect
from django_app.params import (
    MAX_BYTES,
    MAX_HEADER_SIZE,
    MAX_SLEEP_MS,
    int_param,
    rejects_bad_parameters,
)

COMPRESSIBLE_LINE = b"deploy-harness compressible payload\n"
PLAIN_TEXT = "text/plain; charset=utf-8"


@csrf_exempt
def echo(request: HttpRequest) -> HttpResponse:
    """Answer any method with JSON describing the request as Django saw it."""
    return JsonResponse(describe_request(request))


def describe_request(request: HttpRequest) -> dict[str, Any]:
    """The contract's ``/echo`` document; reads (and hashes) the whole body."""
    body = introspect.digest_body(request)
    return {
        "method": request.method,
        "path": request.path,
        "raw_path": introspect.raw_path(request),
        "query_string": request.META.get("QUERY_STRING", ""),
        "args": dict(request.GET.lists()),
        "headers": introspect.header_map(request),
        "remote_addr": request.META.get("REMOTE_ADDR"),
        "scheme": request.scheme,
        "is_secure": request.is_secure(),
        "host": request.get_host(),
        "url": request.build_absolute_uri(),
        "script_name": introspect.script_name(request),
        "body_length": body.size,
        "body_sha256": body.sha256,
        "instance": settings.HARNESS_INSTANCE,
        "pid": os.getpid(),
        "server": settings.HARNESS_SERVER,
        "framework": "django",
        "interface": introspect.interface(request),
        "trust": settings.HARNESS_TRUST,
        "server_view": introspect.server_view(request),
    }


@csrf_exempt
@require_POST
def upload(request: HttpRequest) -> HttpResponse:
    """Hash the body, read as a stream in 64 KiB chunks, and answer its size and SHA-256."""
    body = introspect.digest_body(request)
    return JsonResponse(
        {"size": body.size, "sha256": body.sha256, "instance": settings.HARNESS_INSTANCE}
    )


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
@rejects_bad_parameters
def sleep(request: HttpRequest) -> HttpResponse:
    """Sleep ``ms`` milliseconds (default 100, at most 120000), then say so; a POST's body is
    ignored."""
    milliseconds = int_param(request, "ms", default=100, maximum=MAX_SLEEP_MS)
    time.sleep(milliseconds / 1000)
    return JsonResponse({"slept_ms": milliseconds, "instance": settings.HARNESS_INSTANCE})


@require_safe
def redirect(request: HttpRequest) -> HttpResponse:
    """302 to the absolute URL of ``/echo?redirected=1``, built from the request Django saw;
    ``reverse`` keeps the script prefix (the app mounted under a URL prefix)."""
    return HttpResponseRedirect(request.build_absolute_uri(reverse("echo") + "?redirected=1"))


@require_safe
def built_urls(request: HttpRequest) -> HttpResponse:
    """The URLs Django builds for this request: a named route (absolute), a static file and
    the WebSocket echo route (paths), each below the script prefix it was given."""
    return JsonResponse(
        {
            "echo": request.build_absolute_uri(reverse("echo")),
            "static": static("hello.txt"),
            "websocket": introspect.script_name(request) + "/ws/echo",
            "script_name": introspect.script_name(request),
        }
    )


@require_safe
@rejects_bad_parameters
def large_headers(request: HttpRequest) -> HttpResponse:
    """Answer a ``size``-byte ``X-Large`` header and a ``size``-byte ``big`` cookie."""
    size = int_param(request, "size", default=100, maximum=MAX_HEADER_SIZE)
    response = JsonResponse({"size": size})
    response.headers["X-Large"] = "a" * size
    set_probe_cookie(request, response, "big", "b" * size)
    return response


@require_safe
def cookie(request: HttpRequest) -> HttpResponse:
    """Set ``session_probe=1``, ``Secure`` only when the request is; report which."""
    response = JsonResponse({"secure": request.is_secure()})
    set_probe_cookie(request, response, "session_probe", "1")
    return response


@require_http_methods(["GET", "POST"])
def form(request: HttpRequest) -> HttpResponse:
    """GET: the CSRF token, and its ``csrftoken`` cookie; POST: accepted, once Django's
    CsrfViewMiddleware has let it through (its 403 page says why it did not)."""
    if request.method == "GET":
        return JsonResponse({"token": get_token(request)})
    return JsonResponse({"accepted": True})


def set_probe_cookie(request: HttpRequest, response: HttpResponse, name: str, value: str) -> None:
    """Set an HttpOnly, SameSite=Lax cookie on ``/``, Secure when the request is secure."""
    response.set_cookie(
        name, value, path="/", httponly=True, samesite="Lax", secure=request.is_secure()
    )


@require_safe
@rejects_bad_parameters
def payload_bytes(request: HttpRequest) -> HttpResponse:
    """Answer exactly ``n`` bytes of a repeated, highly compressible line."""
    size = int_param(request, "n", default=1000, maximum=MAX_BYTES)
    return HttpResponse(compressible_payload(size), content_type=PLAIN_TEXT)


def compressible_payload(size: int) -> bytes:
    """The first ``size`` bytes of ``COMPRESSIBLE_LINE`` repeated."""
    repeats = size // len(COMPRESSIBLE_LINE) + 1
    return (COMPRESSIBLE_LINE * repeats)[:size]
