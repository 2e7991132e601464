"""The network agent: probes replicas from inside a stack's network, the way the proxy will
reach them.

This file runs in two places. The stack's Redis container (our base image, on the stack
network) runs its source with `python3 -c SOURCE serve PORT` beside redis-server, for the
stack's whole life; the host reaches it on a port published on 127.0.0.1 (harness/run/agent.py).
Each connection carries one request and one answer, each a JSON line:

- `{"op": "ready", "patience", "health_path", "wanted", "targets"}`: probes every target by
  service name every 20 ms until all answer or `patience` seconds pass; answers what each
  said, by service name.
- `{"op": "direct", "host", "port", "deadline", "idle", "probe"}`: one connection to a
  replica, the probe (base64) sent, what came back read until the peer closes, or nothing
  more arrives for `idle` seconds once an answer has begun, or the deadline passes; a
  connection still open is then half-closed and read on the same way (some servers act on
  bytes they hold, a pipelined request, only at the end of input; most close at once);
  answers `{raw (base64), closed (by the peer, before the half-close), seconds, error}`.
- `{"op": "kept", "host", "port", "request", "idle", "deadline"}`: one connection to a
  replica, the request (base64, HTTP/1.1 keep-alive) sent and its answer read; then the
  connection left idle `idle` seconds and the request sent again on it. Answers `{first,
  second (status lines, "" for none), closed_after (seconds idle when the peer closed, or
  null), error}`: whether the server keeps an idle connection as long as it says.

One process for the stack's life, not a `docker exec` per probe: an exec costs about 0.1 CPU
second (the engine, runc, a Python start-up), and a stack made about 30 of them. The host
imports `answered`, the one test of what a probe saw, and `read_answer`, the one way a probe's
answer is read. Standard library only.
"""

from __future__ import annotations

import base64
import json
import socket
import socketserver
import struct
import sys
import time
from enum import StrEnum
from typing import Any


def probe(target: str, health_path: str) -> str:
    """`host:port:protocol`: the status line the target answers to GET health_path (in HTTP,
    or in uWSGI's protocol for a `uwsgi` one), or the error. A uWSGI server accepts
    connections before its app is loaded (seen: 6 s later on a loaded host), so accepting is
    not ready."""
    host, port, protocol = target.split(":")
    request = (
        uwsgi_request(health_path)
        if protocol == "uwsgi"
        else f"GET {health_path} HTTP/1.0\r\nHost: localhost\r\n\r\n".encode()
    )
    try:
        with socket.create_connection((host, int(port)), timeout=1) as connection:
            connection.settimeout(2)
            connection.sendall(request)
            return connection.recv(64).split(b"\r\n")[0].decode() or "no answer"
    except OSError as error:
        return f"{type(error).__name__}: {error}"


def uwsgi_request(path: str) -> bytes:
    """GET `path` as a uwsgi packet: modifier1 0, the variables' size, modifier2 0, then each
    variable as a 16-bit length and bytes (uWSGI answers in HTTP)."""
    variables = {
        "REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "", "REQUEST_URI": path,
        "SERVER_PROTOCOL": "HTTP/1.0", "SERVER_NAME": "localhost", "SERVER_PORT": "80",
        "HTTP_HOST": "localhost", "REMOTE_ADDR": "127.0.0.1",
    }  # fmt: skip
    body = b"".join(
        struct.pack("<H", len(k)) + k.encode() + struct.pack("<H", len(v)) + v.encode()
        for k, v in variables.items()
    )
    return struct.pack("<BHB", 0, len(body), 0) + body


class Wanted(StrEnum):
    """What an http target must answer to be ready."""

    OK = "200"
    # Any status: a server that answers HTTP at all, for a stack under a URL prefix, where
    # what the app makes of the path is a scenario's finding.
    ANY_STATUS = "any"


def answered(seen: str, wanted: Wanted = Wanted.OK) -> bool:
    """Whether a probe's outcome means the replica is ready."""
    status = seen.split(" ")[1:2]
    if wanted == Wanted.ANY_STATUS:
        return seen.startswith("HTTP/") and bool(status) and status[0].isdigit()
    return status == [Wanted.OK.value]


def until_ready(
    patience: float, health_path: str, wanted: Wanted, targets: list[str]
) -> dict[str, str]:
    end = time.monotonic() + patience
    while True:
        seen = {target.split(":")[0]: probe(target, health_path) for target in targets}
        if all(answered(status, wanted) for status in seen.values()) or time.monotonic() > end:
            return seen
        time.sleep(0.02)


def read_answer(chunks: list[bytes], connection: socket.socket, end: float, idle: float) -> bool:
    """Read what comes back into `chunks`, as the module says; whether the peer closed the
    connection before the half-close. Once the peer has closed after it, whatever the server
    made of the bytes it held (a hidden request read with the probe) has run."""
    closed = _read_into(chunks, connection, end, idle, waiting=False)
    if not closed:
        # The plain socket's shutdown: SSLSocket.shutdown drops the TLS session it reads by.
        socket.socket.shutdown(connection, socket.SHUT_WR)
        _read_into(chunks, connection, end, idle, waiting=True)
    return closed


def _read_into(
    chunks: list[bytes], connection: socket.socket, end: float, idle: float, *, waiting: bool
) -> bool:
    """Read into `chunks` until the peer closes (True), or nothing more comes for `idle`
    seconds once something came (`waiting`: from the start), or the deadline passes."""
    while (left := end - time.monotonic()) > 0:
        connection.settimeout(min(left, idle) if waiting or chunks else left)
        try:
            chunk = connection.recv(65536)
        except TimeoutError:
            return False
        except ConnectionResetError:
            return True
        if not chunk:
            return True
        chunks.append(chunk)
    return False


def direct(host: str, port: int, deadline: float, idle: float, sent: bytes) -> dict[str, Any]:
    """One connection to host:port, `sent` written, what came back read as the module says."""
    chunks: list[bytes] = []
    closed, error, started = False, None, time.monotonic()
    try:
        with socket.create_connection((host, port), timeout=2) as connection:
            connection.sendall(sent)
            end = started + deadline
            closed = read_answer(chunks, connection, end, idle)
    except OSError as failure:
        error = f"{type(failure).__name__}: {failure}"
    return {
        "raw": base64.b64encode(b"".join(chunks)).decode(),
        "closed": closed,
        "seconds": time.monotonic() - started,
        "error": error,
    }


def _status_of_one_answer(connection: socket.socket, end: float) -> str:
    """Read one answer whose body has a Content-Length; its status line ("" if the peer
    closed first)."""
    data = b""
    while b"\r\n\r\n" not in data:
        connection.settimeout(max(0.01, end - time.monotonic()))
        chunk = connection.recv(65536)
        if not chunk:
            return ""
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        connection.settimeout(max(0.01, end - time.monotonic()))
        chunk = connection.recv(65536)
        if not chunk:
            break
        body += chunk
    return head.split(b"\r\n")[0].decode("latin-1")


def _closed_within(connection: socket.socket, seconds: float) -> float | None:
    """Wait `seconds` on an idle connection; when the peer closed it, after how long."""
    started = time.monotonic()
    while (left := started + seconds - time.monotonic()) > 0:
        connection.settimeout(left)
        try:
            if not connection.recv(1):  # anything else would be an unasked answer
                return time.monotonic() - started
        except TimeoutError:
            return None
        except ConnectionResetError:
            return time.monotonic() - started
    return None


def kept(host: str, port: int, sent: bytes, idle: float, deadline: float) -> dict[str, Any]:
    """The request on a fresh connection, `idle` seconds of nothing, the request again."""
    first = second = ""
    closed_after: float | None = None
    error = None
    try:
        with socket.create_connection((host, port), timeout=2) as connection:
            connection.sendall(sent)
            first = _status_of_one_answer(connection, time.monotonic() + deadline)
            closed_after = _closed_within(connection, idle)
            if closed_after is None:
                connection.sendall(sent)
                second = _status_of_one_answer(connection, time.monotonic() + deadline)
    except OSError as failure:
        error = f"{type(failure).__name__}: {failure}"
    return {"first": first, "second": second, "closed_after": closed_after, "error": error}


def answer(request: dict[str, Any]) -> Any:
    """The answer to one request (see the module's docstring)."""
    if request["op"] == "ready":
        return until_ready(
            float(request["patience"]),
            request["health_path"],
            Wanted(request["wanted"]),
            list(request["targets"]),
        )
    if request["op"] == "direct":
        return direct(
            request["host"],
            int(request["port"]),
            float(request["deadline"]),
            float(request["idle"]),
            base64.b64decode(request["probe"]),
        )
    if request["op"] == "kept":
        return kept(
            request["host"],
            int(request["port"]),
            base64.b64decode(request["request"]),
            float(request["idle"]),
            float(request["deadline"]),
        )
    return {"error": f"unknown op {request['op']!r}"}


class _Handler(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        try:
            reply = answer(json.loads(self.rfile.readline()))
        except (ValueError, KeyError, TypeError) as error:
            reply = {"error": f"bad request: {type(error).__name__}: {error}"}
        self.wfile.write(json.dumps(reply).encode() + b"\n")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def serve(port: int) -> None:
    with _Server(("0.0.0.0", port), _Handler) as server:
        server.serve_forever()


if __name__ == "__main__" and sys.argv[1:2] == ["serve"]:
    serve(int(sys.argv[2]))
