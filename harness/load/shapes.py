"""How load is applied: closed loop by users, or an open model at a fixed arrival rate, in
steps of a sweep (`--users 1,4,16,64` or `--rate 100,200,400`).

Closed loop: N users, each sending its next request as soon as the last one answered. A
slow stack slows the senders, so it hides tail latency (coordinated omission).

Fixed rate (open model): requests are due on a schedule, whatever the stack does. A pool of
users takes them in turn; when every user is busy the next request starts late, and the
lateness of every start is measured. A step whose achieved rate falls short of the target,
or whose starts run late, is "target not reached", never a step with lower latency.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from harness.errors import ConfigError

MAX_USERS = 512
MAX_RATE = 20_000
# The pool of users that takes a fixed rate's requests: enough for each to have this long
# for its request at the target rate before the next is due; at least MIN_POOL.
POOL_SECONDS_PER_REQUEST = 0.25
MIN_POOL = 4


class ShapeKind(StrEnum):
    CLOSED = "users"  # closed loop: the level is a number of users
    OPEN = "rate"  # open model: the level is a target of requests per second


@dataclass(frozen=True, slots=True, order=True)
class Step:
    """One level of a sweep: `users=16` or `rate=400`."""

    kind: ShapeKind
    level: int

    def __str__(self) -> str:
        return f"{self.kind}={self.level}"

    @property
    def users(self) -> int:
        """How many locust users run the step: the level, or the pool for a fixed rate."""
        if self.kind is ShapeKind.CLOSED:
            return self.level
        return min(MAX_USERS, max(MIN_POOL, math.ceil(self.level * POOL_SECONDS_PER_REQUEST)))

    @staticmethod
    def parse(text: str) -> Step:
        """`users=16` / `rate=400`, as steps are written in results and gate messages."""
        kind, _, level = text.partition("=")
        try:
            return Step(ShapeKind(kind), int(level))
        except ValueError:
            raise ConfigError(
                f"step {text!r}; allowed: users=N or rate=N (whole numbers)"
            ) from None


@dataclass(frozen=True, slots=True)
class Timing:
    """Every step runs warm-up plus measured seconds; the warm-up is left out of the numbers."""

    seconds: int
    warmup: int


def parse_levels(kind: ShapeKind, text: str) -> tuple[Step, ...]:
    """`1,4,16,64` into steps, in the order given; duplicates and bad levels are errors."""
    high = MAX_USERS if kind is ShapeKind.CLOSED else MAX_RATE
    option = f"--{kind.value}"
    steps: list[Step] = []
    for part in (piece.strip() for piece in text.split(",")):
        if not part.isdigit() or not 1 <= int(part) <= high:
            raise ConfigError(
                f"{option}: level {part!r} in {text!r}; allowed: whole numbers from 1 to {high}, "
                "comma-separated (e.g. 1,4,16,64)"
            )
        step = Step(kind, int(part))
        if step in steps:
            raise ConfigError(f"{option}: level {part} appears twice in {text!r}")
        steps.append(step)
    return tuple(steps)
