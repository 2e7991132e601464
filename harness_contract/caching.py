"""Routes that say how a shared cache may keep them, and a file compressed already.

Each caching answer is JSON with a fresh random `token`, so a client can tell a cached answer
(the token of an earlier one) from a new one; /seen shows how many requests reached the app.
Any other query parameter is ignored: a marker makes a cache key of its own."""

from __future__ import annotations

import gzip
import os
import secrets
from urllib.parse import parse_qs

from harness_contract.model import (
    GET,
    Answer,
    BadParameter,
    Endpoint,
    Request,
    cookie,
    instance,
)

MAX_AGE_LIMIT = 3600
DEFAULT_MAX_AGE = 60
MAX_ARCHIVE = 1024 * 1024
PROBE_COOKIE = "cache_probe"
# ?kind= of /revalidate -> the headers of an answer that no shared cache may give again
# without asking the app: none at all (an app page's default), or freshness that is over.
REVALIDATE: dict[str, list[tuple[str, str]]] = {
    "none": [],
    "no-cache": [("Cache-Control", "no-cache")],
    "max-age-0": [("Cache-Control", "public, max-age=0")],
    "s-maxage-0": [("Cache-Control", "public, max-age=60, s-maxage=0")],
    "expired": [("Expires", "Thu, 01 Jan 1970 00:00:00 GMT")],
}


def _answer(cache_control: str, *extra: tuple[str, str], **fields: str) -> Answer:
    """A JSON answer with a fresh token and the given Cache-Control."""
    token = secrets.token_hex(8)
    body = {"token": token, "instance": instance(), **fields}
    return Answer.json(200, body, [("Cache-Control", cache_control), *extra])


def _max_age(request: Request) -> int:
    return request.number("max_age", DEFAULT_MAX_AGE, MAX_AGE_LIMIT)


def cacheable(request: Request) -> Answer:
    """`Cache-Control: public, max-age=<max_age>`, for POST answers too."""
    return _answer(f"public, max-age={_max_age(request)}")


def private(request: Request) -> Answer:
    """`Cache-Control: private, max-age=<max_age>`: for this client only."""
    return _answer(f"private, max-age={_max_age(request)}")


def no_store(request: Request) -> Answer:
    """`Cache-Control: no-store`: never kept by any cache."""
    return _answer("no-store")


def with_cookie(request: Request) -> Answer:
    """Public and fresh for max_age, but sets a cookie holding the token: one client's."""
    token = secrets.token_hex(8)
    headers = [
        ("Cache-Control", f"public, max-age={_max_age(request)}"),
        ("Set-Cookie", cookie(PROBE_COOKIE, token, request.view.is_secure)),
    ]
    return Answer.json(200, {"token": token, "instance": instance()}, headers)


def vary(request: Request) -> Answer:
    """Public for max_age, `Vary: Accept-Language`; the body names the language it was for."""
    language = request.view.header("Accept-Language")
    cache_control = f"public, max-age={_max_age(request)}"
    return _answer(cache_control, ("Vary", "Accept-Language"), variant=language)


def revalidate(request: Request) -> Answer:
    """A fresh token with the caching headers of `kind` (REVALIDATE): never reused unasked."""
    values = parse_qs(request.view.query_string).get("kind")
    kind = values[0] if values else "none"
    if kind not in REVALIDATE:
        raise BadParameter(
            f"query parameter 'kind' must be one of {', '.join(REVALIDATE)}, got {kind!r}"
        )
    body = {"token": secrets.token_hex(8), "instance": instance()}
    return Answer.json(200, body, REVALIDATE[kind])


def archive(request: Request) -> Answer:
    """`n` random bytes gzipped, as an `application/gzip` file: a proxy must not compress
    it again."""
    size = request.number("n", 1000, MAX_ARCHIVE)
    return Answer(200, [("Content-Type", "application/gzip")], gzip.compress(os.urandom(size)))


ROUTES = {
    "/cacheable": Endpoint(cacheable, {"GET", "HEAD", "POST"}),
    "/private": Endpoint(private, GET),
    "/no-store": Endpoint(no_store, GET),
    "/with-cookie": Endpoint(with_cookie, GET),
    "/vary": Endpoint(vary, GET),
    "/revalidate": Endpoint(revalidate, GET),
    "/archive": Endpoint(archive, GET),
}
