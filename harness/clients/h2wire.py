"""HTTP/2 frames on a socket, for what a well-behaved client (httpx) will not send: header
fields HTTP/2 forbids, a content-length its DATA frames contradict, several cookie crumbs, an
extended CONNECT (RFC 8441). The frames are the h2 library's, with its outbound checks off, so
a probe reaches the proxy exactly as written; what comes back is read as h2 events.

One `H2Session` is one TLS connection to the proxy's published port, ALPN h2 alone.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import h2.config
import h2.connection
import h2.errors
import h2.events
import h2.exceptions
import h2.settings

from harness.run.stack import Stack

__all__ = [
    "H2Answer",
    "H2Session",
    "h2_announced_upload",
    "h2_exchange",
    "h2_upload",
    "request_headers",
]

# What a stream's answer may take before the session gives up on it, in seconds.
ANSWER_WAIT = 10.0
Header = tuple[str, str]


@dataclass
class H2Answer:
    """What came back on one stream: a status and headers, a body, or a reset; and whether
    the proxy ended the whole connection (GOAWAY or a closed socket) meanwhile."""

    status: int | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytearray = field(default_factory=bytearray)
    reset: str | None = None  # the RST_STREAM error code's name
    goaway: str | None = None  # the GOAWAY error code's name
    ended: bool = False  # the stream ended (END_STREAM, a reset, or the connection's end)

    @property
    def refused(self) -> bool:
        """The proxy would not take the request: a reset, a GOAWAY, or a 4xx of its own."""
        return (
            self.reset is not None
            or self.goaway is not None
            or (self.status is not None and 400 <= self.status < 500)
        )

    def header(self, name: str) -> str | None:
        return next((value for key, value in self.headers if key == name), None)

    def describe(self) -> str:
        if self.status is not None:
            said = f"status {self.status}"
        elif self.reset is not None:
            said = f"RST_STREAM {self.reset}"
        else:
            said = "no answer"
        if self.goaway is not None:
            said += f", then GOAWAY {self.goaway}"
        return said


class H2Session:
    """One HTTP/2 connection to the stack's TLS port: open streams, send frames as given."""

    def __init__(self, stack: Stack, *, timeout: float = ANSWER_WAIT) -> None:
        parts = urlsplit(stack.https_url)
        context = stack.protocol_context(["h2"])
        if context is None:
            raise ValueError(f"{stack.id} serves no TLS: HTTP/2 is negotiated by ALPN on TLS")
        raw = socket.create_connection((parts.hostname, parts.port), timeout=timeout)
        self._socket = context.wrap_socket(raw, server_hostname="localhost")
        if self._socket.selected_alpn_protocol() != "h2":
            chosen = self._socket.selected_alpn_protocol()
            self._socket.close()
            raise ConnectionError(f"{stack.id}: ALPN chose {chosen!r}, not h2")
        self.authority = parts.netloc
        self._timeout = timeout
        config = h2.config.H2Configuration(
            client_side=True,
            header_encoding="utf-8",
            validate_outbound_headers=False,
            normalize_outbound_headers=False,
            validate_inbound_headers=False,
        )
        self._connection = h2.connection.H2Connection(config)
        self._connection.local_settings = h2.settings.Settings(client=True)
        self._connection.initiate_connection()
        self._answers: dict[int, H2Answer] = {}
        self.remote_settings: dict[int, int] = {}
        self.closed = False
        self._flush()

    def __enter__(self) -> H2Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        try:
            self._connection.close_connection()
            self._flush()
        except (OSError, h2.exceptions.ProtocolError):
            pass
        self._socket.close()

    def settings(self) -> dict[int, int]:
        """The proxy's SETTINGS, read once its first SETTINGS frame has arrived."""
        deadline = time.monotonic() + self._timeout
        while not self.remote_settings and not self.closed and time.monotonic() < deadline:
            self._read_once()
        return self.remote_settings

    def request(
        self,
        headers: Sequence[Header],
        data: Iterable[bytes] = (),
        *,
        end_stream: bool = True,
    ) -> int:
        """Send a HEADERS frame with `headers` as given (pseudo-headers first, as the caller
        lists them), then each of `data` as a DATA frame, the last with END_STREAM."""
        stream_id = self._connection.get_next_available_stream_id()
        self._answers[stream_id] = H2Answer()
        chunks = list(data)
        self._connection.send_headers(
            stream_id, list(headers), end_stream=end_stream and not chunks
        )
        self._flush()
        for index, chunk in enumerate(chunks):
            last = end_stream and index == len(chunks) - 1
            if not self.send_data(stream_id, chunk, end_stream=last):
                break
        return stream_id

    def send_data(self, stream_id: int, chunk: bytes, *, end_stream: bool = False) -> bool:
        """Send `chunk` in DATA frames as the peer's flow-control window allows. False when
        the stream ended first, or the proxy refused it early (a 413 before the body's end)."""
        answer = self._answers[stream_id]
        view = memoryview(chunk)
        deadline = time.monotonic() + self._timeout
        while True:
            refused = answer.status is not None and answer.status >= 400
            if answer.ended or refused or self.closed:
                return False
            window = min(
                self._connection.local_flow_control_window(stream_id),
                self._connection.max_outbound_frame_size,
            )
            if window <= 0 and view:
                if time.monotonic() > deadline:
                    return False
                self._read_once()
                continue
            piece, view = view[:window], view[window:]
            last = end_stream and not view
            try:
                self._connection.send_data(stream_id, bytes(piece), end_stream=last)
            except h2.exceptions.StreamClosedError:
                return False
            self._flush()
            if not view:
                return True

    def answer(
        self, stream_id: int, *, until_headers: bool = False, until_body: int | None = None
    ) -> H2Answer:
        """The stream's answer, read until it ends (or its headers came, `until_headers`, or
        `until_body` bytes of its body), the connection ends, or ANSWER_WAIT passes."""
        answer = self._answers[stream_id]
        deadline = time.monotonic() + self._timeout
        while not answer.ended and not self.closed and time.monotonic() < deadline:
            if until_headers and answer.status is not None:
                break
            if until_body is not None and len(answer.body) >= until_body:
                break
            self._read_once()
        return answer

    def _flush(self) -> None:
        outgoing = self._connection.data_to_send()
        if outgoing:
            try:
                self._socket.sendall(outgoing)
            except OSError:
                self._end_all(None)

    def _read_once(self) -> None:
        self._socket.settimeout(max(0.05, self._timeout / 20))
        try:
            data = self._socket.recv(65536)
        except TimeoutError:
            return
        except OSError:
            data = b""
        if not data:
            self._end_all(None)
            return
        try:
            events = self._connection.receive_data(data)
        except h2.exceptions.ProtocolError as error:
            self._end_all(f"our h2 library refused the answer: {error}")
            return
        for event in events:
            self._on(event)
        self._flush()

    def _on(self, event: h2.events.Event) -> None:
        if isinstance(event, h2.events.RemoteSettingsChanged):
            for key, value in event.changed_settings.items():
                self.remote_settings[int(key)] = value.new_value
            return
        if isinstance(event, h2.events.ConnectionTerminated):
            self._end_all(_code_name(event.error_code))
            return
        stream_id = getattr(event, "stream_id", None)
        answer = self._answers.get(stream_id) if stream_id else None
        if answer is None:
            return
        if isinstance(event, h2.events.ResponseReceived | h2.events.InformationalResponseReceived):
            fields = [(_text(k), _text(v)) for k, v in event.headers]
            status = next((int(v) for k, v in fields if k == ":status"), None)
            if status is not None and status >= 200:
                answer.status = status
                answer.headers = [(k, v) for k, v in fields if not k.startswith(":")]
        elif isinstance(event, h2.events.DataReceived):
            answer.body.extend(event.data)
            assert event.flow_controlled_length is not None
            assert stream_id is not None
            self._connection.acknowledge_received_data(event.flow_controlled_length, stream_id)
        elif isinstance(event, h2.events.StreamEnded):
            answer.ended = True
        elif isinstance(event, h2.events.StreamReset):
            answer.reset, answer.ended = _code_name(event.error_code), True

    def _end_all(self, goaway: str | None) -> None:
        self.closed = True
        for answer in self._answers.values():
            if not answer.ended:
                answer.goaway = goaway or "connection closed"
                answer.ended = True


def h2_exchange(stack: Stack, headers: Sequence[Header], data: Iterable[bytes] = ()) -> H2Answer:
    """One request on a connection of its own, and its answer."""
    with H2Session(stack) as session:
        return session.answer(session.request(headers, data))


def request_headers(
    session: H2Session, method: str, path: str, extra: Sequence[Header] = ()
) -> list[Header]:
    """The pseudo-headers of a request to the stack, then `extra` as given."""
    pseudo = [(":method", method), (":scheme", "https"), (":authority", session.authority)]
    return [*pseudo, (":path", path), *extra]


def h2_upload(stack: Stack, path: str, body: bytes, *, with_length: bool) -> H2Answer:
    """POST `body` to `path` (below the contract's root) in 64 KiB DATA frames, with a
    content-length or without one (HTTP/2's way of an unannounced body); the answer, read as
    soon as it comes, even while the body is still going (a proxy's early 413)."""
    length = [("content-length", str(len(body)))] if with_length else []
    pieces = [body[i : i + 65536] for i in range(0, len(body), 65536)]
    with H2Session(stack) as session:
        headers = request_headers(session, "POST", stack.contract_root + path, length)
        return session.answer(session.request(headers, pieces))


def h2_announced_upload(stack: Stack, length: int) -> H2Answer:
    """POST /upload announcing `length` bytes by content-length, sending none yet: the
    proxy's answer to the announcement alone (a 413 for a length over its limit)."""
    with H2Session(stack) as session:
        announced = [("content-length", str(length))]
        headers = request_headers(session, "POST", stack.contract_root + "/upload", announced)
        stream_id = session.request(headers, end_stream=False)
        return session.answer(stream_id, until_headers=True)


def _code_name(code: int | h2.errors.ErrorCodes | None) -> str:
    if code is None:
        return "NO_ERROR"
    try:
        return h2.errors.ErrorCodes(code).name
    except ValueError:
        return f"error {code}"


def _text(value: str | bytes) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value
