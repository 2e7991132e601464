"""daphne (Twisted): one process, no keep-alive setting of its own."""

from __future__ import annotations

from types import MappingProxyType

from harness.parts.expectation import Expectation
from harness.parts.kinds import Interface, Protocol, ServerKind, Trust
from harness.parts.kit import RootHandling, ServerKit, ServerSettings, always

# daphne's --proxy-headers takes the leftmost X-Forwarded-For entry, with no trust list, so it
# reads the client address from X-Real-IP, which every proxy config overwrites.
CLIENT_HEADER = "X-Real-IP"


def _command(settings: ServerSettings) -> list[str]:
    return [
        "daphne", "-b", "0.0.0.0", "-p", str(settings.port),
        *(["--proxy-headers", "--proxy-headers-host", CLIENT_HEADER]
          if settings.trust == Trust.SERVER else []),
        "--http-timeout", str(settings.worker_timeout),
        "--application-close-timeout", str(settings.graceful),
        "--ping-interval", str(settings.ws_ping_interval),
        *settings.root_args("--root-path"),
        settings.entry_point,
    ]  # fmt: skip


KIT = ServerKit(
    kind=ServerKind.DAPHNE,
    package="daphne",
    interfaces=frozenset({Interface.ASGI}),
    worker_classes=MappingProxyType({}),
    default_worker_class=None,
    http_parsers=frozenset(),
    protocols=frozenset({Protocol.HTTP}),
    label=always("daphne"),
    default_trust=always(Trust.SERVER),
    command=_command,
    config_template=None,
    directives=MappingProxyType(
        {
            Expectation.WORKER: "--http-timeout",
            Expectation.GRACEFUL: "--application-close-timeout",
            Expectation.WEBSOCKET_IDLE: "--ping-interval",
        }
    ),
    root_handling=RootHandling.SPLITS_OFF,
    root_setting="daphne --root-path {root}",
    parser_package=always("twisted"),
    one_request_per_process=always(False),
    ends_slow_requests=always(False),
    answers_expect=always(True),
    keeps_connections=always(True),
    write_timeout=None,
    keeps_idle_connections="daphne (Twisted) has no keep-alive timeout",
    read_config=None,
)
