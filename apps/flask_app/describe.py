"""What the app saw of a request: the body digest of /upload and the JSON of /echo."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from typing import IO, Any

from flask import Request
from werkzeug.datastructures import EnvironHeaders
from werkzeug.urls import iri_to_uri

from .settings import Settings

__all__ = ["CHUNK_SIZE", "BodyDigest", "describe_request", "digest_stream"]

CHUNK_SIZE = 64 * 1024

# WSGI servers that keep the request target as sent put it under one of these keys:
# gunicorn's RAW_URI, uWSGI's (and CGI's) REQUEST_URI.
RAW_URI_KEYS = ("RAW_URI", "REQUEST_URI")


@dataclass(frozen=True, slots=True)
class BodyDigest:
    """The length and SHA-256 of a request body."""

    size: int
    sha256: str


def digest_stream(stream: IO[bytes]) -> BodyDigest:
    """Read `stream` to its end in 64 KiB chunks, never holding more than one in memory."""
    digest = hashlib.sha256()
    size = 0
    while chunk := stream.read(CHUNK_SIZE):
        digest.update(chunk)
        size += len(chunk)
    return BodyDigest(size=size, sha256=digest.hexdigest())


def describe_request(request: Request, settings: Settings) -> dict[str, Any]:
    """Return /echo's JSON: the request as the framework understood it, and who answered."""
    body = digest_stream(request.stream)
    return {
        "method": request.method,
        "path": request.path,
        "raw_path": raw_path(request.environ),
        "query_string": wsgi_text(request.environ.get("QUERY_STRING", "")),
        "args": request.args.to_dict(flat=False),
        "headers": received_headers(request.environ),
        "remote_addr": request.remote_addr,
        "scheme": request.scheme,
        "is_secure": request.is_secure,
        "host": request.host,
        # werkzeug builds an IRI (é, not %C3%A9); the contract and Django give the URI.
        "url": iri_to_uri(request.url),
        "script_name": request.script_root,
        "body_length": body.size,
        "body_sha256": body.sha256,
        "instance": settings.instance,
        "pid": os.getpid(),
        "server": settings.server,
        "framework": "flask",
        "interface": settings.interface,
        "trust": settings.trust,
        "server_view": server_view(request.environ),
    }


def server_view(environ: dict[str, Any]) -> dict[str, str | None]:
    """The client address, scheme and Host header as the SERVER gave them to the app, before
    the app's own trust layer (ProxyFix keeps the originals under `werkzeug.proxy_fix.orig`)."""
    original = environ.get("werkzeug.proxy_fix.orig") or environ
    return {
        "remote_addr": original.get("REMOTE_ADDR"),
        "scheme": original.get("wsgi.url_scheme"),
        "host_header": original.get("HTTP_HOST"),
    }


def wsgi_text(value: str) -> str:
    """Decode a WSGI "bytes as latin-1" string as the UTF-8 the client most likely sent."""
    return value.encode("latin-1").decode("utf-8", errors="replace")


def raw_path(environ: dict[str, Any]) -> str | None:
    """Return the path as the client sent it, without the query, or None if not exposed."""
    for key in RAW_URI_KEYS:
        target = environ.get(key)
        if target:
            return wsgi_text(target.partition("?")[0])
    return None


def received_headers(environ: dict[str, Any]) -> dict[str, str]:
    """Return the request headers as they arrived: lower-cased names, repeats joined.

    ProxyFix rewrites `Host` from `X-Forwarded-Host`; the original value is restored here,
    so `headers` shows what the proxy sent and `host` what the framework concluded.
    """
    original = {**environ}
    for key, value in environ.get("werkzeug.proxy_fix.orig", {}).items():
        if value is None:
            original.pop(key, None)
        else:
            original[key] = value
    headers: dict[str, str] = {}
    for name, value in EnvironHeaders(original).items():
        key = name.lower()
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    return headers
