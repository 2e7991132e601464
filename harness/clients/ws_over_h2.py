"""WebSockets for a client that speaks HTTP/2, both ways a browser has.

- RFC 8441: on the HTTP/2 connection itself, an extended CONNECT (`:protocol websocket`),
  once the proxy announced SETTINGS_ENABLE_CONNECT_PROTOCOL; the WebSocket frames then travel
  in the stream's DATA frames (websockets' own frame codec makes them).
- Otherwise a browser opens a separate connection with ALPN http/1.1 and upgrades there: the
  proxy must still offer http/1.1 on its TLS port.

Each returns whether a text message came back unchanged, and the evidence either way.
"""

from __future__ import annotations

import uuid

from websockets.frames import Frame, Opcode
from websockets.streams import StreamReader

from harness.clients.h2wire import H2Session, request_headers
from harness.clients.wsclient import open_websocket, site_origin
from harness.run.stack import Stack

__all__ = ["ENABLE_CONNECT_PROTOCOL", "echo_over_extended_connect", "echo_over_http11_connection"]

ENABLE_CONNECT_PROTOCOL = 0x8  # RFC 8441 §3
ECHO_PATH = "/ws/echo"
MAX_FRAMES = 8  # frames read while waiting for the echo


def echo_over_extended_connect(stack: Stack) -> tuple[bool, str]:
    """Open /ws/echo by extended CONNECT, send one text frame, read the echo."""
    message = f"h2-{uuid.uuid4().hex}"
    with H2Session(stack) as session:
        headers = request_headers(session, "CONNECT", stack.contract_root + ECHO_PATH)
        headers.insert(1, (":protocol", "websocket"))
        headers += [("sec-websocket-version", "13"), ("origin", site_origin(stack))]
        stream_id = session.request(headers, end_stream=False)
        answer = session.answer(stream_id, until_headers=True)
        if answer.status != 200:
            return False, f"extended CONNECT to {ECHO_PATH} got {answer.describe()}"
        frame = Frame(Opcode.TEXT, message.encode()).serialize(mask=True)
        session.send_data(stream_id, frame)
        frames = _frames_until_text(session, stream_id)
    texts = [bytes(f.data).decode("utf-8", "replace") for f in frames if f.opcode == Opcode.TEXT]
    said = texts[0] if texts else None
    if said is None:
        kinds = [f.opcode.name for f in frames]
        return False, (
            f"extended CONNECT answered 200, then frames {kinds} and no echo of {message!r} "
            f"({answer.describe()})"
        )
    return said == message, f"extended CONNECT: sent {message!r}, got {said!r}"


def _frames_until_text(session: H2Session, stream_id: int) -> list[Frame]:
    """The WebSocket frames the stream's DATA carried, read until a text frame (a server's
    pings come first at times), the stream's end or the answer's deadline."""
    frames: list[Frame] = []
    for _ in range(MAX_FRAMES):
        answer = session.answer(stream_id, until_body=len(_body(session, stream_id)) + 1)
        frames = _whole_frames(bytes(answer.body))
        if any(f.opcode == Opcode.TEXT for f in frames) or answer.ended or session.closed:
            break
    return frames


def _body(session: H2Session, stream_id: int) -> bytearray:
    return session.answer(stream_id, until_headers=True).body


def _whole_frames(data: bytes) -> list[Frame]:
    """Every complete frame at the start of `data` (a partial last one is left out)."""
    reader = StreamReader()
    reader.feed_data(data)
    reader.feed_eof()
    frames: list[Frame] = []
    while True:
        parser = Frame.parse(reader.read_exact, mask=False)
        try:
            next(parser)
        except StopIteration as done:
            frames.append(done.value)
            continue
        except EOFError:
            return frames
        return frames


def echo_over_http11_connection(stack: Stack) -> tuple[bool, str]:
    """The browser's fallback: a connection of its own, ALPN http/1.1, and the upgrade."""
    message = f"h1-{uuid.uuid4().hex}"
    try:
        connection = open_websocket(stack, ECHO_PATH, alpn=["http/1.1"])
    except Exception as error:
        return False, (
            "no RFC 8441 on HTTP/2, and a WebSocket over a separate HTTP/1.1 connection "
            f"(ALPN http/1.1) failed: {type(error).__name__}: {error}"
        )
    with connection:
        chosen = connection.alpn
        connection.send(message)
        said = connection.recv()
    if chosen != "http/1.1":
        return False, f"the proxy chose ALPN {chosen!r} where the browser asked http/1.1 alone"
    return said == message, f"over ALPN http/1.1: sent {message!r}, got {said!r}"
