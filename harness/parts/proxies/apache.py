"""Apache httpd 2.4: Debian's apache2 with mod_proxy_balancer, mod_proxy_uwsgi, mod_cache."""

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

_CONFIG = f"{HARNESS_ETC}/httpd.conf"

KIT = ProxyKit(
    kind=ProxyKind.APACHE,
    template="httpd.conf.j2",
    config_path=_CONFIG,
    command=("apache2", "-f", _CONFIG, "-DFOREGROUND"),
    check_command=("apache2", "-f", _CONFIG, "-t"),
    version_command=("apache2", "-v"),
    helpers=(),
    tmpfs=MappingProxyType({}),
    debian_packages=("apache2",),
    # Debian follows Apache's 2.4.x releases in stable updates (bookworm went from 2.4.57 to
    # 2.4.68), so Apache is known as 2.4 only.
    shipped=MappingProxyType({Suite.BOOKWORM: Version("2.4"), Suite.TRIXIE: Version("2.4")}),
    features=ProxyFeatures(
        tls=True,
        http2=True,
        http3=frozenset(),  # httpd has no HTTP/3
        websocket_over_h2=False,
        websockets=True,
        response_cache=True,
        compression=True,
        balancing=frozenset(Balancing),
        prefix=True,
        protocols=frozenset({Protocol.HTTP, Protocol.UWSGI}),
        stickiness=Stickiness.COOKIE,
    ),
    directives=MappingProxyType(
        {
            Expectation.MAX_BODY_BYTES: "LimitRequestBody and the RewriteRule on Content-Length",
            Expectation.MAX_HEADER_BYTES: "LimitRequestFieldSize",
            Expectation.MAX_RESPONSE_HEADER_BYTES: "none of its own (mod_proxy_http passed 3.5 KiB "
            "header lines even under LimitRequestFieldSize 1024); look at the server",
            Expectation.PROXY_READ: "BalancerMember timeout= (ProxyTimeout)",
            Expectation.PROXY_CONNECT: "BalancerMember connectiontimeout= and retry=",
            Expectation.KEEPALIVE: "KeepAliveTimeout",
            Expectation.WEBSOCKET_IDLE: "timeout= of the WebSocket BalancerMembers",
            Expectation.MAX_FAILS: "failontimeout (a read timeout puts a member in error)",
            Expectation.RESOLVE: "ProxyPass addressttl=",
            Expectation.TIMEOUT_STATUS: "mod_proxy_http answers 502 on a read timeout",
            Expectation.COMPRESSION: "mod_deflate's AddOutputFilterByType DEFLATE",
        }
    ),
    upstream_idle_directive="ttl= of the BalancerMembers (unset: no limit)",
    prefix=PrefixDirectives(
        strip="Apache `ProxyPass {prefix}/ balancer://app/`",
        keep="Apache `ProxyPass {prefix}/ balancer://app{prefix}/`",
        header='RequestHeader set X-Forwarded-Prefix "{prefix}"',
        static='Apache `Alias {prefix}/static/ "/srv/static/"` and `ProxyPass {prefix}/static/ !`',
        websocket="Apache `ProxyPass {prefix}/ws/ balancer://ws/` (members with upgrade=websocket)",
        outside="Apache: only `ProxyPass {prefix}/ ...`, no `ProxyPass /`",
    ),
    read_config=None,
    config_shape=ConfigShape(
        names=("httpd.conf", "apache2.conf"),
        tls_line=r"(?i)SSLEngine\s+on",
        upstream_lines=("BalancerMember", "ProxyPass ", "ProxyPassMatch"),
        certificate=("SSLCertificateFile", "chain.pem"),
        must_say=(
            (
                "LoadModule",
                "is a VirtualHost for sites-enabled, and the harness runs proxy_config as "
                "httpd's whole config (apache2 -f): add the LoadModule lines, Listen and the "
                "rest (`harness render apache-gunicorn-gthread-flask --out DIR` writes one to "
                "start from)",
            ),
        ),
    ),
)
