"""What a kit is: everything the harness knows about one proxy or one server, as frozen data.

Each proxy and each server has one module (harness/parts/proxies/, harness/parts/servers/)
that fills one `ProxyKit` or `ServerKit`; the stages (specs, builds, runs, clients, matrix,
scenarios) ask `proxy_kit(kind)` / `server_kit(kind)` (harness/parts/__init__.py) and keep no
table keyed by a kind of their own. Like Django's database backends' `features.py`, a
scenario asks for a feature (`kit.features.http2`), not for a proxy by name, so a new part
turns scenarios on by its flags. Every field is required: a kit that leaves one out fails to
import, and tests/unit/test_kits.py checks that each is filled, not merely present.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TypeVar

from packaging.version import Version

from harness.parts.expectation import Expectation, Reading
from harness.parts.kinds import (
    Balancing,
    ClientProtocol,
    HttpParser,
    Interface,
    Protocol,
    ProxyKind,
    ServerKind,
    Suite,
    Trust,
    WorkerClass,
)

T = TypeVar("T")

# Where the harness puts its own files in a container.
HARNESS_ETC = "/etc/harness"

# Which peers a server believes X-Forwarded-* from, when the stack trusts the server layer.
# Only the proxy can reach a replica (private network, no published port), so the trust is
# open here; the proxy's address is not known when configs are rendered. With "*" uvicorn
# takes the LEFTMOST X-Forwarded-For entry as the client, which is safe only because our
# proxies, at the edge, replace a client's X-Forwarded-For with the address they saw instead
# of appending to it (test_client_supplied_forwarded_for_is_not_client_address holds them to
# it).
TRUSTED_PROXIES = "*"
# With the app layer, the server trusts no peer: gunicorn's and uvicorn's own default.
UNTRUSTED_PROXIES = "127.0.0.1"


class Stickiness(StrEnum):
    """How a proxy keeps a client on one replica (`balancing = "sticky"`)."""

    CLIENT_ADDRESS = "client-address"  # a hash of the client's address (nginx's ip_hash)
    COOKIE = "cookie"  # a cookie the proxy sets, which a new visitor does not send yet


class RootHandling(StrEnum):
    """What a server does with the URL prefix's root it is given (harness/spec/prefix.py)."""

    SPLITS_OFF = "splits-off"  # the proxy keeps the path; the server splits the root off
    ADDS_BACK = "adds-back"  # the proxy strips it; the server adds it back (uvicorn >= 0.26)
    NONE = "none"  # the server has no root setting of its own


@dataclass(frozen=True, slots=True)
class ProxyFeatures:
    """What a proxy can do, as plain flags the scenarios and the catalog ask for."""

    tls: bool
    http2: bool  # ALPN h2 on its TLS port
    # The suites whose package serves HTTP/3 over QUIC on the TLS port's number (UDP).
    http3: frozenset[Suite]
    # RFC 8441: WebSockets over an HTTP/2 connection (extended CONNECT, which it announces by
    # SETTINGS_ENABLE_CONNECT_PROTOCOL); without it a browser opens an HTTP/1.1 connection.
    websocket_over_h2: bool
    websockets: bool
    response_cache: bool  # a shared response cache of its own (`cache = true`)
    compression: bool
    balancing: frozenset[Balancing]
    prefix: bool  # publishes the app under a URL prefix
    protocols: frozenset[Protocol]  # what it speaks to the servers
    stickiness: Stickiness


@dataclass(frozen=True, slots=True)
class PrefixDirectives:
    """How a proxy is told a URL prefix, as its config says it (`{prefix}` stands for it):
    for the failure hints of the prefix scenarios."""

    strip: str  # pass below the prefix, without it
    keep: str  # pass below the prefix, with the whole path
    header: str  # send X-Forwarded-Prefix
    static: str  # serve static files below the prefix
    websocket: str  # pass WebSockets below the prefix
    outside: str  # keep paths outside the prefix away from the app


@dataclass(frozen=True, slots=True)
class ConfigShape:
    """How `harness init` finds a project's own config of this proxy and checks, line by
    line, what would stop it running verbatim in a stack."""

    names: tuple[str, ...]  # the file names such a config goes by, lowercase
    tls_line: str  # a regex a line that turns TLS on matches
    upstream_lines: tuple[str, ...]  # how a line naming upstream addresses starts
    certificate: tuple[str, str]  # the directive naming the certificate; the test PKI's file
    # (words the whole config must hold, the fix when it does not)
    must_say: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class ProxyKit:
    """Everything about one proxy: its files in the container, its command lines, what it
    supports, which of its directives decides each declared value, and its versions."""

    kind: ProxyKind
    template: str  # in docker/templates
    config_path: str  # where the main config goes in the container
    command: tuple[str, ...]
    check_command: tuple[str, ...]  # checks the config without serving
    version_command: tuple[str, ...]  # its first output line names the version
    # (template, path) pairs rendered next to the main config (HAProxy's Lua static service).
    helpers: tuple[tuple[str, str], ...]
    # Paths the proxy buffers into, mounted in memory (path -> tmpfs options).
    tmpfs: Mapping[str, str]
    debian_packages: tuple[str, ...]  # the packages whose versions the matrix records
    # The upstream version each Debian suite ships, as precise as it stays over point releases.
    shipped: Mapping[Suite, Version]
    features: ProxyFeatures
    directives: Mapping[Expectation, str]  # what decides each value, for failure hints
    upstream_idle_directive: str  # what stops it reusing an idle upstream connection
    prefix: PrefixDirectives
    # Reads the values a user's own config decides (path, the contract's root, tls); None:
    # this proxy's config is not read, and the run says which values it assumed.
    read_config: Callable[[Path, str, bool], Iterable[Reading]] | None
    config_shape: ConfigShape

    def client_protocols(self, tls: bool, suite: Suite) -> tuple[ClientProtocol, ...]:
        """What a client can speak to it: HTTP/1.1, and over TLS what its features offer
        (HTTP/3 as the suite's package is built)."""
        offered = [ClientProtocol.H1]
        if tls and self.features.http2:
            offered.append(ClientProtocol.H2)
        if tls and suite in self.features.http3:
            offered.append(ClientProtocol.H3)
        return tuple(offered)


@dataclass(frozen=True, slots=True)
class ServerChoice:
    """What varies within one server: its worker class, interface, protocol, parser, threads."""

    worker_class: WorkerClass | None
    interface: Interface
    protocol: Protocol
    http_parser: HttpParser | None
    threads: int


@dataclass(frozen=True, slots=True)
class ServerSettings:
    """What a server's command line is made of, from a stack spec (harness/building/configs)."""

    choice: ServerChoice
    entry_point: str  # `flask_app.wsgi:app`
    port: int
    workers: int
    trust: Trust
    keepalive: int  # seconds
    graceful: int
    worker_timeout: int
    ws_ping_interval: int
    root: str  # the URL prefix's root the server is given, "" for none
    config_dir: str  # where its config file (if any) is in the container

    def root_args(self, option: str) -> list[str]:
        """`option ROOT` when the server is given a prefix's root (`option=ROOT` for an
        option ending in `=`), else nothing."""
        if not self.root:
            return []
        return [f"{option}{self.root}"] if option.endswith("=") else [option, self.root]


@dataclass(frozen=True, slots=True)
class ServerKit:
    """Everything about one server: what it serves, how it starts, where forwarded headers are
    trusted by default, which of its settings decides each declared value."""

    kind: ServerKind
    package: str  # the PyPI project that installs it
    interfaces: frozenset[Interface]
    # gunicorn: the interface each worker class serves; empty for servers without classes.
    worker_classes: Mapping[WorkerClass, Interface]
    default_worker_class: WorkerClass | None  # when a stack names none
    http_parsers: frozenset[HttpParser]  # the HTTP/1.1 parsers it can be told to use
    protocols: frozenset[Protocol]
    label: Callable[[ServerChoice], str]  # as apps report it: `gunicorn-gthread`
    default_trust: Callable[[ServerChoice], Trust]  # what its own documentation recommends
    command: Callable[[ServerSettings], list[str]]
    config_template: str | None  # its config file's template (`gunicorn.conf.py.j2`), if any
    directives: Mapping[Expectation, str]
    root_handling: RootHandling
    root_setting: str  # how it is given the prefix's root, `{root}` standing for it
    # The PyPI package whose HTTP/1.1 parser reads its requests, where an advisory's
    # package does (harness/clients/framing/advisories.py); None for a parser of its own.
    parser_package: Callable[[ServerChoice], str | None]
    one_request_per_process: Callable[[ServerChoice], bool]  # a slow client holds a process
    ends_slow_requests: Callable[[ServerChoice], bool]  # kills a request past its timeout
    answers_expect: Callable[[ServerChoice], bool]  # answers `Expect: 100-continue` itself
    # Serves more than one request on a connection, so a proxy may keep it for another.
    keeps_connections: Callable[[ServerChoice], bool]
    # Seconds after which it gives up writing to a client that reads nothing, or None.
    write_timeout: float | None
    # Why it never closes an idle keep-alive connection itself, or None when it does.
    keeps_idle_connections: str | None
    read_config: Callable[[Path | None, Sequence[str]], Iterable[Reading]] | None


def always(value: T) -> Callable[[ServerChoice], T]:
    """A server fact that holds whatever the choice."""

    def fact(_: ServerChoice) -> T:
        return value

    return fact
