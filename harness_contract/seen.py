"""/seen: the last requests this process handled, newest first, each as the reference apps
record it (`{"instance", "method", "path", "query", "t"}`). The log is this process's own, in
memory: read it from each replica (the direct hop) to see them all."""

from __future__ import annotations

import threading
import time
from collections import deque
from typing import Any

from harness_contract.model import PREFIX, instance

SEEN_KEPT = 1000
# Health probes and reads of the log itself would drown the traffic a scenario looks for.
UNRECORDED = frozenset({"/health", "/seen"})


class SeenLog:
    """The last SEEN_KEPT requests this process handled, newest first."""

    def __init__(self) -> None:
        self._entries: deque[dict[str, Any]] = deque(maxlen=SEEN_KEPT)
        self._lock = threading.Lock()

    def record(self, method: str, path: str, query: str = "") -> None:
        entry = {"instance": instance(), "method": method, "path": path, "query": query}
        with self._lock:
            self._entries.appendleft(entry | {"t": time.time()})

    def newest(self, limit: int) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._entries)[:limit]


SEEN = SeenLog()


def recorded(path: str, prefix: str = PREFIX) -> bool:
    """Whether a request for `path` goes into the log: all but the prefix's /health and /seen."""
    if not path.startswith(prefix + "/"):
        return True
    return path[len(prefix) :] not in UNRECORDED
