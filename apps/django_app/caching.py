"""Routes that declare how a shared cache may keep them (apps/CONTRACT.md, "Caching").

Each answer is JSON with a fresh random ``token``, so a client can tell a cached answer (the
token of an earlier answer) from a new one; ``/seen`` shows how many requests reached the app.
"""

from __future__ import annotations

import gzip
import os
import secrets

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from django_app.params import (
    MAX_HEADER_SIZE,
    BadParameter,
    int_param,
    rejects_bad_parameters,
)

MAX_AGE_LIMIT = 3600
DEFAULT_MAX_AGE = 60
PROBE_COOKIE = "cache_probe"
# ?kind= of /revalidate -> the headers of an answer that no shared cache may give again
# without asking the app: none at all (an app page's default), or freshness that is over.
REVALIDATE = {
    "none": {},
    "no-cache": {"Cache-Control": "no-cache"},
    "max-age-0": {"Cache-Control": "public, max-age=0"},
    "s-maxage-0": {"Cache-Control": "public, max-age=60, s-maxage=0"},
    "expired": {"Expires": "Thu, 01 Jan 1970 00:00:00 GMT"},
}


def _answer(cache_control: str, **extra: str) -> JsonResponse:
    """A JSON answer with a fresh token and the given Cache-Control."""
    token = secrets.token_hex(8)
    response = JsonResponse({"token": token, "instance": settings.HARNESS_INSTANCE, **extra})
    response.headers["Cache-Control"] = cache_control
    return response


def _max_age(request: HttpRequest) -> int:
    return int_param(request, "max_age", default=DEFAULT_MAX_AGE, maximum=MAX_AGE_LIMIT)


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
@rejects_bad_parameters
def cacheable(request: HttpRequest) -> HttpResponse:
    """``Cache-Control: public, max-age=<max_age>`` (POST answers say so too)."""
    return _answer(f"public, max-age={_max_age(request)}")


@require_safe
@rejects_bad_parameters
def private(request: HttpRequest) -> HttpResponse:
    """``Cache-Control: private, max-age=<max_age>``: for this client only."""
    return _answer(f"private, max-age={_max_age(request)}")


@require_safe
def no_store(request: HttpRequest) -> HttpResponse:
    """``Cache-Control: no-store``: never kept by any cache."""
    return _answer("no-store")


@require_safe
@rejects_bad_parameters
def with_cookie(request: HttpRequest) -> HttpResponse:
    """Public and fresh for max_age, but sets a cookie holding the token: one client's."""
    token = secrets.token_hex(8)
    response = JsonResponse({"token": token, "instance": settings.HARNESS_INSTANCE})
    response.headers["Cache-Control"] = f"public, max-age={_max_age(request)}"
    response.set_cookie(
        PROBE_COOKIE, token, path="/", httponly=True, samesite="Lax", secure=request.is_secure()
    )
    return response


@require_safe
@rejects_bad_parameters
def vary(request: HttpRequest) -> HttpResponse:
    """Public for max_age, ``Vary: Accept-Language``; the body names the language it was for."""
    language = request.headers.get("Accept-Language", "")
    response = _answer(f"public, max-age={_max_age(request)}", variant=language)
    response.headers["Vary"] = "Accept-Language"
    return response


@require_safe
@rejects_bad_parameters
def revalidate(request: HttpRequest) -> HttpResponse:
    """A fresh token with the caching headers of ``kind`` (REVALIDATE): never reused unasked."""
    kind = request.GET.get("kind", "none")
    if kind not in REVALIDATE:
        raise BadParameter(
            f"query parameter 'kind' must be one of {', '.join(REVALIDATE)}, got {kind!r}"
        )
    response = JsonResponse({"token": secrets.token_hex(8), "instance": settings.HARNESS_INSTANCE})
    for name, value in REVALIDATE[kind].items():
        response.headers[name] = value
    return response


@require_safe
@rejects_bad_parameters
def archive(request: HttpRequest) -> HttpResponse:
    """``n`` random bytes, gzipped, as an ``application/gzip`` file: compressed already."""
    size = int_param(request, "n", default=1000, maximum=MAX_HEADER_SIZE)
    return HttpResponse(gzip.compress(os.urandom(size)), content_type="application/gzip")
