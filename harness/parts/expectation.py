"""The values a stack declares (its limits and timeouts), by name, and a value read from a
config: what a kit's directives and config readers speak of.

The hints built on them (what was declared, where, what to fix) are harness/spec/expectations.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

# A limit a config turned off (nginx's client_max_body_size 0), as a size no request reaches.
UNLIMITED = 2**62


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

    def value_in(self, spec: object) -> object:
        """The value a stack spec holds for it."""
        holder = getattr(spec, self.table) if self.table else spec
        return getattr(holder, self.field_name)


@dataclass(frozen=True, slots=True)
class Reading:
    """An expected value read from a user's own config, and where: `nginx.conf line 19:
    client_max_body_size 10m`."""

    expectation: Expectation
    value: float
    where: str
