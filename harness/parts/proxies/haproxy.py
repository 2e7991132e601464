"""HAProxy: Debian's package; static files through a Lua service of ours."""

from __future__ import annotations

from types import MappingProxyType

from packaging.version import Version

from harness.parts.expectation import Expectation
from harness.parts.kinds import Balancing, Protocol, ProxyKind, Suite
from harness.parts.kit import (
    HARNESS_ETC,
    ConfigShape,
    PrefixDirectives,
    ProxyFeatures,
    ProxyKit,
    Stickiness,
)

_CONFIG = "/etc/haproxy/haproxy.cfg"

KIT = ProxyKit(
    kind=ProxyKind.HAPROXY,
    template="haproxy.cfg.j2",
    config_path=_CONFIG,
    command=("haproxy", "-W", "-db", "-f", _CONFIG),
    check_command=("haproxy", "-c", "-q", "-f", _CONFIG),
    version_command=("haproxy", "-v"),
    helpers=(("haproxy-static.lua.j2", f"{HARNESS_ETC}/haproxy-static.lua"),),
    tmpfs=MappingProxyType({}),
    debian_packages=("haproxy",),
    # Debian backports fixes without changing the upstream version (bookworm: 2.6.12-1+deb12u3).
    shipped=MappingProxyType({Suite.BOOKWORM: Version("2.6.12"), Suite.TRIXIE: Version("3.0")}),
    features=ProxyFeatures(
        tls=True,
        http2=True,
        # Debian's 2.6 (bookworm) is built without QUIC (`-QUIC` in `haproxy -vv`); 3.0
        # (trixie) has +QUIC, not wired here yet (its OpenSSL needs `limited-quic`).
        http3=frozenset(),
        websocket_over_h2=True,  # announces SETTINGS_ENABLE_CONNECT_PROTOCOL (2.4+)
        websockets=True,
        response_cache=True,
        compression=True,
        balancing=frozenset(Balancing),
        prefix=True,
        # No uwsgi protocol; HTTP/2 (`proto h2`) to a server that speaks cleartext HTTP/2.
        protocols=frozenset({Protocol.HTTP, Protocol.H2C}),
        stickiness=Stickiness.COOKIE,
    ),
    directives=MappingProxyType(
        {
            Expectation.MAX_BODY_BYTES: "http-request deny deny_status 413 "
            "if { req.body_size gt N }",
            Expectation.MAX_HEADER_BYTES: "tune.bufsize (and tune.maxrewrite)",
            Expectation.MAX_RESPONSE_HEADER_BYTES: "tune.bufsize less tune.maxrewrite",
            Expectation.PROXY_READ: "timeout server",
            Expectation.PROXY_CONNECT: "timeout connect and the health check's inter/fall",
            Expectation.KEEPALIVE: "timeout http-keep-alive",
            Expectation.WEBSOCKET_IDLE: "timeout tunnel",
            Expectation.MAX_FAILS: "fall of the health checks",
            Expectation.RESOLVE: "a resolvers section (timeout resolve) on the servers",
            Expectation.TIMEOUT_STATUS: "timeout server (HAProxy answers 504)",
            Expectation.COMPRESSION: "filter compression with compression algo/type",
        }
    ),
    upstream_idle_directive="pool-purge-delay of the servers (default 5s) or http-reuse",
    prefix=PrefixDirectives(
        strip="HAProxy `http-request replace-path {prefix}(/.*) \\1`",
        keep="HAProxy passing {prefix}/ on unchanged (no replace-path)",
        header="http-request set-header X-Forwarded-Prefix {prefix}",
        static="HAProxy `http-request use-service lua.static if { path_beg {prefix}/static/ }` "
        "(and the Lua service's prefix)",
        websocket="HAProxy's frontend rules for the prefix, which the upgrade passes too",
        outside="HAProxy `http-request return status 404 ... unless { path_beg {prefix}/ }`",
    ),
    read_config=None,
    config_shape=ConfigShape(
        names=("haproxy.cfg",),
        tls_line=r"bind\b.*\sssl\b",
        upstream_lines=("server ",),
        certificate=("crt", "chain-and-key.pem"),
        must_say=(),
    ),
)
