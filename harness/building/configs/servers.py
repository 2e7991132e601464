"""Command lines and config files for each server, from the stack spec."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from harness.building.configs.model import HARNESS_ETC, ConfigFile
from harness.parts import server_kit
from harness.parts.kit import TRUSTED_PROXIES, UNTRUSTED_PROXIES, ServerSettings
from harness.spec.model import APP_PORT, Framework, Interface, StackSpec, Trust, WorkerClass
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


def entry_point(spec: StackSpec) -> str:
    assert spec.interface is not None
    return _ENTRY_POINTS[(spec.framework, spec.interface)]


def server_files(spec: StackSpec, render: Callable[[str], str]) -> tuple[ConfigFile, ...]:
    """The server's config file rendered from our template, for servers that read one."""
    template = server_kit(spec.server).config_template
    if template is None:
        return ()
    return (ConfigFile(f"{HARNESS_ETC}/{template.removesuffix('.j2')}", render(template)),)


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
        "server_keeps_connections": server_kit(spec.server).keeps_connections(spec.server_choice),
        "sync_workers": spec.sync_workers,
    }


def _server_root(spec: StackSpec) -> str:
    """The root the server itself is given, when the stack tells the server layer
    (harness/spec/prefix.py): "" when the app is at the root or the app layer is told."""
    if spec.prefix and spec.prefix_handling in (
        PrefixHandling.SERVER_ROOT,
        PrefixHandling.ADDED_ROOT,
    ):
        return spec.prefix
    return ""


def server_answers_expect(spec: StackSpec) -> bool:
    """Whether the server answers `Expect: 100-continue` with 100 Continue itself (uWSGI's
    http-socket does not: a proxy that passes it on must answer it, or the client waits)."""
    return server_kit(spec.server).answers_expect(spec.server_choice)


def _trusted(spec: StackSpec) -> str:
    """The peers the server believes forwarded headers from: the proxy only on the server
    layer; none on the app layer, so the app's own rule is the only one applied."""
    return TRUSTED_PROXIES if spec.trust == Trust.SERVER else UNTRUSTED_PROXIES


def _ws_ping_interval(spec: StackSpec) -> int:
    """Half the proxy's WebSocket idle timeout, so server pings keep an idle socket open."""
    return max(1, int(spec.timeouts.websocket_idle / 2))


def server_settings(spec: StackSpec) -> ServerSettings:
    """What the server's command line is made of, from the spec."""
    t = spec.timeouts
    return ServerSettings(
        choice=spec.server_choice,
        entry_point=entry_point(spec),
        port=APP_PORT,
        workers=spec.workers,
        trust=spec.trust or Trust.APP,
        keepalive=int(t.keepalive),
        graceful=int(t.graceful),
        worker_timeout=int(t.worker),
        ws_ping_interval=_ws_ping_interval(spec),
        root=_server_root(spec),
        config_dir=HARNESS_ETC,
    )


def server_command(spec: StackSpec) -> tuple[str, ...]:
    """The server's command line: the user's own arguments when the stack file gives them."""
    if spec.overrides.server_args is not None:
        return spec.overrides.server_args
    return tuple(server_kit(spec.server).command(server_settings(spec)))
