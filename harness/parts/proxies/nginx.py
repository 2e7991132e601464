"""nginx: Debian's package; the open-source build (no sticky cookie, no active checks)."""

from __future__ import annotations

from types import MappingProxyType

from packaging.version import Version

from harness.parts.expectation import Expectation
from harness.parts.kinds import Balancing, Protocol, ProxyKind, Suite
from harness.parts.kit import ConfigShape, PrefixDirectives, ProxyFeatures, ProxyKit, Stickiness
from harness.parts.reading.nginx import read_nginx

KIT = ProxyKit(
    kind=ProxyKind.NGINX,
    template="nginx.conf.j2",
    config_path="/etc/nginx/nginx.conf",
    command=("nginx", "-g", "daemon off;"),
    check_command=("nginx", "-t", "-q"),
    version_command=("nginx", "-v"),
    helpers=(),
    # On this engine a container's own files go through fuse-overlayfs, and nginx took seconds
    # (and as many CPU seconds) to buffer four 32 MiB answers there while the slow-reader
    # scenario's sync workers waited to be freed (seen: a false red on
    # nginx-gunicorn-sync-django, a stack that buffers). nginx creates its temp folders
    # (proxy, body, uwsgi, ...) at start.
    tmpfs=MappingProxyType({"/var/lib/nginx": "mode=1777"}),
    debian_packages=("nginx", "nginx-core"),
    # Debian backports fixes without changing the upstream version (bookworm: 1.22.1-9+deb12u9).
    shipped=MappingProxyType({Suite.BOOKWORM: Version("1.22.1"), Suite.TRIXIE: Version("1.26")}),
    features=ProxyFeatures(
        tls=True,
        http2=True,
        # Debian's 1.22 (bookworm) is built without http_v3_module (`nginx -V`); 1.26
        # (trixie) has it; tried with `listen ... quic`, every HTTP/3 request reached Django
        # with a Host it refused (400) under our `proxy_set_header Host $http_host`: not wired.
        http3=frozenset(),
        websocket_over_h2=False,
        websockets=True,
        response_cache=True,
        compression=True,
        balancing=frozenset(Balancing),
        prefix=True,
        protocols=frozenset({Protocol.HTTP, Protocol.UWSGI}),
        stickiness=Stickiness.CLIENT_ADDRESS,
    ),
    directives=MappingProxyType(
        {
            Expectation.MAX_BODY_BYTES: "client_max_body_size",
            Expectation.MAX_HEADER_BYTES: "large_client_header_buffers",
            Expectation.MAX_RESPONSE_HEADER_BYTES: "proxy_buffer_size (uwsgi_buffer_size)",
            Expectation.PROXY_READ: "proxy_read_timeout (uwsgi_read_timeout)",
            Expectation.PROXY_CONNECT: "proxy_connect_timeout and the upstream's fail_timeout",
            Expectation.KEEPALIVE: "keepalive_timeout",
            Expectation.WEBSOCKET_IDLE: "proxy_read_timeout in the WebSocket location",
            Expectation.MAX_FAILS: "max_fails of the upstream servers",
            Expectation.RESOLVE: "the `resolve` parameter of upstream servers (1.27.3+) or "
            "resolver valid=",
            Expectation.TIMEOUT_STATUS: "proxy_read_timeout (nginx answers 504)",
            Expectation.COMPRESSION: "gzip, gzip_types, gzip_min_length and gzip_vary",
        }
    ),
    upstream_idle_directive="keepalive_timeout inside the upstream block (nginx's default is 60s)",
    prefix=PrefixDirectives(
        strip="nginx `location {prefix}/ { proxy_pass http://app/; }` (the URI part of "
        "proxy_pass replaces the prefix)",
        keep="nginx `location {prefix}/ { proxy_pass http://app; }` (no URI part: the whole "
        "path goes on)",
        header='proxy_set_header X-Forwarded-Prefix "{prefix}"',
        static="nginx `location {prefix}/static/ { alias /srv/static/; }`",
        websocket="nginx `location {prefix}/ws/` with proxy_http_version 1.1 and the Upgrade "
        "and Connection headers",
        outside="nginx: only `location {prefix}/` passes to the app, no `location /`",
    ),
    read_config=read_nginx,
    config_shape=ConfigShape(
        names=("nginx.conf",),
        tls_line=r"listen\s.*\bssl\b",
        upstream_lines=("server ", "proxy_pass", "uwsgi_pass"),
        certificate=("ssl_certificate", "chain.pem"),
        must_say=(),
    ),
)
