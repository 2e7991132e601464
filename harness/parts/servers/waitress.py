"""waitress: one process with a thread pool; trusted_proxy on the server layer."""

from __future__ import annotations

from types import MappingProxyType

from harness.parts.expectation import Expectation
from harness.parts.kinds import Interface, Protocol, ServerKind, Trust
from harness.parts.kit import TRUSTED_PROXIES, RootHandling, ServerKit, ServerSettings, always

# The forwarded headers waitress applies on the server layer: the client address and scheme,
# like uvicorn's --proxy-headers. The Host header itself is the public host (the proxies keep
# it), so X-Forwarded-Host and -Port are not needed and waitress clears them.
TRUSTED_HEADERS = "x-forwarded-for x-forwarded-proto"


def _trust_args(settings: ServerSettings) -> list[str]:
    """On the app layer waitress trusts no proxy and must keep X-Forwarded-* for the app:
    since waitress 3.0 clear_untrusted_proxy_headers is on by default and would remove them
    before ProxyFix or Django's settings see them."""
    if settings.trust == Trust.SERVER:
        return [
            f"--trusted-proxy={TRUSTED_PROXIES}", "--trusted-proxy-count=1",
            f"--trusted-proxy-headers={TRUSTED_HEADERS}",
            "--clear-untrusted-proxy-headers",
        ]  # fmt: skip
    return ["--no-clear-untrusted-proxy-headers"]


def _command(settings: ServerSettings) -> list[str]:
    # No per-request timeout. channel_timeout closes connections idle that long, waitress's
    # keep-alive timeout, but only when its cleanup runs (every cleanup_interval, 30 s by
    # default): each second keeps it near.
    return [
        "waitress-serve", f"--listen=0.0.0.0:{settings.port}",
        f"--threads={settings.choice.threads}",
        f"--channel-timeout={settings.keepalive}", "--cleanup-interval=1",
        *_trust_args(settings),
        *settings.root_args("--url-prefix="),
        settings.entry_point,
    ]  # fmt: skip


KIT = ServerKit(
    kind=ServerKind.WAITRESS,
    package="waitress",
    interfaces=frozenset({Interface.WSGI}),
    worker_classes=MappingProxyType({}),
    default_worker_class=None,
    http_parsers=frozenset(),
    protocols=frozenset({Protocol.HTTP}),
    label=always("waitress"),
    # Its own guide ("Using Behind a Reverse Proxy") sets trusted_proxy: the server layer.
    default_trust=always(Trust.SERVER),
    command=_command,
    config_template=None,
    directives=MappingProxyType({Expectation.KEEPALIVE: "--channel-timeout"}),
    root_handling=RootHandling.SPLITS_OFF,
    root_setting="waitress-serve --url-prefix={root}",
    parser_package=always("waitress"),
    one_request_per_process=always(False),
    ends_slow_requests=always(False),
    answers_expect=always(True),
    keeps_connections=always(True),
    write_timeout=None,
    keeps_idle_connections=None,
    read_config=None,
)
