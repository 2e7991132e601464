"""/seen: the last requests this replica handled, newest first, each as the reference apps
record it (`{"instance", "method", "path", "query", "t"}`).

The log is the replica's, shared by every worker process of its server (gunicorn's, uWSGI's,
uvicorn's): a file the processes append to under a lock, in the container's temporary folder
(HARNESS_CONTRACT_SEEN names another). Through the proxy, /seen shows one replica's log; the
harness reads each replica's through the stack network (the direct hop) to see them all.
When the file cannot be written (a read-only filesystem), the log is this process's own.
"""

from __future__ import annotations

import fcntl
import json
import os
import tempfile
import threading
import time
from collections import deque
from pathlib import Path
from typing import Any

from harness_contract.model import PREFIX, instance

SEEN_KEPT = 1000
# The file is cut to its newest half once it holds this many entries' worth of bytes.
_ROTATE_BYTES = SEEN_KEPT * 400
# Health probes and reads of the log itself would drown the traffic a scenario looks for.
UNRECORDED = frozenset({"/health", "/seen"})


def _default_path() -> Path:
    folder = os.environ.get("HARNESS_CONTRACT_SEEN") or tempfile.gettempdir()
    return Path(folder) / f"deploy-harness-seen-{os.getuid()}.jsonl"


class SeenLog:
    """The last SEEN_KEPT requests of this replica, newest first."""

    def __init__(self, path: Path | None = None) -> None:
        self._path = path
        self._memory: deque[dict[str, Any]] = deque(maxlen=SEEN_KEPT)
        self._lock = threading.Lock()

    @property
    def path(self) -> Path:
        return self._path or _default_path()

    def record(self, method: str, path: str, query: str = "") -> None:
        entry: dict[str, Any] = {"instance": instance(), "method": method, "path": path}
        entry |= {"query": query, "t": time.time()}
        line = json.dumps(entry, separators=(",", ":")) + "\n"
        with self._lock:
            try:
                self._append(line)
            except OSError:
                self._memory.appendleft(entry)

    def newest(self, limit: int) -> list[dict[str, Any]]:
        with self._lock:
            try:
                with self.path.open("rb") as log:
                    fcntl.flock(log, fcntl.LOCK_SH)
                    lines = log.read().splitlines()
            except FileNotFoundError:
                lines = []
            except OSError:
                return list(self._memory)[:limit]
        entries = [json.loads(line) for line in reversed(lines[-limit:]) if line]
        return (entries + list(self._memory))[:limit]

    def _append(self, line: str) -> None:
        with self.path.open("a+", encoding="utf-8") as log:
            fcntl.flock(log, fcntl.LOCK_EX)  # released when the file closes
            log.write(line)
            log.flush()
            if log.tell() > _ROTATE_BYTES:
                log.seek(0)
                kept = log.read().splitlines(keepends=True)[-SEEN_KEPT:]
                log.truncate(0)
                log.write("".join(kept))


SEEN = SeenLog()


def recorded(path: str, prefix: str = PREFIX) -> bool:
    """Whether a request for `path` goes into the log: all but the prefix's /health and /seen."""
    if not path.startswith(prefix + "/"):
        return True
    return path[len(prefix) :] not in UNRECORDED
