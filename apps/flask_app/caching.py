"""Routes that declare how a shared cache may keep them (apps/CONTRACT.md, "Caching").

Each answer is JSON with a fresh random `token`, so a client can tell a cached answer (the
token of an earlier answer) from a new one; /seen shows how many requests reached the app.
"""

from __future__ import annotations

import gzip
import os
import secrets

from flask import Flask, Response, jsonify, request

from . import params
from .state import current_state

__all__ = ["MAX_AGE_LIMIT", "register_cache_routes"]

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


def _answer(cache_control: str, **extra: str) -> Response:
    """A JSON answer with a fresh token and the given Cache-Control."""
    token = secrets.token_hex(8)
    instance = current_state().settings.instance
    response = jsonify(token=token, instance=instance, **extra)
    response.headers["Cache-Control"] = cache_control
    return response


def _max_age() -> int:
    return params.bounded_int(
        request.args, "max_age", default=DEFAULT_MAX_AGE, maximum=MAX_AGE_LIMIT
    )


def cacheable() -> Response:
    """Any method: `Cache-Control: public, max-age=<max_age>` (POST answers say so too)."""
    return _answer(f"public, max-age={_max_age()}")


def private() -> Response:
    """`Cache-Control: private, max-age=<max_age>`: for this client only."""
    return _answer(f"private, max-age={_max_age()}")


def no_store() -> Response:
    """`Cache-Control: no-store`: never kept by any cache."""
    return _answer("no-store")


def with_cookie() -> Response:
    """Public and fresh for max_age, but sets a cookie holding the token: one client's."""
    response = _answer(f"public, max-age={_max_age()}")
    token = response.get_json()["token"]
    response.set_cookie(
        PROBE_COOKIE, token, path="/", httponly=True, samesite="Lax", secure=request.is_secure
    )
    return response


def vary() -> Response:
    """Public for max_age, `Vary: Accept-Language`; the body names the language it was for."""
    language = request.headers.get("Accept-Language", "")
    response = _answer(f"public, max-age={_max_age()}", variant=language)
    response.headers["Vary"] = "Accept-Language"
    return response


def revalidate() -> Response:
    """A fresh token with the caching headers of `kind` (REVALIDATE): never reused unasked."""
    kind = request.args.get("kind", "none")
    if kind not in REVALIDATE:
        raise params.BadParameter(
            f"query parameter 'kind' must be one of {', '.join(REVALIDATE)}, got {kind!r}"
        )
    token = secrets.token_hex(8)
    response = jsonify(token=token, instance=current_state().settings.instance)
    response.headers.update(REVALIDATE[kind])
    return response


def archive() -> Response:
    """`n` random bytes, gzipped, as an `application/gzip` file: compressed already."""
    n = params.bounded_int(request.args, "n", default=1000, maximum=params.MAX_HEADER_SIZE)
    return Response(gzip.compress(os.urandom(n)), content_type="application/gzip")


def register_cache_routes(app: Flask) -> None:
    """Add the caching (and the already-compressed /archive) routes of the contract."""
    app.add_url_rule("/cacheable", view_func=cacheable, methods=["GET", "POST"])
    app.add_url_rule("/private", view_func=private)
    app.add_url_rule("/no-store", view_func=no_store)
    app.add_url_rule("/with-cookie", view_func=with_cookie)
    app.add_url_rule("/vary", view_func=vary)
    app.add_url_rule("/revalidate", view_func=revalidate)
    app.add_url_rule("/archive", view_func=archive)
