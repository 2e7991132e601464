"""How many pytest workers this machine carries: one per core, about 2 GiB each, never more
than there are stacks. `python -m harness.workers [STACKS]` prints it for the Makefile."""

from __future__ import annotations

import os
import sys

_GIB = 1024**3
MEMORY_PER_WORKER = 2 * _GIB  # a stack (proxy, Redis, two replicas) plus its pytest worker


def default_workers(stacks: int) -> int:
    """As many workers as the cores and memory carry, at least one, at most one per stack."""
    cores = os.cpu_count() or 1
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError):
        memory = MEMORY_PER_WORKER
    return max(1, min(cores, memory // MEMORY_PER_WORKER, stacks))


if __name__ == "__main__":
    print(default_workers(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000))
