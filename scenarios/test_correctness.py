"""HTTP correctness through the whole stack: methods, HEAD, encodings, bodies, connections."""

import hashlib
import http.client
import os
import uuid
from urllib.parse import urlsplit

import pytest

from harness.clients.evidence import seen_with
from harness.clients.probes import exchange, host_header, upload_expecting_continue

pytestmark = pytest.mark.correctness

BODY_BYTES = 1024 * 1024
CONTINUE_WAIT = 2.0  # seconds to wait for 100 Continue: curl sends the body anyway after 1 s
CONTINUE_HINT = (
    "the proxy must answer 100 Continue itself where the server does not (uWSGI's "
    "http-socket does not): HAProxy `option http-buffer-request`, Apache `Proxy100Continue "
    "Off`; nginx always does"
)


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
def test_methods_reach_app(stack, client, method):
    """For every method an app route takes besides GET and HEAD, which have cases of their own
    (POST, PUT, PATCH, DELETE, OPTIONS), the request reaches the app as that method and is
    answered by it."""
    response = client.request(method, "/echo")
    assert response.status_code == 200, f"{stack.id}: {method} /echo gave {response.status_code}"
    assert response.json()["method"] == method, f"{stack.id}: app saw {response.json()['method']}"


def test_head_reaches_app_as_head(stack, client):
    """HEAD reaches the app as HEAD (not turned into GET) and comes back with no body."""
    marker = uuid.uuid4().hex
    response = client.head(f"/echo/{marker}")
    assert response.status_code == 200 and response.content == b"", (
        f"{stack.id}: HEAD gave {response.status_code} with {len(response.content)} body bytes"
    )
    methods = [entry["method"] for entry in seen_with(client, marker, limit=50)]
    assert methods == ["HEAD"], f"{stack.id}: the app saw {methods} for HEAD /echo/{marker}"


def test_query_string_keeps_percent_encoding_and_utf8(stack, client):
    """The query string reaches the app byte for byte and decodes to the same values."""
    raw_query = "word=caf%C3%A9&space=a%20b&plus=a+b&amp=%26&empty="
    seen = client.get(f"/echo?{raw_query}").json()
    assert seen["query_string"] == raw_query, f"{stack.id}: app saw {seen['query_string']!r}"
    expected = {"word": ["café"], "space": ["a b"], "plus": ["a b"], "amp": ["&"], "empty": [""]}
    assert seen["args"] == expected, f"{stack.id}: app decoded {seen['args']!r}"


def test_path_keeps_percent_encoding_and_utf8(stack, client):
    """An encoded path (spaces, UTF-8, an encoded slash-free segment) decodes in the app."""
    response = client.get("/echo/a%20b/caf%C3%A9")
    assert response.status_code == 200, f"{stack.id}: got {response.status_code}"
    assert response.json()["path"] == "/echo/a b/café", f"{stack.id}: {response.json()['path']!r}"


def test_request_body_reaches_app_intact(stack, client):
    """A 1 MiB request body arrives whole: same length, same sha256."""
    body = os.urandom(BODY_BYTES)
    response = client.post("/upload", content=body)
    assert response.status_code == 200, f"{stack.id}: upload gave {response.status_code}"
    got = response.json()
    assert (got["size"], got["sha256"]) == (len(body), hashlib.sha256(body).hexdigest()), (
        f"{stack.id}: app read {got}"
    )


def test_chunked_request_body_reaches_app_intact(stack, client):
    """A chunked request body (no Content-Length) arrives whole."""
    pieces = [os.urandom(64 * 1024) for _ in range(16)]
    response = client.post("/upload", content=iter(pieces))
    assert response.status_code == 200, f"{stack.id}: chunked upload gave {response.status_code}"
    expected = hashlib.sha256(b"".join(pieces)).hexdigest()
    assert response.json()["sha256"] == expected, f"{stack.id}: app read {response.json()}"


def test_keep_alive_serves_several_requests_on_one_connection(stack):
    """An HTTP/1.1 client gets several answers over one kept-alive connection."""
    parts = urlsplit(stack.url)
    if parts.scheme == "https":
        connection = http.client.HTTPSConnection(parts.hostname, parts.port, context=stack.verify())
    else:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    statuses, sockets = [], []
    for _ in range(3):
        connection.request("GET", stack.contract_root + "/echo")
        response = connection.getresponse()
        response.read()
        statuses.append(response.status)
        sockets.append(id(connection.sock))
        assert response.getheader("Connection", "").lower() != "close", (
            f"{stack.id}: proxy closed the connection after request {len(statuses)}"
        )
    connection.close()
    assert statuses == [200, 200, 200] and len(set(sockets)) == 1, f"{stack.id}: {statuses}"


def test_http_1_0_request_is_answered(stack):
    """A plain HTTP/1.0 request gets a complete 200 answer the app produced."""
    target = f"{stack.contract_root}/echo?v=10"
    request = f"GET {target} HTTP/1.0\r\nHost: {host_header(stack)}\r\n\r\n".encode()
    response = exchange(stack, request)
    assert response.status == 200, f"{stack.id}: HTTP/1.0 got {response.status_line!r}"
    assert b'"method":"GET"' in response.body.replace(b" ", b""), (
        f"{stack.id}: body was {response.body[:200]!r}"
    )


def test_expect_100_continue_is_answered_at_once(stack):
    """An upload announced with `Expect: 100-continue` (curl's way for bodies over 1 KiB)
    hears 100 Continue at once, and its body then reaches the app whole.

    A hop that passes the expectation on to a server that ignores it makes every such upload
    wait out curl's one-second timer: uWSGI's HTTP socket does
    (https://github.com/unbit/uwsgi/issues/2129), and HAProxy and Apache 2.4.40+
    (https://httpd.apache.org/docs/2.4/mod/mod_proxy.html#proxy100continue) pass it on.
    """
    body = os.urandom(64 * 1024)
    upload = upload_expecting_continue(stack, "/upload", body, CONTINUE_WAIT)
    evidence = (
        f"{stack.id}: POST /upload with Expect: 100-continue heard "
        f"{upload.interim.status_line or 'nothing'!r} after {upload.waited:.2f}s, then "
        f"{upload.final.status_line!r} {upload.final.body[:120]!r}"
    )
    assert upload.interim.status == 100, f"{evidence}; {CONTINUE_HINT}"
    assert upload.final.status == 200, evidence
    assert hashlib.sha256(body).hexdigest().encode() in upload.final.body, evidence
