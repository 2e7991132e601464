"""hypercorn (h11 for HTTP/1.1); forwarded headers through its ProxyFixMiddleware, in code."""

from __future__ import annotations

from types import MappingProxyType

from harness.parts.expectation import Expectation
from harness.parts.kinds import Interface, Protocol, ServerKind, Trust
from harness.parts.kit import RootHandling, ServerKit, ServerSettings, always


def _command(settings: ServerSettings) -> list[str]:
    # With the server layer the app's ASGI entry point wraps itself in ProxyFixMiddleware
    # (HARNESS_TRUST=server): hypercorn has no command-line switch for it.
    return [
        "hypercorn", "--bind", f"0.0.0.0:{settings.port}", "--workers", str(settings.workers),
        "--keep-alive", str(settings.keepalive), "--graceful-timeout", str(settings.graceful),
        "--websocket-ping-interval", str(settings.ws_ping_interval),
        *settings.root_args("--root-path"),
        "--access-logfile", "-", "--error-logfile", "-", settings.entry_point,
    ]  # fmt: skip


KIT = ServerKit(
    kind=ServerKind.HYPERCORN,
    package="hypercorn",
    interfaces=frozenset({Interface.ASGI}),
    worker_classes=MappingProxyType({}),
    default_worker_class=None,
    http_parsers=frozenset(),
    # HTTP/1.1 and cleartext HTTP/2 (prior knowledge) on the same port.
    protocols=frozenset({Protocol.HTTP, Protocol.H2C}),
    label=always("hypercorn"),
    default_trust=always(Trust.SERVER),
    command=_command,
    config_template=None,
    directives=MappingProxyType(
        {
            Expectation.KEEPALIVE: "--keep-alive",
            Expectation.GRACEFUL: "--graceful-timeout",
            Expectation.WEBSOCKET_IDLE: "--websocket-ping-interval",
        }
    ),
    root_handling=RootHandling.SPLITS_OFF,
    root_setting="hypercorn --root-path {root}",
    parser_package=always("h11"),
    one_request_per_process=always(False),
    ends_slow_requests=always(False),
    answers_expect=always(True),
    keeps_connections=always(True),
    write_timeout=None,
    keeps_idle_connections=None,
    read_config=None,
)
