"""The parts a stack is made of, one kit each: every proxy in harness/parts/proxies/, every
server in harness/parts/servers/ (harness/parts/kit.py says what a kit holds).

`proxy_kit(kind)` and `server_kit(kind)` are how every stage learns about a part; this
registry is the one place that lists them. Adding a proxy is one kit module here, one
template in docker/templates and one line in docker/base/packages.txt (docs/extending.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from harness.parts.kinds import ProxyKind, ServerKind
from harness.parts.kit import ProxyKit, ServerKit
from harness.parts.proxies import apache, caddy, haproxy, nginx
from harness.parts.servers import daphne, granian, gunicorn, hypercorn, uvicorn, uwsgi, waitress

__all__ = ["PROXY_KITS", "SERVER_KITS", "proxy_kit", "server_kit"]

PROXY_KITS: Mapping[ProxyKind, ProxyKit] = MappingProxyType(
    {module.KIT.kind: module.KIT for module in (nginx, apache, haproxy, caddy)}
)
SERVER_KITS: Mapping[ServerKind, ServerKit] = MappingProxyType(
    {
        module.KIT.kind: module.KIT
        for module in (gunicorn, uwsgi, uvicorn, daphne, hypercorn, granian, waitress)
    }
)


def proxy_kit(kind: ProxyKind) -> ProxyKit:
    """Everything the harness knows about this proxy."""
    return PROXY_KITS[kind]


def server_kit(kind: ServerKind) -> ServerKit:
    """Everything the harness knows about this server."""
    return SERVER_KITS[kind]
