"""How many pytest workers this machine carries: two per core, about 1.5 GiB each, never more
than there are lanes to run (harness/plugin/lanes.py: a stack's scenarios in three groups).
`python -m harness.plugin.workers [STACKS]` prints it for the Makefile.

Two per core because a scenario mostly waits (on a timeout it proves, a replica restarting,
an idle period): measured on 2 cores, the default profile took 14 min 18 s with 2 workers and
9 min 12 s with 4. With lanes and shorter timeouts it takes 7 min with 4, and the two cores are
then busy (load average 7 to 10, half of it the kernel and the Docker daemon starting and
stopping containers): more workers would queue on the CPU, not overlap more waits."""

from __future__ import annotations

import os
import sys

from harness.plugin.lanes import Lane

_GIB = 1024**3
MEMORY_PER_WORKER = 3 * _GIB // 2  # a stack (proxy, Redis, two replicas) and its worker
WORKERS_PER_CORE = 2


def default_workers(stacks: int) -> int:
    """Two workers per core as memory carries, at least one, at most one per lane."""
    cores = os.cpu_count() or 1
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError):
        memory = MEMORY_PER_WORKER
    return max(1, min(WORKERS_PER_CORE * cores, memory // MEMORY_PER_WORKER, stacks * len(Lane)))


if __name__ == "__main__":
    print(default_workers(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000))
