"""harness_contract: the contract's routes under the prefix on a user's own app, without
Docker, through the WSGI middleware (wsgiref's request builder, the answer's iterable read
piece by piece). ASGI: test_contract_asgi.py; Flask, Django: test_contract_flask.py,
test_contract_django.py."""

from __future__ import annotations

import gzip
import hashlib
import io
import itertools
import json
import os
import subprocess
import sys
import time
from wsgiref.util import setup_testing_defaults

import pytest

from harness_contract import core
from harness_contract.core import SEEN, below_prefix
from harness_contract.streaming import MAX_COUNT, MAX_INTERVAL_MS
from harness_contract.wsgi import ContractMiddleware as WsgiContract
from harness_contract.wsgi import view_of

PAYLOAD_LINE = b"deploy-harness compressible payload\n"
INSTANCE = "app-7"


@pytest.fixture(autouse=True)
def _replica_id(monkeypatch):
    monkeypatch.setenv("HARNESS_INSTANCE", INSTANCE)


def own_wsgi_app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"my own page"]


def wsgi_environ(path, method="GET", body=b"", query="", headers=None):
    environ = {
        "PATH_INFO": path,
        "REQUEST_METHOD": method,
        "QUERY_STRING": query,
        "wsgi.input": io.BytesIO(body),
        "CONTENT_LENGTH": str(len(body)),
        "HTTP_HOST": "127.0.0.1:8080",
        "REMOTE_ADDR": "172.18.0.5",
        **(headers or {}),
    }
    setup_testing_defaults(environ)
    return environ


def start_wsgi(path, **request):
    """Call the middleware: (status, headers, the iterable it returned, not yet read)."""
    seen = {}

    def start_response(status, response_headers):
        seen["status"], seen["headers"] = status, dict(response_headers)

    iterable = WsgiContract(own_wsgi_app)(wsgi_environ(path, **request), start_response)
    return seen["status"], seen["headers"], iterable


def call_wsgi(path, **request):
    status, headers, iterable = start_wsgi(path, **request)
    return status, headers, b"".join(iterable)


def test_prefix_matching_is_by_whole_segments():
    assert below_prefix("/_harness/echo") == "/echo"
    assert below_prefix("/_harness") == "/"
    assert below_prefix("/_harnessing/echo") is None
    assert below_prefix("/echo") is None


def test_wsgi_passes_the_apps_own_routes_through():
    status, headers, body = call_wsgi("/")
    assert (status, body) == ("200 OK", b"my own page") and "X-Instance" not in headers


def test_wsgi_echo_reports_the_request_below_the_prefix():
    status, headers, body = call_wsgi("/_harness/echo/a b", method="PUT", query="x=1&y=")
    seen = json.loads(body)
    assert status == "200 OK" and headers["Content-Type"] == "application/json"
    assert (seen["method"], seen["path"], seen["args"]) == (
        "PUT",
        "/echo/a b",
        {"x": ["1"], "y": [""]},
    )
    assert seen["script_name"] == "/_harness" and seen["remote_addr"] == "172.18.0.5"
    assert seen["server_view"] == {
        "remote_addr": "172.18.0.5", "scheme": "http", "host_header": "127.0.0.1:8080"
    }  # fmt: skip


def test_wsgi_upload_digests_the_body_and_redirect_is_absolute():
    body = b"x" * 100_000
    _, _, answer = call_wsgi("/_harness/upload", method="POST", body=body)
    assert json.loads(answer) == {
        "size": len(body), "sha256": hashlib.sha256(body).hexdigest(), "instance": INSTANCE
    }  # fmt: skip
    status, headers, _ = call_wsgi("/_harness/redirect")
    assert status == "302 Found"
    assert headers["Location"] == "http://127.0.0.1:8080/_harness/echo?redirected=1"


def test_wsgi_records_requests_for_seen_but_health_and_seen():
    """Each entry is the reference apps' `{instance, method, path, query, t}`; probes of
    /health and reads of /seen itself would drown the log, so they are left out."""
    call_wsgi("/_harness/echo/marker-42", method="DELETE", query="m=42")
    call_wsgi("/_harness/health")
    _, _, body = call_wsgi("/_harness/seen", query="limit=5")
    newest = json.loads(body)["requests"][0]
    assert newest.pop("t") <= time.time()
    assert newest == {
        "instance": INSTANCE, "method": "DELETE", "path": "/_harness/echo/marker-42",
        "query": "m=42",
    }  # fmt: skip
    assert SEEN.newest(1)[0]["path"] == "/_harness/echo/marker-42"


@pytest.mark.parametrize(
    ("method", "path", "query", "status"),
    [("GET", "/_harness/health", "", "200 OK"), ("GET", "/_harness/echo", "", "200 OK"),
     ("GET", "/_harness/stream", "count=1&interval_ms=0", "200 OK"),
     ("GET", "/_harness/cacheable", "", "200 OK"), ("GET", "/_harness/form", "", "200 OK"),
     ("GET", "/_harness/counter", "", "404 Not Found"),
     ("GET", "/_harness/bytes", "n=ten", "400 Bad Request"),
     ("POST", "/_harness/sse", "", "405 Method Not Allowed")],
)  # fmt: skip
def test_every_contract_answer_names_the_replica(method, path, query, status):
    """X-Instance on every answer below the prefix, errors included: balancing reads it."""
    answered, headers, _ = call_wsgi(path, method=method, query=query)
    assert (answered, headers.get("X-Instance")) == (status, INSTANCE)


def test_unknown_route_is_404_and_a_wrong_method_405_naming_what_is_allowed():
    status, _, body = call_wsgi("/_harness/counter")
    assert status == "404 Not Found" and b"'/counter'" in body
    status, headers, body = call_wsgi("/_harness/stream", method="POST")
    assert (status, headers["Allow"]) == ("405 Method Not Allowed", "GET, HEAD")
    assert json.loads(body)["error"] == "POST /stream: the contract answers GET, HEAD"


@pytest.mark.parametrize("query", ["count=-1", "count=abc", "interval_ms=1.5", "count=%D9%A3"])
def test_malformed_number_is_400_naming_the_parameter(query):
    status, _, body = call_wsgi("/_harness/stream", query=query)
    name = query.split("=")[0]
    assert status == "400 Bad Request" and json.loads(body)["error"].startswith(
        f"query parameter {name}="
    )


def test_wsgi_stream_yields_each_line_when_it_is_made():
    """/stream: an iterator the server sends piece by piece, the first at once, then one per
    interval; no Content-Length (chunked), and nginx asked not to buffer it."""
    status, headers, iterable = start_wsgi("/_harness/stream", query="count=3&interval_ms=250")
    started = time.monotonic()
    arrivals = [(time.monotonic() - started, json.loads(piece)) for piece in iterable]
    assert status == "200 OK" and "Content-Length" not in headers
    assert headers["Content-Type"].startswith("text/plain")
    assert headers["X-Accel-Buffering"] == "no"
    assert [line["i"] for _, line in arrivals] == [0, 1, 2]
    assert all(line["instance"] == INSTANCE for _, line in arrivals)
    assert arrivals[0][0] < 0.15, arrivals  # made at once, well before the next is due
    for (at, line), (later, next_line) in itertools.pairwise(arrivals):
        assert later - at >= 0.245 and next_line["t"] - line["t"] >= 0.245, arrivals


def test_wsgi_sse_sends_events_one_by_one():
    status, headers, iterable = start_wsgi("/_harness/sse", query="count=2&interval_ms=0")
    events = [piece.decode() for piece in iterable]
    assert (status, headers["Content-Type"]) == ("200 OK", "text/event-stream")
    assert (headers["Cache-Control"], headers["X-Accel-Buffering"]) == ("no-cache", "no")
    assert "Content-Length" not in headers and len(events) == 2
    for i, event in enumerate(events):
        id_line, data_line, end = event.split("\n", 2)
        assert (id_line, end) == (f"id: {i}", "\n")
        assert json.loads(data_line.removeprefix("data: "))["i"] == i


def test_head_of_a_stream_sends_its_headers_and_makes_nothing():
    started = time.monotonic()
    status, headers, iterable = start_wsgi(
        "/_harness/stream", method="HEAD", query="count=3&interval_ms=5000"
    )
    assert (status, list(iterable), "Content-Length" in headers) == ("200 OK", [], False)
    assert time.monotonic() - started < 1


def test_streams_are_capped_in_count_and_interval():
    environ = wsgi_environ("/_harness/stream", query="count=99999&interval_ms=99999999")
    view = view_of(environ, "/stream")
    result = core.answer(view, list, str)
    assert (result.stream.count, result.stream.interval) == (MAX_COUNT, MAX_INTERVAL_MS / 1000)
    _, _, iterable = start_wsgi("/_harness/stream", query="count=5000&interval_ms=0")
    assert sum(1 for _ in iterable) == MAX_COUNT


@pytest.mark.parametrize(
    ("path", "cache_control"),
    [("/cacheable", "public, max-age=60"), ("/cacheable?max_age=7", "public, max-age=7"),
     ("/cacheable?max_age=99999", "public, max-age=3600"), ("/private", "private, max-age=60"),
     ("/no-store", "no-store"), ("/with-cookie?m=1", "public, max-age=60"),
     ("/vary?max_age=1", "public, max-age=1")],
)  # fmt: skip
def test_caching_routes_say_how_to_cache_and_answer_a_fresh_token(path, cache_control):
    route, _, query = path.partition("?")
    answers = [call_wsgi(f"/_harness{route}", query=query) for _ in range(2)]
    tokens = {json.loads(body)["token"] for _, _, body in answers}
    for status, headers, body in answers:
        assert (status, headers["Cache-Control"]) == ("200 OK", cache_control)
        assert json.loads(body)["instance"] == INSTANCE
    assert len(tokens) == 2 and all(len(token) == 16 for token in tokens)


def test_with_cookie_sets_the_token_and_vary_names_the_variant():
    _, headers, body = call_wsgi("/_harness/with-cookie", headers={"wsgi.url_scheme": "https"})
    token = json.loads(body)["token"]
    cookie = f"cache_probe={token}; Path=/; HttpOnly; SameSite=Lax; Secure"
    assert headers["Set-Cookie"] == cookie
    _, headers, body = call_wsgi("/_harness/vary", headers={"HTTP_ACCEPT_LANGUAGE": "fr"})
    assert (headers["Vary"], json.loads(body)["variant"]) == ("Accept-Language", "fr")


@pytest.mark.parametrize(
    ("kind", "said"),
    [("none", {}), ("no-cache", {"Cache-Control": "no-cache"}),
     ("max-age-0", {"Cache-Control": "public, max-age=0"}),
     ("s-maxage-0", {"Cache-Control": "public, max-age=60, s-maxage=0"}),
     ("expired", {"Expires": "Thu, 01 Jan 1970 00:00:00 GMT"})],
)  # fmt: skip
def test_revalidate_says_only_what_its_kind_says(kind, said):
    status, headers, _ = call_wsgi("/_harness/revalidate", query=f"kind={kind}")
    assert status == "200 OK"
    assert {n: headers[n] for n in ("Cache-Control", "Expires") if n in headers} == said
    assert call_wsgi("/_harness/revalidate", query="kind=forever")[0] == "400 Bad Request"


def test_cacheable_answers_a_post_and_other_caching_routes_refuse_it():
    status, headers, _ = call_wsgi("/_harness/cacheable", method="POST", body=b"one")
    assert (status, headers["Cache-Control"]) == ("200 OK", "public, max-age=60")
    assert call_wsgi("/_harness/private", method="POST")[0] == "405 Method Not Allowed"


def test_bytes_is_the_reference_payload_and_archive_is_gzipped_already():
    status, headers, body = call_wsgi("/_harness/bytes", query="n=8192")
    assert (status, headers["Content-Type"]) == ("200 OK", "text/plain; charset=utf-8")
    assert body == (PAYLOAD_LINE * 300)[:8192] and headers["Content-Length"] == "8192"
    _, headers, body = call_wsgi("/_harness/archive", query="n=8192")
    assert headers["Content-Type"] == "application/gzip"
    assert len(gzip.decompress(body)) == 8192
    _, _, body = call_wsgi("/_harness/archive", query="n=99999999")
    assert len(gzip.decompress(body)) == 1024 * 1024


@pytest.mark.parametrize(("scheme", "secure"), [("http", ""), ("https", "; Secure")])
def test_cookie_is_secure_exactly_when_the_request_is(scheme, secure):
    _, headers, body = call_wsgi("/_harness/cookie", headers={"wsgi.url_scheme": scheme})
    assert json.loads(body) == {"secure": bool(secure)}
    assert headers["Set-Cookie"] == f"session_probe=1; Path=/; HttpOnly; SameSite=Lax{secure}"


def form_post(token, cookie_token=None, scheme="http", **headers):
    sent = {"HTTP_X_CSRFTOKEN": token, "HTTP_COOKIE": f"csrftoken={cookie_token or token}",
            "wsgi.url_scheme": scheme, **headers}  # fmt: skip
    status, _, body = call_wsgi("/_harness/form", method="POST", headers=sent)
    return status, json.loads(body)


def test_form_hands_out_a_token_in_its_cookie():
    status, headers, body = call_wsgi("/_harness/form")
    token = json.loads(body)["token"]
    assert status == "200 OK" and len(token) >= 32
    assert headers["Set-Cookie"] == f"csrftoken={token}; Path=/; SameSite=Lax"
    _, _, again = call_wsgi("/_harness/form", headers={"HTTP_COOKIE": f"csrftoken={token}"})
    assert json.loads(again)["token"] == token


def test_form_post_is_accepted_from_the_sites_own_origin_with_the_token_repeated():
    own = "http://127.0.0.1:8080"
    assert form_post("t" * 32, HTTP_ORIGIN=own) == ("200 OK", {"accepted": True})
    referer = {"HTTP_REFERER": "https://127.0.0.1:8080/_harness/form"}
    assert form_post("t" * 32, scheme="https", **referer) == ("200 OK", {"accepted": True})


@pytest.mark.parametrize(
    ("post", "why"),
    [({"token": "a" * 32, "cookie_token": "b" * 32}, "does not repeat the csrftoken cookie"),
     ({"token": "t" * 32, "HTTP_ORIGIN": "https://attacker.example"}, "does not match"),
     ({"token": "t" * 32, "HTTP_ORIGIN": "http://127.0.0.1:8080", "scheme": "https"},
      "does not match https://127.0.0.1:8080"),
     ({"token": "t" * 32, "scheme": "https"}, "Referer '' is not on https://127.0.0.1:8080"),
     ({"token": "é", "cookie_token": "e", "HTTP_ORIGIN": "http://127.0.0.1:8080"},
      "does not repeat")],
)  # fmt: skip
def test_form_post_is_refused_with_403_saying_why(post, why):
    status, answer = form_post(**post)
    assert status == "403 Forbidden" and why in answer["error"], answer


def test_the_seen_log_is_shared_by_the_processes_of_a_replica(tmp_path):
    """Worker processes of one server append to one log under a lock: a read through any of
    them sees every process's requests, whole."""
    code = (
        "from harness_contract.seen import SEEN\n"
        "for i in range(200): SEEN.record('POST', '/echo/p', f'k={i}')\n"
    )
    env = {**os.environ, "HARNESS_CONTRACT_SEEN": str(tmp_path), "HARNESS_INSTANCE": "app-1"}
    writers = [subprocess.Popen([sys.executable, "-c", code], env=env) for _ in range(3)]
    assert [writer.wait(timeout=60) for writer in writers] == [0, 0, 0]
    from harness_contract.seen import SeenLog

    entries = SeenLog().newest(1000)
    assert len(entries) == 600 and {e["instance"] for e in entries} == {"app-1"}
    assert sorted(e["query"] for e in entries) == sorted([f"k={i}" for i in range(200)] * 3)
