"""Raw HTTP exchanges for what HTTP client libraries refuse to send or hide.

HTTP/1.0 requests, deliberately malformed or ambiguous requests (smuggling probes) and
connection reuse are invisible through httpx; these helpers speak bytes over one socket,
to the stack's published port only, and always end by a deadline.
"""

from __future__ import annotations

import re
import socket
import ssl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit

from harness.run.stack import Stack

DEFAULT_DEADLINE = 10.0


@dataclass(frozen=True, slots=True)
class RawResponse:
    """What came back on the socket: the status line, headers and the rest as bytes."""

    raw: bytes

    @property
    def status_line(self) -> str:
        return self.raw.split(b"\r\n", 1)[0].decode("latin-1")

    @property
    def status(self) -> int:
        parts = self.status_line.split(" ")
        return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0

    @property
    def head(self) -> str:
        return self.raw.split(b"\r\n\r\n", 1)[0].decode("latin-1")

    @property
    def body(self) -> bytes:
        parts = self.raw.split(b"\r\n\r\n", 1)
        return parts[1] if len(parts) > 1 else b""

    def header(self, name: str) -> str | None:
        for line in self.head.split("\r\n")[1:]:
            key, _, value = line.partition(":")
            if key.strip().lower() == name.lower():
                return value.strip()
        return None


def open_socket(
    stack: Stack, timeout: float = DEFAULT_DEADLINE, receive_buffer: int | None = None
) -> socket.socket:
    """A connection to the stack's public URL (TLS-wrapped on TLS stacks, verified).

    `receive_buffer` shrinks the socket's receive buffer before connecting (so the TCP
    window stays small): a client that reads slowly, as a phone on a bad network does."""
    parts = urlsplit(stack.url)
    raw = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if receive_buffer is not None:
        raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
    raw.settimeout(timeout)
    try:
        raw.connect((parts.hostname or "127.0.0.1", parts.port or 80))
    except OSError:
        raw.close()
        raise
    if parts.scheme != "https":
        return raw
    context = stack.verify()
    assert isinstance(context, ssl.SSLContext)
    return context.wrap_socket(raw, server_hostname=parts.hostname)


def read_until_closed(
    sock: socket.socket, deadline: float = DEFAULT_DEADLINE, *, head_only: bool = False
) -> bytes:
    """Everything the server sends until it closes the connection or the deadline passes;
    with `head_only`, until the response head is complete (a proxy that refuses a request
    with a body still to come may hold the connection open for seconds: nginx lingers)."""
    chunks: list[bytes] = []
    end = time.monotonic() + deadline
    while (left := end - time.monotonic()) > 0:
        sock.settimeout(left)
        try:
            chunk = sock.recv(65536)
        except (TimeoutError, ConnectionResetError):
            break
        if not chunk:
            break
        chunks.append(chunk)
        if head_only and b"\r\n\r\n" in b"".join(chunks):
            break
    return b"".join(chunks)


def body_bytes_received(sock: socket.socket, first: bytes, deadline: float) -> tuple[int, int]:
    """Read the rest of one answer (`first`: what was read of it already): (its body bytes
    received, the Content-Length it announced), stopping at the announced end, when the
    other side closes or resets the connection, or at the deadline."""
    data = bytearray(first)
    end = time.monotonic() + deadline
    announced, head_end = -1, -1
    while (left := end - time.monotonic()) > 0:
        if head_end < 0 and (head_end := data.find(b"\r\n\r\n")) >= 0:
            head_end += 4
            found = re.search(rb"(?im)^content-length:\s*(\d+)", bytes(data[:head_end]))
            announced = int(found.group(1)) if found else -1
        if head_end >= 0 and 0 <= announced <= len(data) - head_end:
            break
        sock.settimeout(left)
        try:
            chunk = sock.recv(1 << 20)
        except (TimeoutError, ConnectionError, ssl.SSLError):
            break
        if not chunk:
            break
        data += chunk
    return (len(data) - head_end if head_end >= 0 else 0), announced


def exchange(
    stack: Stack, request: bytes, deadline: float = DEFAULT_DEADLINE, *, head_only: bool = False
) -> RawResponse:
    """Send raw request bytes on a fresh connection; read until the server closes it (or,
    with `head_only`, until the response head is complete)."""
    with open_socket(stack, deadline) as sock:
        sock.sendall(request)
        return RawResponse(read_until_closed(sock, deadline, head_only=head_only))


@dataclass(frozen=True, slots=True)
class Conversation:
    """One raw request's outcome on its connection: what came back, and how it ended."""

    response: RawResponse
    closed: bool  # the server closed the connection before the deadline
    seconds: float

    @property
    def answers(self) -> int:
        """How many responses came back on the connection (status lines at a line start)."""
        raw = self.response.raw
        return int(raw.startswith(b"HTTP/1.")) + raw.count(b"\r\nHTTP/1.")


def converse(stack: Stack, request: bytes, deadline: float = DEFAULT_DEADLINE) -> Conversation:
    """Send raw request bytes on a fresh connection; note whether the server closed it.

    Reads until the server closes the connection or the deadline passes; choose a deadline
    below the stack's keep-alive timeout to tell "closed at once" from "kept alive".
    """
    started = time.monotonic()
    with open_socket(stack, deadline) as sock:
        sock.sendall(request)
        raw = read_until_closed(sock, deadline)
    seconds = time.monotonic() - started
    return Conversation(RawResponse(raw), closed=seconds < deadline, seconds=seconds)


@dataclass(frozen=True, slots=True)
class ContinuedUpload:
    """An upload sent as curl sends one over 1 KiB: the head with `Expect: 100-continue`,
    then the body once the interim answer came or the wait ran out."""

    interim: RawResponse  # what came back before the body was sent (empty: nothing)
    waited: float  # seconds until the interim answer, or the whole wait
    final: RawResponse  # the answer after the body, interim responses removed


def upload_expecting_continue(
    stack: Stack, path: str, body: bytes, wait: float, deadline: float = DEFAULT_DEADLINE
) -> ContinuedUpload:
    """POST `body` to `path` with `Expect: 100-continue`, waiting at most `wait` seconds for
    an answer before sending the body, then reading until the server closes."""
    head = (
        f"POST {stack.contract_root}{path} HTTP/1.1\r\nHost: {host_header(stack)}\r\n"
        f"Content-Type: application/octet-stream\r\nContent-Length: {len(body)}\r\n"
        "Expect: 100-continue\r\nConnection: close\r\n\r\n"
    )
    with open_socket(stack, deadline) as sock:
        started = time.monotonic()
        sock.sendall(head.encode())
        interim = read_until_closed(sock, wait, head_only=True)
        waited = time.monotonic() - started
        if not interim or interim.startswith(b"HTTP/1.1 1"):
            sock.sendall(body)  # as curl does once the wait runs out; not after a final answer
        answer = interim + read_until_closed(sock, deadline)
    while answer.startswith(b"HTTP/1.1 1") and b"\r\n\r\n" in answer:
        answer = answer.split(b"\r\n\r\n", 1)[1]
    return ContinuedUpload(RawResponse(interim), waited, RawResponse(answer))


def host_header(stack: Stack) -> str:
    return urlsplit(stack.url).netloc


@dataclass(slots=True)
class SlowReader:
    """A connection that sent its request and read only the first byte of the answer."""

    sock: socket.socket
    first: bytes

    def rest_of_answer(self, deadline: float) -> tuple[int, int]:
        """Read the answer now: (body bytes received, Content-Length announced)."""
        return body_bytes_received(self.sock, self.first, deadline)


@contextmanager
def clients_reading_nothing(stack: Stack, path: str, count: int) -> Iterator[list[SlowReader]]:
    """`count` connections that each sent `GET path` and read nothing of the answer but its
    first byte, closed when the block ends. The block starts once every answer has begun to
    arrive, so each request is being answered (its worker busy writing) by then."""
    readers: list[SlowReader] = []
    target = stack.contract_root + path
    request = f"GET {target} HTTP/1.1\r\nHost: {host_header(stack)}\r\n\r\n".encode()
    try:
        for _ in range(count):
            sock = open_socket(stack, receive_buffer=4096)
            readers.append(SlowReader(sock, b""))
            sock.sendall(request)
        for reader in readers:
            reader.sock.settimeout(DEFAULT_DEADLINE)
            reader.first = reader.sock.recv(1)
            if not reader.first:
                raise ConnectionError(f"{stack.id}: GET {path} was closed unanswered")
        yield readers
    finally:
        for reader in readers:
            reader.sock.close()


@contextmanager
def clients_sending_slowly(
    stack: Stack, path: str, body_bytes: int, count: int
) -> Iterator[list[socket.socket]]:
    """`count` connections that each sent `POST path` with a `body_bytes` Content-Length and
    half of that body, then pause (a phone uploading over a bad network); closed when the
    block ends."""
    head = (
        f"POST {stack.contract_root}{path} HTTP/1.1\r\nHost: {host_header(stack)}\r\n"
        f"Content-Type: application/octet-stream\r\nContent-Length: {body_bytes}\r\n\r\n"
    ).encode()
    sockets: list[socket.socket] = []
    try:
        for _ in range(count):
            sock = open_socket(stack)
            sockets.append(sock)
            sock.sendall(head + b"u" * (body_bytes // 2))
        yield sockets
    finally:
        for sock in sockets:
            sock.close()
