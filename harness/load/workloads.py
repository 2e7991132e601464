"""What the simulated users do, and in which proportions: `--mix get=8,post=1,ws=1`.

A mix is weights by workload kind. WebSocket kinds run only where the stack serves
WebSockets (ASGI Django with Channels); elsewhere they are dropped from the mix with a note
that says so, and the remaining weights run as given.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from harness.errors import ConfigError
from harness.spec.model import StackSpec


class Workload(StrEnum):
    """One kind of simulated user (a locust user class in locustfile.py)."""

    GET = "get"  # GET each --path in turn
    POST = "post"  # POST a body to /upload
    STREAM = "stream"  # GET /stream, read every chunked line
    WS = "ws"  # WebSocket /ws/echo: one message round trip at a time
    ROOM = "room"  # WebSocket /ws/room/<name>: send, wait for the broadcast back

    @property
    def websocket(self) -> bool:
        return self in (Workload.WS, Workload.ROOM)


MAX_WEIGHT = 1000


@dataclass(frozen=True, slots=True)
class Mix:
    """Weights by workload, in the order given; every weight is 1 or more."""

    weights: tuple[tuple[Workload, int], ...]

    def __str__(self) -> str:
        return ",".join(f"{kind}={weight}" for kind, weight in self.weights)

    @property
    def kinds(self) -> tuple[Workload, ...]:
        return tuple(kind for kind, _ in self.weights)

    def for_stack(self, spec: StackSpec) -> tuple[Mix, tuple[str, ...]]:
        """The part of this mix the stack can serve, and a note per workload left out."""
        if spec.websockets:
            return self, ()
        kept = tuple((kind, weight) for kind, weight in self.weights if not kind.websocket)
        notes = tuple(
            f"{spec.id}: {kind} users not run: the stack does not serve WebSockets "
            f"({spec.app_mode}; WebSockets need Django on ASGI)"
            for kind, _ in self.weights
            if kind.websocket
        )
        return Mix(kept), notes


def parse_mix(text: str) -> Mix:
    """Read `kind=weight,...`; a bad part raises ConfigError naming it and what is allowed."""
    allowed = ", ".join(kind.value for kind in Workload)
    weights: dict[Workload, int] = {}
    for part in (piece.strip() for piece in text.split(",")):
        name, equals, number = part.partition("=")
        try:
            kind = Workload(name.strip())
        except ValueError:
            raise ConfigError(
                f"--mix: workload {name.strip()!r} in {text!r} is unknown; allowed: {allowed}"
            ) from None
        if not equals or not number.strip().isdigit() or not 1 <= int(number) <= MAX_WEIGHT:
            raise ConfigError(
                f"--mix: weight of {kind} in {text!r} is {number.strip()!r}; "
                f"allowed: a whole number from 1 to {MAX_WEIGHT} (e.g. get=8,ws=2)"
            )
        if kind in weights:
            raise ConfigError(f"--mix: {kind} appears twice in {text!r}; give each kind once")
        weights[kind] = int(number)
    return Mix(tuple(weights.items()))
