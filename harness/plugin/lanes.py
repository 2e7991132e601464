"""Lanes: one stack's scenarios in groups that run beside each other, each on its own
instance of the stack.

Most of a stack's time is waiting: on a replica stopped, paused or restarted, on a timeout
the scenario proves. Under pytest-xdist, when a stack is split into lanes (below), each lane
is its own group (`--dist loadgroup`), so several workers run lanes of one stack at once,
each starting its own instance (a worker has its own run id, so names never collide). A
worker that draws two lanes of one stack runs them on one instance, one after the other, as
a serial run does.

The lanes were chosen from measured times on one stack (nginx-uvicorn-django-asgi-tls,
docs/performance.md): the balancing family took 32-36 s, half of it the one scenario that
keeps traffic going with a replica stopped, then paused (17-20 s: the proxy's read timeouts
and rests); lifecycle took 15-21 s (restarts, recreated replicas), limits 12-14 s (read
timeouts that rest replicas, upstream reuse), every other family together 16-19 s. In three
lanes (balancing; lifecycle and limits; the rest) the stack took 38 s, the balancing lane
the longest; in these five, 33 s, the instances' start-up (five at once on two cores) now
the longest part.

Lanes pay only while workers would otherwise idle. Each lane starts an instance of its own,
and on this machine the app imports in those containers are most of a run's CPU: the default
profile (15 stacks, 8 workers) took 274 s and 501 CPU s in lanes (45 groups), 229-249 s and
375-423 CPU s with one group per stack (docs/performance.md). So a selection of at least as
many stacks as workers is grouped by stack; fewer stacks are split into lanes.
"""

from __future__ import annotations

from enum import Enum

__all__ = [
    "Lane",
    "lane_of",
    "proxy_kin",
    "scenarios_with_a_lane_of_their_own",
    "split_into_lanes",
    "xdist_group",
]


class Lane(Enum):
    OUTAGES = "outages"  # balancing: a replica stopped, then paused, under traffic
    FAILOVER = "failover"  # the rest of balancing: rejoin, retries, refused requests
    LIFECYCLE = "lifecycle"  # restarts, recreated replicas, a request in flight at a stop
    LIMITS = "limits"  # read timeouts that rest replicas, upstream reuse
    STEADY = "steady"  # every other family: the fleet stays as it is


_LANE_OF_FAMILY = {
    "balancing": Lane.FAILOVER,
    "lifecycle": Lane.LIFECYCLE,
    "limits": Lane.LIMITS,
}
_LANE_OF_SCENARIO = {"test_gets_keep_succeeding_with_replica_down": Lane.OUTAGES}


def lane_of(family: str, scenario: str = "") -> Lane:
    """The lane of a scenario (its function's name) of a family (a family not listed waits
    little: the steady lane)."""
    return _LANE_OF_SCENARIO.get(scenario) or _LANE_OF_FAMILY.get(family, Lane.STEADY)


# A lane split off another shares its proxy: on one instance (a whole stack on one worker,
# or a worker that draws both lanes) they follow each other without a proxy restart, as
# they did when they were one lane. Restarting between them cost each whole stack two proxy
# restarts: the default profile took 195 s against 181-189 s.
_SHARES_PROXY_WITH = {Lane.OUTAGES: Lane.FAILOVER, Lane.LIMITS: Lane.LIFECYCLE}


def proxy_kin(lane: Lane) -> Lane:
    """The lane whose proxy `lane`'s scenarios share when they run on the same instance."""
    return _SHARES_PROXY_WITH.get(lane, lane)


def scenarios_with_a_lane_of_their_own() -> frozenset[str]:
    """The scenarios (function names) whose lane is not their family's."""
    return frozenset(_LANE_OF_SCENARIO)


def split_into_lanes(stacks: int, workers: int) -> bool:
    """Whether a run of `stacks` stacks on `workers` xdist workers splits each into lanes:
    only when there are fewer stacks than workers to keep busy."""
    return stacks < workers


def xdist_group(stack_id: str, family: str, lanes: bool = True, scenario: str = "") -> str:
    """The xdist group of a scenario (its function's name) of a family on one stack:
    `<stack>/<lane>`, or the stack alone when the run does not split stacks into lanes.
    Never an `@`: xdist appends `@<group>` to the node id and takes the group back from
    after the last `@`."""
    return f"{stack_id}/{lane_of(family, scenario).value}" if lanes else stack_id
