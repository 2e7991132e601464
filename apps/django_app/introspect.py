"""What the app saw of a request, the same way under WSGI and ASGI.

Django hides the difference between the two interfaces; these helpers look behind it only
where the contract asks for what the server itself exposed (raw path, separate header lines).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from django.core.handlers.asgi import ASGIRequest
from django.http import HttpRequest

# The contract's chunk size for reading request bodies.
READ_CHUNK_BYTES = 64 * 1024

# Under WSGI only the server knows the request-target as sent; these are the keys
# gunicorn (RAW_URI) and uWSGI or granian (REQUEST_URI) put it under.
RAW_URI_KEYS = ("RAW_URI", "REQUEST_URI")
# WSGI's two headers without the HTTP_ prefix.
UNPREFIXED_HEADERS = {"CONTENT_TYPE": "content-type", "CONTENT_LENGTH": "content-length"}


@dataclass(frozen=True, slots=True)
class BodyDigest:
    """Size and SHA-256 of a request body."""

    size: int
    sha256: str


def interface(request: HttpRequest) -> Literal["asgi", "wsgi"]:
    """``asgi`` when Django's ASGI handler built the request, else ``wsgi``."""
    return "asgi" if isinstance(request, ASGIRequest) else "wsgi"


def raw_path(request: HttpRequest) -> str | None:
    """The path as the client sent it, still percent-encoded, or None if the server hides it.

    ASGI: the scope's ``raw_path``. WSGI: the server's ``RAW_URI`` or ``REQUEST_URI``, without
    its query string (and without scheme and authority, should the target be absolute-form).
    """
    if isinstance(request, ASGIRequest):
        raw = request.scope.get("raw_path")
        # The ASGI spec excludes the query string; cut it anyway in case a server does not.
        return raw.decode("latin-1").split("?", 1)[0] if raw else None
    for key in RAW_URI_KEYS:
        target = str(request.META.get(key) or "")
        if target:
            return urlsplit(target).path if "://" in target else target.split("?", 1)[0]
    return None


def script_name(request: HttpRequest) -> str:
    """The mount prefix Django resolved: WSGI's ``SCRIPT_NAME`` or ASGI's ``root_path``."""
    return str(request.META.get("SCRIPT_NAME", ""))


def header_map(request: HttpRequest) -> dict[str, str]:
    """Request headers by lower-cased name, repeated headers joined with ``", "``.

    Under ASGI the scope still has each header line, so they are joined here (skipping names
    with ``_``, which Django drops to prevent spoofing); under WSGI the server has already
    merged them into one environ value.
    """
    if isinstance(request, ASGIRequest):
        return _asgi_headers(request)
    return _wsgi_headers(request)


def _asgi_headers(request: ASGIRequest) -> dict[str, str]:
    lines: dict[str, list[str]] = {}
    for raw_name, raw_value in request.scope.get("headers", []):
        name = raw_name.decode("latin-1").lower()
        if "_" not in name:
            lines.setdefault(name, []).append(raw_value.decode("latin-1"))
    return {name: ", ".join(values) for name, values in lines.items()}


def _wsgi_headers(request: HttpRequest) -> dict[str, str]:
    headers: dict[str, str] = {}
    for key, value in request.META.items():
        if key.startswith("HTTP_"):
            headers[key[5:].lower().replace("_", "-")] = value
        elif key in UNPREFIXED_HEADERS and value:
            headers[UNPREFIXED_HEADERS[key]] = value
    return headers


def digest_body(request: HttpRequest) -> BodyDigest:
    """Read the body as a stream, 64 KiB at a time, and return its size and SHA-256.

    ``request.read`` bypasses ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (only ``request.body`` and form
    parsing enforce it), so uploads of any size are hashed without being held in memory.
    """
    sha256 = hashlib.sha256()
    size = 0
    while chunk := request.read(READ_CHUNK_BYTES):
        sha256.update(chunk)
        size += len(chunk)
    return BodyDigest(size=size, sha256=sha256.hexdigest())


def server_view(request: HttpRequest) -> dict[str, str | None]:
    """The client address, scheme and Host header as the SERVER gave them, before Django's
    own trust layer: WSGI's REMOTE_ADDR and wsgi.url_scheme, or the ASGI scope's client and
    scheme; the Host header as received."""
    remote = request.META.get("HARNESS_SERVER_REMOTE_ADDR", request.META.get("REMOTE_ADDR"))
    if isinstance(request, ASGIRequest):
        scheme = request.scope.get("scheme")
    else:
        scheme = request.META.get("wsgi.url_scheme")
    return {
        "remote_addr": None if remote is None else str(remote),
        "scheme": None if scheme is None else str(scheme),
        "host_header": request.META.get("HTTP_HOST"),
    }
