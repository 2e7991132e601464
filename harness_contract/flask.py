"""The contract as a Flask blueprint: /echo reports what Flask makes of the request, through
YOUR app (its ProxyFix, TRUSTED_HOSTS, SERVER_NAME, script root).

    from harness_contract.flask import contract_blueprint
    app.register_blueprint(contract_blueprint())          # routes below /_harness

Every request the app handles is recorded for /seen, not only the contract's (but the
prefix's /health and /seen), and every answer below the prefix names the replica
(`X-Instance`), Flask's own errors there included. /stream and /sse are streamed responses,
each piece sent when it is made; /form is a CSRF check of its own (Flask has none). The server's
own view (client address, scheme, Host header) is what the server gave: when werkzeug's
ProxyFix rewrote the request, the values it kept from before.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask import Blueprint, Response, request
from werkzeug.urls import iri_to_uri

from harness_contract.core import (
    CHUNK,
    PREFIX,
    SEEN,
    RequestView,
    answer,
    below_prefix,
)
from harness_contract.model import INSTANCE_HEADER, instance
from harness_contract.seen import recorded

__all__ = ["contract_blueprint"]

# Every method: /echo answers ANY, and OPTIONS must reach it rather than Flask's default.
_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
# Where werkzeug's ProxyFix keeps the environ values it replaced.
_PROXY_FIX_ORIGINAL = "werkzeug.proxy_fix.orig"
_RECORDED = "harness_contract.recorded"


def contract_blueprint(prefix: str = PREFIX, name: str = "harness_contract") -> Blueprint:
    """A blueprint answering the contract's routes below `prefix`; register it on your app."""
    blueprint = Blueprint(name, __name__)

    @blueprint.before_app_request
    def record() -> None:
        if _RECORDED in request.environ:  # by the blueprint of another prefix
            return
        request.environ[_RECORDED] = True
        if recorded(request.path, prefix):
            SEEN.record(request.method, request.path, _query())

    @blueprint.after_app_request
    def name_the_replica(response: Response) -> Response:
        # Flask's own answers below the prefix too (a Host refused by TRUSTED_HOSTS, a 413).
        if below_prefix(request.path, prefix) is not None:
            response.headers[INSTANCE_HEADER] = instance()
        return response

    def contract(rest: str = "") -> Response:
        below = below_prefix(request.path, prefix) or "/" + rest
        result = answer(
            _view(below, prefix),
            _body_chunks,
            lambda target: request.url_root + (prefix + target).lstrip("/"),
        )
        # A stream is iterated by the server piece by piece (Flask sets no Content-Length);
        # werkzeug leaves it unstarted for HEAD.
        content = result.body if result.stream is None else iter(result.stream)
        response = Response(content, status=result.status, headers=result.headers)
        if not any(name == "Content-Type" for name, _ in result.headers):
            del response.headers["Content-Type"]  # Flask's text/html default, on a redirect
        return response

    for rule in (prefix, f"{prefix}/<path:rest>"):
        blueprint.add_url_rule(
            rule, "contract", contract, methods=_METHODS, provide_automatic_options=False
        )
    return blueprint


def _query() -> str:
    return request.query_string.decode("utf-8", errors="replace")


def _body_chunks() -> Iterator[bytes]:
    """The request body, CHUNK by CHUNK, through Flask's stream (so MAX_CONTENT_LENGTH holds),
    never reading past a declared Content-Length nor, for a chunked body, past a stream
    werkzeug calls exhausted: where the server marks its input terminated (gunicorn) werkzeug
    answers such a read 413, for a body exactly at the limit."""
    stream, left = request.stream, request.content_length
    if left is None:  # chunked: read as werkzeug's own readall does, never past the limit
        while not getattr(stream, "is_exhausted", False) and (chunk := stream.read(CHUNK)):
            yield chunk
        return
    while left > 0 and (chunk := stream.read(min(CHUNK, left))):
        left -= len(chunk)
        yield chunk


def _server_view() -> dict[str, str | None]:
    environ: dict[str, Any] = request.environ
    original = {**environ, **environ.get(_PROXY_FIX_ORIGINAL, {})}
    return {
        "remote_addr": original.get("REMOTE_ADDR"),
        "scheme": original.get("wsgi.url_scheme"),
        "host_header": original.get("HTTP_HOST"),
    }


def _view(below: str, prefix: str) -> RequestView:
    raw = str(request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI") or "")
    return RequestView(
        method=request.method,
        path=below,
        raw_path=raw.split("?", 1)[0],
        query_string=_query(),
        headers=dict(request.headers),
        remote_addr=request.remote_addr,
        scheme=request.scheme,
        is_secure=request.is_secure,
        host=request.host,
        url=iri_to_uri(request.url),  # werkzeug decodes it; the contract reports it as sent
        script_name=request.script_root + prefix,
        server_view=_server_view(),
        framework="flask",
    )
