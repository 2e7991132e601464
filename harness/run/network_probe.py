"""Probes replicas from inside a stack's network, the way the proxy will reach them.

This file runs in two places. The stack runs its source with `python3 -c` in the Redis
container (our base image, on the stack network): it probes every target by service name
every 20 ms until all answer or PATIENCE seconds pass, then prints what each said as JSON.
One exec per round of the host's readiness loop, not per probe: an exec costs more than the
probe. The host imports `answered`, the one test of what a probe saw. Standard library only.
"""

from __future__ import annotations

import json
import socket
import sys
import time
from enum import StrEnum

ACCEPTING = "accepting connections"


def probe(target: str, health_path: str) -> str:
    """`host:port:protocol`: the status line an http target answers, or that a tcp one
    accepts connections, or the error."""
    host, port, protocol = target.split(":")
    try:
        with socket.create_connection((host, int(port)), timeout=1) as connection:
            if protocol != "http":
                return ACCEPTING
            connection.settimeout(2)
            connection.sendall(f"GET {health_path} HTTP/1.0\r\nHost: localhost\r\n\r\n".encode())
            return connection.recv(64).split(b"\r\n")[0].decode() or "no answer"
    except OSError as error:
        return f"{type(error).__name__}: {error}"


class Wanted(StrEnum):
    """What an http target must answer to be ready."""

    OK = "200"
    # Any status: a server that answers HTTP at all, for a stack under a URL prefix, where
    # what the app makes of the path is a scenario's finding.
    ANY_STATUS = "any"


def answered(seen: str, wanted: Wanted = Wanted.OK) -> bool:
    """Whether a probe's outcome means the replica is ready."""
    if seen == ACCEPTING:
        return True
    status = seen.split(" ")[1:2]
    if wanted == Wanted.ANY_STATUS:
        return seen.startswith("HTTP/") and bool(status) and status[0].isdigit()
    return status == [Wanted.OK.value]


def main(patience: float, health_path: str, wanted: Wanted, targets: list[str]) -> dict[str, str]:
    end = time.monotonic() + patience
    while True:
        seen = {target.split(":")[0]: probe(target, health_path) for target in targets}
        if all(answered(status, wanted) for status in seen.values()) or time.monotonic() > end:
            return seen
        time.sleep(0.02)


if __name__ == "__main__":
    print(json.dumps(main(float(sys.argv[1]), sys.argv[2], Wanted(sys.argv[3]), sys.argv[4:])))
