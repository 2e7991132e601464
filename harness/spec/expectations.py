"""What a failed scenario tells its user to fix: the declared value, where it was declared,
and the config directive that most likely decides it on this stack.

A stack declares expectations (spec.limits, spec.timeouts); a user's config either meets
them or not. When it does not, "got 413" is not enough: the message names the declared value
(`max_body_bytes = 1048576`), its origin (the user's stack file, the stack it extends, or the
harness's default) and the directives of this stack's proxy and server that set it
(`nginx: client_max_body_size`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from harness.spec.model import ProxyKind, ServerKind, SourceKind, StackSpec


class Expectation(StrEnum):
    """A value a stack declares, by its dotted name in the stack file."""

    MAX_BODY_BYTES = "limits.max_body_bytes"
    MAX_HEADER_BYTES = "limits.max_header_bytes"
    MAX_RESPONSE_HEADER_BYTES = "limits.max_response_header_bytes"
    PROXY_READ = "timeouts.proxy_read"
    PROXY_CONNECT = "timeouts.proxy_connect"
    WORKER = "timeouts.worker"
    KEEPALIVE = "timeouts.keepalive"
    GRACEFUL = "timeouts.graceful"
    WEBSOCKET_IDLE = "timeouts.websocket_idle"
    TIMEOUT_STATUS = "timeouts.timeout_status"
    MAX_FAILS = "timeouts.max_fails"
    RESOLVE = "timeouts.resolve"
    COMPRESSION = "compression"

    @property
    def table(self) -> str:
        """The stack file's table that holds it (`limits`), or "" for a top-level field."""
        return self.value.rpartition(".")[0]

    @property
    def heading(self) -> str:
        """Where a stack file sets it: `[stacks.limits]`, or `[[stacks]]` for a top-level field."""
        return f"[stacks.{self.table}]" if self.table else "[[stacks]]"

    @property
    def field_name(self) -> str:
        """Its name inside that table (`max_body_bytes`)."""
        return self.value.rpartition(".")[2]

    def as_field(self, read: float) -> bool | int | float:
        """A number read from a config as the stack's field holds it: a bool (compression),
        whole bytes or counts (limits, max_fails, the status), or seconds."""
        if self == Expectation.COMPRESSION:
            return read != 0
        counted = (Expectation.MAX_FAILS, Expectation.TIMEOUT_STATUS)
        return int(read) if self.table == "limits" or self in counted else float(read)

    def value_in(self, spec: StackSpec) -> object:
        """The stack's value for it."""
        holder = getattr(spec, self.table) if self.table else spec
        return getattr(holder, self.field_name)


_PROXY_DIRECTIVES: Mapping[Expectation, Mapping[ProxyKind, str]] = MappingProxyType({
    Expectation.MAX_BODY_BYTES: {
        ProxyKind.NGINX: "client_max_body_size",
        ProxyKind.APACHE: "LimitRequestBody and the RewriteRule on Content-Length",
        ProxyKind.HAPROXY: "http-request deny deny_status 413 if { req.body_size gt N }",
    },
    Expectation.MAX_HEADER_BYTES: {
        ProxyKind.NGINX: "large_client_header_buffers",
        ProxyKind.APACHE: "LimitRequestFieldSize",
        ProxyKind.HAPROXY: "tune.bufsize (and tune.maxrewrite)",
    },
    Expectation.MAX_RESPONSE_HEADER_BYTES: {
        ProxyKind.NGINX: "proxy_buffer_size (uwsgi_buffer_size)",
        ProxyKind.APACHE: "none of its own (mod_proxy_http passed 3.5 KiB header lines "
        "even under LimitRequestFieldSize 1024); look at the server",
        ProxyKind.HAPROXY: "tune.bufsize less tune.maxrewrite",
    },
    Expectation.PROXY_READ: {
        ProxyKind.NGINX: "proxy_read_timeout (uwsgi_read_timeout)",
        ProxyKind.APACHE: "BalancerMember timeout= (ProxyTimeout)",
        ProxyKind.HAPROXY: "timeout server",
    },
    Expectation.PROXY_CONNECT: {
        ProxyKind.NGINX: "proxy_connect_timeout and the upstream's fail_timeout",
        ProxyKind.APACHE: "BalancerMember connectiontimeout= and retry=",
        ProxyKind.HAPROXY: "timeout connect and the health check's inter/fall",
    },
    Expectation.KEEPALIVE: {
        ProxyKind.NGINX: "keepalive_timeout",
        ProxyKind.APACHE: "KeepAliveTimeout",
        ProxyKind.HAPROXY: "timeout http-keep-alive",
    },
    Expectation.WEBSOCKET_IDLE: {
        ProxyKind.NGINX: "proxy_read_timeout in the WebSocket location",
        ProxyKind.APACHE: "timeout= of the WebSocket BalancerMembers",
        ProxyKind.HAPROXY: "timeout tunnel",
    },
    Expectation.MAX_FAILS: {
        ProxyKind.NGINX: "max_fails of the upstream servers",
        ProxyKind.APACHE: "failontimeout (a read timeout puts a member in error)",
        ProxyKind.HAPROXY: "fall of the health checks",
    },
    Expectation.RESOLVE: {
        ProxyKind.NGINX: "the `resolve` parameter of upstream servers (1.27.3+) or resolver valid=",
        ProxyKind.APACHE: "ProxyPass addressttl=",
        ProxyKind.HAPROXY: "a resolvers section (timeout resolve) on the servers",
    },
    Expectation.TIMEOUT_STATUS: {
        ProxyKind.NGINX: "proxy_read_timeout (nginx answers 504)",
        ProxyKind.APACHE: "mod_proxy_http answers 502 on a read timeout",
        ProxyKind.HAPROXY: "timeout server (HAProxy answers 504)",
    },
})
_SERVER_DIRECTIVES: Mapping[Expectation, Mapping[ServerKind, str]] = MappingProxyType({
    Expectation.MAX_HEADER_BYTES: {
        ServerKind.GUNICORN: "limit_request_field_size and limit_request_line",
        ServerKind.UWSGI: "buffer-size",
        ServerKind.UVICORN: "h11_max_incomplete_event_size",
    },
    Expectation.WORKER: {
        ServerKind.GUNICORN: "timeout",
        ServerKind.UWSGI: "harakiri",
        ServerKind.DAPHNE: "--http-timeout",
    },
    Expectation.KEEPALIVE: {
        ServerKind.GUNICORN: "keepalive",
        ServerKind.UVICORN: "--timeout-keep-alive",
        ServerKind.HYPERCORN: "--keep-alive",
        ServerKind.WAITRESS: "--channel-timeout",
    },
    Expectation.GRACEFUL: {
        ServerKind.GUNICORN: "graceful_timeout",
        ServerKind.UWSGI: "worker-reload-mercy",
        ServerKind.UVICORN: "--timeout-graceful-shutdown",
        ServerKind.HYPERCORN: "--graceful-timeout",
        ServerKind.GRANIAN: "--workers-kill-timeout",
        ServerKind.DAPHNE: "--application-close-timeout",
    },
    Expectation.WEBSOCKET_IDLE: {
        ServerKind.UVICORN: "--ws-ping-interval",
        ServerKind.DAPHNE: "--ping-interval",
        ServerKind.HYPERCORN: "--websocket-ping-interval",
    },
})


# A limit a config turned off (nginx's client_max_body_size 0), as a size no request reaches.
UNLIMITED = 2**62
# The largest value of each expectation a scenario proves here. Above it a case would
# send gigabytes or wait minutes (a 4 GiB body limit, nginx's 60 s read timeout): it skips,
# saying so, rather than fail a config that does what its user set. Sizes stay within what
# the contract's routes produce (harness_contract's MAX_SIZE per header, 64 KiB).
PROVABLE_AT_MOST: Mapping[Expectation, float] = MappingProxyType({
    Expectation.MAX_BODY_BYTES: 64 * 1024 * 1024,
    Expectation.MAX_HEADER_BYTES: 64 * 1024,
    Expectation.MAX_RESPONSE_HEADER_BYTES: 2 * 64 * 1024,
    Expectation.PROXY_READ: 20,
    Expectation.PROXY_CONNECT: 20,
    Expectation.WORKER: 20,
    Expectation.KEEPALIVE: 20,
    Expectation.GRACEFUL: 20,
    Expectation.WEBSOCKET_IDLE: 20,
    Expectation.RESOLVE: 20,
})


def shown_number(value: object) -> str:
    """A value as a message says it: 3, not 3.0; 0.5 as it is."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def unprovable(spec: StackSpec, *expectations: Expectation) -> str | None:
    """Why a case holding `spec` to these values cannot prove them here, or None."""
    for expectation in expectations:
        found = declared(spec, expectation)
        most = PROVABLE_AT_MOST.get(expectation)
        number = float(found.value)  # type: ignore[arg-type]
        if most is None or number <= most:
            continue
        endless = "never" if expectation.table == "timeouts" else "no limit"
        shown = endless if number >= UNLIMITED else shown_number(number)
        return (
            f"{spec.id}: {expectation.field_name} = {shown} ({found.origin}) is more than this "
            f"harness proves ({shown_number(most)}); declare a shorter value in the stack file "
            "to test it"
        )
    return None


@dataclass(frozen=True, slots=True)
class Reading:
    """An expected value read from a user's own config, and where: `nginx.conf line 19:
    client_max_body_size 10m`."""

    expectation: Expectation
    value: float
    where: str


@dataclass(frozen=True, slots=True)
class Declared:
    """One declared expectation of a stack, where it comes from, and what decides it."""

    expectation: Expectation
    value: object
    origin: str
    directives: tuple[str, ...]

    def hint(self) -> str:
        """The end of a failure message: what was declared, where, and what to look at."""
        name = self.expectation.field_name
        decided = "; ".join(self.directives) or "the proxy's and the server's configs"
        return f"declared {name} = {shown_number(self.value)} ({self.origin}); check {decided}"


def declared(spec: StackSpec, expectation: Expectation) -> Declared:
    """The stack's declared value for `expectation`, its origin and its likely directives."""
    value = expectation.value_in(spec)
    return Declared(expectation, value, _origin(spec, expectation), _directives(spec, expectation))


def _origin(spec: StackSpec, expectation: Expectation) -> str:
    source = spec.expectation_sources.get(expectation.value)
    if source is not None and source.kind == SourceKind.READ:
        return f"read from your config: {source.where}"
    if source is not None:
        return f"assumed for stack {spec.id}: {source.where}"
    if spec.source == "built-in":
        return f"the harness's default for built-in stack {spec.id}, harness/spec/model.py"
    if expectation.value in spec.declared_fields:
        return f"{spec.source}, stack {spec.id}, {expectation.heading} {expectation.field_name}"
    return f"not set in {spec.source}: inherited by stack {spec.id} from its base or the default"


_UPSTREAM_IDLE_DIRECTIVES: Mapping[ProxyKind, str] = MappingProxyType({
    ProxyKind.NGINX: "keepalive_timeout inside the upstream block (nginx's default is 60s)",
    ProxyKind.APACHE: "ttl= of the BalancerMembers (unset: no limit)",
    ProxyKind.HAPROXY: "pool-purge-delay of the servers (default 5s) or http-reuse",
})


def upstream_idle_hint(spec: StackSpec) -> str:
    """What to fix when the proxy reuses an upstream connection the server may be closing."""
    return (
        f"{declared(spec, Expectation.KEEPALIVE).hint()}; the proxy must stop reusing an idle "
        f"upstream connection before that: {spec.proxy}: {_UPSTREAM_IDLE_DIRECTIVES[spec.proxy]}"
    )


def server_decides(expectation: Expectation, server: ServerKind) -> bool:
    """Whether this server has a setting of its own for the value (uvicorn has no worker
    timeout, daphne no keep-alive timeout)."""
    return server in _SERVER_DIRECTIVES.get(expectation, {})


def _directives(spec: StackSpec, expectation: Expectation) -> tuple[str, ...]:
    found = []
    proxy = _PROXY_DIRECTIVES.get(expectation, {}).get(spec.proxy)
    if proxy:
        found.append(f"{spec.proxy}: {proxy}")
    server = _SERVER_DIRECTIVES.get(expectation, {}).get(spec.server)
    if server:
        found.append(f"{spec.server_label}: {server}")
    return tuple(found)
