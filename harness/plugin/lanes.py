"""Lanes: one stack's scenarios in groups that run beside each other, each on its own
instance of the stack.

Most of a stack's time is waiting: on a replica stopped, paused or restarted, on a timeout
the scenario proves. Under pytest-xdist, when a stack is split into lanes (below), each lane
is its own group (`--dist loadgroup`), so two workers can run two lanes of one stack at
once, each starting its own instance (a worker has its own run id, so names never collide).
A worker that draws two lanes of one stack runs them on one instance, one after the other,
as a serial run does.

The lanes were chosen from measured family times on one stack (docs/performance.md): the
balancing scenarios, which stop and pause replicas, take as long as the lifecycle and limits
scenarios together (restarts, recreated replicas, read timeouts that rest replicas), and as
long again as every other family.

Lanes pay only while workers would otherwise idle. Each lane starts an instance of its own,
and on this machine the app imports in those containers are most of a run's CPU: the default
profile (15 stacks, 8 workers) took 274 s and 501 CPU s in lanes (45 groups), 229-249 s and
375-423 CPU s with one group per stack (docs/performance.md). So a selection of at least as
many stacks as workers is grouped by stack; fewer stacks are split into lanes.
"""

from __future__ import annotations

from enum import Enum

__all__ = ["Lane", "lane_of", "split_into_lanes", "xdist_group"]


class Lane(Enum):
    FAILOVER = "failover"  # balancing: replicas stopped, paused, restarted
    RESTARTS = "restarts"  # lifecycle and limits: restarts, recreated replicas, read timeouts
    STEADY = "steady"  # every other family: the fleet stays as it is


_LANE_OF_FAMILY = {
    "balancing": Lane.FAILOVER,
    "lifecycle": Lane.RESTARTS,
    "limits": Lane.RESTARTS,
}


def lane_of(family: str) -> Lane:
    """The lane of a scenario family (a family not listed waits little: the steady lane)."""
    return _LANE_OF_FAMILY.get(family, Lane.STEADY)


def split_into_lanes(stacks: int, workers: int) -> bool:
    """Whether a run of `stacks` stacks on `workers` xdist workers splits each into lanes:
    only when there are fewer stacks than workers to keep busy."""
    return stacks < workers


def xdist_group(stack_id: str, family: str, lanes: bool = True) -> str:
    """The xdist group of one stack's scenarios of one family: `<stack>/<lane>`, or the
    stack alone when the run does not split stacks into lanes. Never an `@`: xdist appends
    `@<group>` to the node id and takes the group back from after the last `@`."""
    return f"{stack_id}/{lane_of(family).value}" if lanes else stack_id
