"""The contract as a Django URLconf: /echo reports what Django makes of the request, through
YOUR settings (ALLOWED_HOSTS, SECURE_PROXY_SSL_HEADER, USE_X_FORWARDED_HOST/PORT, your
middleware), and /form is checked by Django's own CSRF protection with YOUR CSRF settings
(CSRF_TRUSTED_ORIGINS, CSRF_COOKIE_*, CSRF_HEADER_NAME, CSRF_FAILURE_VIEW).

    MIDDLEWARE = ["harness_contract.django.ServerViewMiddleware", *MIDDLEWARE]   # first
    urlpatterns += [path("_harness/", include("harness_contract.django"))]

ServerViewMiddleware keeps what the server gave (client address, scheme, Host header) before
any other middleware may change request.META, records each request for /seen, and names the
replica (`X-Instance`) on every answer below the prefix, Django's own 400s and 403s included.

/stream and /sse are StreamingHttpResponses: under WSGI a generator, under ASGI an async
one (Django's ASGI handler would buffer a sync iterator whole). WebSockets: see
harness_contract.channels.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable
from typing import Any

from django.core.handlers.asgi import ASGIRequest
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseNotAllowed,
    JsonResponse,
    StreamingHttpResponse,
)
from django.middleware.csrf import get_token
from django.urls import re_path
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from harness_contract.core import (
    PREFIX,
    SEEN,
    Answer,
    RequestView,
    answer,
    below_prefix,
    read_chunks,
)
from harness_contract.model import INSTANCE_HEADER, Stream, instance
from harness_contract.seen import recorded

_SERVER_VIEW = "harness_contract.server_view"


class ServerViewMiddleware:
    """Put it first in MIDDLEWARE: it snapshots the server's view of each request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        meta = request.META
        meta[_SERVER_VIEW] = {
            "remote_addr": meta.get("REMOTE_ADDR"),
            "scheme": _server_scheme(request),
            "host_header": meta.get("HTTP_HOST"),
        }
        if recorded(request.path_info):
            SEEN.record(request.method or "", request.path, meta.get("QUERY_STRING", ""))
        response = self.get_response(request)
        if below_prefix(request.path_info) is not None:
            response.headers[INSTANCE_HEADER] = instance()
        return response


def _server_scheme(request: HttpRequest) -> str | None:
    """The scheme as the server gave it: WSGI's wsgi.url_scheme, or the ASGI scope's (which
    Django's ASGIRequest keeps out of META)."""
    scope = getattr(request, "scope", None)
    scheme = scope.get("scheme") if isinstance(scope, dict) else request.META.get("wsgi.url_scheme")
    return None if scheme is None else str(scheme)


def _view(request: HttpRequest, below: str) -> RequestView:
    raw = str(request.META.get("RAW_URI") or request.META.get("REQUEST_URI") or "")
    return RequestView(
        method=request.method or "",
        path=below,
        raw_path=raw.split("?", 1)[0],
        query_string=request.META.get("QUERY_STRING", ""),
        headers=dict(request.headers),
        remote_addr=request.META.get("REMOTE_ADDR"),
        scheme=request.scheme or "",
        is_secure=request.is_secure(),
        host=request.get_host(),
        url=request.build_absolute_uri(),
        script_name=request.META.get("SCRIPT_NAME", "") + PREFIX,
        server_view=request.META.get(_SERVER_VIEW, {}),
        framework="django",
    )


@csrf_exempt
def contract(request: HttpRequest, rest: str = "") -> HttpResponseBase:
    """Every contract route but /form, below the prefix this URLconf is included at."""
    below = below_prefix(request.path_info, PREFIX) or "/" + rest
    result: Answer = answer(
        _view(request, below),
        lambda: read_chunks(request.read),
        lambda t: request.build_absolute_uri(PREFIX + t),
    )
    response: HttpResponseBase
    if result.stream is None:
        response = HttpResponse(result.body, status=result.status)
    else:
        response = StreamingHttpResponse(_pieces(request, result.stream), status=result.status)
    for name, value in result.headers:
        if name == "Set-Cookie":  # where Django (and your middleware) look for cookies
            response.cookies.load(value)
        else:
            response.headers[name] = value
    return response


def _pieces(request: HttpRequest, stream: Stream) -> Iterable[bytes] | AsyncIterator[bytes]:
    """The stream in the kind Django's handler sends piece by piece; none for HEAD."""
    if request.method == "HEAD":
        return []
    return aiter(stream) if isinstance(request, ASGIRequest) else iter(stream)


@csrf_protect
def form(request: HttpRequest) -> HttpResponseBase:
    """GET: the CSRF token, and its cookie; POST: accepted, once Django's CSRF check (your
    settings) has let it through (its failure view, a 403, says why it did not)."""
    response: HttpResponseBase
    if request.method in ("GET", "HEAD"):
        response = JsonResponse({"token": get_token(request)})
    elif request.method == "POST":
        response = JsonResponse({"accepted": True})
    else:
        response = HttpResponseNotAllowed(["GET", "HEAD", "POST"])
    response.headers[INSTANCE_HEADER] = instance()
    return response


urlpatterns: list[Any] = [
    re_path(r"^form\Z", form),
    re_path(r"^(?P<rest>.*)$", contract),
]
