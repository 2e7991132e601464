"""Whether a replica keeps an idle connection as long as the stack declares, asked from the
stack network (its agent: harness/run/network_probe.py, op `kept`).

A proxy keeps idle upstream connections for a time set from the server's declared keep-alive;
a server that closes sooner lets the proxy send a request on a connection that is closing, and
the client gets a 502 (a POST is not retried). Only the server's own side shows it.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from harness.errors import HarnessError
from harness.run.agent import ask_agent
from harness.run.stack import Stack
from harness.spec.model import APP_PORT

__all__ = ["KeptConnection", "idle_connection"]

# What the harness's own keep-alive request names: a Host the apps allow (apps/CONTRACT.md).
HOST = "localhost"
DEADLINE = 5.0  # seconds for each answer
# A close this soon after the answer is a server that keeps no connection, not a timeout.
AT_ONCE = 0.2  # seconds


class KeptConnectionProbeFailed(HarnessError):
    """The agent could not reach the replica at all."""


@dataclass(frozen=True, slots=True)
class KeptConnection:
    """The request on a fresh connection, the idle period, the request again."""

    first: str  # status line of the first answer ("" if none)
    second: str  # of the second, sent after the idle period ("" if none)
    closed_after: float | None  # seconds idle when the server closed it; None: kept
    idle: float

    @property
    def kept_alive_after_first(self) -> bool:
        """Whether the server kept the connection open once it had answered."""
        return self.closed_after is None or self.closed_after > AT_ONCE

    def describe(self) -> str:
        if self.closed_after is not None:
            return (
                f"first answer {self.first!r}, then the server closed the idle connection "
                f"after {self.closed_after:.2f} s"
            )
        return f"first answer {self.first!r}; after {self.idle:.2f} s idle, {self.second!r}"


def idle_connection(stack: Stack, replica: str, path: str, idle: float) -> KeptConnection:
    """GET `path` on a new connection to the replica's app port, `idle` seconds of nothing,
    the GET again on the same connection."""
    request = f"GET {path} HTTP/1.1\r\nHost: {HOST}\r\n\r\n".encode()
    asked = {
        "op": "kept",
        "host": replica,
        "port": APP_PORT,
        "request": base64.b64encode(request).decode(),
        "idle": idle,
        "deadline": DEADLINE,
    }
    seen = ask_agent(stack, asked, timeout=idle + 2 * DEADLINE + 10)
    if seen["error"]:
        raise KeptConnectionProbeFailed(
            f"{stack.id}: could not keep a connection to {replica}:{APP_PORT} from the stack "
            f"network: {seen['error']}. Hint: is the replica running? `harness up` and check "
            "its logs."
        )
    return KeptConnection(seen["first"], seen["second"], seen["closed_after"], idle)
