"""Failure hints for the prefix scenarios: the directives that publish an app under its URL
prefix on each proxy, and the setting that tells each server or framework
(harness/spec/prefix.py decides which applies)."""

from __future__ import annotations

from harness.spec.model import ProxyKind, ServerKind, StackSpec
from harness.spec.prefix import PrefixHandling, prefix_handling


def _server_root_setting(spec: StackSpec, root: str) -> str:
    return {
        ServerKind.GUNICORN: f'gunicorn.conf.py raw_env = ["SCRIPT_NAME={root}"]',
        ServerKind.UVICORN: f"uvicorn --root-path {root}",
        ServerKind.DAPHNE: f"daphne --root-path {root}",
        ServerKind.HYPERCORN: f"hypercorn --root-path {root}",
        ServerKind.GRANIAN: f"granian --url-path-prefix {root}",
        ServerKind.WAITRESS: f"waitress-serve --url-prefix={root}",
    }.get(spec.server, f"the server's root setting ({root})")


def how_the_app_is_told(spec: StackSpec) -> str:
    """The directives that publish the app under its prefix and tell it, for failure hints."""
    prefix = spec.prefix or ""
    handling = prefix_handling(spec)
    strip = {
        ProxyKind.NGINX: f"nginx `location {prefix}/ {{ proxy_pass http://app/; }}` (the URI "
        "part of proxy_pass replaces the prefix)",
        ProxyKind.APACHE: f"Apache `ProxyPass {prefix}/ balancer://app/`",
        ProxyKind.HAPROXY: f"HAProxy `http-request replace-path {prefix}(/.*) \\1`",
    }[spec.proxy]
    keep = {
        ProxyKind.NGINX: f"nginx `location {prefix}/ {{ proxy_pass http://app; }}` (no URI "
        "part: the whole path goes on)",
        ProxyKind.APACHE: f"Apache `ProxyPass {prefix}/ balancer://app{prefix}/`",
        ProxyKind.HAPROXY: "HAProxy passing the path unchanged (no replace-path)",
    }[spec.proxy]
    if handling == PrefixHandling.FORWARDED:
        header = {
            ProxyKind.NGINX: f'proxy_set_header X-Forwarded-Prefix "{prefix}"',
            ProxyKind.APACHE: f'RequestHeader set X-Forwarded-Prefix "{prefix}"',
            ProxyKind.HAPROXY: f"http-request set-header X-Forwarded-Prefix {prefix}",
        }[spec.proxy]
        return f"{strip}, `{header}`, and werkzeug's ProxyFix(x_prefix=1) in the app"
    if handling == PrefixHandling.ADDED_ROOT:
        return f"{strip}, and {_server_root_setting(spec, prefix)} (it adds the root back)"
    return f"{keep}, and {_server_root_setting(spec, prefix)} (it splits the root off)"


def static_location(spec: StackSpec) -> str:
    """The proxy directive that serves static files below the prefix."""
    prefix = spec.prefix or ""
    return {
        ProxyKind.NGINX: f"nginx `location {prefix}/static/ {{ alias /srv/static/; }}`",
        ProxyKind.APACHE: f'Apache `Alias {prefix}/static/ "/srv/static/"` and '
        f"`ProxyPass {prefix}/static/ !`",
        ProxyKind.HAPROXY: "HAProxy `http-request use-service lua.static if { path_beg "
        f"{prefix}/static/ }}` (and the Lua service's prefix)",
    }[spec.proxy]


def websocket_location(spec: StackSpec) -> str:
    """The proxy directive that passes WebSockets on below the prefix."""
    prefix = spec.prefix or ""
    return {
        ProxyKind.NGINX: f"nginx `location {prefix}/ws/` with proxy_http_version 1.1 and the "
        "Upgrade and Connection headers",
        ProxyKind.APACHE: f"Apache `ProxyPass {prefix}/ws/ balancer://ws/` (members with "
        "upgrade=websocket)",
        ProxyKind.HAPROXY: "HAProxy's frontend rules for the prefix, which the upgrade passes too",
    }[spec.proxy]


def outside_refusal(spec: StackSpec) -> str:
    """The proxy directive that keeps paths outside the prefix away from the app."""
    prefix = spec.prefix or ""
    return {
        ProxyKind.NGINX: f"nginx: only `location {prefix}/` passes to the app, no `location /`",
        ProxyKind.APACHE: f"Apache: only `ProxyPass {prefix}/ ...`, no `ProxyPass /`",
        ProxyKind.HAPROXY: "HAProxy `http-request return status 404 ... unless { path_beg "
        f"{prefix}/ }}`",
    }[spec.proxy]
