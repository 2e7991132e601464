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

A selection of more stacks than workers runs in rounds, and the last round is the tail: 14
full stacks on 6 workers are two rounds of six and two stacks alone, while four workers idle
for a whole stack's time (measured: the default profile's last two stacks ran from 210-222 s
to 311 s, with two to three of six workers busy). So the stacks of a last round that leaves
half the workers or more idle are split, in paired lanes (Split.PAIRED_LANES: three groups),
queued last, and run on every worker that comes free. Their extra instances (two per split
stack) start while workers would idle; a last round that keeps more than half of them busy is
left whole, where the extra start-ups would cost more CPU than the idle workers give back. A
stack with few cases (a prefix-only stack: the prefix family alone) is already a small piece
of work: it is neither counted in a round nor split.

The order of the queue is ours (`longest_first`), not xdist's: xdist queued groups by their
number of cases, which put a split stack's outages lane (two cases, 23-30 s) last, so the
run ended on it with five workers idle.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum

__all__ = [
    "Lane",
    "Split",
    "lane_of",
    "longest_first",
    "proxy_kin",
    "scenarios_with_a_lane_of_their_own",
    "split_into_lanes",
    "split_of_stacks",
    "staggered_block",
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


class Split(Enum):
    """How a run groups one stack's scenarios for xdist."""

    WHOLE = "whole"  # one group: the stack, on one worker
    LANES = "lanes"  # a group per lane, each on an instance of its own
    # A group per lane a split-off lane shares its proxy with (proxy_kin): three, none of
    # them a two-case lane that xdist hands out together with the next group (a worker with
    # two cases or fewer left is given another group: two outages lanes ran one after the
    # other on one worker at the end of a run while the others idled).
    PAIRED_LANES = "paired lanes"


# A stack with fewer cases than this share of the largest one's is small work, not a round's.
SMALL_STACK_SHARE = 0.25


def split_of_stacks(cases_per_stack: Mapping[str, int], workers: int) -> dict[str, Split]:
    """How a run on `workers` xdist workers groups each stack (id -> cases it runs), as the
    module says: every stack in lanes when there are fewer stacks than workers; otherwise
    whole, but for the stacks of a last round that would leave half the workers or more idle
    (the ones with the fewest cases, the later of a tie): in paired lanes."""
    if split_into_lanes(len(cases_per_stack), workers):
        return dict.fromkeys(cases_per_stack, Split.LANES)
    largest = max(cases_per_stack.values(), default=0)
    full = [
        stack for stack, cases in cases_per_stack.items() if cases >= largest * SMALL_STACK_SHARE
    ]
    split = dict.fromkeys(cases_per_stack, Split.WHOLE)
    if split_into_lanes(len(full), workers):
        return split | dict.fromkeys(full, Split.LANES)
    last_round = len(full) % workers
    if last_round == 0 or last_round > workers // 2:
        return split
    order = {stack: position for position, stack in enumerate(full)}
    fewest_cases_first = sorted(full, key=lambda stack: (cases_per_stack[stack], -order[stack]))
    return split | dict.fromkeys(fewest_cases_first[:last_round], Split.PAIRED_LANES)


# A lane's typical seconds, measured on the default profile's tail (six workers): steady 25-52 s,
# lifecycle 25-30 s, outages 23-30 s, failover 16-28 s, limits 16-17 s. A paired lane runs its
# kin too: failover with outages (39-58 s) is the longest of the three, then lifecycle with
# limits (41-47 s), then steady. Queued by lane name alone, the paired failover lanes went
# last and a run ended on one of them for 15 s with five workers idle (session 19: 43.5 s,
# started at 226 s of 270 s).
_LANE_SECONDS = {
    Lane.STEADY: 38.0,
    Lane.LIFECYCLE: 27.0,
    Lane.OUTAGES: 26.0,
    Lane.FAILOVER: 22.0,
    Lane.LIMITS: 16.0,
}


def _lane_seconds(stack: str, lane: Lane, groups: Mapping[str, int]) -> float:
    """A lane group's expected seconds: its own lane's, and those of the lanes that share its
    proxy when they have no group of their own (the stack split in paired lanes)."""
    return sum(
        _LANE_SECONDS[kin]
        for kin in Lane
        if kin is lane or (proxy_kin(kin) is lane and f"{stack}/{kin.value}" not in groups)
    )


def longest_first(cases_per_group: Mapping[str, int]) -> list[str]:
    """The xdist groups (name -> cases) in the order a run hands them out, the longest first
    (so it ends on short pieces): whole stacks, the most cases first, then lanes by their
    expected length (a paired lane with its kin's), the longest lane of every split stack
    before the next lane of any."""
    lanes = {lane.value: lane for lane in Lane}

    def position(group: str) -> tuple[int, float, int]:
        stack, _, lane = group.rpartition("/")
        if stack and lane in lanes:
            return (1, -_lane_seconds(stack, lanes[lane], cases_per_group), -cases_per_group[group])
        return (0, 0.0, -cases_per_group[group])

    return sorted(cases_per_group, key=position)


# A whole stack's scenarios run in blocks, a lane with the lanes that share its proxy: the
# first whole stack in the queue in this order, the next from the second block on, and so on.
# In collection order every worker that starts a stack at once was in the same scenario at
# once: the default profile's first round all waited on a paused replica together (two cores
# 80 % idle for 13 s) and restarted replicas together (both full). Staggered, the waits of
# some workers overlap the work of others.
_BLOCKS = (Lane.FAILOVER, Lane.STEADY, Lane.LIFECYCLE)


def staggered_block(lane: Lane, turn: int) -> int:
    """Where the scenarios of `lane` run among the blocks of the whole stack whose turn in
    the queue is `turn` (0 for the first whole stack): each turn starts one block later."""
    return (_BLOCKS.index(proxy_kin(lane)) - turn) % len(_BLOCKS)


def xdist_group(stack_id: str, family: str, split: Split = Split.LANES, scenario: str = "") -> str:
    """The xdist group of a scenario (its function's name) of a family on one stack:
    `<stack>/<lane>`, or the stack alone when the run keeps it whole. Never an `@`: xdist
    appends `@<group>` to the node id and takes the group back from after the last `@`."""
    if split is Split.WHOLE:
        return stack_id
    lane = lane_of(family, scenario)
    return f"{stack_id}/{(proxy_kin(lane) if split is Split.PAIRED_LANES else lane).value}"
