"""The contract as a Django URLconf: /echo reports what Django makes of the request, through
YOUR settings (ALLOWED_HOSTS, SECURE_PROXY_SSL_HEADER, USE_X_FORWARDED_HOST/PORT, your
middleware).

    MIDDLEWARE = ["harness_contract.django.ServerViewMiddleware", *MIDDLEWARE]   # first
    urlpatterns += [path("_harness/", include("harness_contract.django"))]

ServerViewMiddleware keeps what the server gave (client address, scheme, Host header) before
any other middleware may change request.META, and records each request for /seen.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import re_path
from django.views.decorators.csrf import csrf_exempt

from harness_contract.core import (
    PREFIX,
    SEEN,
    Answer,
    RequestView,
    answer,
    below_prefix,
    read_chunks,
)

_SERVER_VIEW = "harness_contract.server_view"


class ServerViewMiddleware:
    """Put it first in MIDDLEWARE: it snapshots the server's view of each request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        meta = request.META
        meta[_SERVER_VIEW] = {
            "remote_addr": meta.get("REMOTE_ADDR"),
            "scheme": meta.get("wsgi.url_scheme"),
            "host_header": meta.get("HTTP_HOST"),
        }
        SEEN.record(request.method or "", request.path)
        return self.get_response(request)


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
def contract(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Every contract route, below the prefix this URLconf is included at."""
    below = below_prefix(request.path_info, PREFIX) or "/" + rest
    result: Answer = answer(
        _view(request, below),
        lambda: read_chunks(request.read),
        lambda t: request.build_absolute_uri(PREFIX + t),
    )
    response = HttpResponse(result.body, status=result.status)
    for name, value in result.headers:
        response.headers[name] = value
    return response


urlpatterns: list[Any] = [re_path(r"^(?P<rest>.*)$", contract)]
