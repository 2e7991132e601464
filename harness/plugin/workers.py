"""How many pytest workers this machine carries: three per core, about 1.5 GiB each, never more
than there are groups to run (harness/plugin/lanes.py: a stack, or one of its lanes).
The plugin answers pytest-xdist's `-n auto` with it (`make scenarios`, `harness test`);
`python -m harness.plugin.workers [STACKS]` prints it.

More than one per core because a scenario mostly waits (on a timeout it proves, a replica
restarting, an idle period): measured on 2 cores (docs/performance.md), the default
profile's 15 stacks took 326 s with 4 workers (1.05 cores busy), 229 s with 8 (1.65 cores)
and 258 s with 12, where the cores were full and a buffering proxy's 32 MiB answers took
longer than the slow-reader scenario allows. Three per core, not four: on a slower day
(session 16, the old code 17 % slower than on its own day) 8 workers kept both cores full
and three of five default-profile runs went red, each on a scenario whose window a loaded
host overran (a 504 at proxy_read during a rolling restart, a slow reader's worker held past
its window, a kept-alive connection closed unanswered); with 6 workers five of five were
green, 267-300 s against 258-282 s with 8.
"""

from __future__ import annotations

import os
import sys

from harness.plugin.lanes import Lane, split_into_lanes

_GIB = 1024**3
MEMORY_PER_WORKER = 3 * _GIB // 2  # a stack (proxy, Redis, two replicas) and its worker
WORKERS_PER_CORE = 3


def default_workers(stacks: int) -> int:
    """Three workers per core as memory carries, at least one, at most one per group."""
    cores = os.cpu_count() or 1
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError):
        memory = MEMORY_PER_WORKER
    machine = max(1, min(WORKERS_PER_CORE * cores, memory // MEMORY_PER_WORKER))
    groups = stacks * len(Lane) if split_into_lanes(stacks, machine) else stacks
    return max(1, min(machine, groups))


if __name__ == "__main__":
    print(default_workers(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000))
