"""What one hop made of a probe, and what the two hops together say.

A hop's outcome comes from the app's side only (its /seen log and its /echo answer), never
from the status line alone: a proxy may answer 400 while a request already reached the app,
or 200 for a request the app read with another length.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from harness.clients.framing.probes import ProbeKind


class StatedProbe(Protocol):
    """What a verdict needs of a probe, HTTP/1.1's (probes.py) or HTTP/2's (h2probes.py):
    its name and kind, and what the app runs and reads when it is accepted as stated."""

    @property
    def name(self) -> str: ...
    @property
    def kind(self) -> ProbeKind: ...
    @property
    def length(self) -> int: ...
    @property
    def requests(self) -> int: ...


__all__ = ["Hop", "HopOutcome", "HopResult", "ProbeResult", "StatedProbe", "classify"]


class Hop(StrEnum):
    PROXIED = "proxied"  # client -> proxy -> replica, through the published port
    DIRECT = "direct"  # a container on the stack network -> one replica


class HopOutcome(StrEnum):
    REFUSED = "refused"  # no request of the probe reached the app
    ACCEPTED = "accepted"  # the app ran the probe as stated: its requests, its body length
    # The app began the request, but the server refused the body as the app read it (a 4xx
    # or 5xx, and no body length): the body never reached the app.
    REFUSED_MIDWAY = "refused midway"
    DESYNC = "desync"  # the app ran a hidden request, or read another body length


@dataclass(frozen=True, slots=True)
class HopResult:
    """One hop's observation: the statuses on the connection, what the app ran and read."""

    hop: Hop
    statuses: tuple[int, ...]
    closed: bool
    app_requests: int  # requests with the probe's marker in /seen
    hidden_ran: bool  # the hidden request is among them
    body_length: int | None  # what the app read of the probe's body, from its /echo answer
    outcome: HopOutcome

    def lenient(self, probe: StatedProbe) -> bool:
        """Whether this hop let the probe through in a way RFC 9112 does not allow."""
        if self.outcome == HopOutcome.DESYNC:
            return True
        return self.outcome == HopOutcome.ACCEPTED and probe.kind == ProbeKind.INVALID

    def describe(self) -> str:
        length = "?" if self.body_length is None else self.body_length
        hidden = ", the hidden request ran" if self.hidden_ran else ""
        return (
            f"{self.hop}: {self.outcome} (statuses {list(self.statuses)}, app ran "
            f"{self.app_requests} request(s){hidden}, read {length} body bytes)"
        )

    def as_data(self) -> dict[str, Any]:
        return {
            "outcome": str(self.outcome),
            "statuses": list(self.statuses),
            "closed": self.closed,
            "app_requests": self.app_requests,
            "hidden_ran": self.hidden_ran,
            "body_length": self.body_length,
        }


def classify(
    probe: StatedProbe, app_requests: int, hidden_ran: bool, body_length: int | None
) -> HopOutcome:
    """The hop's outcome from what the app ran and read (`body_length` None: no /echo answer
    to the probe came back)."""
    if app_requests == 0:
        return HopOutcome.REFUSED
    if app_requests > probe.requests or (hidden_ran and probe.requests == 1):
        return HopOutcome.DESYNC
    if body_length is None:
        return HopOutcome.REFUSED_MIDWAY
    if body_length != probe.length:
        return HopOutcome.DESYNC
    return HopOutcome.ACCEPTED


@dataclass(frozen=True, slots=True)
class ProbeResult:
    """One probe on one stack, hop by hop. `direct` is None where the replicas do not speak
    HTTP (uWSGI over its own protocol)."""

    probe: StatedProbe
    proxied: HopResult
    direct: HopResult | None

    @property
    def server_lenient(self) -> bool | None:
        """Whether the server alone lets the probe through (None: no direct hop)."""
        return None if self.direct is None else self.direct.lenient(self.probe)

    @property
    def proxy_protects(self) -> bool | None:
        """Whether the proxy keeps a lenient server from desynchronising: it refuses the
        probe, or re-frames it so the app reads it as stated (None: nothing to protect from,
        the server alone is strict, or was not probed)."""
        if not self.server_lenient:
            return None
        return self.proxied.outcome != HopOutcome.DESYNC

    def describe(self) -> str:
        direct = self.direct.describe() if self.direct else "direct: not probed"
        return f"{self.probe.name} ({self.probe.kind}): {self.proxied.describe()}; {direct}"

    def as_data(self) -> dict[str, Any]:
        """What results.json keeps for the cell (see harness/matrix/schema.py)."""
        return {
            "probe": self.probe.name,
            "kind": str(self.probe.kind),
            "proxied": self.proxied.as_data(),
            "direct": self.direct.as_data() if self.direct else None,
            "server_lenient": self.server_lenient,
            "proxy_protects": self.proxy_protects,
        }
