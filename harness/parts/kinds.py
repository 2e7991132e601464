"""The kinds of parts a stack is made of, and the choices within them, as enums.

They sit below everything else (the kits describe each kind; specs, builds and scenarios name
them), so this module imports nothing of the harness.
"""

from __future__ import annotations

from enum import StrEnum


class ProxyKind(StrEnum):
    NGINX = "nginx"
    APACHE = "apache"
    HAPROXY = "haproxy"
    CADDY = "caddy"


class ServerKind(StrEnum):
    GUNICORN = "gunicorn"
    UWSGI = "uwsgi"
    UVICORN = "uvicorn"
    DAPHNE = "daphne"
    HYPERCORN = "hypercorn"
    GRANIAN = "granian"
    WAITRESS = "waitress"


class WorkerClass(StrEnum):
    """gunicorn's worker classes."""

    SYNC = "sync"
    GTHREAD = "gthread"
    UVICORN = "uvicorn"


class Interface(StrEnum):
    WSGI = "wsgi"
    ASGI = "asgi"


class Framework(StrEnum):
    FLASK = "flask"
    DJANGO = "django"


class Protocol(StrEnum):
    """How the proxy talks to the server."""

    HTTP = "http"
    UWSGI = "uwsgi"
    # Cleartext HTTP/2 with prior knowledge (HAProxy `proto h2`, Caddy `versions h2c`): a
    # second upstream protocol, for servers that speak it (granian, hypercorn).
    H2C = "h2c"


class ClientProtocol(StrEnum):
    """The HTTP version a client speaks to the proxy: the axis every HTTP scenario on a TLS
    stack runs over (`-h2`, `-h3` end its case name; HTTP/1.1's keeps the name it always
    had). h2 is negotiated as browsers do, by ALPN on the TLS port; h3 over QUIC on the same
    port number (UDP)."""

    H1 = "h1"
    H2 = "h2"
    H3 = "h3"

    @property
    def label(self) -> str:
        return {"h1": "HTTP/1.1", "h2": "HTTP/2", "h3": "HTTP/3"}[self.value]


def with_protocol(case: str, protocol: ClientProtocol) -> str:
    """The name of an HTTP/1.1 case over `protocol`: `test_x[POST]` → `test_x[POST-h2]`,
    `test_x` → `test_x[h2]`; over h1 the name is the case's own."""
    if protocol == ClientProtocol.H1:
        return case
    if case.endswith("]"):
        return f"{case.removesuffix(']')}-{protocol}]"
    return f"{case}[{protocol}]"


def without_protocol(case: str) -> str:
    """The case's name on HTTP/1.1: `test_x[POST-h2]` → `test_x[POST]`, `test_x[h3]` →
    `test_x`; a name without a protocol comes back as it is."""
    for protocol in (ClientProtocol.H2, ClientProtocol.H3):
        if case.endswith(f"[{protocol}]"):
            return case.removesuffix(f"[{protocol}]")
        if case.endswith(f"-{protocol}]"):
            return case.removesuffix(f"-{protocol}]") + "]"
    return case


class Trust(StrEnum):
    """Where X-Forwarded-* from the proxy are applied: by the server, or by the app.

    Never both: a layer that re-applies what the other already did hides its mistakes.
    """

    SERVER = "server"  # gunicorn forwarded_allow_ips, uvicorn/daphne proxy headers, waitress
    # trusted_proxy, ...
    APP = "app"  # werkzeug's ProxyFix, Django's proxy settings and middleware


class HttpParser(StrEnum):
    """uvicorn's HTTP/1.1 implementation (`--http`); unset, uvicorn picks httptools when it
    is installed, as it is in our image."""

    H11 = "h11"
    HTTPTOOLS = "httptools"


class Balancing(StrEnum):
    ROUND_ROBIN = "round-robin"
    LEAST_CONN = "least-conn"
    STICKY = "sticky"


class Suite(StrEnum):
    """Debian suites a base image is made from; each fixes the Python and proxy versions."""

    BOOKWORM = "bookworm"
    TRIXIE = "trixie"

    @property
    def python_version(self) -> str:
        return {Suite.BOOKWORM: "3.11", Suite.TRIXIE: "3.13"}[self]
