"""The app factory: the contract's routes on Flask, deployed the way a real deployment is.

With the app trust layer (`HARNESS_TRUST=app`, the default), werkzeug's ProxyFix applies the
`X-Forwarded-*` of `HARNESS_PROXY_HOPS` trusted proxies; with the server layer the app takes
what the server gives (REMOTE_ADDR, wsgi.url_scheme, Host) as it is, as Flask does bare;
Flask's `TRUSTED_HOSTS` refuses any other Host with 400 (but on /health); Flask's own static
route is off, so static files come from the proxy or not at all.
"""

from __future__ import annotations

import time

import redis
from flask import Flask, Response, current_app, jsonify, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import SecurityError
from werkzeug.middleware.proxy_fix import ProxyFix

from .caching import register_cache_routes
from .describe import wsgi_text
from .forms import register_form_routes
from .params import BadParameter
from .routes import health, register_routes
from .settings import Settings
from .state import AppState, current_state
from .store import SeenRequest, Store, StoreUnavailable

__all__ = ["create_app"]

# Health probes and reads of the log itself would drown the traffic a scenario looks for.
UNRECORDED_PATHS = frozenset({"/health", "/seen"})


def create_app(
    settings: Settings | None = None, *, redis_client: redis.Redis | None = None
) -> Flask:
    """Build the app from `settings` (the process environment if None).

    `redis_client` replaces the client the app would otherwise create from `REDIS_URL` on
    first use; tests pass a fakeredis client here.
    """
    settings = Settings.from_env() if settings is None else settings
    app = Flask(__name__, static_folder=None)
    app.config.update(
        TRUSTED_HOSTS=None if settings.allowed_hosts is None else list(settings.allowed_hosts),
        # /headers sets cookies of up to 1 MiB on purpose; werkzeug warns above 4093 bytes.
        MAX_COOKIE_SIZE=0,
    )
    AppState(settings, Store(settings.redis_url, redis_client)).install(app)
    register_routes(app)
    register_cache_routes(app)
    register_form_routes(app)
    app.before_request(record_seen)
    app.after_request(add_instance_header)
    app.register_error_handler(BadParameter, bad_parameter)
    app.register_error_handler(StoreUnavailable, store_unavailable)
    app.register_error_handler(SecurityError, untrusted_host)
    if settings.applies_forwarded_headers:
        hops = settings.proxy_hops
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=hops
        )
    return app


def record_seen() -> None:
    """Push the request to the shared seen log before it is handled.

    /health, /seen and requests refused for their Host are left out. When Redis is down
    the request goes on without its entry, and the loss is logged as a warning.
    """
    if request.path in UNRECORDED_PATHS or isinstance(request.routing_exception, SecurityError):
        return
    state = current_state()
    entry = SeenRequest(
        instance=state.settings.instance,
        method=request.method,
        path=request.path,
        query=wsgi_text(request.environ.get("QUERY_STRING", "")),
        t=time.time(),
    )
    try:
        state.store.record(entry)
    except StoreUnavailable as error:
        current_app.logger.warning(
            "%s %s is missing from /seen: %s", request.method, request.path, error
        )


def add_instance_header(response: Response) -> Response:
    """Name the replica that answered, on every response."""
    response.headers["X-Instance"] = current_state().settings.instance
    return response


def bad_parameter(error: BadParameter) -> ResponseReturnValue:
    """Answer a malformed query parameter with 400 and what was wrong."""
    return jsonify(error=str(error)), 400


def store_unavailable(error: StoreUnavailable) -> ResponseReturnValue:
    """Answer a Redis failure with 503: the route cannot be served without it."""
    current_app.logger.warning("%s %s: %s", request.method, request.path, error)
    return jsonify(error=str(error)), 503


def untrusted_host(error: SecurityError) -> ResponseReturnValue:
    """Refuse a Host outside `TRUSTED_HOSTS` with 400, except on /health.

    Flask checks the Host before routing, for every route; health probes from a load
    balancer or orchestrator often use an address as Host, so /health still answers.
    """
    if request.path == "/health" and request.method in {"GET", "HEAD"}:
        return health()
    return error
