"""Raw HTTP exchanges for what HTTP client libraries refuse to send or hide.

HTTP/1.0 requests, deliberately malformed or ambiguous requests (smuggling probes) and
connection reuse are invisible through httpx; these helpers speak bytes over one socket,
to the stack's published port only, and always end by a deadline.
"""

from __future__ import annotations

import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from harness.stack import Stack

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


def open_socket(stack: Stack, timeout: float = DEFAULT_DEADLINE) -> socket.socket:
    """A connection to the stack's public URL (TLS-wrapped on TLS stacks, verified)."""
    parts = urlsplit(stack.url)
    raw = socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 80), timeout)
    if parts.scheme != "https":
        return raw
    context = stack.verify()
    assert isinstance(context, ssl.SSLContext)
    return context.wrap_socket(raw, server_hostname=parts.hostname)


def read_until_closed(sock: socket.socket, deadline: float = DEFAULT_DEADLINE) -> bytes:
    """Everything the server sends until it closes the connection or the deadline passes."""
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
    return b"".join(chunks)


def exchange(stack: Stack, request: bytes, deadline: float = DEFAULT_DEADLINE) -> RawResponse:
    """Send raw request bytes on a fresh connection; read until the server closes it."""
    with open_socket(stack, deadline) as sock:
        sock.sendall(request)
        return RawResponse(read_until_closed(sock, deadline))


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


def host_header(stack: Stack) -> str:
    return urlsplit(stack.url).netloc
