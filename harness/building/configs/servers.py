"""Command lines and config files for each server, from the stack spec."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from harness.building.configs.model import HARNESS_ETC, ConfigFile
from harness.spec.model import (
    APP_PORT,
    Framework,
    Interface,
    Protocol,
    ServerKind,
    StackSpec,
    Trust,
    WorkerClass,
)
from harness.spec.prefix import PrefixHandling

_ENTRY_POINTS = {
    (Framework.FLASK, Interface.WSGI): "flask_app.wsgi:app",
    (Framework.DJANGO, Interface.WSGI): "django_app.wsgi:application",
    (Framework.DJANGO, Interface.ASGI): "django_app.asgi:application",
}
_GUNICORN_WORKERS = {
    WorkerClass.SYNC: "sync",
    WorkerClass.GTHREAD: "gthread",
    WorkerClass.UVICORN: "uvicorn.workers.UvicornWorker",
}
# Which peers a server believes X-Forwarded-* from, when the stack trusts the server layer.
# Only the proxy can reach a replica (private network, no published port), so the trust is
# open here; the proxy's address is not known when configs are rendered. With "*" uvicorn
# takes the LEFTMOST X-Forwarded-For entry as the client, which is safe only because our
# proxies, at the edge, replace a client's X-Forwarded-For with the address they saw instead
# of appending to it (test_client_supplied_forwarded_for_is_not_client_address holds them to
# it).
TRUSTED_PROXIES = "*"
# With the app layer, the server trusts no peer: gunicorn's and uvicorn's own default.
UNTRUSTED_PROXIES = "127.0.0.1"
# daphne's --proxy-headers also takes the leftmost X-Forwarded-For entry, with no trust list,
# so it reads the client address from X-Real-IP, which every proxy config overwrites.
DAPHNE_CLIENT_HEADER = "X-Real-IP"
# The forwarded headers waitress applies on the server layer: the client address and scheme,
# like uvicorn's --proxy-headers. The Host header itself is the public host (the proxies keep
# it), so X-Forwarded-Host and -Port are not needed and waitress clears them.
WAITRESS_TRUSTED_HEADERS = "x-forwarded-for x-forwarded-proto"


def entry_point(spec: StackSpec) -> str:
    assert spec.interface is not None
    return _ENTRY_POINTS[(spec.framework, spec.interface)]


def server_files(spec: StackSpec, render: Callable[[str], str]) -> tuple[ConfigFile, ...]:
    """The server's config file rendered from our template, for servers that read one."""
    name = {ServerKind.GUNICORN: "gunicorn.conf.py", ServerKind.UWSGI: "uwsgi.ini"}.get(spec.server)
    if name is None:
        return ()
    return (ConfigFile(f"{HARNESS_ETC}/{name}", render(f"{name}.j2")),)


def server_context(spec: StackSpec) -> dict[str, Any]:
    return {
        "wsgi_module": entry_point(spec),
        "gunicorn_worker_class": _GUNICORN_WORKERS.get(spec.worker_class or WorkerClass.GTHREAD),
        "trusted_proxies": _trusted(spec),
        # gunicorn runs gthread whenever threads > 1, whatever worker_class says.
        "gunicorn_threads": spec.threads if spec.worker_class == WorkerClass.GTHREAD else 1,
        "uwsgi_buffer_size": min(65535, max(8192, 4 * spec.limits.max_header_bytes)),
        # gunicorn splits SCRIPT_NAME (its environment) off the path: the prefix's root.
        "gunicorn_script_name": _server_root(spec),
        "server_answers_expect": server_answers_expect(spec),
        "sync_workers": spec.sync_workers,
    }


def _server_root(spec: StackSpec) -> str:
    """The root the server itself is given, when the stack tells the server layer
    (harness/spec/prefix.py): "" when the app is at the root or the app layer is told."""
    if spec.prefix and spec.prefix_handling in (
        PrefixHandling.SERVER_ROOT, PrefixHandling.ADDED_ROOT
    ):
        return spec.prefix
    return ""


def _root_args(spec: StackSpec, option: str) -> list[str]:
    """`option ROOT` for a server given the prefix's root, else nothing."""
    root = _server_root(spec)
    return [option, root] if root else []


def server_answers_expect(spec: StackSpec) -> bool:
    """Whether the server answers `Expect: 100-continue` with 100 Continue over HTTP.

    uWSGI's http-socket ignores the expectation (its `http-manage-expect` is for the HTTP
    router only): a proxy that passes it on must answer it itself, or the client waits.
    """
    return not (spec.server == ServerKind.UWSGI and spec.protocol == Protocol.HTTP)


def _trusted(spec: StackSpec) -> str:
    """The peers the server believes forwarded headers from: the proxy only on the server
    layer; none on the app layer, so the app's own rule is the only one applied."""
    return TRUSTED_PROXIES if spec.trust == Trust.SERVER else UNTRUSTED_PROXIES


def _gunicorn(spec: StackSpec) -> list[str]:
    return ["gunicorn", "-c", f"{HARNESS_ETC}/gunicorn.conf.py", entry_point(spec)]


def _uwsgi(spec: StackSpec) -> list[str]:
    return ["uwsgi", "--ini", f"{HARNESS_ETC}/uwsgi.ini"]


def _ws_ping_interval(spec: StackSpec) -> str:
    """Half the proxy's WebSocket idle timeout, so server pings keep an idle socket open."""
    return str(max(1, int(spec.timeouts.websocket_idle / 2)))


def _uvicorn(spec: StackSpec) -> list[str]:
    t = spec.timeouts
    return [
        "uvicorn", entry_point(spec), "--host", "0.0.0.0", "--port", str(APP_PORT),
        "--workers", str(spec.workers), "--timeout-keep-alive", str(int(t.keepalive)),
        "--timeout-graceful-shutdown", str(int(t.graceful)),
        *(["--proxy-headers", "--forwarded-allow-ips", TRUSTED_PROXIES]
          if spec.trust == Trust.SERVER else ["--no-proxy-headers"]),
        "--ws-ping-interval", _ws_ping_interval(spec),
        *(["--http", str(spec.http_parser)] if spec.http_parser else []),
        *_root_args(spec, "--root-path"),
    ]  # fmt: skip


def _daphne(spec: StackSpec) -> list[str]:
    # daphne runs one process (no workers) and has no keep-alive setting.
    t = spec.timeouts
    return [
        "daphne", "-b", "0.0.0.0", "-p", str(APP_PORT),
        *(["--proxy-headers", "--proxy-headers-host", DAPHNE_CLIENT_HEADER]
          if spec.trust == Trust.SERVER else []),
        "--http-timeout", str(int(t.worker)),
        "--application-close-timeout", str(int(t.graceful)),
        "--ping-interval", _ws_ping_interval(spec),
        *_root_args(spec, "--root-path"),
        entry_point(spec),
    ]  # fmt: skip


def _hypercorn(spec: StackSpec) -> list[str]:
    # hypercorn applies forwarded headers only through its ProxyFixMiddleware, in code: with
    # the server layer the app's ASGI entry point wraps itself in it (HARNESS_TRUST=server).
    t = spec.timeouts
    return [
        "hypercorn", "--bind", f"0.0.0.0:{APP_PORT}", "--workers", str(spec.workers),
        "--keep-alive", str(int(t.keepalive)), "--graceful-timeout", str(int(t.graceful)),
        "--websocket-ping-interval", _ws_ping_interval(spec),
        *_root_args(spec, "--root-path"),
        "--access-logfile", "-", "--error-logfile", "-", entry_point(spec),
    ]  # fmt: skip


def _granian(spec: StackSpec) -> list[str]:
    # granian has no forwarded-header handling and no keep-alive timeout (the apps and the
    # proxy do both); ASGI and RSGI workers take one blocking thread.
    threads = spec.threads if spec.interface == Interface.WSGI else 1
    return [
        "granian", "--interface", str(spec.interface), "--host", "0.0.0.0",
        "--port", str(APP_PORT), "--workers", str(spec.workers),
        "--blocking-threads", str(threads),
        "--workers-kill-timeout", str(int(spec.timeouts.graceful)),
        "--respawn-failed-workers", "--log", "--access-log",
        *_root_args(spec, "--url-path-prefix"),
        entry_point(spec),
    ]  # fmt: skip


def _waitress(spec: StackSpec) -> list[str]:
    # One process with a thread pool (no workers); no per-request timeout. channel_timeout
    # closes connections idle that long, waitress's keep-alive timeout, but only when its
    # cleanup runs (every cleanup_interval, 30 s by default): each second keeps it near.
    return [
        "waitress-serve", f"--listen=0.0.0.0:{APP_PORT}", f"--threads={spec.threads}",
        f"--channel-timeout={int(spec.timeouts.keepalive)}", "--cleanup-interval=1",
        *_waitress_trust(spec),
        *[f"--url-prefix={root}" for root in [_server_root(spec)] if root],
        entry_point(spec),
    ]  # fmt: skip


def _waitress_trust(spec: StackSpec) -> list[str]:
    """waitress applies the proxy's X-Forwarded-For and -Proto on the server layer. On the app
    layer it trusts no proxy and must keep X-Forwarded-* for the app: since waitress 3.0
    clear_untrusted_proxy_headers is on by default and would remove them before ProxyFix or
    Django's settings see them."""
    if spec.trust == Trust.SERVER:
        return [
            f"--trusted-proxy={TRUSTED_PROXIES}", "--trusted-proxy-count=1",
            f"--trusted-proxy-headers={WAITRESS_TRUSTED_HEADERS}",
            "--clear-untrusted-proxy-headers",
        ]  # fmt: skip
    return ["--no-clear-untrusted-proxy-headers"]


_COMMANDS: Mapping[ServerKind, Callable[[StackSpec], list[str]]] = MappingProxyType(
    {
        ServerKind.GUNICORN: _gunicorn,
        ServerKind.UWSGI: _uwsgi,
        ServerKind.UVICORN: _uvicorn,
        ServerKind.DAPHNE: _daphne,
        ServerKind.HYPERCORN: _hypercorn,
        ServerKind.GRANIAN: _granian,
        ServerKind.WAITRESS: _waitress,
    }
)


def server_command(spec: StackSpec) -> tuple[str, ...]:
    """The server's command line: the user's own arguments when the stack file gives them."""
    if spec.overrides.server_args is not None:
        return spec.overrides.server_args
    return tuple(_COMMANDS[spec.server](spec))
