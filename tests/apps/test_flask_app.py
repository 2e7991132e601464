"""The Flask reference app answers the app contract (apps/CONTRACT.md), route by route.

Runs on the host with Flask's test client and fakeredis; no server, proxy or Docker.
"""

import dataclasses
import hashlib
import itertools
import json
import time

import fakeredis
import flask_app
import pytest
from flask_app import Settings, create_app
from flask_app.describe import raw_path
from flask_app.store import SEEN_CAPACITY, SEEN_KEY, SeenRequest, Store

ALLOWED_HOSTS = ("localhost", "127.0.0.1", "deploy-harness.test")
ECHO_FIELDS = {
    "method", "path", "raw_path", "query_string", "args", "headers", "remote_addr", "scheme",
    "is_secure", "host", "url", "script_name", "body_length", "body_sha256", "instance", "pid",
    "server", "framework", "interface", "trust", "server_view",
}  # fmt: skip
PAYLOAD_LINE = b"deploy-harness compressible payload\n"
BEHIND_TLS_PROXY = {
    "X-Forwarded-For": "203.0.113.9",
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Host": "deploy-harness.test:8443",
    "X-Forwarded-Prefix": "/prefix",
}
SETTINGS = Settings(
    instance="app-1",
    server="pytest",
    interface="wsgi",
    redis_url="redis://redis.invalid:6379/0",
    proxy_hops=1,
    allowed_hosts=ALLOWED_HOSTS,
)


@pytest.fixture
def redis_client():
    return fakeredis.FakeRedis(decode_responses=True)


@pytest.fixture
def make_client(redis_client):
    """Build a test client for an app whose settings differ from SETTINGS by `changes`."""

    def make(**changes):
        settings = dataclasses.replace(SETTINGS, **changes)
        return create_app(settings, redis_client=redis_client).test_client()

    return make


@pytest.fixture
def client(make_client):
    return make_client()


@pytest.fixture
def redis_server():
    """A fake Redis server that refuses connections until `connected` is set again."""
    server = fakeredis.FakeServer()
    server.connected = False
    return server


@pytest.fixture
def redis_down(redis_server):
    return fakeredis.FakeRedis(server=redis_server, decode_responses=True)


def test_public_api_is_stable():
    """The package exports what the entry points and tests use, and nothing else."""
    assert flask_app.__all__ == ["Settings", "SettingsError", "create_app"]
    assert all(hasattr(flask_app, name) for name in flask_app.__all__)


def test_health_answers_ok_as_plain_text(client, redis_client):
    """/health is 200 `ok`, text/plain, and never recorded in /seen."""
    response = client.get("/health")
    assert (response.status_code, response.data) == (200, b"ok"), response.data
    assert response.content_type == "text/plain"
    assert redis_client.llen(SEEN_KEY) == 0


@pytest.mark.parametrize("path", ["/echo", "/counter?key=a", "/seen", "/static/hello.txt", "/nope"])
def test_untrusted_host_is_refused_everywhere_but_health(client, redis_client, path):
    """A Host outside HARNESS_ALLOWED_HOSTS gets 400 on every route and is not recorded."""
    response = client.get(path, headers={"Host": "evil.example"})
    assert response.status_code == 400, response.data
    assert response.headers["X-Instance"] == "app-1"
    assert redis_client.llen(SEEN_KEY) == 0


def test_health_answers_whatever_the_host(client):
    """Probes that address the replica by IP still get /health."""
    response = client.get("/health", headers={"Host": "10.1.2.3:8000"})
    assert (response.status_code, response.data) == (200, b"ok"), response.data


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"Host": "deploy-harness.test:8443"}, 200),
        ({"X-Forwarded-Host": "deploy-harness.test"}, 200),
        ({"X-Forwarded-Host": "evil.example"}, 400),
        ({"Host": "deploy-harness.test.evil.example"}, 400),
    ],
)
def test_host_check_applies_to_the_host_the_app_believes(client, headers, status):
    """The port is ignored, and a trusted X-Forwarded-Host is checked like a Host."""
    response = client.get("/echo", headers=headers)
    assert response.status_code == status, response.data


def test_forwarded_headers_are_ignored_without_trusted_proxies(make_client):
    """HARNESS_PROXY_HOPS=0: X-Forwarded-* are plain headers, the connection is the truth."""
    seen = make_client(proxy_hops=0).get("/echo", headers=BEHIND_TLS_PROXY).json
    assert (seen["remote_addr"], seen["scheme"], seen["host"]) == ("127.0.0.1", "http", "localhost")
    assert seen["script_name"] == "", seen


def test_star_accepts_every_host(make_client):
    """HARNESS_ALLOWED_HOSTS=* (allowed_hosts None) turns the host check off."""
    response = make_client(allowed_hosts=None).get("/echo", headers={"Host": "any.example"})
    assert response.status_code == 200, response.data


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/echo", 200),
        ("GET", "/static/hello.txt", 404),
        ("GET", "/stream?count=x", 400),
        ("GET", "/upload", 405),
        ("POST", "/health", 405),
    ],
)
def test_every_response_names_the_instance(client, method, path, status):
    """X-Instance is on successes and errors alike."""
    response = client.open(path, method=method)
    assert response.status_code == status, response.data
    assert response.headers["X-Instance"] == "app-1"


def test_app_does_not_serve_static_files(client, redis_client):
    """Flask's static route is off: a request the proxy should have served is the app's 404."""
    response = client.get("/static/hello.txt")
    assert response.status_code == 404, response.data
    assert "static" not in {rule.endpoint for rule in client.application.url_map.iter_rules()}
    assert json.loads(redis_client.lindex(SEEN_KEY, 0))["path"] == "/static/hello.txt"


def test_echo_reports_every_contract_field(client):
    """/echo answers exactly the fields of the contract's /echo JSON."""
    assert set(client.get("/echo").json) == ECHO_FIELDS


def test_echo_describes_the_request(client):
    """Path decoded, raw path and query as sent, args decoded, body hashed, replica named."""
    body = b"hello echo"
    seen = client.post("/echo/a%20b?q=%C3%A9&q=x", data=body).json
    expected = {
        "method": "POST",
        "path": "/echo/a b",
        "raw_path": "/echo/a%20b",
        "query_string": "q=%C3%A9&q=x",
        "args": {"q": ["é", "x"]},
        "remote_addr": "127.0.0.1",
        "scheme": "http",
        "is_secure": False,
        "host": "localhost",
        "url": "http://localhost/echo/a%20b?q=%C3%A9&q=x",
        "script_name": "",
        "body_length": len(body),
        "body_sha256": hashlib.sha256(body).hexdigest(),
        "instance": "app-1",
        "server": "pytest",
        "framework": "flask",
        "interface": "wsgi",
    }
    assert {key: seen[key] for key in expected} == expected
    assert isinstance(seen["pid"], int)


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"RAW_URI": "/echo/a%20b?q=1"}, "/echo/a%20b"),
        ({"REQUEST_URI": "/echo/%C3%A9"}, "/echo/%C3%A9"),
        ({"RAW_URI": "/echo/\xc3\xa9"}, "/echo/é"),
        ({}, None),
    ],
    ids=["gunicorn", "uwsgi", "raw-utf8", "not-exposed"],
)
def test_raw_path_comes_from_the_server_when_exposed(environ, expected):
    """raw_path is the request target without its query, or None where the server hides it."""
    assert raw_path(environ) == expected


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "PROPFIND"])
def test_echo_accepts_any_method(client, method):
    """ANY /echo: every method reaches the view, OPTIONS and unknown ones included."""
    response = client.open("/echo/x", method=method)
    assert response.status_code == 200, response.data
    assert response.json["method"] == method


def test_echo_head_sends_headers_without_body(client):
    """HEAD /echo answers the JSON headers and no body."""
    response = client.head("/echo")
    assert response.status_code == 200
    assert response.content_type == "application/json"
    assert response.data == b""


def test_echo_headers_are_lowercased_and_repeats_joined(client):
    """Header names are lower-cased; a repeated header is one value joined with ', '."""
    headers = [("X-Probe-Name", "v"), ("X-Repeat", "1"), ("X-Repeat", "2")]
    seen = client.get("/echo", headers=headers).json["headers"]
    assert seen["x-probe-name"] == "v", seen
    assert seen["x-repeat"] == "1, 2", seen


def test_echo_behind_a_trusted_tls_proxy(client):
    """One trusted proxy: client address, scheme, host, port and prefix come from it."""
    seen = client.get("/echo?a=1", headers=BEHIND_TLS_PROXY).json
    assert seen["remote_addr"] == "203.0.113.9", seen
    assert (seen["scheme"], seen["is_secure"]) == ("https", True), seen
    assert seen["host"] == "deploy-harness.test:8443", seen
    assert seen["script_name"] == "/prefix", seen
    assert seen["url"] == "https://deploy-harness.test:8443/prefix/echo?a=1", seen
    assert seen["headers"]["host"] == "localhost", "headers show the Host as received"


@pytest.mark.parametrize(
    ("hops", "expected"),
    [(0, "127.0.0.1"), (1, "10.0.0.7"), (2, "198.51.100.4")],
)
def test_only_trusted_hops_of_forwarded_for_count(make_client, hops, expected):
    """A client-supplied X-Forwarded-For prefix never becomes the client address."""
    headers = {"X-Forwarded-For": "6.6.6.6, 198.51.100.4, 10.0.0.7"}
    seen = make_client(proxy_hops=hops).get("/echo", headers=headers).json
    assert seen["remote_addr"] == expected, seen


def test_with_the_server_trust_layer_no_forwarded_header_is_applied(make_client):
    """The server applied X-Forwarded-*: the app takes REMOTE_ADDR, scheme and Host as given."""
    headers = {"X-Forwarded-For": "6.6.6.6", **BEHIND_TLS_PROXY}
    seen = make_client(trust="server").get("/echo", headers=headers).json
    assert (seen["remote_addr"], seen["scheme"], seen["trust"]) == ("127.0.0.1", "http", "server")
    assert seen["server_view"]["remote_addr"] == "127.0.0.1"


def test_with_the_app_trust_layer_echo_keeps_the_servers_own_view(make_client):
    """ProxyFix rewrote the client address and scheme; /echo still shows what the server gave."""
    seen = (
        make_client().get("/echo", headers={**BEHIND_TLS_PROXY, "X-Forwarded-For": "10.0.0.7"}).json
    )
    assert (seen["remote_addr"], seen["scheme"]) == ("10.0.0.7", "https")
    assert (seen["server_view"]["remote_addr"], seen["server_view"]["scheme"]) == (
        "127.0.0.1",
        "http",
    )


def test_upload_hashes_the_body(client):
    """/upload answers the size and SHA-256 of a body larger than one chunk."""
    body = bytes(range(256)) * 1000
    answer = client.post("/upload", data=body).json
    assert answer == {
        "size": len(body),
        "sha256": hashlib.sha256(body).hexdigest(),
        "instance": "app-1",
    }


class ReadRecorder:
    """A wsgi.input that records the size of every read."""

    def __init__(self, data: bytes) -> None:
        self.data, self.position, self.reads = data, 0, []

    def read(self, size: int = -1) -> bytes:
        self.reads.append(size)
        end = len(self.data) if size < 0 else self.position + size
        chunk, self.position = self.data[self.position : end], min(end, len(self.data))
        return chunk


def test_upload_reads_the_stream_in_64k_chunks(client):
    """The body is read as a stream, 64 KiB at a time, not loaded at once."""
    body = b"x" * 200_000
    recorder = ReadRecorder(body)
    # As gunicorn passes a chunked upload: no Content-Length, the server ends the input.
    environ = {"wsgi.input": recorder, "wsgi.input_terminated": True}
    answer = client.post("/upload", environ_overrides=environ).json
    assert answer["size"] == len(body), answer
    assert len(recorder.reads) > 1, recorder.reads
    assert max(recorder.reads) == 64 * 1024, recorder.reads


def test_stream_sends_json_lines_as_plain_text(client):
    """/stream: `count` JSON lines, text/plain, no Content-Length (chunked)."""
    response = client.get("/stream?count=3&interval_ms=0")
    lines = [json.loads(line) for line in response.data.splitlines()]
    assert [line["i"] for line in lines] == [0, 1, 2]
    assert all(line["instance"] == "app-1" and line["t"] > 0 for line in lines)
    assert response.headers["Content-Type"] == "text/plain"
    assert "Content-Length" not in response.headers


def test_sse_sends_events(client):
    """/sse: `count` events with id and JSON data, text/event-stream, not cached."""
    response = client.get("/sse?count=2&interval_ms=0")
    events = response.data.decode().split("\n\n")
    assert events[-1] == "", "the stream ends with a complete event"
    for i, event in enumerate(events[:-1]):
        id_line, data_line = event.split("\n")
        assert id_line == f"id: {i}"
        assert json.loads(data_line.removeprefix("data: "))["i"] == i
    assert response.headers["Content-Type"] == "text/event-stream"
    assert response.headers["Cache-Control"] == "no-cache"


@pytest.mark.parametrize("path", ["/stream", "/sse"])
def test_streams_yield_each_item_when_due(client, path):
    """The first item comes at once, then one per interval: a generator, not a buffer."""
    started = time.monotonic()
    response = client.get(f"{path}?count=3&interval_ms=150", buffered=False)
    arrivals = [time.monotonic() - started for _ in response.response]
    response.close()
    assert len(arrivals) == 3
    assert arrivals[0] < 0.1, arrivals
    assert all(later - earlier >= 0.14 for earlier, later in itertools.pairwise(arrivals)), arrivals


def test_sleep_sleeps(client):
    """/sleep answers after sleeping the requested time."""
    started = time.monotonic()
    answer = client.get("/sleep?ms=50").json
    assert answer == {"slept_ms": 50, "instance": "app-1"}
    assert time.monotonic() - started >= 0.05


@pytest.mark.parametrize(
    "query",
    [
        "/stream?count=abc",
        "/stream?count=-1",
        "/sse?interval_ms=1.5",
        "/sleep?ms=1e3",
        "/sleep?ms=",
        "/headers?size=+5",
        "/bytes?n=1_000",
        "/bytes?n=%D9%A3",  # an Arabic-Indic digit, which int() would accept
        "/seen?limit=%205",
        "/counter",
    ],
)
def test_bad_parameter_is_400_json(client, query):
    """A malformed or missing parameter is a 400 with a JSON error saying which."""
    response = client.get(query)
    assert response.status_code == 400, response.data
    assert "query parameter" in response.json["error"], response.json


def test_parameters_are_clamped(client, monkeypatch):
    """Values above the contract's limits are clamped, not refused."""
    slept = []
    monkeypatch.setattr("flask_app.routes.time.sleep", slept.append)
    assert client.get("/sleep?ms=999999").json["slept_ms"] == 120_000
    assert len(client.get("/stream?count=5000&interval_ms=99999").data.splitlines()) == 1000
    assert slept == [120.0] + [10.0] * 999
    large = client.get("/headers?size=99999999")
    assert (large.json["size"], len(large.headers["X-Large"])) == (1024 * 1024, 1024 * 1024)
    payload = client.get("/bytes?n=999999999", buffered=False)
    assert payload.headers["Content-Length"] == str(64 * 1024 * 1024)
    payload.close()


def test_redirect_is_absolute_from_the_request_seen(client):
    """/redirect points at /echo?redirected=1 with the scheme, host and port the app saw."""
    direct = client.get("/redirect")
    assert direct.status_code == 302
    assert direct.headers["Location"] == "http://localhost/echo?redirected=1"
    proxied = client.get("/redirect", headers=BEHIND_TLS_PROXY)
    expected = "https://deploy-harness.test:8443/prefix/echo?redirected=1"
    assert proxied.headers["Location"] == expected


def test_headers_sends_a_large_header_and_cookie(client):
    """/headers?size=n answers X-Large and the cookie `big`, each n characters long."""
    response = client.get("/headers?size=300")
    assert response.json == {"size": 300}
    assert response.headers["X-Large"] == "a" * 300
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("big=" + "b" * 300 + ";"), cookie


@pytest.mark.parametrize(("path", "name"), [("/cookie", "session_probe"), ("/headers", "big")])
@pytest.mark.parametrize("proto", ["http", "https"])
def test_cookies_are_secure_exactly_when_the_request_is(client, path, name, proto):
    """Path=/, HttpOnly, SameSite=Lax always; Secure only on a secure request."""
    response = client.get(path, headers={"X-Forwarded-Proto": proto})
    attributes = {part.strip() for part in response.headers["Set-Cookie"].split(";")[1:]}
    expected = {"Path=/", "HttpOnly", "SameSite=Lax"} | ({"Secure"} if proto == "https" else set())
    assert attributes == expected, response.headers["Set-Cookie"]
    if path == "/cookie":
        assert response.json == {"secure": proto == "https"}


@pytest.mark.parametrize("n", [0, 1, 36, 1000, 65_520, 200_001])
def test_bytes_sends_exactly_n_bytes_of_the_payload(client, n):
    """/bytes?n=n is the repeated payload line, cut at exactly n bytes."""
    response = client.get(f"/bytes?n={n}")
    expected = (PAYLOAD_LINE * (n // len(PAYLOAD_LINE) + 1))[:n]
    assert response.data == expected
    assert response.headers["Content-Length"] == str(n)
    assert response.headers["Content-Type"] == "text/plain"


def test_counter_increments_atomically_in_redis(client, redis_client):
    """POST increments, GET reads without changing; 0 when unset; keys are separate."""
    assert client.get("/counter?key=k").json == {"key": "k", "value": 0}
    assert client.post("/counter?key=k").json == {"key": "k", "value": 1}
    assert client.post("/counter?key=k").json == {"key": "k", "value": 2}
    assert client.get("/counter?key=k").json == {"key": "k", "value": 2}
    assert client.get("/counter?key=other").json["value"] == 0
    assert redis_client.get("harness:counter:k") == "2"


def test_seen_lists_requests_newest_first(client):
    """/seen lists what was handled, newest first; /health and /seen are left out."""
    client.get("/echo?a=1")
    client.get("/health")
    client.post("/upload", data=b"x")
    client.get("/seen")
    requests = client.get("/seen").json["requests"]
    assert [(seen["method"], seen["path"]) for seen in requests] == [
        ("POST", "/upload"),
        ("GET", "/echo"),
    ]
    assert set(requests[1]) == {"instance", "method", "path", "query", "t"}
    assert (requests[1]["query"], requests[1]["instance"]) == ("a=1", "app-1")


def test_seen_is_shared_by_replicas_and_limited(make_client):
    """Replicas on one Redis see each other's requests; `limit` bounds the answer."""
    first, second = make_client(instance="app-1"), make_client(instance="app-2")
    for _ in range(3):
        first.get("/echo")
        second.get("/echo")
    requests = first.get("/seen?limit=4").json["requests"]
    assert [seen["instance"] for seen in requests] == ["app-2", "app-1", "app-2", "app-1"]
    assert first.get("/seen?limit=0").json == {"requests": []}


def test_seen_log_is_capped(redis_client):
    """The log keeps the newest SEEN_CAPACITY entries."""
    store = Store("redis://unused", redis_client)
    for i in range(SEEN_CAPACITY + 5):
        store.record(SeenRequest(instance="app-1", method="GET", path=f"/{i}", query="", t=0.0))
    assert redis_client.llen(SEEN_KEY) == SEEN_CAPACITY
    assert store.seen(1)[0]["path"] == f"/{SEEN_CAPACITY + 4}"


@pytest.mark.parametrize(
    ("method", "path"), [("GET", "/counter?key=k"), ("POST", "/counter?key=k"), ("GET", "/seen")]
)
def test_redis_routes_answer_503_when_redis_is_down(redis_down, method, path):
    """/counter and /seen cannot work without Redis: 503 with a JSON error."""
    client = create_app(SETTINGS, redis_client=redis_down).test_client()
    response = client.open(path, method=method)
    assert response.status_code == 503, response.data
    assert "redis unavailable" in response.json["error"], response.json


def test_other_routes_survive_redis_down_and_it_coming_back(redis_server, redis_down, caplog):
    """Recording fails with a logged warning only; once Redis is back, it records again."""
    client = create_app(SETTINGS, redis_client=redis_down).test_client()
    assert client.get("/echo").status_code == 200
    assert "GET /echo is missing from /seen" in caplog.text
    redis_server.connected = True
    assert client.get("/echo").status_code == 200
    assert [seen["path"] for seen in client.get("/seen").json["requests"]] == ["/echo"]


def test_redis_client_is_created_lazily_from_the_url(monkeypatch):
    """Building the app opens nothing; the first Redis use creates the client from REDIS_URL."""
    created = []

    def from_url(url, **options):
        created.append(url)
        return fakeredis.FakeRedis(decode_responses=True)

    monkeypatch.setattr("flask_app.store.redis.Redis.from_url", from_url)
    client = create_app(SETTINGS).test_client()
    assert client.get("/health").status_code == 200
    assert created == []
    client.post("/counter?key=k")
    client.post("/counter?key=k")
    assert created == [SETTINGS.redis_url]


def test_unreachable_redis_fails_fast():
    """A real refused connection is a quick 503, not a worker held by retries."""
    settings = dataclasses.replace(SETTINGS, redis_url="redis://127.0.0.1:1/0")
    client = create_app(settings).test_client()
    started = time.monotonic()
    response = client.get("/counter?key=k")
    assert response.status_code == 503, response.data
    assert time.monotonic() - started < 3, "redis errors must not be retried for long"


# --- caching routes ----------------------------------------------------------------------------

CACHE_ROUTES = {
    "/cacheable?max_age=2": "public, max-age=2",
    "/private": "private, max-age=60",
    "/no-store": "no-store",
    "/with-cookie?max_age=5": "public, max-age=5",
    "/vary": "public, max-age=60",
}


@pytest.mark.parametrize(("path", "cache_control"), list(CACHE_ROUTES.items()))
def test_cache_routes_declare_their_cache_control_with_a_fresh_token(client, path, cache_control):
    """Each caching route says how it may be cached, and each answer has a new token."""
    first, second = client.get(path), client.get(path)
    assert first.headers["Cache-Control"] == cache_control
    assert len(first.json["token"]) == 16 and first.json["token"] != second.json["token"]
    assert first.json["instance"] == "app-1"


def test_cache_routes_are_recorded_in_seen(client):
    """Every request to a caching route is in /seen, query and all: how a scenario counts."""
    client.get("/cacheable?m=marker")
    client.post("/cacheable?m=marker")
    seen = client.get("/seen").json["requests"]
    assert [(e["method"], e["path"], e["query"]) for e in seen] == [
        ("POST", "/cacheable", "m=marker"),
        ("GET", "/cacheable", "m=marker"),
    ]


def test_with_cookie_sets_the_token_as_a_cookie(client):
    """/with-cookie's cookie carries this answer's token: whoever receives it got it."""
    response = client.get("/with-cookie")
    assert response.headers["Set-Cookie"].startswith(f"cache_probe={response.json['token']};")


def test_vary_answers_for_the_language_asked(client):
    """/vary varies on Accept-Language and names the language in its body."""
    response = client.get("/vary", headers={"Accept-Language": "fr"})
    assert response.headers["Vary"] == "Accept-Language"
    assert response.json["variant"] == "fr"


REVALIDATE = {
    "none": {},
    "no-cache": {"Cache-Control": "no-cache"},
    "max-age-0": {"Cache-Control": "public, max-age=0"},
    "s-maxage-0": {"Cache-Control": "public, max-age=60, s-maxage=0"},
    "expired": {"Expires": "Thu, 01 Jan 1970 00:00:00 GMT"},
}


@pytest.mark.parametrize("kind", list(REVALIDATE))
def test_revalidate_says_only_what_its_kind_says(client, kind):
    """/revalidate?kind= carries that kind's caching headers and no others, a new token each."""
    first, second = client.get(f"/revalidate?kind={kind}"), client.get(f"/revalidate?kind={kind}")
    said = {n: first.headers[n] for n in ("Cache-Control", "Expires") if n in first.headers}
    assert said == REVALIDATE[kind]
    assert first.json["token"] != second.json["token"]


def test_revalidate_refuses_an_unknown_kind(client):
    """An unknown kind is a 400 naming the kinds there are."""
    response = client.get("/revalidate?kind=forever")
    assert response.status_code == 400 and "no-cache" in response.json["error"]


def test_cacheable_refuses_a_bad_max_age(client):
    """max_age must be a whole number of seconds."""
    assert client.get("/cacheable?max_age=-1").status_code == 400


def test_archive_is_a_gzip_file_of_n_random_bytes(client):
    """/archive is application/gzip, not a Content-Encoding: a file compressed already."""
    import gzip

    response = client.get("/archive?n=5000")
    assert response.headers["Content-Type"] == "application/gzip"
    assert "Content-Encoding" not in response.headers
    assert len(gzip.decompress(response.data)) == 5000


def test_built_urls_keep_the_forwarded_prefix(client):
    """/urls builds the named route and the static file below X-Forwarded-Prefix (ProxyFix)."""
    urls = client.get("/urls", headers=BEHIND_TLS_PROXY).get_json()
    assert urls == {
        "echo": "https://deploy-harness.test:8443/prefix/echo",
        "static": "/prefix/static/hello.txt",
        "websocket": None,
        "script_name": "/prefix",
    }


def test_built_urls_at_the_root(client):
    """Without a prefix the same URLs start at the root."""
    urls = client.get("/urls").get_json()
    assert urls["echo"] == "http://localhost/echo"
    assert (urls["static"], urls["script_name"]) == ("/static/hello.txt", "")


def test_server_script_name_is_kept_in_built_urls(client):
    """A server that splits its root off the path (gunicorn's SCRIPT_NAME) gives the same."""
    response = client.get("/redirect", environ_overrides={"SCRIPT_NAME": "/app"})
    assert response.headers["Location"] == "http://localhost/app/echo?redirected=1"
    urls = client.get("/urls", environ_overrides={"SCRIPT_NAME": "/app"}).get_json()
    assert (urls["static"], urls["script_name"]) == ("/app/static/hello.txt", "/app")


# --- /form: the same CSRF checks as Django's ---------------------------------------------------


def _form_post(client, origin, proto="https", token=None, referer=None):
    issued = client.get("/form", headers={"X-Forwarded-Proto": proto}).json["token"]
    headers = {
        "X-Forwarded-Proto": proto,
        "X-CSRFToken": issued if token is None else token,
        "Cookie": f"csrftoken={issued}",
    }
    if origin is not None:
        headers["Origin"] = origin
    if referer is not None:
        headers["Referer"] = referer
    return client.post("/form", headers=headers)


@pytest.mark.parametrize("proto", ["http", "https"])
def test_form_post_from_own_origin_passes_csrf(client, proto):
    """A POST with the token and an Origin on the scheme and host the app sees passes."""
    response = _form_post(client, f"{proto}://localhost", proto)
    assert response.status_code == 200, response.data
    assert response.json == {"accepted": True}


def test_form_token_is_kept_in_a_lax_cookie_secure_over_https(client):
    """GET /form sets `csrftoken`, SameSite=Lax, Secure exactly on a secure request."""
    response = client.get("/form", headers={"X-Forwarded-Proto": "https"})
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith(f"csrftoken={response.json['token']};"), cookie
    assert "SameSite=Lax" in cookie and "Secure" in cookie, cookie


@pytest.mark.parametrize(
    ("origin", "proto", "token", "referer"),
    [
        ("http://localhost", "https", None, None),  # the scheme the proxy hid
        ("https://localhost", "http", None, None),  # an app that believes http
        ("https://localhost:8443", "https", None, None),  # a port the app does not see
        ("https://localhost", "https", "x" * 32, None),  # no matching token
        (None, "https", None, "https://elsewhere/"),  # https without Origin: the Referer
    ],
)
def test_form_post_fails_csrf_off_origin_or_without_token(client, origin, proto, token, referer):
    """Another scheme, host or port than the app believes, or a wrong token, gets 403."""
    response = _form_post(client, origin, proto, token, referer)
    assert response.status_code == 403, response.data
    assert response.json["error"].startswith("CSRF verification failed: "), response.json
