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

from harness.parts import SERVER_KITS, proxy_kit, server_kit
from harness.parts.kinds import (
    Balancing,
    ClientProtocol,
    Framework,
    HttpParser,
    Interface,
    Protocol,
    ProxyKind,
    ServerKind,
    Suite,
    Trust,
    WorkerClass,
)
from harness.parts.kit import ServerChoice
from harness.spec.pins import Pin
from harness.spec.prefix import PREFIX_FAMILY, PrefixHandling, prefix_handling, prefix_problems

APP_PORT = 8000
HTTP_PORT = 80
HTTPS_PORT = 443
TEST_HOST_NAME = "deploy-harness.test"

__all__ = [
    "APP_PORT",
    "HTTPS_PORT",
    "HTTP_PORT",
    "TEST_HOST_NAME",
    "Balancing",
    "ClientProtocol",
    "ExpectationSource",
    "Framework",
    "HttpParser",
    "Interface",
    "Limits",
    "Overrides",
    "Protocol",
    "ProxyKind",
    "ServerKind",
    "SourceKind",
    "StackSpec",
    "Suite",
    "Timeouts",
    "Trust",
    "WorkerClass",
]  # fmt: skip


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
    # The HTTP versions clients speak to the proxy that the scenarios prove (the protocol
    # axis); empty: every one the proxy offers on its TLS port (its kit's features), HTTP/1.1
    # alone without TLS. Declare fewer for your own proxy config that offers fewer.
    client_protocols: tuple[ClientProtocol, ...] = ()
    timeouts: Timeouts = field(default_factory=Timeouts)
    limits: Limits = field(default_factory=Limits)
    overrides: Overrides = field(default_factory=Overrides)
    id: str = ""
    source: str = "built-in"
    # The dotted names a stack file set for this stack itself (not inherited): where a
    # declared expectation came from, for failure messages (harness/spec/expectations.py).
    declared_fields: frozenset[str] = field(default=frozenset(), compare=False)
    # For a stack that brings its own proxy or server config: each expected value those
    # configs decide, by dotted name, and where it came from (harness/spec/reading.py).
    expectation_sources: Mapping[str, ExpectationSource] = field(
        default_factory=lambda: MappingProxyType({}), compare=False
    )

    def __post_init__(self) -> None:
        if self.worker_class is None:
            object.__setattr__(self, "worker_class", server_kit(self.server).default_worker_class)
        if self.interface is None:
            object.__setattr__(self, "interface", self.default_interface())
        if self.trust is None:
            object.__setattr__(self, "trust", self.default_trust())
        if not self.id:
            object.__setattr__(self, "id", self.derived_id())

    @property
    def server_label(self) -> str:
        """The server's name as apps report it: `gunicorn-gthread`, `granian-asgi`, `uwsgi`."""
        return server_kit(self.server).label(self.server_choice)

    @property
    def server_choice(self) -> ServerChoice:
        """What varies within the stack's server, for its kit's facts."""
        assert self.interface is not None
        return ServerChoice(
            self.worker_class, self.interface, self.protocol, self.http_parser, self.threads
        )

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
        return server_kit(self.server).one_request_per_process(self.server_choice)

    def default_interface(self) -> Interface:
        """The worker class's interface; else the server's only one; else (granian) ASGI for
        Django, with Channels, and WSGI for Flask."""
        kit = server_kit(self.server)
        if self.worker_class is not None and self.worker_class in kit.worker_classes:
            return kit.worker_classes[self.worker_class]
        if len(kit.interfaces) == 1:
            return next(iter(kit.interfaces))
        return Interface.ASGI if self.framework == Framework.DJANGO else Interface.WSGI

    def default_trust(self) -> Trust:
        """What each server's own documentation recommends (its kit's `default_trust`):
        uvicorn, daphne, hypercorn and waitress apply the client address and scheme
        themselves; gunicorn's WSGI workers and granian leave them to the framework (Flask's
        ProxyFix, Django's settings), as Flask's and Django's deployment guides say."""
        return server_kit(self.server).default_trust(self.server_choice)

    def derived_id(self) -> str:
        """The id its fields give the stack: `nginx-gunicorn-gthread-flask-tls`."""
        return _derived_id(self)

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
        found += _part_problems(self)
        parsers = server_kit(self.server).http_parsers
        if self.http_parser is not None and self.http_parser not in parsers:
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
        return found + _protocol_problems(self) + prefix_problems(self)

    @property
    def offered_protocols(self) -> tuple[ClientProtocol, ...]:
        """The client protocols the scenarios run over (`client_protocols`, else what the
        proxy offers): HTTP/1.1 always; HTTP/2 by ALPN on a TLS port, HTTP/3 on its number
        over UDP."""
        if self.client_protocols:
            return self.client_protocols
        return proxy_kit(self.proxy).client_protocols(self.tls, self.suite)

    @property
    def scenario_families(self) -> tuple[str, ...]:
        """The families this stack runs (empty: every one). A stack under a URL prefix runs
        only the prefix family unless it names others: every other scenario asks for paths
        at the root, which such a stack does not serve."""
        if not self.families and self.prefix:
            return (PREFIX_FAMILY,)
        return self.families

    @property
    def contract_prefix(self) -> str | None:
        """The prefix your app answers the contract under (overrides.contract_prefix)."""
        return self.overrides.contract_prefix

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


def _protocol_problems(spec: StackSpec) -> list[tuple[str, str, str]]:
    """A declared client protocol the proxy does not offer, or a list without HTTP/1.1."""
    found: list[tuple[str, str, str]] = []
    offered = proxy_kit(spec.proxy).client_protocols(spec.tls, spec.suite)
    where = "over TLS" if spec.tls else "without TLS"
    for protocol in spec.client_protocols:
        if protocol not in offered:
            allowed = f"what {spec.proxy} offers {where}: {', '.join(offered)}"
            found.append(("client_protocols", str(protocol), allowed))
    if spec.client_protocols and ClientProtocol.H1 not in spec.client_protocols:
        given = ", ".join(spec.client_protocols)
        allowed = "a list with h1: raw-socket scenarios speak HTTP/1.1 whatever is declared"
        found.append(("client_protocols", given, allowed))
    return found


def _derived_id(spec: StackSpec) -> str:
    """Proxy, server label, app mode, then each field that differs from its default."""
    parts = [str(spec.proxy), spec.server_label, str(spec.framework)]
    if spec.http_parser is not None:
        parts.insert(2, str(spec.http_parser))
    kit = server_kit(spec.server)
    # A server serving both interfaces without worker classes names it in its label.
    label_names_interface = len(kit.interfaces) > 1 and not kit.worker_classes
    if spec.framework == Framework.DJANGO and not label_names_interface:
        parts[-1] = f"django-{spec.interface}" if spec.interface == Interface.ASGI else "django"
    # A server that speaks a protocol of its own (uWSGI) says when it serves HTTP instead;
    # HTTP/2 to the server is named wherever it runs.
    if Protocol.UWSGI in kit.protocols and spec.protocol == Protocol.HTTP:
        parts.append("http")
    if spec.protocol == Protocol.H2C:
        parts.append("h2c")
    if spec.tls:
        parts.append("tls")
    if spec.trust is not None and spec.trust != spec.default_trust():
        parts.append(f"trust-{spec.trust}")
    if spec.cache:
        parts.append("cache")
    if spec.prefix:
        parts.append("prefix")
    parts += [f"{pin.name}-{pin.version}" for pin in spec.packages]
    if spec.suite != Suite.BOOKWORM:
        parts.append(str(spec.suite))
    return "-".join(parts)


def _part_problems(spec: StackSpec) -> list[tuple[str, str, str]]:
    """What the kits of the stack's proxy and server cannot do of what it asks."""
    found: list[tuple[str, str, str]] = []
    server, proxy = server_kit(spec.server), proxy_kit(spec.proxy)
    if spec.worker_class and spec.worker_class not in server.worker_classes:
        found.append(("worker_class", str(spec.worker_class),
                      f"only with server = {_having_worker_classes()}"))  # fmt: skip
    if spec.interface == Interface.ASGI and spec.framework == Framework.FLASK:
        found.append(("interface", f"asgi ({spec.server_label})", "wsgi: Flask is a WSGI-only app"))
    by_class = server.worker_classes.get(spec.worker_class) if spec.worker_class else None
    served = {by_class} if by_class else server.interfaces
    if spec.interface not in served:
        only = "/".join(sorted(served))
        found.append(("interface", str(spec.interface),
                      f"{only}: {spec.server_label} serves {only.upper()} only"))  # fmt: skip
    if spec.protocol not in server.protocols:
        found.append(("protocol", str(spec.protocol),
                      f"http: only {_speaking(spec.protocol)} speaks the {spec.protocol} "
                      "protocol"))  # fmt: skip
    elif spec.protocol not in proxy.features.protocols:
        speaks = f"http: {spec.proxy} does not speak the {spec.protocol} protocol"
        found.append(("protocol", str(spec.protocol), speaks))
    if spec.prefix and not proxy.features.prefix:
        found.append(("prefix", repr(spec.prefix), f"none: {spec.proxy} publishes no URL prefix"))
    if spec.cache and not proxy.features.response_cache:
        found.append(("cache", "true", f"false: {spec.proxy} has no shared response cache"))
    if spec.balancing not in proxy.features.balancing:
        allowed = ", ".join(sorted(proxy.features.balancing))
        found.append(("balancing", str(spec.balancing), allowed))
    return found


def _having_worker_classes() -> str:
    return ", ".join(str(kind) for kind, kit in SERVER_KITS.items() if kit.worker_classes)


def _speaking(protocol: Protocol) -> str:
    return ", ".join(str(kind) for kind, kit in SERVER_KITS.items() if protocol in kit.protocols)
