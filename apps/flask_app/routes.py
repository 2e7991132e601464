"""The routes of the app contract (apps/CONTRACT.md), one view function each."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator

from flask import Flask, Response, jsonify, redirect, request, url_for
from werkzeug.routing import Rule
from werkzeug.wrappers import Response as WerkzeugResponse

from . import params
from .describe import CHUNK_SIZE, describe_request, digest_stream
from .state import current_state

__all__ = ["register_routes"]

PAYLOAD_LINE = b"deploy-harness compressible payload\n"
# A whole number of lines, so consecutive blocks continue the pattern seamlessly.
PAYLOAD_BLOCK = PAYLOAD_LINE * (CHUNK_SIZE // len(PAYLOAD_LINE))


def health() -> Response:
    """Answer `ok`: the process is up. Never recorded, never refused for its Host."""
    return Response("ok", content_type="text/plain")


def echo(subpath: str = "") -> Response:
    """Describe the request as the framework saw it (see the contract's /echo JSON)."""
    return jsonify(describe_request(request, current_state().settings))


def upload() -> Response:
    """Hash the request body, read as a stream in 64 KiB chunks."""
    body = digest_stream(request.stream)
    instance = current_state().settings.instance
    return jsonify(size=body.size, sha256=body.sha256, instance=instance)


# A streamed answer asks a buffering proxy (nginx) to pass it on as it comes, as real apps do
# for their streaming routes; every other answer is buffered by the proxy, which frees the
# worker however slowly the client reads.
STREAMING_HEADERS = {"X-Accel-Buffering": "no"}


def stream() -> Response:
    """Send `count` JSON lines, the first at once, then one every `interval_ms`."""
    ticks = _paced_ticks(lambda tick: json.dumps(tick) + "\n")
    return Response(ticks, content_type="text/plain", headers=STREAMING_HEADERS)


def sse() -> Response:
    """Send `count` server-sent events, paced like /stream."""
    ticks = _paced_ticks(
        lambda tick: f"id: {tick['i']}\ndata: {json.dumps(tick, separators=(',', ':'))}\n\n"
    )
    headers = {"Cache-Control": "no-cache", **STREAMING_HEADERS}
    return Response(ticks, content_type="text/event-stream", headers=headers)


def _paced_ticks(render: Callable[[dict[str, object]], str]) -> Iterator[str]:
    """Validate /stream's parameters now, then yield each rendered tick as it is due.

    The parameters are read before the generator starts, so a bad value is a 400, not a
    broken stream; the generator itself needs no request context.
    """
    count = params.bounded_int(request.args, "count", default=5, maximum=params.MAX_COUNT)
    interval_ms = params.bounded_int(
        request.args, "interval_ms", default=100, maximum=params.MAX_INTERVAL_MS
    )
    instance = current_state().settings.instance

    def ticks() -> Iterator[str]:
        for i in range(count):
            if i:
                time.sleep(interval_ms / 1000)
            yield render({"i": i, "t": time.time(), "instance": instance})

    return ticks()


def sleep() -> Response:
    """Sleep `ms` milliseconds, then say so (GET, or POST: a body is ignored)."""
    ms = params.bounded_int(request.args, "ms", default=100, maximum=params.MAX_SLEEP_MS)
    time.sleep(ms / 1000)
    return jsonify(slept_ms=ms, instance=current_state().settings.instance)


def redirect_to_echo() -> WerkzeugResponse:
    """Redirect to the absolute URL of /echo?redirected=1, built from the request seen."""
    return redirect(url_for("echo", redirected=1, _external=True), code=302)


def built_urls() -> Response:
    """The URLs Flask builds for this request: a named route (absolute) and a static file
    (path), below the script root (ProxyFix's X-Forwarded-Prefix, or the server's
    SCRIPT_NAME). Flask's static route is off (the proxy serves them), so the static URL is
    the script root and `/static/`, as `url_for("static", ...)` would give; no WebSocket."""
    return jsonify(
        echo=url_for("echo", _external=True),
        static=f"{request.script_root}/static/hello.txt",
        websocket=None,
        script_name=request.script_root,
    )


def large_headers() -> Response:
    """Answer with a `size`-byte header `X-Large` and a `size`-byte cookie `big`."""
    size = params.bounded_int(request.args, "size", default=100, maximum=params.MAX_HEADER_SIZE)
    response = jsonify(size=size)
    response.headers["X-Large"] = "a" * size
    _set_cookie(response, "big", "b" * size)
    return response


def payload_bytes() -> Response:
    """Stream exactly `n` bytes of a compressible repeated line, with a Content-Length."""
    n = params.bounded_int(request.args, "n", default=1000, maximum=params.MAX_BYTES)

    def chunks() -> Iterator[bytes]:
        full_blocks, rest = divmod(n, len(PAYLOAD_BLOCK))
        for _ in range(full_blocks):
            yield PAYLOAD_BLOCK
        if rest:
            yield PAYLOAD_BLOCK[:rest]

    return Response(chunks(), content_type="text/plain", headers={"Content-Length": str(n)})


def cookie() -> Response:
    """Set the cookie `session_probe=1`, `Secure` only when the request is secure."""
    response = jsonify(secure=request.is_secure)
    _set_cookie(response, "session_probe", "1")
    return response


def _set_cookie(response: Response, name: str, value: str) -> None:
    """Set a cookie with the contract's attributes: `Secure` exactly when the request is."""
    response.set_cookie(
        name, value, path="/", httponly=True, samesite="Lax", secure=request.is_secure
    )


def counter_value() -> Response:
    """Return the shared counter `key` without changing it."""
    key = params.required_text(request.args, "key")
    return jsonify(key=key, value=current_state().store.counter(key))


def counter_increment() -> Response:
    """Atomically increment the shared counter `key` and return its new value."""
    key = params.required_text(request.args, "key")
    return jsonify(key=key, value=current_state().store.increment(key))


def seen() -> Response:
    """Return the newest `limit` requests recorded by any replica, newest first."""
    limit = params.bounded_int(request.args, "limit", default=200, maximum=params.MAX_SEEN_LIMIT)
    return jsonify(requests=current_state().store.seen(limit))


def register_routes(app: Flask) -> None:
    """Add every route of the contract to `app`."""
    # "ANY /echo" means any method, including ones Flask has no name for. add_url_rule
    # always restricts methods (to GET when none are given); a werkzeug Rule without
    # methods matches every one, and the view then answers OPTIONS itself.
    app.url_map.add(Rule("/echo", endpoint="echo"))
    app.url_map.add(Rule("/echo/<path:subpath>", endpoint="echo"))
    app.view_functions["echo"] = echo

    app.add_url_rule("/health", view_func=health)
    app.add_url_rule("/upload", view_func=upload, methods=["POST"])
    app.add_url_rule("/stream", view_func=stream)
    app.add_url_rule("/sse", view_func=sse)
    app.add_url_rule("/sleep", view_func=sleep, methods=["GET", "POST"])
    app.add_url_rule("/redirect", view_func=redirect_to_echo)
    app.add_url_rule("/urls", view_func=built_urls)
    app.add_url_rule("/headers", view_func=large_headers)
    app.add_url_rule("/bytes", view_func=payload_bytes)
    app.add_url_rule("/cookie", view_func=cookie)
    app.add_url_rule("/counter", view_func=counter_value, methods=["GET"])
    app.add_url_rule(
        "/counter", endpoint="counter_increment", view_func=counter_increment, methods=["POST"]
    )
    app.add_url_rule("/seen", view_func=seen)
