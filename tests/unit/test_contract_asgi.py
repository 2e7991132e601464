"""harness_contract.asgi: the contract's HTTP routes and WS /ws/echo under the prefix on a
user's own ASGI app, driven in-process by hand-made scopes, receive and send (no server)."""

from __future__ import annotations

import asyncio
import itertools
import json
import time

import pytest

from harness_contract.asgi import ContractMiddleware
from harness_contract.websocket import MAX_MESSAGE

INSTANCE = "app-9"
OWN_ORIGIN = (b"origin", b"https://127.0.0.1:8443")
HOST = (b"host", b"127.0.0.1:8443")


@pytest.fixture(autouse=True)
def _replica_id(monkeypatch):
    monkeypatch.setenv("HARNESS_INSTANCE", INSTANCE)


async def own_asgi_app(scope, receive, send):
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 4999})
        return
    if scope["type"] == "lifespan":
        await send({"type": "lifespan.startup.complete"})
        return
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"own"})


async def asgi_http(path, method="GET", query=b"", body=b"abc", client_leaves=False):
    """One HTTP request through the middleware: the messages it sent, each with when.

    After the body the client stays connected, or (client_leaves) says it has gone."""
    messages = [{"type": "http.request", "body": body, "more_body": False}]
    sent = []

    async def receive():
        if messages:
            return messages.pop(0)
        if client_leaves:
            return {"type": "http.disconnect"}
        await asyncio.Event().wait()  # a client that stays: cancelled when the answer ends

    async def send(message):
        sent.append((time.monotonic(), message))

    scope = {
        "type": "http", "method": method, "path": path, "query_string": query, "root_path": "",
        "headers": [HOST], "scheme": "https", "client": ("172.18.0.9", 5555),
        "server": ("app-1", 8000),
    }  # fmt: skip
    await asyncio.wait_for(ContractMiddleware(own_asgi_app)(scope, receive, send), 10)
    return sent


def answered(sent):
    """(status, headers, bodies) of the sent messages."""
    start = sent[0][1]
    headers = {name.decode(): value.decode() for name, value in start["headers"]}
    return start["status"], headers, [message for _, message in sent[1:]]


def test_asgi_answers_the_contract_and_passes_the_rest():
    status, headers, bodies = answered(asyncio.run(asgi_http("/")))
    assert (status, bodies[0]["body"], "x-instance" in headers) == (200, b"own", False)
    status, headers, bodies = answered(asyncio.run(asgi_http("/_harness/echo", method="POST")))
    seen = json.loads(bodies[0]["body"])
    assert status == 200 and seen["scheme"] == "https" and seen["is_secure"] is True
    assert (seen["body_length"], seen["remote_addr"]) == (3, "172.18.0.9")
    length = str(len(bodies[0]["body"]))
    assert (headers["x-instance"], headers["content-length"]) == (INSTANCE, length)


@pytest.mark.parametrize(
    ("path", "query", "status"),
    [("/_harness/health", b"", 200), ("/_harness/vary", b"", 200),
     ("/_harness/nothing", b"", 404), ("/_harness/sleep", b"ms=x", 400)],
)  # fmt: skip
def test_every_asgi_contract_answer_names_the_replica(path, query, status):
    got, headers, _ = answered(asyncio.run(asgi_http(path, query=query)))
    assert (got, headers["x-instance"]) == (status, INSTANCE)


def test_asgi_stream_sends_one_body_message_per_line_as_it_is_made():
    """COUNT body messages with more_body, paced, then an empty last one; no Content-Length."""
    sent = asyncio.run(asgi_http("/_harness/stream", query=b"count=3&interval_ms=150"))
    status, headers, bodies = answered(sent)
    assert status == 200 and "content-length" not in headers
    assert headers["x-accel-buffering"] == "no"
    assert [m.get("more_body", False) for m in bodies] == [True, True, True, False]
    assert bodies[-1]["body"] == b""
    lines = [json.loads(m["body"]) for m in bodies[:-1]]
    assert [line["i"] for line in lines] == [0, 1, 2]
    times = [at for at, _ in sent[1:-1]]
    assert all(b - a >= 0.145 for a, b in itertools.pairwise(times)), times


def test_asgi_sse_events_are_separate_messages():
    sent = asyncio.run(asgi_http("/_harness/sse", query=b"count=2&interval_ms=0"))
    _, headers, bodies = answered(sent)
    assert (headers["content-type"], headers["cache-control"]) == ("text/event-stream", "no-cache")
    assert [m["body"][:6] for m in bodies] == [b"id: 0\n", b"id: 1\n", b""]


def test_asgi_stream_waits_without_blocking_the_event_loop():
    """While a stream waits between lines, the loop serves others: two streams of 0.4 s
    side by side take about 0.4 s (0.8 s if each blocked the loop), and a ticker beside them
    keeps ticking."""

    async def side_by_side():
        ticks = 0

        async def ticker():
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        beside = asyncio.ensure_future(ticker())
        started = time.monotonic()
        query = b"count=5&interval_ms=100"
        await asyncio.gather(*(asgi_http("/_harness/stream", query=query) for _ in range(2)))
        beside.cancel()
        return time.monotonic() - started, ticks

    took, ticks = asyncio.run(side_by_side())
    assert took < 0.7 and ticks >= 10, (took, ticks)


def test_asgi_stream_stops_when_the_client_has_gone():
    sent = asyncio.run(
        asgi_http("/_harness/stream", query=b"count=50&interval_ms=20", client_leaves=True)
    )
    _, _, bodies = answered(sent)
    assert 1 <= len(bodies) < 5, bodies


def test_asgi_head_of_a_stream_sends_headers_only():
    started = time.monotonic()
    sent = asyncio.run(asgi_http("/_harness/sse", method="HEAD", query=b"interval_ms=5000"))
    status, headers, bodies = answered(sent)
    assert (status, bodies, "content-length" in headers) == (
        200, [{"type": "http.response.body", "body": b""}], False
    )  # fmt: skip
    assert time.monotonic() - started < 1


def test_asgi_passes_lifespan_to_the_app():
    sent = []

    async def run():
        async def receive():
            return {"type": "lifespan.startup"}

        async def send(message):
            sent.append(message)

        await ContractMiddleware(own_asgi_app)({"type": "lifespan"}, receive, send)

    asyncio.run(run())
    assert sent == [{"type": "lifespan.startup.complete"}]


def websocket(path, *messages, headers=(HOST, OWN_ORIGIN), **options):
    """A WebSocket session through the middleware: every message it sent. The client
    connects, sends `messages` and then leaves (unless the app closed first)."""

    async def run():
        inbox = asyncio.Queue()
        for message in [{"type": "websocket.connect"}, *messages]:
            inbox.put_nowait(message)
        inbox.put_nowait({"type": "websocket.disconnect", "code": 1000})
        sent = []

        async def send(message):
            sent.append(message)

        scope = {"type": "websocket", "path": path, "headers": list(headers),
                 "scheme": "wss", "query_string": b"", "root_path": ""}  # fmt: skip
        app = ContractMiddleware(own_asgi_app, **options)
        await asyncio.wait_for(app(scope, inbox.get, send), 5)
        return sent

    return asyncio.run(run())


def text(value):
    return {"type": "websocket.receive", "text": value}


def test_websocket_echo_accepts_naming_the_replica_and_echoes_in_kind():
    binary = {"type": "websocket.receive", "bytes": b"\x00\xff"}
    sent = websocket("/_harness/ws/echo", text("hello, wörld"), binary)
    assert sent == [
        {"type": "websocket.accept", "headers": [(b"x-instance", INSTANCE.encode())]},
        {"type": "websocket.send", "text": "hello, wörld"},
        {"type": "websocket.send", "bytes": b"\x00\xff"},
    ]


def test_websocket_close_message_closes_with_that_code():
    sent = websocket("/_harness/ws/echo", text("close:1005"), text("close:4001"), text("late"))
    assert sent[1:] == [
        {"type": "websocket.send", "text": "close:1005"},  # 1005 may not be sent: echoed
        {"type": "websocket.close", "code": 4001},
    ]


def test_websocket_message_over_the_cap_closes_with_1009():
    sent = websocket("/_harness/ws/echo", text("x" * (MAX_MESSAGE + 1)))
    assert sent[1:] == [{"type": "websocket.close", "code": 1009}]


@pytest.mark.parametrize(
    ("origin", "accepted"),
    [(b"https://127.0.0.1:8443", True), (b"http://127.0.0.1", True),
     (b"https://127.0.0.1:8443/_harness", True), (b"https://attacker.example", False),
     (b"null", False), (None, False)],
)  # fmt: skip
def test_websocket_handshake_from_a_foreign_origin_is_refused(origin, accepted):
    """As Channels' AllowedHostsOriginValidator: the Origin's host must be the site's own;
    a close before accept is a 403 to the client."""
    headers = [HOST] + ([(b"origin", origin)] if origin else [])
    first = websocket("/_harness/ws/echo", headers=headers)[0]
    assert first["type"] == ("websocket.accept" if accepted else "websocket.close"), first


def test_websocket_allowed_hosts_widen_the_origin_check():
    headers = [HOST, (b"origin", b"https://shop.example.com")]
    first = websocket("/_harness/ws/echo", headers=headers, allowed_hosts=[".example.com"])[0]
    assert first["type"] == "websocket.accept"


def test_other_websockets_go_to_the_app():
    """Rooms need the user's channel layer: PREFIX/ws/room/... is the app's to answer."""
    for path in ("/ws/chat", "/_harness/ws/room/lobby"):
        assert websocket(path) == [{"type": "websocket.close", "code": 4999}]
