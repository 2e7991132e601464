"""Ambiguous or malformed requests are refused at the edge and never smuggle a request in.

Each smuggling probe hides a complete request, `GET /echo/smuggled-<uuid>`, where a parser
that frames the body differently from the proxy would see it as a request of its own. The
app records every request it handles in /seen, so a smuggled one leaves a trace there.
"""

import json
import uuid

import pytest

from harness.clients.evidence import seen_with
from harness.clients.probes import converse, exchange, host_header
from harness.clients.provable import need_provable
from harness.parts import server_kit
from harness.spec.expectations import Expectation
from harness.spec.model import Protocol

pytestmark = pytest.mark.security

END = "0\r\n\r\n"  # the last chunk of a chunked body
# Hidden from a parser that reads Content-Length {n}, seen by one that reads chunks.
AFTER_END = END + "{inner}"
# Hidden from a parser that reads chunks, seen by one that reads Content-Length {short}.
IN_CHUNK = "{size:x}\r\n{inner}\r\n" + END
# name -> (framing headers, body), with the placeholders above.
SMUGGLING = {
    "cl-te": ("Content-Length: {n}\r\nTransfer-Encoding: chunked\r\n", AFTER_END),
    "te-cl": ("Transfer-Encoding: chunked\r\nContent-Length: {short}\r\n", IN_CHUNK),
    "duplicate-cl": ("Content-Length: {short}\r\nContent-Length: {n}\r\n", IN_CHUNK),
    "te-xchunked": ("Content-Length: {n}\r\nTransfer-Encoding: xchunked\r\n", AFTER_END),
    "te-tab": ("Content-Length: {n}\r\nTransfer-Encoding:\tchunked\r\n", AFTER_END),
    "te-space-before-colon": (
        "Content-Length: {n}\r\nTransfer-Encoding : chunked\r\n",
        AFTER_END,
    ),
    # A line starting with whitespace continues the previous one (obsolete line folding).
    "te-folded": ("Content-Length: {n}\r\n Transfer-Encoding: chunked\r\n", AFTER_END),
    "te-chunked-identity": (
        "Content-Length: {n}\r\nTransfer-Encoding: chunked, identity\r\n",
        AFTER_END,
    ),
    "bad-chunk-size": ("Transfer-Encoding: chunked\r\n", "zz\r\nabc\r\n" + AFTER_END),
}
# RFC 9112 §6.1: a transfer coding the server does not understand may get 501.
REFUSALS = {*range(400, 500), 501}
# RFC 9112 §6.3: with both Content-Length and chunked, chunked wins and the connection closes
# after the answer. Every other probe is invalid framing that must be refused.
CHUNKED_WINS = {"cl-te", "te-cl", "te-tab"}
MALFORMED = {
    "url-64k": "GET {root}/echo?q=" + "a" * 65536 + " HTTP/1.1\r\nHost: {host}\r\n",
    "header-without-colon": "GET {root}/echo HTTP/1.1\r\nHost: {host}\r\nX-No-Colon value\r\n",
    "nul-in-header": "GET {root}/echo HTTP/1.1\r\nHost: {host}\r\nX-Nul: a\x00b\r\n",
    "invalid-method": "G(T {root}/echo HTTP/1.1\r\nHost: {host}\r\n",
}


def smuggling_probe(name, host, marker, root=""):
    """The probe's bytes: a POST whose framing hides `GET /echo/smuggled-<marker>` (both
    below `root`, the contract's place on your own app)."""
    headers, body = SMUGGLING[name]
    inner = f"GET {root}/echo/smuggled-{marker} HTTP/1.1\r\nHost: {host}\r\n\r\n"
    body = body.format(inner=inner, size=len(inner))
    framing = headers.format(n=len(body), short=len(f"{len(inner):x}\r\n"))
    head = f"POST {root}/echo HTTP/1.1\r\nHost: {host}\r\n" + framing
    return (head + "\r\n" + body).encode()


@pytest.mark.http1_only("raw HTTP/1.1 framing; HTTP/2 has its own probes in test_http2.py")
@pytest.mark.parametrize("name", list(SMUGGLING))
def test_smuggling_probe_is_refused_and_smuggles_nothing(stack, client, name):
    """Ambiguous framing is refused (or answered once, then closed); nothing hidden runs."""
    need_provable(stack.spec, Expectation.KEEPALIVE)
    marker = uuid.uuid4().hex
    # Half the keep-alive timeout, so "closed" means closed because of the probe.
    deadline = stack.spec.timeouts.keepalive / 2
    probe = smuggling_probe(name, host_header(stack), marker, stack.contract_root)
    talk = converse(stack, probe, deadline)
    evidence = (
        f"{stack.id}: probe {name} got {talk.response.status_line!r}, {talk.answers} answer(s), "
        f"connection {'closed' if talk.closed else 'kept open'} after {talk.seconds:.2f} s"
    )
    answered_then_closed = talk.closed and (talk.answers == 0 or name in CHUNKED_WINS)
    assert talk.answers <= 1, f"the hidden request was answered; {evidence}"
    assert talk.response.status in REFUSALS or answered_then_closed, f"not refused; {evidence}"
    _follow_up(stack, client, marker)
    smuggled = seen_with(client, f"smuggled-{marker}")
    assert smuggled == [], f"the app ran the hidden request: {smuggled}; {evidence}"


@pytest.mark.parametrize("framing", ["content-length", "chunked"])
def test_request_in_a_body_stays_in_the_body(stack, client, framing):
    """A body that holds a whole request reaches the app as that body, never as a request."""
    marker = uuid.uuid4().hex
    inner = (
        f"GET {stack.contract_root}/echo/smuggled-{marker} HTTP/1.1\r\n"
        f"Host: {host_header(stack)}\r\n\r\n"
    )
    body = inner.encode()
    response = client.post("/echo", content=body if framing == "content-length" else iter([body]))
    _follow_up(stack, client, marker)
    smuggled = seen_with(client, f"smuggled-{marker}")
    read = response.json().get("body_length") if response.status_code == 200 else None
    evidence = f"{stack.id}: {framing} POST got {response.status_code}, the app read {read} of "
    evidence += f"{len(body)} body bytes, and ran {smuggled}"
    assert (response.status_code, read) == (200, len(body)), evidence
    assert smuggled == [], evidence


def _follow_up(stack, client, marker):
    """Requests that would carry a smuggled prefix waiting on a proxy-to-server connection."""
    for _ in range(2 * len(stack.replicas)):
        client.get(f"/echo/after-{marker}", headers={"Connection": "close"})


@pytest.mark.parametrize("name", list(MALFORMED))
def test_malformed_request_gets_4xx(stack, name):
    """Oversized or malformed input is refused with a 4xx, never a 5xx."""
    malformed = MALFORMED[name].format(host=host_header(stack), root=stack.contract_root)
    request = malformed + "Connection: close\r\n\r\n"
    response = exchange(stack, request.encode())
    assert 400 <= response.status < 500, (
        f"{stack.id}: {name} got {response.status_line!r}, "
        f"X-Instance {response.header('X-Instance')!r}, {response.body[:120]!r}"
    )


def test_underscore_headers_cannot_pose_as_forwarded_headers(stack, client):
    """`X_Forwarded_*` headers (the same CGI names as `X-Forwarded-*`) change nothing."""
    scheme = "https" if stack.spec.tls else "http"
    spoof = {
        "X_Forwarded_Host": "evil.example",
        "X_Forwarded_For": "203.0.113.66",
        "X_Forwarded_Proto": "http" if stack.spec.tls else "https",
    }
    response = client.get("/echo", headers=spoof)
    assert response.status_code == 200, (
        f"{stack.id}: with {spoof} got {response.status_code} {response.text[:160]!r} "
        "(400: the app refused a host it was made to believe)"
    )
    seen = response.json()
    believed = (seen["host"], seen["remote_addr"], seen["scheme"])
    expected = (host_header(stack), stack.client_address, scheme)
    assert believed == expected, f"{stack.id}: app believed {believed}, not {expected}"


@pytest.mark.http1_only("an HTTP/1.1 Upgrade; HTTP/2 has no Upgrade (RFC 9113 §8.6)")
def test_h2c_upgrade_is_never_forwarded(stack):
    """No server is ever switched to cleartext HTTP/2 behind the proxy by a client's
    `Upgrade: h2c`: it would take requests the proxy never sees (h2c smuggling,
    traefik/traefik#9341). The request is answered or refused (400), never with 101; and
    where the server
    speaks h2c (hypercorn, granian) no Upgrade with a Connection naming it reaches it."""
    if stack.spec.protocol == Protocol.UWSGI:
        pytest.skip(f"{stack.id}: the proxy speaks {stack.spec.protocol} to the server, which "
                    "cannot switch protocols")  # fmt: skip
    target = f"{stack.contract_root}/echo/h2c-{uuid.uuid4().hex}"
    request = (
        f"GET {target} HTTP/1.1\r\nHost: {host_header(stack)}\r\n"
        "Connection: Upgrade, HTTP2-Settings, close\r\nUpgrade: h2c\r\n"
        "HTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n"
    )
    response = exchange(stack, request.encode())
    evidence = f"{stack.id}: GET with Upgrade: h2c got {response.status_line!r}"
    assert response.status != 101, f"{evidence}: the server switched to h2c behind the proxy"
    assert response.status in (200, 400), f"{evidence} {response.body[:200]!r}"
    if response.status == 400:  # refused outright (HAProxy over HTTP/2 to the server)
        return
    if Protocol.H2C not in server_kit(stack.spec.server).protocols:
        return  # a server without h2c ignores the upgrade: answered, and not switched
    headers = json.loads(response.body)["headers"]
    upgrade, connection = headers.get("upgrade"), headers.get("connection", "")
    # An Upgrade without the `upgrade` connection option asks the server for nothing.
    assert not (upgrade and "upgrade" in connection.lower()), (
        f"{evidence}; the server was asked to switch: Upgrade {upgrade!r}, Connection "
        f"{connection!r}. Pass Upgrade on only on the WebSocket location, and only `websocket`"
    )
