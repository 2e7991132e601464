"""What a stack is made of, as frozen data.

A StackSpec names a proxy, a server, an app, how many replicas, and the settings a careful
operator would give them. Specs are plain values: building one never touches Docker. They
come from the catalog (built-in stacks) or from a user's TOML stack file (see stackfile.py),
and `check()` refuses combinations that cannot work, naming the field and what is allowed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType

from harness.spec.pins import Pin
from harness.spec.prefix import PREFIX_FAMILY, PrefixHandling, prefix_handling, prefix_problems

APP_PORT = 8000
HTTP_PORT = 80
HTTPS_PORT = 443
TEST_HOST_NAME = "deploy-harness.test"


class ProxyKind(StrEnum):
    NGINX = "nginx"
    APACHE = "apache"
    HAPROXY = "haproxy"


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


# Which interfaces each server (and gunicorn worker class) can serve.
_ASGI_ONLY = {ServerKind.UVICORN, ServerKind.DAPHNE, ServerKind.HYPERCORN}
_WSGI_ONLY = {ServerKind.UWSGI, ServerKind.WAITRESS}


@dataclass(frozen=True, slots=True)
class Timeouts:
    """Deliberately short timeouts, in seconds, so every timeout behaviour shows fast."""

    proxy_connect: float = 1
    proxy_read: float = 3
    worker: float = 5
    keepalive: float = 5
    graceful: float = 3
    websocket_idle: float = 5
    # How long the proxy may keep a replica's resolved address: it follows a recreated
    # replica's name within this (HAProxy's `timeout resolve`, nginx's `resolver ... valid=`).
    resolve: float = 2
    # The status the proxy answers when the upstream takes longer than proxy_read.
    timeout_status: int = 504
    # Failed attempts (a refused connect or a read timeout) that make the proxy rest a
    # replica for proxy_connect seconds: nginx's max_fails, HAProxy's fall for its checks.
    # More than one, so a single slow request, tried on each replica in turn, does not rest
    # every replica at once.
    max_fails: int = 2


@dataclass(frozen=True, slots=True)
class Limits:
    """Request limits the whole stack enforces, proxy and server alike.

    `max_body_bytes` is the largest request body accepted, counted after any chunked framing
    is removed; one byte more gets 413 from the proxy, and the app never sees the request.

    `max_header_bytes` is the longest single request header line accepted, counted on the wire
    as `Name: value` with its CRLF (nginx's `large_client_header_buffers` size: a line must
    fit one buffer). A line of exactly this size reaches the app unchanged, so every server
    behind the proxy must take it too (gunicorn's `limit_request_field_size`, uWSGI's
    `buffer-size`); one byte more gets a 4xx (nginx 400, gunicorn 431), never a 5xx.

    `max_response_header_bytes` is the largest response head (status line and every header
    line, as the server sends it) the proxy passes on to the client: a session cookie and a
    Content-Security-Policy easily reach a few KiB together. nginx holds the head in one
    buffer (`proxy_buffer_size`, one 4 KiB page by default), HAProxy in tune.bufsize less
    tune.maxrewrite; a longer head gets 502 (HAProxy may say 500), however right the app was.
    """

    max_body_bytes: int = 1024 * 1024  # nginx's own default (client_max_body_size 1m)
    max_header_bytes: int = 8 * 1024
    max_response_header_bytes: int = 8 * 1024


@dataclass(frozen=True, slots=True)
class Overrides:
    """A user's own files and settings that replace what the harness would generate."""

    proxy_config: Path | None = None
    server_config: Path | None = None
    server_args: tuple[str, ...] | None = None
    django_settings: str | None = None
    image: str | None = None
    env: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    # Your own app image, built by the harness FROM our base image (build arg HARNESS_BASE_IMAGE),
    # with the stack file's folder as the context plus harness-support/ (the wheels of
    # `requirements` for the image's Python, and the harness_contract adapter). Offline.
    dockerfile: Path | None = None
    requirements: Path | None = None
    # Files copied into the app image the stack runs (ours or yours): image path -> file.
    files: Mapping[str, Path] = field(default_factory=lambda: MappingProxyType({}))
    # Your app answers the contract through harness_contract under this prefix: the client
    # and readiness probes use it, and scenarios that need our reference apps skip.
    contract_prefix: str | None = None
    # Your app routes harness_contract.channels' consumers over a channel layer its replicas
    # share (Channels with Redis): the WebSocket room scenarios run on it.
    channel_layer: bool = False
    # Your app's static files the static scenarios ask the proxy for: public URL path -> the
    # file (beside the stack file) it must serve. Your image collects them to /srv/static,
    # which the harness copies into the proxy as a shared volume would give it.
    static_files: Mapping[str, Path] = field(default_factory=lambda: MappingProxyType({}))
    # Your own certificate chain (leaf first) and key for the proxy, and the root CA that
    # clients trust, in place of the per-run test PKI.
    tls_chain: Path | None = None
    tls_key: Path | None = None
    tls_ca: Path | None = None


class SourceKind(StrEnum):
    """Where a stack's expected value (a limit or a timeout) comes from."""

    DECLARED = "declared"  # set in the stack's own table of its stack file
    READ = "read"  # read from the user's own proxy or server config
    ASSUMED = "assumed"  # neither: inherited from the stack it extends, or the default


@dataclass(frozen=True, slots=True)
class ExpectationSource:
    """Where one expected value of a stack with its own configs comes from, in words a user
    reads in a failure message: `mysite/nginx.conf line 32: proxy_buffer_size 16k`."""

    kind: SourceKind
    where: str


@dataclass(frozen=True, slots=True)
class StackSpec:
    """One proxy in front of N replicas of (server, app), with Redis, on a private network."""

    proxy: ProxyKind
    server: ServerKind
    framework: Framework
    worker_class: WorkerClass | None = None
    interface: Interface | None = None
    protocol: Protocol = Protocol.HTTP
    replicas: int = 2
    workers: int = 2
    threads: int = 4
    tls: bool = False
    # Lowest TLS version the proxy accepts ("1.2" or "1.3"); only meaningful with tls.
    tls_min_version: str | None = None
    balancing: Balancing = Balancing.ROUND_ROBIN
    suite: Suite = Suite.BOOKWORM
    proxy_hops: int = 1
    # Where forwarded headers are applied; None: what the server's documentation recommends.
    trust: Trust | None = None
    # The proxy caches answers as a careful operator sets it up (nginx proxy_cache, Apache
    # mod_cache, HAProxy's cache): by the answer's Cache-Control, never an answer with
    # Set-Cookie, nor one to a request with Authorization or a session cookie.
    cache: bool = False
    # The proxy gzips text answers above 1 KiB for clients that accept gzip, with
    # `Vary: Accept-Encoding` (the harness's own proxy configs do). False only with your own
    # proxy config that compresses nothing: the scenarios then hold it to that.
    compression: bool = True
    # The app is published under this path (`/app`), not at the root: the proxy serves only
    # below it and tells the app the way its server and framework expect
    # (harness/spec/prefix.py). None: at the root.
    prefix: str | None = None
    # PyPI packages at versions of the stack's own, sorted by name (harness/spec/pins.py): each pin
    # set is an app image of its own. Empty: the versions of docker/requirements.txt.
    packages: tuple[Pin, ...] = ()
    # uvicorn only: its HTTP/1.1 parser (`--http`); None: uvicorn's own choice (httptools).
    http_parser: HttpParser | None = None
    # The scenario families this stack runs (pytest markers, e.g. "framing"); empty: every
    # family. The nightly version axes run only the families their pins can change.
    families: tuple[str, ...] = ()
    timeouts: Timeouts = field(default_factory=Timeouts)
    limits: Limits = field(default_factory=Limits)
    overrides: Overrides = field(default_factory=Overrides)
    id: str = ""
    source: str = "built-in"
    # The dotted names a stack file set for this stack itself (not inherited): where a
    # declared expectation came from, for failure messages (harness/spec/expectations.py).
    declared_fields: frozenset[str] = field(default=frozenset(), compare=False)
    # For a stack that brings its own proxy or server config: each expected value those
    # configs decide, by dotted name, and where it came from (harness/spec/reading/).
    expectation_sources: Mapping[str, ExpectationSource] = field(
        default_factory=lambda: MappingProxyType({}), compare=False
    )

    def __post_init__(self) -> None:
        if self.server == ServerKind.GUNICORN and not self.worker_class:
            object.__setattr__(self, "worker_class", WorkerClass.GTHREAD)
        if self.interface is None:
            object.__setattr__(self, "interface", self.default_interface())
        if self.trust is None:
            object.__setattr__(self, "trust", self.default_trust())
        if not self.id:
            object.__setattr__(self, "id", self.derived_id())

    @property
    def server_label(self) -> str:
        """The server's name as apps report it: `gunicorn-gthread`, `granian-asgi`, `uwsgi`."""
        if self.server == ServerKind.GUNICORN:
            return f"gunicorn-{self.worker_class}"
        if self.server == ServerKind.GRANIAN:
            return f"granian-{self.interface}"
        return str(self.server)

    @property
    def tls_versions(self) -> tuple[str, ...]:
        """The TLS versions the proxy accepts, lowest first: ("1.2", "1.3") by default."""
        return ("1.3",) if self.tls_min_version == "1.3" else ("1.2", "1.3")

    @property
    def app_mode(self) -> str:
        """The app and the interface it is served through: `flask-wsgi`, `django-asgi`."""
        return f"{self.framework}-{self.interface}"

    @property
    def websockets(self) -> bool:
        """Whether the stack serves the contract's WebSocket routes: our Django app on ASGI,
        or any ASGI app of yours behind the contract adapter (its middleware answers them)."""
        own_app = self.overrides.contract_prefix is not None
        return self.interface == Interface.ASGI and (self.framework == Framework.DJANGO or own_app)

    @property
    def sync_workers(self) -> bool:
        """Whether each worker process serves one request at a time (gunicorn's sync worker,
        uWSGI without threads): a slow client then holds a whole process."""
        if self.server == ServerKind.UWSGI:
            return self.threads == 1
        return self.worker_class == WorkerClass.SYNC

    def default_interface(self) -> Interface:
        if self.server in _ASGI_ONLY or self.worker_class == WorkerClass.UVICORN:
            return Interface.ASGI
        if self.server == ServerKind.GRANIAN and self.framework == Framework.DJANGO:
            return Interface.ASGI
        return Interface.WSGI

    def default_trust(self) -> Trust:
        """What each server's own documentation recommends.

        uvicorn (also as gunicorn's worker), daphne and hypercorn (its ProxyFixMiddleware)
        apply the client address and scheme themselves, and uWSGI over its own protocol gets
        both from the proxy (REMOTE_ADDR, HTTPS). gunicorn's WSGI workers apply only the
        scheme, and granian and uWSGI over HTTP none: the framework applies them (Flask's
        ProxyFix, Django's settings), as Flask's and Django's deployment guides say. waitress's
        own guide ("Using Behind a Reverse Proxy") sets trusted_proxy and
        trusted_proxy_headers: the server layer.
        """
        if self.server == ServerKind.UWSGI:
            return Trust.SERVER if self.protocol == Protocol.UWSGI else Trust.APP
        if self.server in (
            ServerKind.UVICORN, ServerKind.DAPHNE, ServerKind.HYPERCORN, ServerKind.WAITRESS
        ):
            return Trust.SERVER
        if self.worker_class == WorkerClass.UVICORN:
            return Trust.SERVER
        return Trust.APP

    def derived_id(self) -> str:
        parts = [str(self.proxy), self.server_label, str(self.framework)]
        if self.http_parser is not None:
            parts.insert(2, str(self.http_parser))
        if self.framework == Framework.DJANGO and self.server != ServerKind.GRANIAN:
            parts[-1] = f"django-{self.interface}" if self.interface == Interface.ASGI else "django"
        if self.server == ServerKind.UWSGI and self.protocol == Protocol.HTTP:
            parts.append("http")
        if self.tls:
            parts.append("tls")
        if self.trust is not None and self.trust != self.default_trust():
            parts.append(f"trust-{self.trust}")
        if self.cache:
            parts.append("cache")
        if self.prefix:
            parts.append("prefix")
        parts += [f"{pin.name}-{pin.version}" for pin in self.packages]
        if self.suite != Suite.BOOKWORM:
            parts.append(str(self.suite))
        return "-".join(parts)

    def with_changes(self, **changes: object) -> StackSpec:
        """A copy with some fields changed; the id is derived again unless given."""
        changes.setdefault("id", "")
        return replace(self, **changes)  # type: ignore[arg-type]

    def problems(self) -> list[tuple[str, str, str]]:
        """Every invalid combination as (field, given, allowed); empty when the spec is valid."""
        found: list[tuple[str, str, str]] = []
        if self.replicas < 1:
            found.append(("replicas", str(self.replicas), "a whole number from 1"))
        if self.workers < 1:
            found.append(("workers", str(self.workers), "a whole number from 1"))
        if self.worker_class and self.server != ServerKind.GUNICORN:
            found.append(("worker_class", str(self.worker_class), "only with server = gunicorn"))
        if self.interface == Interface.ASGI and self.framework == Framework.FLASK:
            found.append(
                ("interface", f"asgi ({self.server_label})", "wsgi: Flask is a WSGI-only app")
            )
        if self.interface == Interface.WSGI and (
            self.server in _ASGI_ONLY or self.worker_class == WorkerClass.UVICORN
        ):
            found.append(("interface", "wsgi", f"asgi: {self.server_label} serves ASGI only"))
        if self.interface == Interface.ASGI and self.worker_class in (
            WorkerClass.SYNC,
            WorkerClass.GTHREAD,
        ):
            found.append(("interface", "asgi", f"wsgi: {self.server_label} serves WSGI only"))
        if self.interface == Interface.ASGI and self.server in _WSGI_ONLY:
            found.append(("interface", "asgi", f"wsgi: {self.server_label} serves WSGI only"))
        if self.protocol == Protocol.UWSGI and self.server != ServerKind.UWSGI:
            found.append(("protocol", "uwsgi", "http: only uWSGI speaks the uwsgi protocol"))
        if self.protocol == Protocol.UWSGI and self.proxy == ProxyKind.HAPROXY:
            found.append(("protocol", "uwsgi", "http: HAProxy does not speak the uwsgi protocol"))
        if self.http_parser is not None and self.server != ServerKind.UVICORN:
            found.append(("http_parser", str(self.http_parser), "only with server = uvicorn"))
        if self.tls_min_version is not None and not self.tls:
            found.append(("tls_min_version", self.tls_min_version, "only with tls = true"))
        if self.tls_min_version not in (None, "1.2", "1.3"):
            found.append(("tls_min_version", str(self.tls_min_version), "1.2, 1.3"))
        if self.proxy_hops < 0:
            found.append(("proxy_hops", str(self.proxy_hops), "0 or more"))
        if not self.compression and self.overrides.proxy_config is None:
            found.append(("compression", "false", "true: the harness's own proxy configs "
                          "compress; false with your own overrides.proxy_config"))  # fmt: skip
        if self.timeouts.timeout_status not in (502, 504):
            found.append(("timeouts.timeout_status", str(self.timeouts.timeout_status), "502, 504"))
        return found + prefix_problems(self)

    @property
    def scenario_families(self) -> tuple[str, ...]:
        """The families this stack runs (empty: every one). A stack under a URL prefix runs
        only the prefix family unless it names others: every other scenario asks for paths
        at the root, which such a stack does not serve."""
        if not self.families and self.prefix:
            return (PREFIX_FAMILY,)
        return self.families

    @property
    def prefix_handling(self) -> PrefixHandling | None:
        """How the prefix reaches the app (harness/spec/prefix.py); None without one."""
        return prefix_handling(self)

    @property
    def replica_root(self) -> str:
        """The path below which a replica answers, as the proxy sends it: the prefix when the
        proxy passes the whole path on, else the root ("")."""
        handling = self.prefix_handling
        if self.prefix and handling and not handling.proxy_strips:
            return self.prefix
        return ""
