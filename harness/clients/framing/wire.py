"""Probe bytes on a socket, two ways: through the proxy's published port, or from inside the
stack's network straight to one replica (the harness never reaches a container's address from
the host: the stack's network agent sends the direct hop, harness/run/agent.py).

Both ways read the same way: until the peer closes, or nothing more arrives for `idle` seconds
once an answer has begun, or the deadline passes. The idle gap is what tells "answered and
waiting for the next request" from "still answering"; servers here answer in milliseconds.
A connection still open then is half-closed and read on the same way: some servers act on
bytes they hold (a hidden request read with the probe) only at the end of input, and its
answer (and its trace in the app's /seen) then comes within the idle gap; proxies close at
once (harness/run/network_probe.py reads for both).
"""

from __future__ import annotations

import base64
import re
import time
from dataclasses import dataclass

from harness.clients.probes import open_socket
from harness.errors import HarnessError
from harness.run.agent import ask_agent
from harness.run.network_probe import read_answer
from harness.run.stack import Stack
from harness.spec.model import APP_PORT

__all__ = [
    "Answer",
    "Exchange",
    "answers_in",
    "send_direct",
    "send_through_proxy",
]

DEADLINE = 4.0
IDLE = 0.6
_STATUS_LINE = re.compile(rb"HTTP/1\.[01] (\d{3})[^\r\n]*\r?\n")


class DirectProbeFailed(HarnessError):
    """The direct hop's script could not run in the stack's network."""


@dataclass(frozen=True, slots=True)
class Answer:
    """One HTTP response found on the connection: its status, headers and decoded body."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)


@dataclass(frozen=True, slots=True)
class Exchange:
    """What came back on one connection after the probe was sent, and how it ended."""

    raw: bytes
    closed: bool
    seconds: float

    @property
    def answers(self) -> tuple[Answer, ...]:
        return answers_in(self.raw)

    @property
    def statuses(self) -> tuple[int, ...]:
        return tuple(answer.status for answer in self.answers)

    def describe(self) -> str:
        first = self.raw.split(b"\r\n", 1)[0].decode("latin-1") or "nothing"
        ending = "closed" if self.closed else "left open"
        return f"{first!r}, statuses {list(self.statuses)}, {ending} after {self.seconds:.2f} s"


def send_through_proxy(stack: Stack, probe: bytes, deadline: float = DEADLINE) -> Exchange:
    """Send the probe to the stack's published port (TLS on TLS stacks)."""
    started = time.monotonic()
    with open_socket(stack, deadline) as sock:
        sock.sendall(probe)
        chunks: list[bytes] = []
        closed = read_answer(chunks, sock, started + deadline, IDLE)
    return Exchange(b"".join(chunks), closed, time.monotonic() - started)


def send_direct(stack: Stack, replica: str, probe: bytes, deadline: float = DEADLINE) -> Exchange:
    """Send the probe to one replica's server port from the stack network (its agent)."""
    request = {
        "op": "direct",
        "host": replica,
        "port": APP_PORT,
        "deadline": deadline,
        "idle": IDLE,
        "probe": base64.b64encode(probe).decode(),
    }
    result = ask_agent(stack, request, timeout=deadline + 10)
    if result["error"]:
        raise DirectProbeFailed(
            f"{stack.id}: could not reach {replica}:{APP_PORT} from the stack network: "
            f"{result['error']}. Hint: is the replica running? `harness up` and check its logs."
        )
    return Exchange(base64.b64decode(result["raw"]), bool(result["closed"]), result["seconds"])


def answers_in(raw: bytes) -> tuple[Answer, ...]:
    """Every complete response on the connection, in order, bodies de-chunked."""
    found: list[Answer] = []
    rest = raw
    while (match := _STATUS_LINE.match(rest)) is not None:
        head_end = rest.find(b"\r\n\r\n")
        if head_end < 0:
            break
        lines = rest[match.end() : head_end].decode("latin-1").split("\r\n")
        headers = tuple(
            (name.strip(), value.strip())
            for name, _, value in (line.partition(":") for line in lines if line)
        )
        answer = Answer(int(match.group(1)), headers, b"")
        body, rest = _body(answer, rest[head_end + 4 :])
        found.append(Answer(answer.status, headers, body))
    return tuple(found)


def _body(answer: Answer, rest: bytes) -> tuple[bytes, bytes]:
    """The answer's body and what follows it on the connection."""
    if answer.status in (204, 304) or 100 <= answer.status < 200:
        return b"", rest
    length = answer.header("Content-Length")
    if length is not None and length.isdigit():
        return rest[: int(length)], rest[int(length) :]
    if (answer.header("Transfer-Encoding") or "").lower() == "chunked":
        body = bytearray()
        while True:
            size_line, sep, rest = rest.partition(b"\r\n")
            try:
                size = int(size_line.split(b";")[0], 16) if sep else 0
            except ValueError:
                return bytes(body), b""
            if size == 0:
                trailer_end = 2 if rest.startswith(b"\r\n") else rest.find(b"\r\n\r\n") + 4
                return bytes(body), rest[trailer_end:] if trailer_end >= 2 else b""
            body += rest[:size]
            rest = rest[size + 2 :]
    return rest, b""
