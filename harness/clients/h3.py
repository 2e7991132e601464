"""An httpx transport that speaks HTTP/3 (aioquic's QUIC and H3 layers) to the proxy's TLS port
number over UDP, so the scenarios of the protocol axis run over h3 unchanged.

aioquic is asyncio; httpx's sync client calls `handle_request` from the scenario's thread.
The transport runs one event loop on a thread of its own and one QUIC connection on it,
opened at the first request and kept (as a browser keeps its h3 connection); each request is
one bidirectional stream. A request's body is sent whole (the scenarios' bodies fit in
memory); the answer goes to httpx once its head has come, its body chunk by chunk.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine, Iterator
from contextlib import AbstractAsyncContextManager, suppress
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx
from aioquic.asyncio.client import connect
from aioquic.asyncio.protocol import QuicConnectionProtocol
from aioquic.h3.connection import H3_ALPN, H3Connection
from aioquic.h3.events import DataReceived, H3Event, HeadersReceived
from aioquic.quic.configuration import QuicConfiguration
from aioquic.quic.events import ConnectionTerminated, QuicEvent, StreamReset

__all__ = ["H3Transport"]

T = TypeVar("T")
# The name the test PKI's certificate carries for the published address.
SERVER_NAME = "localhost"


class _Answer:
    """One stream's answer as it arrives: its head, then its body chunk by chunk (None: the
    end; an exception: the stream or the connection failed)."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.headers: list[tuple[bytes, bytes]] = []
        self.head: asyncio.Future[None] = loop.create_future()
        self.chunks: asyncio.Queue[bytes | Exception | None] = asyncio.Queue()

    def fail(self, error: Exception) -> None:
        if not self.head.done():
            self.head.set_exception(error)
        self.chunks.put_nowait(error)

    async def next_chunk(self, timeout: float) -> bytes | Exception | None:
        return await asyncio.wait_for(self.chunks.get(), timeout)


class _HeadAwareH3(H3Connection):
    """aioquic's HTTP/3 layer, which checks an answer's content-length against its DATA even
    for HEAD (RFC 9110 §9.3.2: a HEAD answer carries the length of the GET's body, and no
    body), and closes the connection over it: not on the streams of HEAD requests."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.head_streams: set[int] = set()

    def _check_content_length(self, stream: Any) -> None:
        if stream.stream_id not in self.head_streams:
            super()._check_content_length(stream)


class _H3Client(QuicConnectionProtocol):
    """One QUIC connection with an HTTP/3 layer: a stream per request."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._http = _HeadAwareH3(self._quic)
        self._answers: dict[int, _Answer] = {}

    def quic_event_received(self, event: QuicEvent) -> None:
        if isinstance(event, StreamReset) and event.stream_id in self._answers:
            self._answers.pop(event.stream_id).fail(
                httpx.RemoteProtocolError(f"the proxy reset the stream (code {event.error_code})")
            )
        if isinstance(event, ConnectionTerminated):
            reason = event.reason_phrase or "no reason"
            for answer in self._answers.values():
                answer.fail(
                    httpx.RemoteProtocolError(
                        f"the proxy closed the QUIC connection: {reason} (code {event.error_code})"
                    )
                )
            self._answers.clear()
        for h3_event in self._http.handle_event(event):
            self._h3_event(h3_event)

    def _h3_event(self, event: H3Event) -> None:
        if not isinstance(event, HeadersReceived | DataReceived):
            return
        answer = self._answers.get(event.stream_id)
        if answer is None:
            return
        if isinstance(event, HeadersReceived):
            if not answer.head.done():  # the head; a later HEADERS frame is trailers
                answer.headers.extend(event.headers)
                answer.head.set_result(None)
        elif event.data:
            answer.chunks.put_nowait(event.data)
        if event.stream_ended:
            answer.chunks.put_nowait(None)
            self._answers.pop(event.stream_id, None)

    async def exchange(
        self, headers: list[tuple[bytes, bytes]], body: bytes, timeout: float
    ) -> _Answer:
        """Send the request; the answer once its head has come (its body still coming)."""
        stream_id = self._quic.get_next_available_stream_id()
        answer = _Answer(asyncio.get_running_loop())
        self._answers[stream_id] = answer
        if (b":method", b"HEAD") in headers:
            self._http.head_streams.add(stream_id)
        self._http.send_headers(stream_id, headers, end_stream=not body)
        if body:
            self._http.send_data(stream_id, body, end_stream=True)
        self.transmit()
        await asyncio.wait_for(asyncio.shield(answer.head), timeout)
        return answer


class _Body(httpx.SyncByteStream):
    """An answer's body, chunk by chunk as QUIC delivers it (streams arrive incrementally)."""

    def __init__(self, transport: H3Transport, answer: _Answer, timeout: float) -> None:
        self._transport, self._answer, self._timeout = transport, answer, timeout

    def __iter__(self) -> Iterator[bytes]:
        while True:
            chunk = self._transport.run(self._answer.next_chunk(self._timeout), self._timeout)
            if chunk is None:
                return
            if isinstance(chunk, Exception):
                raise chunk
            yield chunk


class H3Transport(httpx.BaseTransport):
    """httpx's transport interface over one kept HTTP/3 connection per transport."""

    def __init__(self, ca_path: Path | None, timeout: float = 15.0) -> None:
        self._ca_path, self._timeout = ca_path, timeout
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._opened: AbstractAsyncContextManager[Any] | None = None
        self._client: _H3Client | None = None
        self._lock = threading.Lock()

    def run(self, work: Coroutine[Any, Any, T], timeout: float) -> T:
        """Run `work` on the transport's loop and wait for it (its own timeout first)."""
        return asyncio.run_coroutine_threadsafe(work, self._loop).result(timeout + 5)

    def _connected(self, host: str, port: int) -> _H3Client:
        with self._lock:
            if self._client is None:
                configuration = QuicConfiguration(
                    is_client=True, alpn_protocols=H3_ALPN, server_name=SERVER_NAME
                )
                if self._ca_path is not None:
                    configuration.load_verify_locations(str(self._ca_path))
                self._opened = connect(
                    host, port, configuration=configuration, create_protocol=_H3Client
                )
                handshake = asyncio.wait_for(self._opened.__aenter__(), self._timeout)
                try:
                    opened = self.run(handshake, self._timeout)
                except TimeoutError:
                    self._opened = None
                    said = f"no QUIC handshake with {host}:{port} within {self._timeout:g}s"
                    raise httpx.ConnectTimeout(said) from None
                assert isinstance(opened, _H3Client)
                self._client = opened
            return self._client

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = urlsplit(str(request.url))
        timeout = float((request.extensions.get("timeout") or {}).get("read") or self._timeout)
        client = self._connected(url.hostname or "127.0.0.1", url.port or 443)
        path = url.path + (f"?{url.query}" if url.query else "")
        headers = [
            (b":method", request.method.encode()),
            (b":scheme", b"https"),
            (b":authority", request.url.netloc),
            (b":path", path.encode()),
        ] + [
            (name.lower(), value)
            for name, value in request.headers.raw
            if name.lower() not in (b"host", b"connection", b"transfer-encoding")
        ]
        try:
            answer = self.run(client.exchange(headers, request.read(), timeout), timeout)
        except TimeoutError:
            said = f"no HTTP/3 answer within {timeout}s"
            raise httpx.ReadTimeout(said, request=request) from None
        status = next(int(value) for name, value in answer.headers if name == b":status")
        fields = [(name, value) for name, value in answer.headers if not name.startswith(b":")]
        return httpx.Response(
            status,
            headers=fields,
            stream=_Body(self, answer, timeout),
            extensions={"http_version": b"HTTP/3"},
            request=request,
        )

    def close(self) -> None:
        if self._opened is not None:
            opened, self._opened, self._client = self._opened, None, None
            with suppress(Exception):  # the connection may already be gone
                self.run(opened.__aexit__(None, None, None), 5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop.close()
