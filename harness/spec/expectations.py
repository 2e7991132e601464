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
from types import MappingProxyType

from harness.parts import proxy_kit, server_kit
from harness.parts.expectation import UNLIMITED, Expectation, Reading
from harness.spec.model import ServerKind, SourceKind, StackSpec

__all__ = [
    "PROVABLE_AT_MOST", "UNLIMITED", "Declared", "Expectation", "Reading", "declared",
    "server_decides", "shown_number", "unprovable", "upstream_idle_hint",
]  # fmt: skip


# The largest value of each expectation a scenario proves here. Above it a case would
# send gigabytes or wait minutes (a 4 GiB body limit, nginx's 60 s read timeout): it skips,
# saying so, rather than fail a config that does what its user set. Sizes stay within what
# the contract's routes produce (harness_contract's MAX_SIZE per header, 64 KiB).
PROVABLE_AT_MOST: Mapping[Expectation, float] = MappingProxyType(
    {
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
    }
)


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


def upstream_idle_hint(spec: StackSpec) -> str:
    """What to fix when the proxy reuses an upstream connection the server may be closing."""
    directive = proxy_kit(spec.proxy).upstream_idle_directive
    return (
        f"{declared(spec, Expectation.KEEPALIVE).hint()}; the proxy must stop reusing an idle "
        f"upstream connection before that: {spec.proxy}: {directive}"
    )


def server_decides(expectation: Expectation, server: ServerKind) -> bool:
    """Whether this server has a setting of its own for the value (uvicorn has no worker
    timeout, daphne no keep-alive timeout)."""
    return expectation in server_kit(server).directives


def _directives(spec: StackSpec, expectation: Expectation) -> tuple[str, ...]:
    found = []
    proxy = proxy_kit(spec.proxy).directives.get(expectation)
    if proxy:
        found.append(f"{spec.proxy}: {proxy}")
    server = server_kit(spec.server).directives.get(expectation)
    if server:
        found.append(f"{spec.server_label}: {server}")
    return tuple(found)
