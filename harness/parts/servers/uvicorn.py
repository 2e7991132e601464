"""uvicorn, on httptools (its choice when installed, as here) or h11 (`http_parser`)."""

from __future__ import annotations

from types import MappingProxyType

from harness.parts.expectation import Expectation
from harness.parts.kinds import HttpParser, Interface, Protocol, ServerKind, Trust
from harness.parts.kit import (
    TRUSTED_PROXIES,
    RootHandling,
    ServerChoice,
    ServerKit,
    ServerSettings,
    always,
)


def _command(settings: ServerSettings) -> list[str]:
    parser = settings.choice.http_parser
    return [
        "uvicorn", settings.entry_point, "--host", "0.0.0.0", "--port", str(settings.port),
        "--workers", str(settings.workers), "--timeout-keep-alive", str(settings.keepalive),
        "--timeout-graceful-shutdown", str(settings.graceful),
        *(["--proxy-headers", "--forwarded-allow-ips", TRUSTED_PROXIES]
          if settings.trust == Trust.SERVER else ["--no-proxy-headers"]),
        "--ws-ping-interval", str(settings.ws_ping_interval),
        *(["--http", str(parser)] if parser else []),
        *settings.root_args("--root-path"),
    ]  # fmt: skip


def _parser(choice: ServerChoice) -> str | None:
    return "h11" if choice.http_parser == HttpParser.H11 else None


KIT = ServerKit(
    kind=ServerKind.UVICORN,
    package="uvicorn",
    interfaces=frozenset({Interface.ASGI}),
    worker_classes=MappingProxyType({}),
    default_worker_class=None,
    http_parsers=frozenset(HttpParser),
    protocols=frozenset({Protocol.HTTP}),
    label=always("uvicorn"),
    default_trust=always(Trust.SERVER),
    command=_command,
    config_template=None,
    directives=MappingProxyType(
        {
            Expectation.MAX_HEADER_BYTES: "h11_max_incomplete_event_size",
            Expectation.KEEPALIVE: "--timeout-keep-alive",
            Expectation.GRACEFUL: "--timeout-graceful-shutdown",
            Expectation.WEBSOCKET_IDLE: "--ws-ping-interval",
        }
    ),
    # Since 0.26 the ASGI path includes root_path: the proxy strips, uvicorn adds it back.
    root_handling=RootHandling.ADDS_BACK,
    root_setting="uvicorn --root-path {root}",
    parser_package=_parser,
    one_request_per_process=always(False),
    ends_slow_requests=always(False),
    answers_expect=always(True),
    keeps_connections=always(True),
    write_timeout=None,
    keeps_idle_connections=None,
    read_config=None,
)
