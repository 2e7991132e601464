"""Caddy 2: Debian's package (no plugins); automatic HTTPS off, the test PKI's certificates."""

from __future__ import annotations

from types import MappingProxyType

from packaging.version import Version

from harness.parts.expectation import Expectation
from harness.parts.kinds import Balancing, Protocol, ProxyKind, Suite
from harness.parts.kit import ConfigShape, PrefixDirectives, ProxyFeatures, ProxyKit, Stickiness

_CONFIG = "/etc/caddy/Caddyfile"  # Debian's own path, replaced

KIT = ProxyKit(
    kind=ProxyKind.CADDY,
    template="Caddyfile.j2",
    config_path=_CONFIG,
    command=("caddy", "run", "--config", _CONFIG, "--adapter", "caddyfile"),
    check_command=("caddy", "validate", "--config", _CONFIG, "--adapter", "caddyfile"),
    version_command=("caddy", "version"),
    helpers=(),
    tmpfs=MappingProxyType({}),
    debian_packages=("caddy",),
    # Checked in the suites' package indexes: bookworm 2.6.2-5, trixie 2.6.2-12+deb13u1.
    shipped=MappingProxyType({Suite.BOOKWORM: Version("2.6.2"), Suite.TRIXIE: Version("2.6.2")}),
    features=ProxyFeatures(
        tls=True,
        http2=True,
        http3=frozenset(Suite),  # quic-go, on the TLS port's number over UDP
        websocket_over_h2=False,
        websockets=True,
        # A shared cache needs the cache-handler plugin, which Debian's build lacks.
        response_cache=False,
        compression=True,
        balancing=frozenset(Balancing),
        prefix=True,
        # No uwsgi transport; HTTP/2 (`versions h2c`) to a server that speaks it.
        protocols=frozenset({Protocol.HTTP, Protocol.H2C}),
        stickiness=Stickiness.COOKIE,  # lb_policy cookie, as HAProxy and Apache
    ),
    directives=MappingProxyType(
        {
            Expectation.MAX_BODY_BYTES: "a matcher on Content-Length with `respond 413`, and "
            "request_body { max_size } for chunked bodies",
            Expectation.MAX_HEADER_BYTES: "the servers option max_header_size (Go limits the "
            "whole request head, not one line, and adds 4 KiB)",
            Expectation.MAX_RESPONSE_HEADER_BYTES: "reverse_proxy transport http "
            "{ max_response_header }",
            Expectation.PROXY_READ: "reverse_proxy transport http { response_header_timeout }",
            Expectation.PROXY_CONNECT: "transport http { dial_timeout } and fail_duration",
            Expectation.KEEPALIVE: "the servers option timeouts { idle }",
            Expectation.WEBSOCKET_IDLE: "read_timeout of the WebSocket route's http transport",
            Expectation.MAX_FAILS: "max_fails (with fail_duration) of reverse_proxy",
            Expectation.RESOLVE: "none: Caddy dials the upstream's name for each new connection",
            Expectation.TIMEOUT_STATUS: "none: Caddy answers 504 when response_header_timeout "
            "passes, 502 for other upstream errors",
            Expectation.COMPRESSION: "encode gzip with minimum_length",
        }
    ),
    upstream_idle_directive="keepalive of reverse_proxy's http transport (Caddy's default is 2m)",
    prefix=PrefixDirectives(
        strip="Caddy `handle {prefix}/* { uri strip_prefix {prefix} ... }`",
        keep="Caddy `handle {prefix}/* { reverse_proxy ... }` (the whole path goes on)",
        header="reverse_proxy's `header_up X-Forwarded-Prefix {prefix}`",
        static="Caddy `handle_path {prefix}/static/* { root * /srv/static; file_server }` "
        "(inside the prefix's handle, after strip_prefix: `handle_path /static/*`)",
        websocket="Caddy `handle {prefix}/ws/* { reverse_proxy ... }` (it passes upgrades itself)",
        outside="Caddy: only `handle {prefix}/*` proxies, and a last `handle { respond 404 }`",
    ),
    read_config=None,
    config_shape=ConfigShape(
        names=("caddyfile",),
        tls_line=r"tls\s+\S",
        upstream_lines=("reverse_proxy",),
        certificate=("tls", "chain.pem"),
        must_say=(
            (
                "auto_https off",
                "names no `auto_https off` in its global options: a run has no network, and "
                "Caddy would ask an ACME CA for a certificate of each site address (the "
                "run's own is in /etc/harness/tls/: `tls /etc/harness/tls/chain.pem "
                "/etc/harness/tls/key.pem`)",
            ),
        ),
    ),
)
